from django.core.management.base import BaseCommand

from twoway.core.plugins import app_modules
from twoway.org.demo import DEMO_PASSWORD, build_demo
from twoway.org.models import OrgUnit

# Apps that load their demo data themselves, above; every other app of ours may define
# `demo_seed(*, seed)` in its `demo.py`, which runs after them, in INSTALLED_APPS order.
_SEEDED_ABOVE = {"twoway.org", "twoway.appeals", "twoway.meetings"}


def run_demo_hooks(*, seed: int) -> None:
    for module in app_modules("demo", exclude=_SEEDED_ABOVE):
        hook = getattr(module, "demo_seed", None)
        if hook is not None:
            hook(seed=seed)


class Command(BaseCommand):
    help = "Load the demo district (once) and print one demo login per role."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, seed, **options):
        if OrgUnit.objects.exists():
            self.stdout.write("Demo data is already loaded.")
            from django.contrib.auth import get_user_model

            usernames = list(get_user_model().objects.order_by("id").values_list("username", flat=True)[:12])
            rows = [(u, "", "") for u in usernames]
        else:
            logins = build_demo(seed=seed)
            from twoway.appeals.resources import seed_demo_resources
            from twoway.appeals.synth import generate

            generate(count=400, days=120, seed=seed)
            seed_demo_resources(seed=seed)
            from twoway.meetings.demo import seed_demo_meetings

            seed_demo_meetings()
            run_demo_hooks(seed=seed)
            rows = [(d.username, d.role, d.unit) for d in logins]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins 演示账号 (password 密码: {DEMO_PASSWORD})"))
        for username, role, unit in rows:
            self.stdout.write(f"  {username:<22} {role}  {unit}")
        self.stdout.write("")
