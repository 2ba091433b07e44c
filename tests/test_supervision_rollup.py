"""The daily rollup equals a fresh recomputation from the events: kept up step by step by the
incremental refresh, rebuilt in bulk, and summed here by hand from the events' replay; the
funnel's medians from the hour bands stay within their stated precision."""

import random
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.appeal_helpers import a_category
from twoway.appeals import flow
from twoway.appeals.models import Appeal
from twoway.supervision import facts, kpis, rollup
from twoway.supervision.models import (
    HOUR_BANDS,
    HOURS_LEVELS,
    MEASURES,
    AppealFact,
    AppealTerms,
    DailyFact,
    DailyHours,
    RefreshMark,
    band_fields,
    band_of,
)

TZ = ZoneInfo("Asia/Shanghai")
MARCH = kpis.Period(date(2026, 3, 1), date(2026, 4, 1))


def at(day, hour, minute=0):
    """A moment in March 2026, local time (2 March is a Monday)."""
    return time_machine.travel(datetime(2026, 3, day, hour, minute, tzinfo=TZ), tick=False)


def _cells() -> dict[str, dict]:
    """Every daily row, by cell, as plain values (ids left out)."""
    out = {}
    for model in (DailyFact, DailyHours):
        for row in model.objects.values():
            row.pop("id")
            out.setdefault(row["cell"], {}).update(row)
    return out


def _from_events() -> dict[str, dict]:
    """The daily rows worked out here, without SQL: each appeal replayed from its events
    (facts.compute), then counted and banded per cell in Python."""
    ids = list(Appeal.objects.values_list("pk", flat=True))
    tests = {
        "received": lambda f: True,
        "accepted_on_time": lambda f: f.accepted_on_time,
        "resolved": lambda f: f.resolved,
        "resolved_on_time": lambda f: f.resolved_on_time,
        "satisfied": lambda f: f.score == "satisfied",
        "basic": lambda f: f.score == "basic",
        "unsatisfied": lambda f: f.score == "unsatisfied",
        "returned": lambda f: f.returned,
        "reopened": lambda f: f.reopened,
        **{f"settled_{lv}": (lambda f, lv=lv: f.settled_level == lv) for lv in HOURS_LEVELS},
        **{f"up_{lv}": (lambda f, lv=lv: getattr(f, f"up_{lv}")) for lv in ("group", "community", "street")},
    }
    assert set(tests) == set(MEASURES)
    out: dict[str, dict] = {}
    for f in facts.compute(ids):
        row = out.setdefault(
            f.cell,
            {
                "cell": f.cell,
                "area": f.area,
                "day": f.created_at.astimezone(TZ).date(),
                "street_id": f.street_id,
                "community_id": f.community_id,
                "top_category_id": f.top_category_id,
                **dict.fromkeys(MEASURES, 0),
                **dict.fromkeys(band_fields("n") + band_fields("s")),
            },
        )
        for name, test in tests.items():
            row[name] += bool(test(f))
        for lv in HOURS_LEVELS:
            hours = getattr(f, f"hours_{lv}")
            if hours is None:
                continue
            band = next(i for i in reversed(range(len(HOUR_BANDS))) if hours >= HOUR_BANDS[i] or i == 0)
            n, s = f"n_{lv}_{band:02d}", f"s_{lv}_{band:02d}"
            row[n] = (row[n] or 0) + 1
            row[s] = (row[s] or 0) + round(hours * 3600)
    # DailyHours also has a row per area and day for all categories: the sum of its cells.
    for row in list(out.values()):
        area = row["area"]
        total = out.setdefault(
            f"{area}.*",
            {
                "cell": f"{area}.*",
                "area": area,
                "day": row["day"],
                "street_id": row["street_id"],
                "community_id": row["community_id"],
                "top_category_id": None,
                **dict.fromkeys(band_fields("n") + band_fields("s")),
            },
        )
        for name in band_fields("n") + band_fields("s"):
            if row[name] is not None:
                total[name] = (total[name] or 0) + row[name]
    return out


