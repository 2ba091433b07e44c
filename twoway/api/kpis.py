"""KPIs over the API (R-9): the numbers of the supervision dashboard for a unit in the caller's
area, a period and a category, and the ranking of the unit's units one level down.

Every number comes from the functions the dashboard itself calls (supervision.kpis, after
supervision.facts has taken in the latest events), never from a second computation."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from twoway.appeals.models import Category
from twoway.core.dbrouter import primary_reads, replica_reads
from twoway.core.errors import DomainError
from twoway.org.models import OrgUnit, UnitKind
from twoway.org.scope import scope_for, unit_get
from twoway.supervision import facts
from twoway.supervision import kpis as sv
from twoway.supervision.views import FIRST_DAY, LAST_DAY, MAX_DAYS, default_unit

from .schemas import ErrorOut, Text, UnitRef

router = Router(tags=["KPIs"])
ERRORS = {(400, 401, 403, 404, 409, 422, 429): ErrorOut}

DEFAULT_DAYS = 12 * 7  # the dashboard's default period: the last 12 weeks
# As the dashboard: take in the appeals' latest events first, unless too many wait (the
# `report` command then does the work).
REFRESH_AT_MOST = 2000


class KpiFilters(Schema):
    unit: int | None = Field(
        None, ge=1, le=2**53, description="a unit in your area (default: the highest unit you hold a role on)"
    )
    start: date | None = Field(
        None, alias="from", ge=FIRST_DAY, le=LAST_DAY, description="first day, local time (default: 12 weeks ago)"
    )
    end: date | None = Field(
        None, alias="to", ge=FIRST_DAY, le=LAST_DAY, description="last day, included (default: today)"
    )
    category: Text(32) = Field("", description="a top-level category code (the `group_code` of GET /categories)")


class PeriodOut(Schema):
    start: date = Field(alias="from")
    end: date = Field(alias="to", description="included")


class CategoryRef(Schema):
    code: str
    name: str


class WeightsOut(Schema):
    w_response: float
    w_resolve: float
    w_satisfaction: float
    basic_factor: float = Field(description="what one “basically satisfied” counts in the satisfaction rate")


class Rates(Schema):
    """Counts and rates (0–1; null when there is nothing to divide by; the dashboard shows them as
    percentages with one decimal) and the composite score (0–100)."""

    received: int = Field(description="appeals raised in the unit's area in the period")
    accepted_on_time: int
    resolved: int
    resolved_on_time: int
    satisfied: int
    basic: int
    unsatisfied: int
    rated: int
    response_rate: float | None = Field(description="accepted within the time limit ÷ received (响应率)")
    resolution_rate: float | None = Field(description="resolved ÷ received (解决率)")
    satisfaction_rate: float | None = Field(description="(satisfied + factor × basic) ÷ rated (满意率)")
    on_time_rate: float | None = Field(description="resolved within the time limit ÷ resolved (按期办结率)")
    composite: float | None = Field(description="100 × weighted sum of the three rates; null while one has no data")


class FunnelRow(Schema):
    level: str
    label: str
    reached: int = Field(description="appeals that reached this level")
    settled: int = Field(description="appeals settled at this level")
    share: float | None = Field(description="settled here ÷ received (0–1)")
    went_up: int = Field(description="appeals escalated from this level")
    median_hours: float | None = Field(description="median hours an appeal stayed at this level")


class ForwardRow(Schema):
    unit: UnitRef
    tasks_total: int
    on_time: float | None = Field(description="tasks done on time ÷ tasks due (0–1)")
    checked: float | None = Field(description="tasks checked ÷ tasks (0–1)")
    read: float | None = Field(description="policy notices read ÷ people reached (0–1)")


class Head(Schema):
    """What the figures are about: the unit, the period, the category, the weights in force."""

    unit: UnitRef
    period: PeriodOut
    category: CategoryRef | None
    weights: WeightsOut
    as_of: datetime | None = Field(description="when the figures last took in the appeals' events")


class KpiOut(Rates, Head):  # fields in the order Head, Rates, then these
    funnel: list[FunnelRow] = Field(description="the five-level funnel (居民小组 → 区)")
    forward: list[ForwardRow] | None = Field(
        description="forward-chain figures (tasks, policy notices), as on the dashboard; null without the module"
    )


class RankHead(Schema):
    rank: int | None = Field(description="1 = best composite score; null for a unit without a score (listed last)")
    unit: UnitRef


class RankedUnit(Rates, RankHead):
    pass


class RankingOut(Head):
    child_kind: str | None = Field(description="the kind of the units ranked; null for a unit with none below it")
    items: list[RankedUnit]


def _unit(u: OrgUnit) -> dict:
    return {"id": u.pk, "name": u.name, "kind": u.kind}


def _rates(k: sv.Kpi) -> dict:
    return {
        "received": k.received,
        "accepted_on_time": k.accepted_on_time,
        "resolved": k.resolved,
        "resolved_on_time": k.resolved_on_time,
        "satisfied": k.satisfied,
        "basic": k.basic,
        "unsatisfied": k.unsatisfied,
        "rated": k.rated,
        "response_rate": k.response,
        "resolution_rate": k.resolution,
        "satisfaction_rate": k.satisfaction,
        "on_time_rate": k.on_time,
        "composite": k.composite,
    }


def _weights(w: sv.Weights) -> dict:
    return {
        "w_response": float(w.w_response),
        "w_resolve": float(w.w_resolve),
        "w_satisfaction": float(w.w_satisfaction),
        "basic_factor": float(w.basic_factor),
    }


class _Chosen:
    """The filters checked as the dashboard checks them, each refusal naming its field."""

    def __init__(self, request, f: KpiFilters):
        if not scope_for(request.user).is_staff:
            raise PermissionDenied(_("Only staff see the KPIs."))
        with primary_reads():  # the latest events are on the primary
            facts.facts_refresh(max_appeals=REFRESH_AT_MOST)
        self.unit = unit_get(request.user, f.unit) if f.unit else default_unit(request.user)
        if self.unit is None:  # staff by a superuser's flag, with no role on any unit
            raise DomainError("required", _("unit: choose a unit."), "unit")
        end = f.end or timezone.localdate()
        start = f.start or (end - timedelta(days=DEFAULT_DAYS - 1))
        if start > end:
            raise DomainError("bad_period", _("from: the start must not be after the end."), "from")
        if (end - start).days > MAX_DAYS:
            raise DomainError("bad_period", _("to: choose a period of at most three years."), "to")
        self.period = sv.Period(start, end + timedelta(days=1))
        self.category = None
        if f.category:
            self.category = Category.objects.filter(code=f.category, parent=None).first()
            if self.category is None:
                raise DomainError(
                    "bad_category", _("category: use a top-level category code (group_code)."), "category"
                )
        self.category_id = self.category.pk if self.category else None

    def head(self) -> dict:
        return {
            "unit": _unit(self.unit),
            "period": {"from": self.period.start, "to": self.period.end - timedelta(days=1)},
            "category": {"code": self.category.code, "name": self.category.name} if self.category else None,
            "as_of": facts.last_refresh(),
        }


@router.get(
    "/kpis",
    response={200: KpiOut, **ERRORS},
    summary="The KPIs of a unit for a period (the dashboard's)",
    by_alias=True,
)
def kpi_read(request: HttpRequest, filters: Query[KpiFilters]):
    """Over the appeals raised in the unit's area in the period (and category): the counts, the
    rates, the composite score with the district's weights, the five-level funnel, and the
    forward chain's figures, exactly as the unit's dashboard shows them."""
    # As the dashboard: the figures may come from a replica, the refresh reads the primary.
    with replica_reads():
        f = _Chosen(request, filters)
        summary = sv.kpi(f.unit, f.period, f.category_id)
        # The dashboard shows a district's streets in the forward-chain table, any other unit alone.
        sub_units = list(sv.children(f.unit)) if f.unit.kind == UnitKind.DISTRICT else [f.unit]
        forward = sv.forward(sub_units, f.period)
        return {
            **f.head(),
            **_rates(summary),
            "weights": _weights(summary.weights),
            "funnel": [{**row, "label": str(row["label"])} for row in sv.funnel(f.unit, f.period, f.category_id)],
            "forward": [{**row, "unit": _unit(row["unit"])} for row in forward["rows"]] if forward else None,
        }


@router.get(
    "/kpis/ranking",
    response={200: RankingOut, **ERRORS},
    summary="The units one level down, ranked by composite score",
    by_alias=True,
)
def kpi_ranking(request: HttpRequest, filters: Query[KpiFilters]):
    """The dashboard's ranking: a district's streets, a street's communities, a community's resident
    groups, best composite score first; units without a score come last, unranked."""
    with replica_reads():
        f = _Chosen(request, filters)
        weights = sv.current_weights()
        rows = sv.ranked(sv.by_child(f.unit, f.period, f.category_id, weights=weights))
        return {
            **f.head(),
            "child_kind": sv.CHILD_KIND.get(f.unit.kind),
            "weights": _weights(weights),
            "items": [{"rank": rank, "unit": _unit(u), **_rates(k)} for rank, u, k in rows],
        }
