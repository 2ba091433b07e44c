"""The KPIs (R-9), computed from the appeal rollup (facts.py), which comes from the events.

Per unit and period, over the appeals raised in the unit's area in the period:
- 响应率 response rate: accepted within the accept time limit ÷ received;
- 解决率 resolution rate: resolved ÷ received;
- 满意率 satisfaction rate: (满意 + factor × 基本满意) ÷ rated (the latest rating of each appeal);
- 按期办结率 on-time completion: resolved within the settle time limit ÷ resolved;
- composite score: 100 × (w₁ × response + w₂ × resolution + w₃ × satisfaction), weights from
  the district's KPI settings.

The district's, a street's and a community's figures are sums over the daily rollup (a few
thousand rows for a quarter, rollup.py); what the daily rollup cannot answer (a breakdown by
resident group or by sub-category) is aggregated from the per-appeal rollup of that area.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from twoway.org.models import OrgUnit, UnitKind

from . import rollup
from .models import DEFAULT_WEIGHTS, AppealFact, DailyFact, DailyHours, KpiSettings, Level

LEVELS = [Level.GROUP, Level.COMMUNITY, Level.STREET, Level.DISTRICT]
# The fact column that places an appeal in a unit of this kind, and the kind of its children.
AREA_COLUMN = {UnitKind.STREET: "street_id", UnitKind.COMMUNITY: "community_id", UnitKind.GROUP: "group_id"}
CHILD_KIND = {
    UnitKind.DISTRICT: UnitKind.STREET,
    UnitKind.STREET: UnitKind.COMMUNITY,
    UnitKind.COMMUNITY: UnitKind.GROUP,
}


@dataclass(frozen=True)
class Weights:
    w_response: Decimal
    w_resolve: Decimal
    w_satisfaction: Decimal
    basic_factor: Decimal


def current_weights() -> Weights:
    """The KPI settings in force: the newest version, or the defaults of the standard."""
    row = KpiSettings.objects.order_by("-changed_at", "-id").first()
    if row is None:
        return Weights(**DEFAULT_WEIGHTS)
    return Weights(row.w_response, row.w_resolve, row.w_satisfaction, row.basic_factor)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_default_timezone()
        return (
            timezone.make_aware(datetime.combine(self.start, time.min), tz),
            timezone.make_aware(datetime.combine(self.end, time.min), tz),
        )

    @classmethod
    def month(cls, day: date) -> "Period":
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        return cls(start, end)

    @classmethod
    def week(cls, day: date) -> "Period":
        start = day - timedelta(days=day.weekday())
        return cls(start, start + timedelta(days=7))


@dataclass
class Kpi:
    received: int = 0
    accepted_on_time: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    weights: Weights | None = None

    @property
    def rated(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @staticmethod
    def _rate(part, whole):
        return None if not whole else float(part) / whole

    @property
    def response(self):
        return self._rate(self.accepted_on_time, self.received)

    @property
    def resolution(self):
        return self._rate(self.resolved, self.received)

    @property
    def satisfaction(self):
        if not self.rated:
            return None
        factor = float((self.weights or current_weights()).basic_factor)
        return (self.satisfied + factor * self.basic) / self.rated

    @property
    def on_time(self):
        return self._rate(self.resolved_on_time, self.resolved)

    @property
    def composite(self):
        """0–100; None while any of its three rates has no data."""
        parts = (self.response, self.resolution, self.satisfaction)
        if any(p is None for p in parts):
            return None
        w = self.weights or current_weights()
        weights = (float(w.w_response), float(w.w_resolve), float(w.w_satisfaction))
        return 100 * sum(wt * p for wt, p in zip(weights, parts, strict=True))


KPI_FIELDS = ["received", "accepted_on_time", "resolved", "resolved_on_time", "satisfied", "basic", "unsatisfied"]
# Areas and groupings the daily rollup holds; anything else is read from the per-appeal rollup.
DAILY_AREAS = {UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY}
DAILY_COLUMNS = {None, "day", "street_id", "community_id", "top_category_id"}


def area_filter(unit: OrgUnit) -> Q:
    """The rows (facts or daily) of appeals raised in the unit's area."""
    column = AREA_COLUMN.get(unit.kind)
    if column:
        return Q(**{column: unit.pk})
    if unit.kind == UnitKind.DISTRICT:
        streets = OrgUnit.objects.filter(kind=UnitKind.STREET, path__startswith=unit.path).values("pk")
        return Q(street_id__in=streets)
    return Q(pk__in=[])  # a department has no residents of its own


