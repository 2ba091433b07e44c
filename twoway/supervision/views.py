"""Supervision pages: the dashboard of each level, rankings, hotspots, reports, KPI settings.
Every page is scoped: the unit filter must lie within the viewer's area."""

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from twoway.appeals.models import Category
from twoway.audit.log import audit_record
from twoway.core.dbrouter import primary_reads, replica_reads
from twoway.core.pages import paginate, run_form_action
from twoway.core.parse import as_int
from twoway.org.models import OrgUnit, UnitKind
from twoway.org.scope import home_units, require_staff, scope_for, unit_get

from . import facts, hotspots, kpis, reports, tables
from .actions import kpi_settings_change
from .models import KpiSettings, Report, ReportKind

MAX_DAYS = 3 * 366
# Dates the filters accept: a year 1 or 9999 would overflow the period arithmetic.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


@dataclass
class Filters:
    unit: OrgUnit
    period: kpis.Period
    category: Category | None
    errors: list[str]

    @property
    def to(self) -> date:
        return self.period.end - timedelta(days=1)

    def query(self, **changes) -> str:
        params = {
            "unit": self.unit.pk,
            "from": self.period.start.isoformat(),
            "to": self.to.isoformat(),
        }
        if self.category:
            params["category"] = self.category.pk
        params.update(changes)
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _today() -> date:
    return timezone.localdate()


def _date(value: str, label, errors: list[str]):
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        errors.append(_("%(field)s: enter a date such as 2026-03-01.") % {"field": label})
        return None
    return day


def default_unit(user) -> OrgUnit | None:
    units = home_units(user)
    return units[0] if units else None


def parse_filters(request) -> Filters:
    """The filters from the URL: unit (within the viewer's area, else 404), period, category."""
    require_staff(request.user)
    # Take in the appeals' latest events first (cheap when few changed; see facts.facts_refresh),
    # reading the primary: a replica may not have them yet.
    with primary_reads():
        facts.facts_refresh(max_appeals=2000)
    unit = unit_get(request.user, request.GET["unit"]) if request.GET.get("unit") else default_unit(request.user)
    if unit is None:
        raise Http404
    errors: list[str] = []
    today = _today()
    start = _date(request.GET.get("from", ""), pgettext("period", "From"), errors)
    end = _date(request.GET.get("to", ""), pgettext("period", "To"), errors)
    end = end or today
    start = start or (end - timedelta(days=12 * 7 - 1))
    if start > end:
        errors.append(_("From: the start must not be after the end."))
        start = end - timedelta(days=12 * 7 - 1)
    if (end - start).days > MAX_DAYS:
        errors.append(_("To: choose a period of at most three years."))
        start = end - timedelta(days=MAX_DAYS)
    category = None
    if request.GET.get("category"):
        category = Category.objects.filter(pk=as_int(request.GET["category"]), parent=None).first()
        if category is None:
            errors.append(_("Category: choose a category from the list."))
    return Filters(unit, kpis.Period(start, end + timedelta(days=1)), category, errors)


def unit_choices(user) -> list[OrgUnit]:
    """Units the filter offers: the viewer's area down to communities."""
    scope = scope_for(user)
    kinds = [UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY]
    return list(OrgUnit.objects.filter(scope.q("path"), kind__in=kinds, retired_at__isnull=True).order_by("path")[:500])


def quick_periods(f: Filters) -> list[tuple[str, str]]:
    today = _today()
    month = kpis.Period.month(today)
    last_month = kpis.Period.month(month.start - timedelta(days=1))
    options = [
        (_("Last 12 weeks"), today - timedelta(days=83), today),
        (_("Month to date"), month.start, today),
        (_("Last month"), last_month.start, last_month.end - timedelta(days=1)),
        (_("This year"), today.replace(month=1, day=1), today),
    ]
    return [(label, "?" + f.query(**{"from": s.isoformat(), "to": e.isoformat()})) for label, s, e in options]


