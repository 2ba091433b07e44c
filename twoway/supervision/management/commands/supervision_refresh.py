"""Bring the supervision rollup up to date (cron, every few minutes), or rebuild it (--full)."""

import time

from django.core.management.base import BaseCommand

from twoway.supervision import facts, hotspots


class Command(BaseCommand):
    help = (
        "Recompute the rollup behind the dashboards (per appeal, and per day, community and category) "
        "from the appeal events."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild every row, in bulk")
        parser.add_argument(
            "--terms",
            action="store_true",
            help="find every appeal's hotspot words again (after the stop words changed)",
        )

    def handle(self, *args, full=False, terms=False, **options):
        started = time.monotonic()
        if terms:
            n = hotspots.terms_fill(redo=True)
            self.stdout.write(f"{n} appeals' words found again, {time.monotonic() - started:.1f} s")
            started = time.monotonic()
        n = facts.facts_rebuild() if full else facts.facts_refresh()
        self.stdout.write(self.style.SUCCESS(f"{n} appeals recomputed, {time.monotonic() - started:.1f} s"))