def facts_for(unit: OrgUnit, period: Period, category_id: int | None = None):
    """The per-appeal rollup rows of the unit's area and period (and top-level category)."""
    start, end = period.bounds
    qs = AppealFact.objects.filter(area_filter(unit), created_at__gte=start, created_at__lt=end)
    if category_id:
        qs = qs.filter(top_category_id=category_id)
    return qs.order_by()


def daily_for(model, unit: OrgUnit, period: Period, category_id: int | None = None):
    """The daily rollup rows (DailyFact or DailyHours) of the unit's area and period."""
    qs = model.objects.filter(area_filter(unit), day__gte=period.start, day__lt=period.end)
    if category_id:
        qs = qs.filter(top_category_id=category_id)
    return qs.order_by()


def uses_daily(unit: OrgUnit, by: str | None = None) -> bool:
    return unit.kind in DAILY_AREAS and by in DAILY_COLUMNS


def counts(unit: OrgUnit, period: Period, category_id=None, by: str | None = None, names=KPI_FIELDS):
    """A queryset and the aggregates that count `names` (see models.MEASURES) over the unit's
    area and period: the daily rollup when it holds the area and the grouping `by`, else the
    per-appeal rollup. Both give the same numbers."""
    if uses_daily(unit, by):
        return daily_for(DailyFact, unit, period, category_id), rollup.daily_aggregates(names)
    return facts_for(unit, period, category_id), rollup.fact_aggregates(names)


def kpi(unit: OrgUnit, period: Period, category_id: int | None = None, weights: Weights | None = None) -> Kpi:
    qs, aggs = counts(unit, period, category_id)
    return Kpi(**qs.aggregate(**aggs), weights=weights or current_weights())


def _by(unit: OrgUnit, period: Period, column: str, category_id=None, names=KPI_FIELDS) -> dict:
    qs, aggs = counts(unit, period, category_id, by=column, names=names)
    return {r.pop(column): r for r in qs.values(column).annotate(**aggs).order_by()}


def children(unit: OrgUnit):
    kind = CHILD_KIND.get(unit.kind)
    if kind is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(parent=unit, kind=kind, retired_at__isnull=True).order_by("path")


def by_child(unit: OrgUnit, period: Period, category_id=None, weights=None) -> list[tuple[OrgUnit, Kpi]]:
    """The KPIs of each unit one level down (district: streets; street: communities; community: groups)."""
    weights = weights or current_weights()
    kind = CHILD_KIND.get(unit.kind)
    if kind is None:
        return []
    rows = _by(unit, period, AREA_COLUMN[kind], category_id)
    return [(child, Kpi(**rows.get(child.pk, {}), weights=weights)) for child in children(unit)]


def ranked(pairs: list[tuple[OrgUnit, Kpi]]) -> list[tuple[int | None, OrgUnit, Kpi]]:
    """Units by composite score, best first; units without a score come last, unranked."""
    scored = sorted((p for p in pairs if p[1].composite is not None), key=lambda p: (-p[1].composite, p[0].path))
    unscored = [p for p in pairs if p[1].composite is None]
    return [(i, u, k) for i, (u, k) in enumerate(scored, start=1)] + [(None, u, k) for u, k in unscored]


def units_of_kind(root: OrgUnit, kind: str):
    return OrgUnit.objects.filter(path__startswith=root.path, kind=kind, retired_at__isnull=True).order_by("path")


def ranking(root: OrgUnit, kind: str, period: Period, weights=None) -> list[tuple[int | None, OrgUnit, Kpi]]:
    """Every unit of `kind` under `root`, ranked by composite score for the period (§7.2)."""
    weights = weights or current_weights()
    rows = _by(root, period, AREA_COLUMN[kind])
    return ranked([(u, Kpi(**rows.get(u.pk, {}), weights=weights)) for u in units_of_kind(root, kind)])


def trend(unit: OrgUnit, period: Period, category_id=None) -> list[dict]:
    """Appeals received and resolved per week (weeks start on Monday)."""
    qs, aggs = counts(unit, period, category_id, by="day", names=["received", "resolved"])
    days = qs.values("day").annotate(**aggs).order_by("day")
    weeks: dict[date, dict] = {}
    monday = period.start - timedelta(days=period.start.weekday())
    while monday < period.end:
        weeks[monday] = {"week": monday, "received": 0, "resolved": 0}
        monday += timedelta(days=7)
    for row in days:
        day = row["day"]
        if isinstance(day, datetime):
            day = day.date()
        week = weeks.setdefault(
            day - timedelta(days=day.weekday()),
            {"week": day - timedelta(days=day.weekday()), "received": 0, "resolved": 0},
        )
        week["received"] += row["received"]
        week["resolved"] += row["resolved"]
    return [weeks[k] for k in sorted(weeks)]


