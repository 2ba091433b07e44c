"""Policy notices (宣传, R-2.5, §5.1.1.3): pushed down to chosen units and their residents.

Reach is the number of residents in the units a notice was pushed to; a resident who opens it
has read it (once). Each unit has a read rate: reads over reach.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from twoway.core.errors import DomainError
from twoway.core.parse import as_int, as_list, pk_or_404
from twoway.core.text import clean_text
from twoway.org.models import PATH_STEP, OrgUnit, Person
from twoway.org.scope import scope_for, unit_get

from .models import NoticeRead, PolicyNotice
from .plans import actor_of

TITLE_MAX = 120
BODY_MAX = 10000


def _targets_q(person: Person) -> Q:
    """Notices pushed to the person's unit or any unit above it."""
    return Q(targets__path__in=person.unit.ancestor_paths)


def notices_for_resident(person: Person) -> QuerySet[PolicyNotice]:
    return (
        PolicyNotice.objects.filter(_targets_q(person), published_at__lte=timezone.now())
        .distinct()
        .order_by("-published_at", "-id")
    )


def visible_notices(user) -> QuerySet[PolicyNotice]:
    """Staff: notices issued in their area or pushed into it. Residents: notices pushed to them."""
    scope = scope_for(user)
    if scope.is_staff:
        if scope.covers_everything():
            return PolicyNotice.objects.all()
        units = OrgUnit.objects.filter(scope.q("path")).values("pk")
        ids = PolicyNotice.objects.filter(Q(unit__in=units) | Q(targets__in=units)).values("pk")
        return PolicyNotice.objects.filter(pk__in=ids)
    if scope.person is None:
        return PolicyNotice.objects.none()
    return notices_for_resident(scope.person)


def notice_get(user, pk) -> PolicyNotice:
    notice = visible_notices(user).filter(pk=pk_or_404(pk)).select_related("unit").first()
    if notice is None:
        raise Http404
    return notice


@transaction.atomic
def notice_publish(*, user, unit_id, title: str, body: str, target_ids) -> PolicyNotice:
    """Publish a policy notice from a unit to chosen units within its area (itself included)."""
    actor = actor_of(user)
    unit = unit_get(user, unit_id, write=True)
    title = clean_text(title, field="title", label=pgettext("heading", "Title"), limit=None)
    body = clean_text(body, field="body", label=_("Text"), limit=None)
    if not title:
        raise DomainError("title_required", _("Title: enter a title."), "title")
    if len(title) > TITLE_MAX:
        raise DomainError("title_long", _("Title: at most %(n)s characters.") % {"n": TITLE_MAX}, "title")
    if not body:
        raise DomainError("body_required", _("Text: enter the text of the notice."), "body")
    if len(body) > BODY_MAX:
        raise DomainError("body_long", _("Text: at most %(n)s characters.") % {"n": BODY_MAX}, "body")
    ids = {as_int(pk) for pk in as_list(target_ids)}
    if None in ids:
        ids = set()
    if not ids:
        raise DomainError("targets_required", _("Pushed to: choose at least one unit."), "targets")
    targets = list(OrgUnit.objects.filter(pk__in=ids, path__startswith=unit.path, retired_at__isnull=True))
    if len(targets) != len(ids):
        raise DomainError("bad_target", _("Pushed to: choose units within the issuing unit."), "targets")
    notice = PolicyNotice.objects.create(
        unit=unit, title=title, body=body, published_at=timezone.now(), created_by=actor
    )
    notice.targets.set(targets)
    return notice


def notice_open(*, person: Person | None, notice: PolicyNotice) -> bool:
    """A resident opened the notice: count it as read, once. True when this was the first time."""
    if person is None or person.household_id is None:
        return False
    if not any(t in person.unit.ancestor_paths for t in notice.targets.values_list("path", flat=True)):
        return False
    try:
        with transaction.atomic():
            NoticeRead.objects.create(notice=notice, person=person, at=timezone.now())
    except IntegrityError:
        return False
    return True


@dataclass
class Reach:
    unit: OrgUnit
    reach: int
    read: int

    @property
    def rate(self) -> int:
        return round(100 * self.read / self.reach) if self.reach else 0


def notice_reach(notice: PolicyNotice, root: OrgUnit) -> list[Reach]:
    """Reach, reads and read rate for `root` and each unit directly below it, counting only
    residents of the units the notice was pushed to. Four queries."""
    targets = list(notice.targets.values_list("path", flat=True))
    covered = Q()
    for t in targets:
        covered |= Q(unit__path__startswith=t)
    rows = [root, *OrgUnit.objects.filter(parent=root, retired_at__isnull=True).order_by("sort", "path")]
    result = {u.path: Reach(unit=u, reach=0, read=0) for u in rows}
    if not targets:
        return list(result.values())
    base = Person.objects.filter(covered, unit__path__startswith=root.path, household__isnull=False)
    residents = base.filter(retired_at__isnull=True).values_list("unit__path").annotate(n=Count("id")).order_by()
    reads = (
        base.filter(pk__in=NoticeRead.objects.filter(notice=notice).values("person_id"))
        .values_list("unit__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for qs, attr in ((residents, "reach"), (reads, "read")):
        for path, n in qs:
            for i in (len(root.path), len(root.path) + PATH_STEP):
                row = result.get(path[:i])
                if row is not None and len(path) >= i:
                    setattr(row, attr, getattr(row, attr) + n)
    return list(result.values())
