"""manage.py verify_records: appeal chains, appeal state against its events, notice fingerprints."""

from django.core.management.base import BaseCommand, CommandError

from twoway.appeals.models import Appeal
from twoway.notices.models import Notice
from twoway.ops.verify import appeal_problems, notice_problems


class Command(BaseCommand):
    help = (
        "Verify the record: every appeal's hash chain, every appeal's state against a replay of its "
        "events, every public notice against its fingerprint. Exit 1 on any problem."
    )

    def handle(self, *args, **options):
        problems = 0
        for problem in [*appeal_problems(), *notice_problems()]:
            problems += 1
            self.stdout.write(str(problem))
        self.stdout.write(
            f"{Appeal.objects.count()} appeals and {Notice.objects.count()} notices checked, {problems} problems"
        )
        if problems:
            raise CommandError("the record has been altered")