def categories(unit: OrgUnit, period: Period, category_id=None, limit=None) -> list[dict]:
    """Appeals per top-level category (per sub-category once a category is chosen), most first."""
    from twoway.appeals.models import Category

    column = "category_id" if category_id else "top_category_id"
    qs, aggs = counts(unit, period, category_id, by=column, names=["received", "resolved"])
    rows = qs.values(column).annotate(**aggs).order_by("-received", column)
    rows = list(rows[:limit] if limit else rows)
    names = {c.pk: c.name for c in Category.objects.filter(pk__in=[r[column] for r in rows])}
    return [{"category": names.get(r[column], "?"), "received": r["received"], "resolved": r["resolved"]} for r in rows]


def funnel(unit: OrgUnit, period: Period, category_id=None) -> list[dict]:
    """The five-level funnel: per level, the appeals settled there (and their share of those
    received), how many went up from there, and the median hours an appeal stayed there (from
    the hour bands: see rollup.py for its precision)."""
    names = ["received", *(f"settled_{lv}" for lv in LEVELS), "up_group", "up_community", "up_street"]
    qs, aggs = counts(unit, period, category_id, names=names)
    totals = qs.aggregate(**aggs)
    if uses_daily(unit):
        hours = daily_for(DailyHours, unit, period, category_id)
        if not category_id:
            hours = hours.filter(top_category_id__isnull=True)  # the rows for all categories
        reached, medians = rollup.band_medians(hours, daily=True)
    else:
        reached, medians = rollup.band_medians(facts_for(unit, period, category_id), daily=False)
    received = totals["received"]
    rows = []
    for level in LEVELS:
        settled = totals[f"settled_{level}"]
        rows.append(
            {
                "level": level,
                "label": Level(level).label,
                "reached": reached[level],
                "settled": settled,
                "share": (settled / received) if received else None,
                "went_up": totals.get(f"up_{level}", 0),
                "median_hours": medians[level],
            }
        )
    return rows


def bounced(unit: OrgUnit, period: Period, category_id=None, limit=50):
    """Appeals that went back and forth: escalated twice or more, or reopened after a rating."""
    return (
        facts_for(unit, period, category_id)
        .filter(Q(escalations__gte=2) | Q(reopened=True))
        .select_related("appeal", "appeal__category", "appeal__handling_unit")
        .order_by("-escalations", "-created_at")[:limit]
    )


def rising(unit: OrgUnit, today: date, days: int = 30, limit: int = 10) -> list[dict]:
    """Units one level down whose appeal counts rose most: the last `days` days against the
    `days` before."""
    kind = CHILD_KIND.get(unit.kind)
    if kind is None:
        return []
    column = AREA_COLUMN[kind]
    recent = Period(today - timedelta(days=days - 1), today + timedelta(days=1))
    before = Period(recent.start - timedelta(days=days), recent.start)
    now_counts = _by(unit, recent, column, names=["received"])
    old_counts = _by(unit, before, column, names=["received"])
    rows = []
    for child in children(unit):
        new = now_counts.get(child.pk, {}).get("received", 0)
        old = old_counts.get(child.pk, {}).get("received", 0)
        if new > old:
            rows.append({"unit": child, "recent": new, "before": old, "change": new - old})
    rows.sort(key=lambda r: (-r["change"], r["unit"].path))
    return rows[:limit]


def forward(units: list[OrgUnit], period: Period) -> dict | None:
    """Forward-chain KPIs from twoway.forward when that module provides them; None otherwise."""
    try:
        from twoway.forward.kpis import forward_kpis
    except ImportError:
        return None
    start, end = period.bounds
    try:
        data = forward_kpis(units, start, end)
    except Exception:  # noqa: BLE001 - a module still being built must not break the dashboard
        return None
    rows = []
    for unit in units:
        d = data.get(unit.pk) or {}
        due, total = d.get("tasks_due") or 0, d.get("tasks_total") or 0
        reach = d.get("notices_reach") or 0
        rows.append(
            {
                "unit": unit,
                "tasks_total": total,
                "on_time": (d.get("tasks_on_time", 0) / due) if due else None,
                "checked": (d.get("tasks_checked", 0) / total) if total else None,
                "read": (d.get("notices_read", 0) / reach) if reach else None,
            }
        )
    return {"rows": rows}
