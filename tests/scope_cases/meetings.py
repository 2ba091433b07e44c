"""Scope cases for the minutes, recount and printed-notice URLs (the meeting pages themselves are
in tests/scope_registry.py, with the meetings their seed puts in both streets)."""

from tests.scope_registry import ById, Listing, Public
from twoway.meetings.models import Meeting


def _meeting_concerns(m, person):
    return m.unit.path in person.unit.ancestor_paths or m.participants.filter(person=person).exists()


def _meeting_case(methods=("GET",)):
    return ById(Meeting, lambda m: m.unit.path, lambda m: m.title, concerns=_meeting_concerns, methods=methods)


CASES = {
    "meetings:minutes": _meeting_case(("GET", "POST")),
    "meetings:minutes_pdf": _meeting_case(),
    "meetings:minutes_docx": _meeting_case(),
    "meetings:minutes_xlsx": _meeting_case(),
    "meetings:recount": _meeting_case(),
    "notices:pdf": Public("a printed public notice carries no personal data (checked in tests/test_notices.py)"),
    "notices:verify": Public("finds a public notice by its fingerprint (checked in tests/test_notices.py)"),
}
SEEDS = []
# The rules of each meeting type: no personal data; POST is refused to all but district staff
# (tests/test_meeting_types.py).
CASES["meetings:types"] = Listing()
