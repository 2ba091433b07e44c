"""manage.py purge_audit: remove audit entries past the retention period (never < 180 days)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from twoway.audit.log import audit_purge
from twoway.audit.models import AuditEntry

MINIMUM_DAYS = 180  # 网络安全法 第二十一条: network logs are kept for at least six months


class Command(BaseCommand):
    help = "Delete audit entries older than TWOWAY_AUDIT_RETENTION_DAYS (at least 180); safe to run daily."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be removed, remove nothing")

    def handle(self, *args, dry_run=False, **options):
        days = max(MINIMUM_DAYS, settings.TWOWAY_AUDIT_RETENTION_DAYS)
        if dry_run:
            n = AuditEntry.objects.filter(at__lt=timezone.now() - timedelta(days=days)).count()
            self.stdout.write(f"{n} audit entries older than {days} days would be removed")
            return
        n = audit_purge()
        self.stdout.write(f"{n} audit entries older than {days} days removed")
