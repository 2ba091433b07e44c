"""The rollup behind the dashboards, in two tiers, both derived from the appeal events.

- `AppealFact`, one row per appeal: `derive()` replays an appeal's events and works out what the
  KPIs count: accepted within the time limit, resolved, resolved on time, the level it was
  settled at, which levels it went up from and how long it stayed at each.
- The daily rollup (`DailyFact`, `DailyHours`; rollup.py): those rows summed per cell (local
  day × community × top-level category), what the dashboards read.

`facts_refresh()` recomputes the appeals with events added since the last run (every transition
adds one), found by the events' primary key, and rebuilds the daily cells they were and are in,
in the same transaction, so a page can afford to call it. `facts_rebuild()` recomputes
everything in bulk: the appeals and their events are read in id ranges, derived, and written
with COPY (PostgreSQL), then the daily rollup is summed in one INSERT … SELECT. Both paths use
the same `derive()` and the same SQL for the daily rows; a test checks that they agree with
each other and with a recomputation from the events.
"""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from twoway.appeals.models import Appeal, AppealEvent, Category, EventKind, Rating, Status
from twoway.deadlines import engine
from twoway.org.models import OrgUnit, UnitKind

from . import rollup
from .models import AppealFact, Level, RefreshMark, area_key, band_of, cell_key

LEVEL_OF = {
    UnitKind.GROUP: Level.GROUP,
    UnitKind.COMMUNITY: Level.COMMUNITY,
    UnitKind.STREET: Level.STREET,
    UnitKind.DISTRICT: Level.DISTRICT,
    UnitKind.DEPARTMENT: Level.DISTRICT,  # a department works for the district, on its behalf
}
OVERLAP_EVENTS = 1000
# PostgreSQL advisory lock held by whoever writes the rollup (any number: ours alone).
LOCK_KEY = 7_104_113_500_917
COLUMNS = [f.attname for f in AppealFact._meta.concrete_fields]


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
        self._ancestor: dict[tuple, int | None] = {}

    def ancestor(self, pk, kind):
        key = (pk, kind)
        if key not in self._ancestor:
            unit = pk
            while unit is not None and self.kind.get(unit) != kind:
                unit = self.parent.get(unit)
            self._ancestor[key] = unit
        return self._ancestor[key]


def derive_values(appeal: dict, events: list[tuple], score: str, rules: _Rules, units: _Units) -> dict:
    """The fact row of one appeal, as column values. `appeal` holds its columns, `events` its
    (kind, unit_id, to_unit_id, at) in order, `score` its latest rating."""
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
    community = units.ancestor(group, UnitKind.COMMUNITY)
    street = units.ancestor(group, UnitKind.STREET)
    top = appeal["category__parent_id"] or appeal["category_id"]
    day = timezone.localtime(appeal["created_at"], timezone.get_default_timezone()).date()
    h = {level: hours.get(level) for level in (Level.GROUP, Level.COMMUNITY, Level.STREET, Level.DISTRICT)}
    return {
        "appeal_id": appeal["pk"],
        "created_at": appeal["created_at"],
        "day": day,
        "cell": cell_key(day, street, community, top),
        "area": area_key(day, street, community),
        "group_id": group,
        "community_id": community,
        "street_id": street,
        "category_id": appeal["category_id"],
        "top_category_id": top,
        "status": appeal["status"],
        "accepted_on_time": accepted_on_time,
        "resolved": resolved,
        "resolved_on_time": resolved and resolved_on_time,
        "returned": returned,
        "settled_level": settled if resolved else "",
        "up_group": Level.GROUP in up,
        "up_community": Level.COMMUNITY in up,
        "up_street": Level.STREET in up,
        "escalations": escalations,
        "reopened": reopened,
        "hours_group": h[Level.GROUP],
        "hours_community": h[Level.COMMUNITY],
        "hours_street": h[Level.STREET],
        "hours_district": h[Level.DISTRICT],
        "band_group": band_of(h[Level.GROUP]),
        "band_community": band_of(h[Level.COMMUNITY]),
        "band_street": band_of(h[Level.STREET]),
        "band_district": band_of(h[Level.DISTRICT]),
        "score": score,
        "source_updated_at": appeal["updated_at"],
    }


def derive(appeal: dict, events: list[tuple], score: str, rules: _Rules, units: _Units) -> AppealFact:
    """The fact row of one appeal (see `derive_values`)."""
    return AppealFact(**derive_values(appeal, events, score, rules, units))


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


def _derive_all(appeals, ids_filter: dict, rules, units) -> list[dict]:
    """Fact values of these appeals (merged ones excluded), reading their events and ratings
    with `ids_filter` (a filter on appeal_id) in two queries."""
    codes = dict(Category.objects.values_list("pk", "code"))
    events = defaultdict(list)
    for row in (
        AppealEvent.objects.filter(**ids_filter, kind__in=EVENT_KINDS)
        .order_by("appeal_id", "seq")
        .values_list("appeal_id", "kind", "unit_id", "to_unit_id", "at")
    ):
        events[row[0]].append(row[1:])
    scores = {}
    for appeal_id, score in (
        Rating.objects.filter(**ids_filter).order_by("appeal_id", "round").values_list("appeal_id", "score")
    ):
        scores[appeal_id] = score
    out = []
    for values in appeals:
        a = dict(zip(APPEAL_FIELDS, values, strict=True))
        a["category_code"] = codes.get(a["category_id"], "")
        out.append(derive_values(a, events[a["pk"]], scores.get(a["pk"], ""), rules, units))
    return out


