"""Scope cases of the supervision pages: dashboards, exports, rankings, hotspots, reports,
KPI settings, and the public page (no login, no personal data)."""

from tests.scope_registry import ById, Listing, Public
from twoway.supervision.models import Report


def _seed_reports(tree):
    """A weekly report of every community, street and the district (no PDF: fast), after the
    rollup has taken in the seeded appeals, so every viewer has foreign reports to attack."""
    from django.utils import timezone

    from twoway.supervision import facts, reports

    facts.facts_refresh()
    for unit in reports.report_units():
        reports.report_make(unit=unit, kind="weekly", day=timezone.localdate(), pdf=False)


SEEDS = [_seed_reports]

CASES = {
    "supervision:dashboard": Listing(),
    "supervision:export": Listing(kwargs={"chart": "ranking"}, xlsx=True),
    "supervision:rankings": Listing(),
    "supervision:hotspots": Listing(),
    "supervision:reports": Listing(),
    "supervision:report_make": Listing(),
    "supervision:report_file": ById(
        Report, lambda r: r.unit.path, lambda r: r.unit.name, more_kwargs=lambda r: {"fmt": "xlsx"}
    ),
    # KPI weights are district-wide numbers; who changed them is shown to district staff only.
    "supervision:settings": Listing(),
    "public:home": Public("the public page (§7.3): counts and unit names only (tests/test_public.py)"),
    "public:community": Public("a community's public figures: counts only (tests/test_public.py)"),
}
