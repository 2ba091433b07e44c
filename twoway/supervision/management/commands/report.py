"""Make the periodic reports for cron: `manage.py report --kind weekly` every Monday,
`manage.py report --kind monthly` on the 1st. Each covers the last complete period."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from twoway.org.models import OrgUnit
from twoway.supervision import facts, reports
from twoway.supervision.models import ReportKind


class Command(BaseCommand):
    help = "Make and archive weekly or monthly reports (.xlsx and PDF) for the district, streets and communities."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=ReportKind.values, required=True)
        parser.add_argument("--date", help="a day in the period to report on (default: the last complete one)")
        parser.add_argument("--unit", type=int, action="append", help="only this unit (id); may be repeated")
        parser.add_argument("--no-pdf", action="store_true", help="make only the .xlsx files")

    def handle(self, *args, kind, date=None, unit=None, no_pdf=False, **options):
        if date:
            try:
                day = _parse(date)
            except ValueError:
                raise CommandError("--date: use the form 2026-03-01") from None
        else:
            day = reports.previous_period_day(kind, timezone.localdate())
        refreshed = facts.facts_refresh()
        self.stdout.write(f"rollup: {refreshed} appeals recomputed")
        units = list(OrgUnit.objects.filter(pk__in=unit)) if unit else reports.report_units()
        if unit and len(units) != len(set(unit)):
            raise CommandError("--unit: no such unit")
        for u in units:
            report = reports.report_make(unit=u, kind=kind, day=day, pdf=not no_pdf)
            self.stdout.write(f"{report.pk}\t{u.name}\t{report.period_start}–{report.period_end}")
        self.stdout.write(self.style.SUCCESS(f"{len(units)} reports"))


def _parse(text: str) -> date:
    return date.fromisoformat(text)
