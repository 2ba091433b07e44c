"""manage.py backup [PATH]: a consistent copy of the database while it stays in use."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from twoway.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online backup API; PostgreSQL: pg_dump) to PATH, "
        "with a manifest of row counts and checksums beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="file to write (default: backups/twoway-<time>.<ext>)")
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    def handle(self, *args, path=None, database="default", **options):
        from django.db import connections

        vendor = connections[database].vendor
        if path is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            path = Path("backups") / f"twoway-{stamp}.{'sqlite3' if vendor == 'sqlite' else 'dump'}"
        try:
            result = backup_create(path=Path(path), alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = result.fingerprint["counts"]
        self.stdout.write(
            f"{result.path}: {len(counts)} tables, {result.rows} rows "
            f"({counts.get('appeals_appeal', 0)} appeals, {counts.get('appeals_appealevent', 0)} events)"
        )