@login_required
@replica_reads()
def dashboard(request):
    """One dashboard per level: the KPIs of the chosen unit, its charts, and its units one level down."""
    f = parse_filters(request)
    cat = f.category.pk if f.category else None
    weights = kpis.current_weights()
    summary = kpis.kpi(f.unit, f.period, cat, weights=weights)
    charts = [tables.build(name, f.unit, f.period, cat, weights=weights) for name in tables.CHARTS]
    if not kpis.CHILD_KIND.get(f.unit.kind):
        charts = [c for c in charts if c.name != "ranking"]
    month = kpis.Period.month(_today())
    commended = lagging = None
    if f.unit.kind == UnitKind.DISTRICT:
        ranking = [r for r in kpis.ranking(f.unit, UnitKind.COMMUNITY, month, weights=weights) if r[0] is not None]
        commended, lagging = ranking[:3], (ranking[-3:][::-1] if len(ranking) > 3 else [])
    sub_units = list(kpis.children(f.unit)) if f.unit.kind == UnitKind.DISTRICT else [f.unit]
    forward = kpis.forward(sub_units, f.period)
    return render(
        request,
        "supervision/dashboard.html",
        {
            "f": f,
            "summary": summary,
            "charts": charts,
            "units": unit_choices(request.user),
            "categories": Category.objects.filter(parent=None, active=True),
            "quick": quick_periods(f),
            "commended": commended,
            "lagging": lagging,
            "month": month,
            "forward": forward,
            "as_of": facts.last_refresh(),
            "weights": weights,
        },
    )


@login_required
@replica_reads()
def export(request, chart):
    """One chart's table as .xlsx, with the filters it was made with."""
    if chart not in tables.CHARTS:
        raise Http404
    f = parse_filters(request)
    table = tables.build(chart, f.unit, f.period, f.category.pk if f.category else None)
    meta = [
        (_("Unit"), f.unit.name),
        (pgettext("period", "From"), f.period.start.isoformat()),
        (pgettext("period", "To"), f.to.isoformat()),
        (_("Category"), f.category.name if f.category else _("All categories")),
    ]
    data = tables.workbook([(table.title, table.headers, table.rows)], meta)
    audit_record(request=request, action="supervision_export", target=f"{chart}:{f.unit.pk}", detail={"q": f.query()})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{chart}-{f.period.start}-{f.to}.xlsx"'
    return response


@login_required
@replica_reads()
def rankings(request):
    """Units ranked by composite score for a month (§7.2): communities and streets."""
    f = parse_filters(request)
    month_text = request.GET.get("month", "")
    try:
        first_day = date.fromisoformat(month_text + "-01") if month_text else None
        if first_day and not FIRST_DAY <= first_day <= LAST_DAY:
            raise ValueError(month_text)
        month = kpis.Period.month(first_day) if first_day else None
    except ValueError:
        messages.error(request, _("Month: enter a month such as 2026-03."))
        month = None
    month = month or kpis.Period.month(_today())
    root = f.unit
    lists = []
    for kind, label in ((UnitKind.STREET, _("Streets")), (UnitKind.COMMUNITY, _("Communities"))):
        if kpis.units_of_kind(root, kind).exclude(pk=root.pk).exists():
            lists.append((label, kpis.ranking(root, kind, month)))
    months = []
    first = kpis.Period.month(_today())
    for _i in range(12):
        months.append(first.start.strftime("%Y-%m"))
        first = kpis.Period.month(first.start - timedelta(days=1))
    return render(
        request,
        "supervision/rankings.html",
        {
            "f": f,
            "month": month,
            "month_text": month.start.strftime("%Y-%m"),
            "lists": lists,
            "months": months,
            "units": unit_choices(request.user),
        },
    )


@login_required
@replica_reads()
def hotspots_page(request):
    """Hotspots (R-3.9): frequent categories and terms, rising units, appeals that bounced."""
    f = parse_filters(request)
    cat = f.category.pk if f.category else None
    return render(
        request,
        "supervision/hotspots.html",
        {
            "f": f,
            "top_categories": kpis.categories(f.unit, f.period, cat, limit=10),
            "terms": hotspots.terms(f.unit, f.period, cat),
            "rising": kpis.rising(f.unit, _today()),
            "bounced": _bounced(request.user, f, cat),
            "units": unit_choices(request.user),
            "categories": Category.objects.filter(parent=None, active=True),
            "quick": quick_periods(f),
        },
    )


def _bounced(user, f: Filters, cat):
    """Bounced appeals; the unit holding one is named only if it lies in the viewer's area."""
    scope = scope_for(user)
    rows = list(kpis.bounced(f.unit, f.period, cat))
    for row in rows:
        unit = row.appeal.handling_unit
        row.holder = unit.name if scope.covers(unit.path) else ""
    return rows


