"""Visits to households (走访慰问, R-2.6, §5.1.2.3): who visited, when, and why; counts per unit."""

from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.core.errors import DomainError
from twoway.core.text import clean_text
from twoway.org.models import PATH_STEP, OrgUnit
from twoway.org.scope import household_get, scope_for

from .models import Visit, VisitKind
from .plans import actor_of

NOTE_MAX = 1000


def visible_visits(user):
    scope = scope_for(user)
    if not scope.is_staff:
        return Visit.objects.none()
    return Visit.objects.filter(scope.unit_q("unit"))


@transaction.atomic
def visit_record(*, user, household_id, kind: str, at: datetime | None = None, note: str = "") -> Visit:
    """Record a visit to a household in the user's area, made by the user."""
    actor = actor_of(user)
    if not household_id:
        raise DomainError("household_required", _("Household: choose the household visited."), "household")
    household = household_get(user, household_id, write=True)
    if kind not in VisitKind.values:
        raise DomainError("bad_kind", _("Type: choose the type of visit."), "kind")
    at = at or timezone.now()
    if at > timezone.now():
        raise DomainError("future", _("Visited at: a visit is recorded after it took place."), "at")
    note = clean_text(note, field="note", label=_("Note"), limit=None)
    if len(note) > NOTE_MAX:
        raise DomainError("note_long", _("Note: at most %(n)s characters.") % {"n": NOTE_MAX}, "note")
    return Visit.objects.create(
        household=household, unit=household.group, visited_by=actor, at=at, kind=kind, note=note
    )


def visit_counts(root: OrgUnit, *, since=None) -> list[tuple[OrgUnit, dict]]:
    """Visits per unit directly below root (and root itself first), by type. Two queries."""
    rows = [root, *OrgUnit.objects.filter(parent=root, retired_at__isnull=True).order_by("sort", "path")]
    counts = {u.path: {"total": 0, **dict.fromkeys(VisitKind.values, 0)} for u in rows}
    qs = Visit.objects.filter(unit__path__startswith=root.path)
    if since is not None:
        qs = qs.filter(at__gte=since)
    for path, kind, n in qs.values_list("unit__path", "kind").annotate(n=Count("id")).order_by():
        for i in (len(root.path), len(root.path) + PATH_STEP):
            c = counts.get(path[:i])
            if c is not None and len(path) >= i:
                c["total"] += n
                c[kind] += n
    return [(u, counts[u.path]) for u in rows]
