"""Bring the supervision rollup up to date (cron, every few minutes), or rebuild it (--full)."""

from django.core.management.base import BaseCommand

from twoway.supervision import facts


class Command(BaseCommand):
    help = "Recompute the per-appeal rollup behind the dashboards from the appeal events."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild every row")

    def handle(self, *args, full=False, **options):
        n = facts.facts_rebuild() if full else facts.facts_refresh()
        self.stdout.write(self.style.SUCCESS(f"{n} appeals recomputed"))