@login_required
def report_list(request):
    """The archive of periodic reports of the viewer's area."""
    scope = require_staff(request.user)
    qs = Report.objects.filter(scope.unit_q("unit")).select_related("unit")
    unit = None
    if request.GET.get("unit"):
        unit = unit_get(request.user, request.GET["unit"])
        qs = qs.filter(unit__path__startswith=unit.path)
    kind = request.GET.get("kind", "")
    if kind in ReportKind.values:
        qs = qs.filter(kind=kind)
    return render(
        request,
        "supervision/reports.html",
        {
            "page": paginate(request, qs),
            "kind": kind,
            "unit": unit,
            "units": unit_choices(request.user),
            "kinds": ReportKind.choices,
        },
    )


@login_required
def report_file(request, pk, fmt):
    """Download one archived report, as .xlsx or PDF."""
    scope = require_staff(request.user)
    report = Report.objects.filter(pk=pk).select_related("unit").first()
    if report is None or not scope.covers(report.unit.path) or fmt not in ("xlsx", "pdf"):
        raise Http404
    field = report.xlsx if fmt == "xlsx" else report.pdf
    if not field:
        raise Http404
    audit_record(request=request, action="report_download", target=f"Report#{report.pk}.{fmt}")
    return FileResponse(field.open("rb"), as_attachment=True, filename=reports.filename(report, fmt))


@login_required
@require_POST
def report_make(request):
    """Make (or make again) the current week's or month's report of a unit in the viewer's area."""
    require_staff(request.user)
    # Take in the appeals' latest events first (cheap when few changed; see facts.facts_refresh).
    facts.facts_refresh(max_appeals=2000)
    unit = unit_get(request.user, request.POST.get("unit") or 0)
    kind = request.POST.get("kind", "")
    if kind not in ReportKind.values:
        messages.error(request, _("Kind: choose a weekly or a monthly report."))
        return redirect("supervision:reports")
    facts.facts_refresh()
    report = reports.report_make(unit=unit, kind=kind, day=_today())
    messages.success(request, _("The report is ready: %(report)s.") % {"report": report})
    return redirect(reverse("supervision:reports") + f"?unit={unit.pk}")


class SettingsForm(forms.Form):
    # Numbers from 0 to 1 with two decimals; kpi_settings_change checks that the weights add up to 1.
    w_response = forms.DecimalField(
        label=gettext_lazy("Weight of the response rate"), min_value=0, max_value=1, max_digits=3, decimal_places=2
    )
    w_resolve = forms.DecimalField(
        label=gettext_lazy("Weight of the resolution rate"), min_value=0, max_value=1, max_digits=3, decimal_places=2
    )
    w_satisfaction = forms.DecimalField(
        label=gettext_lazy("Weight of the satisfaction rate"), min_value=0, max_value=1, max_digits=3, decimal_places=2
    )
    basic_factor = forms.DecimalField(
        label=gettext_lazy("Factor for “basically satisfied”"), min_value=0, max_value=1, max_digits=3, decimal_places=2
    )
    note = forms.CharField(label=gettext_lazy("Reason for the change"), required=False, max_length=300)


@login_required
def kpi_settings(request):
    """The KPI weights in force, their history, and (for district staff) a form to change them."""
    scope = require_staff(request.user)
    can_change = scope.covers_everything(write=True)
    w = kpis.current_weights()
    form = SettingsForm(
        request.POST or None,
        initial={
            "w_response": w.w_response,
            "w_resolve": w.w_resolve,
            "w_satisfaction": w.w_satisfaction,
            "basic_factor": w.basic_factor,
        },
    )
    if request.method == "POST":
        if not can_change:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            row = run_form_action(form, kpi_settings_change, user=request.user, **form.cleaned_data)
            if row is not None:
                messages.success(request, _("The new KPI settings apply from now on."))
                return redirect("supervision:settings")
    history = KpiSettings.objects.select_related("changed_by")[:50]
    # Who changed them is shown to district staff only: above a street, names are outside its area.
    show_names = scope.covers_everything()
    return render(
        request,
        "supervision/settings.html",
        {"form": form, "weights": w, "history": history, "can_change": can_change, "show_names": show_names},
    )
