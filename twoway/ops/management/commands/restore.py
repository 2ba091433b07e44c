"""manage.py restore PATH: bring a backup back and check it against its manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from twoway.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database (or --database-url), "
        "then compare row counts and checksums with the backup's manifest; exit 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file (.sqlite3 or pg_dump archive)")
        parser.add_argument(
            "--database-url", help="restore into this database instead of the configured one (e.g. a drill)"
        )
        parser.add_argument("--replace", action="store_true", help="overwrite a database that already has tables")

    def handle(self, *args, path, database_url=None, replace=False, **options):
        try:
            result = backup_restore(path=Path(path), target_url=database_url, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = result.fingerprint["counts"]
        for problem in result.problems:
            self.stdout.write(f"difference: {problem}")
        self.stdout.write(
            f"restored {result.path}: {len(counts)} tables, {result.rows} rows "
            f"({counts.get('appeals_appeal', 0)} appeals, {counts.get('appeals_appealevent', 0)} events)"
        )
        if result.problems:
            raise CommandError("the restored database does not match the backup's manifest")
        self.stdout.write("row counts and checksums match the backup")
