"""The public page (§7.3): no login. This month's appeals received and resolved, satisfaction,
rankings with commended and lagging communities, public notices and meeting outcomes, per
community and for the district. Only counts and unit names: never a person's data."""

from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from twoway.core.dbrouter import primary_reads, replica_reads
from twoway.meetings.models import Meeting, MeetingStatus
from twoway.notices.models import Notice, NoticeKind
from twoway.org.models import OrgUnit, UnitKind

from . import facts, kpis

HELD = [MeetingStatus.HELD, MeetingStatus.CLOSED]
# Other public pages, linked when their module provides them.
LINKS = [
    ("notices:list", _("Public notices")),
    ("station:public_catalogue", _("Service catalogue")),
    ("records:public_stars", _("Star households and commendations")),
]


def public_links() -> list[tuple[str, str]]:
    links = []
    for name, label in LINKS:
        try:
            links.append((reverse(name), label))
        except NoReverseMatch:
            continue
    return links


def _month():
    return kpis.Period.month(timezone.localdate())


def _notices(paths):
    now = timezone.now()
    return Notice.objects.filter(unit__path__in=paths, publish_from__lte=now, publish_to__gt=now).select_related("unit")


@replica_reads()
def home(request):
    """The district's public page: every community's figures for this month."""
    with primary_reads():  # the latest events are on the primary
        facts.facts_refresh(max_appeals=2000)
    district = OrgUnit.objects.filter(kind=UnitKind.DISTRICT, parent=None).order_by("path").first()
    month = _month()
    if district is None:
        return render(request, "supervision/public.html", {"district": None, "links": public_links()})
    summary = kpis.kpi(district, month)
    ranking = kpis.ranking(district, UnitKind.COMMUNITY, month)
    scored = [r for r in ranking if r[0] is not None]
    streets = {u.pk: u.name for u in OrgUnit.objects.filter(kind=UnitKind.STREET)}
    rows = [(rank, unit, streets.get(unit.parent_id, ""), k) for rank, unit, k in ranking]
    start, end = month.bounds
    outcomes = (
        _notices(OrgUnit.objects.filter(path__startswith=district.path).values("path"))
        .filter(kind=NoticeKind.OUTCOME)
        .order_by("-publish_from")[:10]
    )
    held = Meeting.objects.filter(
        unit__path__startswith=district.path, status__in=HELD, starts_at__gte=start, starts_at__lt=end
    ).count()
    return render(
        request,
        "supervision/public.html",
        {
            "district": district,
            "month": month,
            "summary": summary,
            "rows": rows,
            "commended": scored[:3],
            "lagging": scored[-3:][::-1] if len(scored) > 3 else [],
            "notices": _notices([district.path]).order_by("-publish_from")[:10],
            "outcomes": outcomes,
            "meetings_held": held,
            "links": public_links(),
        },
    )


@replica_reads()
def community(request, pk):
    """One community's public figures for this month, its notices and meeting outcomes."""
    unit = OrgUnit.objects.filter(pk=pk, kind=UnitKind.COMMUNITY, retired_at__isnull=True).first()
    if unit is None:
        raise Http404
    with primary_reads():  # the latest events are on the primary
        facts.facts_refresh(max_appeals=2000)
    month = _month()
    start, end = month.bounds
    paths = OrgUnit.objects.filter(path__startswith=unit.path).values("path")
    return render(
        request,
        "supervision/public_community.html",
        {
            "unit": unit,
            "month": month,
            "summary": kpis.kpi(unit, month),
            "notices": _notices([*unit.ancestor_paths]).order_by("-publish_from")[:10],
            "outcomes": _notices(paths).filter(kind=NoticeKind.OUTCOME).order_by("-publish_from")[:10],
            "meetings_held": Meeting.objects.filter(
                unit__path__startswith=unit.path, status__in=HELD, starts_at__gte=start, starts_at__lt=end
            ).count(),
            "links": public_links(),
        },
    )
