"""The rollup behind the dashboards: one `AppealFact` per appeal, derived from its events.

`derive()` replays an appeal's events and works out what the KPIs count: accepted within the
time limit, resolved, resolved on time, the level it was settled at, which levels it went up
from and how long it stayed at each. `facts_refresh()` recomputes the rows of appeals with
events added since the last run (every transition adds one), found by the events' primary key,
so a page can afford to call it; the `report` command calls it too. `facts_rebuild()`
recomputes everything. A test checks that the rollup equals a fresh recomputation.
"""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from twoway.appeals.models import Appeal, AppealEvent, Category, EventKind, Rating, Status
from twoway.deadlines import engine
from twoway.org.models import OrgUnit, UnitKind

from .models import AppealFact, Level, RefreshMark

LEVEL_OF = {
    UnitKind.GROUP: Level.GROUP,
    UnitKind.COMMUNITY: Level.COMMUNITY,
    UnitKind.STREET: Level.STREET,
    UnitKind.DISTRICT: Level.DISTRICT,
    UnitKind.DEPARTMENT: Level.DISTRICT,  # a department works for the district, on its behalf
}
OVERLAP_EVENTS = 1000


class _Rules:
    """Time-limit rules and the calendar, looked up once per refresh."""

    def __init__(self):
        self.cal = engine.calendar()
        self._days: dict[tuple, int] = {}

    def days(self, kind: str, stage: str, category_code: str) -> int:
        key = (kind, stage, category_code)
        if key not in self._days:
            self._days[key] = engine.rule_for(level=kind, stage=stage, category_code=category_code).working_days
        return self._days[key]

    def due(self, start, kind, stage, category_code, extra=0):
        return self.cal.add_working_days(start, self.days(kind, stage, category_code) + extra)


class _Units:
    def __init__(self):
        rows = OrgUnit.objects.values_list("pk", "parent_id", "kind")
        self.parent = {pk: parent for pk, parent, _k in rows}
        self.kind = {pk: kind for pk, _p, kind in rows}

    def ancestor(self, pk, kind):
        while pk is not None and self.kind.get(pk) != kind:
            pk = self.parent.get(pk)
        return pk


def derive(appeal: dict, events: list[tuple], score: str, rules: _Rules, units: _Units) -> AppealFact:
    """The fact row of one appeal. `appeal` holds its columns, `events` its (kind, unit_id,
    to_unit_id, at) in order, `score` its latest rating."""
    code = appeal["category_code"]
    kind_of = units.kind
    hours: dict[str, float] = {}
    up: set[str] = set()
    arrived = appeal["created_at"]
    unit = appeal["origin_unit_id"]
    accepted_on_time = resolved_on_time = returned = reopened = False
    first_accept = True
    settle_from = None
    escalations = 0
    settled = ""

    def stay(at):
        level = LEVEL_OF[kind_of[unit]]
        hours[level] = hours.get(level, 0.0) + (at - arrived).total_seconds() / 3600

    for ev_kind, ev_unit, to_unit, at in events:
        if ev_kind == EventKind.ACCEPTED:
            if first_accept:
                due = rules.due(arrived, kind_of[unit], "accept", code)
                accepted_on_time = at <= due
                first_accept = False
            settle_from = at
        elif ev_kind == EventKind.ESCALATED:
            stay(at)
            up.add(LEVEL_OF[kind_of[ev_unit]])
            escalations += 1
            unit, arrived = to_unit, at
        elif ev_kind == EventKind.ANSWERED:
            settle_from = at
        elif ev_kind == EventKind.RESOLVED:
            stay(at)
            settled = LEVEL_OF[kind_of[ev_unit]]
            start = settle_from or arrived
            due = rules.due(start, kind_of[ev_unit], "settle", code, appeal["extension_days"])
            resolved_on_time = at <= due
            arrived = at
        elif ev_kind == EventKind.REOPENED:
            reopened = True
            settled, resolved_on_time = "", False
            arrived = settle_from = at
        elif ev_kind == EventKind.RETURNED:
            stay(at)
            returned = True
    resolved = appeal["status"] in (Status.RESOLVED, Status.CLOSED) and bool(settled)
    group = appeal["origin_unit_id"]
    return AppealFact(
        appeal_id=appeal["pk"],
        created_at=appeal["created_at"],
        group_id=group,
        community_id=units.ancestor(group, UnitKind.COMMUNITY),
        street_id=units.ancestor(group, UnitKind.STREET),
        category_id=appeal["category_id"],
        top_category_id=appeal["category__parent_id"] or appeal["category_id"],
        status=appeal["status"],
        accepted_on_time=accepted_on_time,
        resolved=resolved,
        resolved_on_time=resolved and resolved_on_time,
        returned=returned,
        settled_level=settled if resolved else "",
        up_group=Level.GROUP in up,
        up_community=Level.COMMUNITY in up,
        up_street=Level.STREET in up,
        escalations=escalations,
        reopened=reopened,
        hours_group=hours.get(Level.GROUP),
        hours_community=hours.get(Level.COMMUNITY),
        hours_street=hours.get(Level.STREET),
        hours_district=hours.get(Level.DISTRICT),
        score=score,
        source_updated_at=appeal["updated_at"],
    )