def compute(appeal_ids: list[int], rules=None, units=None) -> list[AppealFact]:
    """Fresh fact rows for these appeals, from their events and ratings (merged appeals have none)."""
    rules = rules or _Rules()
    units = units or _Units()
    appeals = (
        Appeal.objects.filter(pk__in=appeal_ids).exclude(status=Status.MERGED).order_by().values_list(*APPEAL_FIELDS)
    )
    rows = _derive_all(list(appeals), {"appeal_id__in": appeal_ids}, rules, units)
    return [AppealFact(**values) for values in rows]


def _lock(*, wait: bool) -> bool:
    """Take the rollup's write lock for the rest of the transaction (PostgreSQL). Two refreshes
    at once would otherwise both rebuild the same rows, or write older figures over newer ones.
    SQLite needs none: its write transactions already run one at a time. With `wait=False`,
    answers False at once when another refresh holds it."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return cursor.fetchone()[0]


def _store(appeal_ids: list[int], rules, units) -> int:
    """Recompute these appeals' rows and the daily cells they were and are now in."""
    from . import hotspots

    was = set(AppealFact.objects.filter(appeal_id__in=appeal_ids).values_list("cell", flat=True))
    facts = compute(appeal_ids, rules, units)
    AppealFact.objects.filter(appeal_id__in=appeal_ids).delete()
    AppealFact.objects.bulk_create(facts, batch_size=1000)
    rollup.rebuild_cells(was | {f.cell for f in facts})
    hotspots.terms_fill(appeal_ids=appeal_ids)
    return len(facts)


def _set_mark(started, top) -> None:
    mark, _new = RefreshMark.objects.select_for_update().get_or_create(
        name="facts", defaults={"at": started, "last_event": top}
    )
    if mark.last_event <= top:
        mark.at, mark.last_event = started, top
        mark.save(update_fields=["at", "last_event"])


def facts_refresh(*, full: bool = False, batch: int = 5000, max_appeals: int | None = None) -> int | None:
    """Bring the rollup up to date: the appeals with events added since the last refresh (every
    transition adds one), or all of them (`full`, or when it was never built). Returns how many
    were recomputed, or None when more than `max_appeals` wait or, for a page (`max_appeals`
    given), while another refresh is writing: the page then shows the figures as they stand
    and leaves the work to the `supervision_refresh` command."""
    wait = max_appeals is None
    started = timezone.now()
    mark = RefreshMark.objects.filter(name="facts").first()
    top = AppealEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if full or mark is None:
        if max_appeals is not None and Appeal.objects.all()[max_appeals : max_appeals + 1].exists():
            return None
        return facts_rebuild(wait=wait)
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
        ids = list(ids_qs.filter(appeal_id__gt=last)[:batch])
        if not ids:
            break
        with transaction.atomic():
            if not _lock(wait=wait):
                return None
            done += _store(ids, rules, units)
        last = ids[-1]
    with transaction.atomic():
        if _lock(wait=wait):
            _set_mark(started, top)
    return done


def facts_rebuild(*, batch: int = 20_000, wait: bool = True) -> int | None:
    """Recompute the whole rollup from the events, in bulk and in one transaction (readers see
    the old figures until it commits): appeals in id ranges of `batch`, their fact rows written
    with COPY, then every daily cell summed by SQL. Returns how many appeals were recomputed
    (None if `wait` is False and another refresh is writing)."""
    from . import hotspots

    started = timezone.now()
    with transaction.atomic():
        if not _lock(wait=wait):
            return None
        top = AppealEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        AppealFact.objects.all().delete()
        rules, units = _Rules(), _Units()
        highest = Appeal.objects.aggregate(m=Max("pk"))["m"] or 0
        done = 0
        for lo in range(0, highest, batch):
            hi = lo + batch
            appeals = (
                Appeal.objects.filter(pk__gt=lo, pk__lte=hi)
                .exclude(status=Status.MERGED)
                .order_by("pk")
                .values_list(*APPEAL_FIELDS)
            )
            rows = _derive_all(list(appeals), {"appeal_id__gt": lo, "appeal_id__lte": hi}, rules, units)
            rollup.bulk_write(AppealFact, COLUMNS, [tuple(values[c] for c in COLUMNS) for values in rows])
            done += len(rows)
        rollup.rebuild_all()
        _set_mark(started, top)
    if connection.vendor == "postgresql" and done > 100_000:
        # Fresh statistics and visibility map for the planner, as autovacuum would a little later.
        rollup.analyze()
    hotspots.terms_fill()
    return done


def last_refresh():
    mark = RefreshMark.objects.filter(name="facts").first()
    return mark.at if mark else None
