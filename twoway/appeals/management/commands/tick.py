"""Apply the time-based rules. Safe to run every minute from cron or a systemd timer, and
safe to run twice at once (see `appeals.flow.tick`)."""

from django.core.management.base import BaseCommand

from twoway.appeals.flow import tick


class Command(BaseCommand):
    help = "Apply time-based rules: close resolved appeals left unrated for 7 days."

    def handle(self, *args, **options):
        result = tick()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
