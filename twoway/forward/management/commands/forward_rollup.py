"""Rebuild the progress rollup from the tasks, or (--check) say whether it agrees with them.

Run it after tasks were written around the task functions (an import, a restore, a fix by hand);
the task functions themselves keep the rollup in step."""

from django.core.management.base import BaseCommand, CommandError

from twoway.forward.rollup import rollup_from_tasks, rollup_rebuild, rollup_stored


class Command(BaseCommand):
    help = "Rebuild the forward-chain progress rollup from the tasks (--check: compare only)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare, change nothing; exit 1 on a difference")

    def handle(self, *args, **options):
        if options["check"]:
            expected, stored = rollup_from_tasks(), rollup_stored()
            wrong = sorted(k for k in expected.keys() | stored.keys() if expected.get(k) != stored.get(k))
            for key in wrong[:20]:
                self.stdout.write(f"{key}: stored {stored.get(key, 0)}, tasks say {expected.get(key, 0)}")
            if wrong:
                raise CommandError(f"{len(wrong)} rollup rows differ from the tasks; run forward_rollup to rebuild")
            self.stdout.write(f"rollup agrees with the tasks ({len(stored)} rows)")
            return
        self.stdout.write(f"rollup rebuilt: {rollup_rebuild()} rows")
