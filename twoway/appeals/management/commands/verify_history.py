"""Recompute every appeal's hash chain and report any break (R-3.6, tamper evidence)."""

from django.core.management.base import BaseCommand, CommandError

from twoway.appeals.history import chain_breaks
from twoway.appeals.models import AppealEvent


class Command(BaseCommand):
    help = "Verify the hash chains of all appeal histories; exit 1 on any break."

    def handle(self, *args, **options):
        checked = broken = 0
        current, events = None, []

        def flush():
            nonlocal broken
            for problem in chain_breaks(events):
                broken += 1
                self.stdout.write(f"appeal {current}: {problem}")

        for e in AppealEvent.objects.order_by("appeal_id", "seq").iterator(chunk_size=5000):
            if e.appeal_id != current:
                if events:
                    flush()
                current, events = e.appeal_id, []
                checked += 1
            events.append(e)
        if events:
            flush()
        self.stdout.write(f"{checked} appeals checked, {broken} problems")
        if broken:
            raise CommandError("the appeal history has been altered")
