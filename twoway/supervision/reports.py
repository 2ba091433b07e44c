"""Periodic reports (定期汇报): a unit's weekly or monthly KPIs, funnel, categories and ranking,
as .xlsx and as PDF (WeasyPrint, Noto Sans CJK SC), archived as `Report` rows."""

from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from twoway.core.dbrouter import replica_reads
from twoway.org.models import OrgUnit, UnitKind

from . import kpis, tables
from .models import Report, ReportKind


def period_of(kind: str, day: date) -> kpis.Period:
    return kpis.Period.week(day) if kind == ReportKind.WEEKLY else kpis.Period.month(day)


def previous_period_day(kind: str, today: date) -> date:
    """A day in the last complete week or month before `today` (what cron reports on)."""
    if kind == ReportKind.WEEKLY:
        return today - timedelta(days=7)
    return today.replace(day=1) - timedelta(days=1)


def summary_rows(k: kpis.Kpi) -> list[list]:
    return [
        [_("Appeals received"), k.received],
        [_("Accepted within the time limit"), k.accepted_on_time],
        [_("Resolved"), k.resolved],
        [_("Resolved on time"), k.resolved_on_time],
        [_("Rated"), k.rated],
        [_("Response rate (%)"), tables.pct(k.response)],
        [_("Resolution rate (%)"), tables.pct(k.resolution)],
        [_("Satisfaction rate (%)"), tables.pct(k.satisfaction)],
        [_("On-time completion (%)"), tables.pct(k.on_time)],
        [_("Composite score"), tables.one(k.composite)],
    ]


def content(unit: OrgUnit, period: kpis.Period) -> dict:
    k = kpis.kpi(unit, period)
    charts = [tables.build(name, unit, period) for name in tables.CHARTS]
    if not kpis.CHILD_KIND.get(unit.kind):
        charts = [c for c in charts if c.name != "ranking"]
    return {
        "unit": unit,
        "period": period,
        "to": period.end - timedelta(days=1),
        "summary": summary_rows(k),
        "charts": charts,
    }


def filename(report: Report, fmt: str) -> str:
    return f"report-{report.kind}-{report.unit_id}-{report.period_start:%Y%m%d}.{fmt}"


def build_pdf(data: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("supervision/report_pdf.html", data)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(presentational_hints=True)


def report_make(*, unit: OrgUnit, kind: str, day: date, pdf: bool = True) -> Report:
    """Make the unit's weekly or monthly report for the period holding `day`, and archive it.
    Made again for the same period, it replaces the earlier files (figures may have moved on)."""
    period = period_of(kind, day)
    # The figures are read before the row is locked, from the replica when one is configured
    # and has what this process wrote (core/dbrouter.py). Reports are official records:
    # always in the official language.
    with replica_reads(), translation.override(settings.LANGUAGE_CODE):
        data = content(unit, period)
        kind_label = str(ReportKind(kind).label)
        meta = [
            (_("Unit"), unit.name),
            (_("Report"), kind_label),
            (pgettext("period", "From"), period.start.isoformat()),
            (pgettext("period", "To"), data["to"].isoformat()),
            (_("Made at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        ]
        sheets = [(_("Summary"), [_("Measure"), _("Value")], data["summary"])]
        sheets += [(c.title, c.headers, c.rows) for c in data["charts"]]
        xlsx = tables.workbook(sheets, meta)
        pdf_bytes = build_pdf({**data, "kind_label": kind_label, "meta": meta}) if pdf else None
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(unit=unit, kind=kind, period_start=period.start).first()
        if report is None:
            report = Report(unit=unit, kind=kind, period_start=period.start, period_end=period.end)
        else:
            for field in (report.xlsx, report.pdf):
                if field:
                    field.delete(save=False)
        report.created_at = timezone.now()
        report.xlsx.save(filename(report, "xlsx"), ContentFile(xlsx), save=False)
        if pdf_bytes:
            report.pdf.save(filename(report, "pdf"), ContentFile(pdf_bytes), save=False)
        report.save()
    return report


def report_units() -> list[OrgUnit]:
    """The units that get periodic reports: the district, its streets and communities."""
    kinds = [UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY]
    return list(OrgUnit.objects.filter(kind__in=kinds, retired_at__isnull=True).order_by("path"))
