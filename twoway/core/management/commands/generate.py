"""Generate data at scale for benchmarks: `manage.py generate --residents 100000`."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from twoway.org.demo import build_demo
from twoway.org.models import OrgUnit, Person


class Command(BaseCommand):
    help = "Build the demo district at scale (into an empty database) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=100_000, help="about how many residents")
        parser.add_argument("--appeals", type=int, default=0, help="how many appeals to add, with full histories")
        parser.add_argument("--days", type=int, default=365, help="spread the appeals over this many days")
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, residents, appeals, days, seed, **options):
        if appeals and OrgUnit.objects.exists():
            return self._appeals(appeals, days, seed)
        if OrgUnit.objects.exists():
            raise CommandError("The database already has people; add appeals with --appeals N.")
        # The demo tree has about 63 resident groups and about 2.4 people per household.
        per_group = max(10, -(-residents * 10 // (63 * 24)))
        started = time.monotonic()
        build_demo(seed=seed, households_per_group=(per_group, per_group))
        # Fresh statistics, as autovacuum would gather them a little later on a live server.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"{Person.objects.count():,} people in {OrgUnit.objects.count()} units, {time.monotonic() - started:.1f} s"
        )
        if appeals:
            self._appeals(appeals, days, seed)

    def _appeals(self, count, days, seed):
        from twoway.appeals.models import Appeal, AppealEvent, Rating
        from twoway.appeals.synth import generate

        started = time.monotonic()

        def progress(n):
            if n % 50_000 == 0 or n == count:
                self.stdout.write(f"  {n:,} appeals, {time.monotonic() - started:.0f} s")

        generate(count=count, days=days, seed=seed, progress=progress)
        loaded = time.monotonic() - started
        # Statistics, and on PostgreSQL the visibility map and hint bits that autovacuum would
        # set a little later on a live server (index-only scans and counts depend on them).
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Appeal, AppealEvent, Rating))
                cursor.execute(f"VACUUM (ANALYZE) {tables}")
            else:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"{count:,} appeals in {time.monotonic() - started:.1f} s"
            f" (written in {loaded:.1f} s, then vacuum and analyze)"
        )