@pytest.fixture
def history(tree):
    """Appeals in both streets and two categories over two weeks of March, moving through every
    kind of step, with the rollup refreshed after each day (as cron would)."""
    gl, cs, so, ds, dept, res, far = (
        tree[k].user
        for k in (
            "group_leader",
            "community_secretary",
            "street_officer",
            "district_staff",
            "dept_officer",
            "resident",
            "far_resident",
        )
    )
    env, fac = a_category("ENV01"), a_category("FAC02")

    def submit(who, category, text):
        return flow.appeal_submit(user=who, category_id=category.pk, description=text)

    made = {}
    with at(2, 9):
        for name in ("a", "b", "c", "d", "e", "f"):
            made[name] = (
                submit(res, env, "楼道堆放杂物，请清理")
                if name in "abc"
                else submit(res, fac, "路灯不亮，夜间出行不便")
            )
        made["far"] = submit(far, fac, "道路破损，雨天积水")
    facts.facts_refresh()
    with at(2, 10):
        for name in ("a", "b", "c", "d"):
            flow.appeal_accept(user=gl, appeal_id=made[name].pk)
        flow.appeal_return(user=gl, appeal_id=made["e"].pk, reason="重复反映")
    with at(2, 13):
        flow.appeal_escalate(user=gl, appeal_id=made["b"].pk, reason="本组无法解决")
        flow.appeal_escalate(user=gl, appeal_id=made["c"].pk, reason="本组无法解决")
        flow.appeal_merge(user=gl, target_id=made["d"].pk, other_ids=[made["f"].pk])
    facts.facts_refresh()
    with at(3, 9):
        flow.appeal_resolve(user=gl, appeal_id=made["a"].pk, outcome="已清理")
        flow.appeal_accept(user=cs, appeal_id=made["b"].pk)
        flow.appeal_accept(user=cs, appeal_id=made["c"].pk)
    with at(3, 15):
        flow.appeal_escalate(user=cs, appeal_id=made["c"].pk, reason="社区无法解决")
        flow.appeal_rate(user=res, appeal_id=made["a"].pk, score="unsatisfied")  # reopened
    facts.facts_refresh()
    with at(4, 9):
        flow.appeal_accept(user=so, appeal_id=made["c"].pk)
        flow.appeal_resolve(user=cs, appeal_id=made["b"].pk, outcome="物业清理")
        flow.appeal_escalate(user=so, appeal_id=made["c"].pk, reason="街道无法解决")
    with at(4, 11):
        flow.appeal_accept(user=ds, appeal_id=made["c"].pk)
        flow.appeal_assign(user=ds, appeal_id=made["c"].pk, department_id=tree["department"].pk)
        flow.appeal_resolve(user=gl, appeal_id=made["a"].pk, outcome="再次清理")
    facts.facts_refresh()
    with at(9, 10):
        flow.appeal_accept(user=dept, appeal_id=made["c"].pk)
        flow.appeal_answer(user=dept, appeal_id=made["c"].pk, answer="已安排维修")
        flow.appeal_rate(user=res, appeal_id=made["b"].pk, score="basic")
        flow.appeal_rate(user=res, appeal_id=made["a"].pk, score="satisfied")
        made["late"] = submit(res, env, "楼道堆放杂物，请清理")
    facts.facts_refresh()
    with at(12, 16):
        flow.appeal_resolve(user=ds, appeal_id=made["c"].pk, outcome="区住建局维修完毕")
        flow.appeal_accept(user=gl, appeal_id=made["late"].pk)
    facts.facts_refresh()
    return made


def test_incremental_refresh_full_rebuild_and_the_events_agree(tree, history):
    kept = _cells()
    # Seven raised on the 2nd (one merged away), one on the 9th: three cells on the 2nd
    # (A1 × ENV, A1 × FAC, B2 × FAC) and one on the 9th.
    assert AppealFact.objects.count() == 7
    assert len([c for c in kept.values() if c["top_category_id"]]) == 4
    assert sum(c.get("received", 0) for c in kept.values()) == 7
    assert len([c for c in kept.values() if not c["top_category_id"]]) == 3  # A1 and B2 on the 2nd, A1 on the 9th
    assert kept == _from_events()
    assert facts.facts_rebuild() == 7
    assert _cells() == kept
    # The KPIs read from the daily rollup equal those read from the appeals' rows.
    for unit in (tree["district"], tree["street_A"], tree["community_A1"], tree["street_B"]):
        daily = kpis.kpi(unit, MARCH)
        qs, aggs = kpis.facts_for(unit, MARCH), rollup.fact_aggregates(kpis.KPI_FIELDS)
        assert [getattr(daily, n) for n in kpis.KPI_FIELDS] == [qs.aggregate(**aggs)[n] for n in kpis.KPI_FIELDS]


def test_a_step_moves_the_counts_of_its_cell_only(tree, history):
    before = _cells()
    with at(13, 9):
        flow.appeal_resolve(user=tree["group_leader"].user, appeal_id=history["late"].pk, outcome="已清理")
    # Appeals with recent events are recomputed (a look-back covers late commits); only the
    # cell of the one that moved changes.
    assert facts.facts_refresh() >= 1
    after = _cells()
    fact = AppealFact.objects.get(appeal_id=history["late"].pk)
    late = fact.cell
    # Its cell, and its area's histogram for all categories (its hours at the group are known now).
    assert {c for c in after if after[c] != before[c]} == {late, f"{fact.area}.*"}
    assert after[late]["resolved"] == before[late]["resolved"] + 1
    assert after == _from_events()


def test_the_refresh_only_takes_in_what_changed(tree, history, django_assert_max_num_queries):
    assert facts.facts_refresh() == 0
    with django_assert_max_num_queries(3):
        facts.facts_refresh()