APPEAL_FIELDS = (
    "pk",
    "created_at",
    "updated_at",
    "origin_unit_id",
    "category_id",
    "category__parent_id",
    "status",
    "extension_days",
)
EVENT_KINDS = [
    EventKind.ACCEPTED,
    EventKind.ESCALATED,
    EventKind.ANSWERED,
    EventKind.RESOLVED,
    EventKind.REOPENED,
    EventKind.RETURNED,
]


def compute(appeal_ids: list[int], rules=None, units=None) -> list[AppealFact]:
    """Fresh fact rows for these appeals, from their events and ratings (merged appeals have none)."""
    rules = rules or _Rules()
    units = units or _Units()
    codes = dict(Category.objects.values_list("pk", "code"))
    appeals = list(
        Appeal.objects.filter(pk__in=appeal_ids).exclude(status=Status.MERGED).order_by().values(*APPEAL_FIELDS)
    )
    ids = [a["pk"] for a in appeals]
    events = defaultdict(list)
    for row in (
        AppealEvent.objects.filter(appeal_id__in=ids, kind__in=EVENT_KINDS)
        .order_by("appeal_id", "seq")
        .values_list("appeal_id", "kind", "unit_id", "to_unit_id", "at")
    ):
        events[row[0]].append(row[1:])
    scores = {}
    for appeal_id, score in (
        Rating.objects.filter(appeal_id__in=ids).order_by("appeal_id", "round").values_list("appeal_id", "score")
    ):
        scores[appeal_id] = score
    facts = []
    for a in appeals:
        a["category_code"] = codes.get(a["category_id"], "")
        facts.append(derive(a, events[a["pk"]], scores.get(a["pk"], ""), rules, units))
    return facts


def _store(appeal_ids: list[int], rules, units) -> int:
    facts = compute(appeal_ids, rules, units)
    with transaction.atomic():
        AppealFact.objects.filter(appeal_id__in=appeal_ids).delete()
        AppealFact.objects.bulk_create(facts, batch_size=2000)
    return len(facts)


def facts_refresh(*, full: bool = False, batch: int = 5000, max_appeals: int | None = None) -> int | None:
    """Bring the rollup up to date: the appeals with events added since the last refresh (every
    transition adds one), or all of them (`full`). Returns how many were recomputed, or None
    when more than `max_appeals` wait (a page then leaves the work to the `report` command)."""
    started = timezone.now()
    mark = RefreshMark.objects.filter(name="facts").first()
    top = AppealEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if full or mark is None:
        ids_qs = Appeal.objects.order_by("pk").values_list("pk", flat=True)
    else:
        if top <= mark.last_event:
            return 0
        # Ids are drawn before commit, so a transaction may commit a lower id after a refresh:
        # look back a little past the mark.
        ids_qs = (
            AppealEvent.objects.filter(pk__gt=max(0, mark.last_event - OVERLAP_EVENTS))
            .order_by("appeal_id")
            .values_list("appeal_id", flat=True)
            .distinct()
        )
    if max_appeals is not None and ids_qs[max_appeals : max_appeals + 1].exists():
        return None
    rules, units = _Rules(), _Units()
    done = 0
    last = 0
    while True:
        ids = list(ids_qs.filter(**{"appeal_id__gt" if ids_qs.model is AppealEvent else "pk__gt": last})[:batch])
        if not ids:
            break
        done += _store(ids, rules, units)
        last = ids[-1]
    RefreshMark.objects.update_or_create(name="facts", defaults={"at": started, "last_event": top})
    return done


def facts_rebuild() -> int:
    """Recompute the whole rollup from the events."""
    AppealFact.objects.all().delete()
    return facts_refresh(full=True)


def last_refresh():
    mark = RefreshMark.objects.filter(name="facts").first()
    return mark.at if mark else None
