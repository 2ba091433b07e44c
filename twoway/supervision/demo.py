"""Demo data for supervision: the rollup built from the demo appeals, the KPI settings' history,
and archived monthly and weekly reports."""

from datetime import timedelta

from django.utils import timezone

from twoway.org.models import UnitKind

from . import facts, reports
from .models import KpiSettings, ReportKind


def demo_seed(*, seed: int) -> None:
    facts.facts_rebuild()
    if not KpiSettings.objects.exists():
        KpiSettings.objects.create(
            w_response="0.10",
            w_resolve="0.50",
            w_satisfaction="0.40",
            basic_factor="0.90",
            note="按 DB 3716/T 69—2024 默认权重启用",
            changed_at=timezone.now() - timedelta(days=90),
        )
    today = timezone.localdate()
    units = reports.report_units()
    last_month = reports.previous_period_day(ReportKind.MONTHLY, today)
    last_week = reports.previous_period_day(ReportKind.WEEKLY, today)
    for unit in units:
        # A PDF for the district; the other reports as .xlsx only, to keep the demo quick.
        pdf = unit.kind == UnitKind.DISTRICT
        reports.report_make(unit=unit, kind=ReportKind.MONTHLY, day=last_month, pdf=pdf)
        if unit.kind == UnitKind.DISTRICT:
            reports.report_make(unit=unit, kind=ReportKind.WEEKLY, day=last_week, pdf=False)
