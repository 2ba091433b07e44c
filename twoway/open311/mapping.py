"""Our appeals as Open311 service requests, and our categories as Open311 services."""

from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.appeals.models import OPEN_STATUSES, Appeal, AppealEvent, Category, EventKind

# Events whose note is written for the resident: the last of them is the request's status_notes.
PUBLIC_NOTE_KINDS = (
    EventKind.NOTE,
    EventKind.RESOLVED,
    EventKind.RETURNED,
    EventKind.ESCALATED,
    EventKind.CLOSED,
)

YES_NO = "yes", "no"


def when(value) -> str | None:
    """A w3c date-time in the district's time zone, e.g. 2026-11-28T09:30:00+08:00."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": str(category),
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(n for n in (category.parent.name if category.parent_id else "", category.name) if n),
        "group": category.parent.name if category.parent_id else category.name,
    }


def attributes() -> list[dict]:
    """The extra questions every service asks (service definitions)."""
    yes_no = [{"key": "yes", "name": _("Yes")}, {"key": "no", "name": _("No")}]
    return [
        {
            "variable": True,
            "code": "building",
            "datatype": "string",
            "required": False,
            "datatype_description": _("A building number, e.g. 3"),
            "order": 1,
            "description": _("Building"),
        },
        {
            "variable": True,
            "code": "unit",
            "datatype": "string",
            "required": False,
            "datatype_description": _("An entrance (unit) number, e.g. 2"),
            "order": 2,
            "description": _("Unit (entrance)"),
        },
        {
            "variable": True,
            "code": "household",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 3,
            "description": _("Raised for the resident's whole household"),
            "values": yes_no,
        },
        {
            "variable": True,
            "code": "dispute",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 4,
            "description": _("A neighbour or family dispute, for mediation"),
            "values": yes_no,
        },
    ]


def status_of(appeal: Appeal) -> str:
    return "open" if appeal.status in OPEN_STATUSES else "closed"


def last_public_notes(appeal_ids: list[int]) -> dict[int, str]:
    """Each appeal's last note written for the resident, in one query."""
    notes: dict[int, str] = {}
    events = (
        AppealEvent.objects.filter(appeal_id__in=appeal_ids, internal=False, kind__in=PUBLIC_NOTE_KINDS)
        .exclude(note="")
        .order_by("appeal_id", "seq")
        .values_list("appeal_id", "note")
    )
    for appeal_id, note in events:
        notes[appeal_id] = note  # ordered by seq: the last one wins
    return notes


def service_request(appeal: Appeal, notes: dict[int, str]) -> dict:
    if appeal.status in OPEN_STATUSES:
        updated = appeal.updated_at
    else:
        updated = appeal.closed_at or appeal.resolved_at or appeal.updated_at
    return {
        "service_request_id": appeal.number,
        "status": status_of(appeal),
        "status_notes": notes.get(appeal.pk),
        "service_name": appeal.category.name,
        "service_code": appeal.category.code,
        "description": appeal.description,
        "agency_responsible": appeal.handling_unit.name,
        "service_notice": None,
        "requested_datetime": when(appeal.created_at),
        "updated_datetime": when(updated),
        "expected_datetime": when(appeal.due_at),
        "address": appeal.place or None,
        "address_id": None,
        "zipcode": None,
        "lat": float(appeal.lat) if appeal.lat is not None else None,
        "long": float(appeal.lng) if appeal.lng is not None else None,
        "media_url": None,
    }


def service_requests(appeals) -> list[dict]:
    appeals = list(appeals)
    notes = last_public_notes([a.pk for a in appeals])
    return [service_request(a, notes) for a in appeals]