def test_a_rollup_never_built_is_built_in_full(tree, history):
    AppealFact.objects.all().delete()
    DailyFact.objects.all().delete()
    RefreshMark.objects.all().delete()
    assert facts.facts_refresh() == 7
    assert _cells() == _from_events()


def test_hotspot_words_are_found_once_per_appeal(tree, history):
    assert AppealTerms.objects.count() == Appeal.objects.count()
    terms = dict(AppealTerms.objects.values_list("appeal_id", "terms"))
    from twoway.supervision import hotspots

    assert terms[history["d"].pk].split() == sorted(hotspots.words("路灯不亮，夜间出行不便"))
    top = dict(hotspots.terms(tree["district"], MARCH))
    assert top["夜间"] == 2  # d and e; f was merged into d and has no row in the rollup
    # The same as finding the words of the period's appeals afresh.
    texts = Appeal.objects.filter(pk__in=AppealFact.objects.values("appeal_id")).values_list("description", flat=True)
    assert hotspots.terms(tree["district"], MARCH) == hotspots.top_terms(texts)


def test_funnel_medians_match_the_exact_median_where_the_bands_allow(tree, history):
    rows = {r["level"]: r for r in kpis.funnel(tree["street_A"], MARCH)}
    hours = defaultdict(list)
    for f in AppealFact.objects.filter(street_id=tree["street_A"].pk):
        for lv in HOURS_LEVELS:
            if getattr(f, f"hours_{lv}") is not None:
                hours[lv].append(getattr(f, f"hours_{lv}"))
    for lv in HOURS_LEVELS:
        assert rows[lv]["reached"] == len(hours[lv])
        if hours[lv]:
            # Few appeals, each alone in its band: the band's mean is the exact value.
            assert rows[lv]["median_hours"] == pytest.approx(statistics.median(hours[lv]))
        else:
            assert rows[lv]["median_hours"] is None
    # With a category chosen, the funnel reads that category's rows instead of the all-categories ones.
    env = a_category("ENV01").parent
    by_category = {r["level"]: r for r in kpis.funnel(tree["street_A"], MARCH, env.pk)}
    qs = AppealFact.objects.filter(street_id=tree["street_A"].pk, top_category_id=env.pk)
    assert by_category["group"]["reached"] == qs.filter(hours_group__isnull=False).count() == 3
    assert by_category["group"]["median_hours"] == pytest.approx(
        statistics.median(qs.exclude(hours_group=None).values_list("hours_group", flat=True))
    )


def _width(value: float) -> float:
    band = band_of(value)
    return HOUR_BANDS[band + 1] - HOUR_BANDS[band] if band + 1 < len(HOUR_BANDS) else float("inf")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_median_from_bands_is_within_the_band_of_the_exact_one(tree, seed):
    """Many appeals with spread-out times at the group level: the median read from the bands
    differs from the exact one by less than the width of the band holding it."""
    rng = random.Random(seed)
    appeals = []
    with at(2, 8):
        for _ in range(41):
            appeals.append(
                flow.appeal_submit(user=tree["resident"].user, category_id=a_category().pk, description="楼道杂物")
            )
    start = datetime(2026, 3, 2, 8, tzinfo=TZ)
    for appeal in appeals:
        with time_machine.travel(start + timedelta(minutes=rng.randint(1, 9 * 24 * 60)), tick=False):
            flow.appeal_accept(user=tree["group_leader"].user, appeal_id=appeal.pk)
            flow.appeal_resolve(user=tree["group_leader"].user, appeal_id=appeal.pk, outcome="已处理")
    facts.facts_refresh()
    exact_values = sorted(AppealFact.objects.values_list("hours_group", flat=True))
    exact = statistics.median(exact_values)
    got = {r["level"]: r for r in kpis.funnel(tree["street_A"], MARCH)}["group"]["median_hours"]
    middle = exact_values[len(exact_values) // 2]
    assert abs(got - exact) < _width(middle)
    assert band_of(got) == band_of(middle)


def _dashboard_queries(client, unit, captured):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(
            reverse("supervision:dashboard"), {"unit": unit.pk, "from": "2026-03-01", "to": "2026-03-31"}
        )
    assert response.status_code == 200
    captured.append(len(ctx))
    return len(ctx)


def test_dashboard_query_counts_are_pinned_and_do_not_grow(tree, login, history):
    """The district's and a street's dashboards ask a fixed number of questions, however many
    appeals, days and units there are."""
    counts = []
    assert _dashboard_queries(login(tree["district_staff"]), tree["district"], counts) <= 27
    assert _dashboard_queries(login(tree["street_officer"]), tree["street_A"], counts) <= 24
    with at(20, 9):
        for _ in range(5):
            flow.appeal_submit(
                user=tree["far_resident"].user, category_id=a_category("PRO01").pk, description="电梯故障"
            )
    facts.facts_refresh()
    assert _dashboard_queries(login(tree["district_staff"]), tree["district"], counts) == counts[0]
    assert _dashboard_queries(login(tree["street_officer"]), tree["street_A"], counts) == counts[1]
