"""KPIs on a hand-built set of appeals, each step at a set time, with the expected rates worked
out by hand below (time limits: accept within 1 working day, settle within 5; no holidays)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.appeal_helpers import a_category
from twoway.appeals import flow
from twoway.core.errors import DomainError
from twoway.supervision import facts, kpis
from twoway.supervision.actions import kpi_settings_change
from twoway.supervision.models import AppealFact, KpiSettings

TZ = ZoneInfo("Asia/Shanghai")
MARCH = kpis.Period(date(2026, 3, 1), date(2026, 4, 1))


def at(day, hour, minute=0):
    """A moment in March 2026, local time. 2 March 2026 is a Monday."""
    return time_machine.travel(datetime(2026, 3, day, hour, minute, tzinfo=TZ), tick=False)


def _raise(tree, who="resident", **kw):
    return flow.appeal_submit(
        user=tree[who].user, category_id=a_category().pk, description="楼道堆放杂物，请清理", **kw
    )


@pytest.fixture
def march(tree):
    """Six appeals in street A: five in community A1, one in A2.

    a1 accepted in 1 h, resolved next day, rated 满意.
    a2 accepted after two days (late), resolved the same day, rated 基本满意.
    a3 accepted in 2 h, escalated to the community, resolved there, rated 不满意: reopened, open.
    a4 accepted in 30 min, escalated twice to the street, resolved there 8 days later (late), not rated.
    a5 returned at intake.
    a6 raised in A2 on a resident's behalf, never accepted.
    """
    gl, cs, so, res = (tree[k].user for k in ("group_leader", "community_secretary", "street_officer", "resident"))
    with at(2, 9):
        a1, a2, a3, a4, a5 = (_raise(tree) for _ in range(5))
        a2_person = tree["group_A2a"].people.first()
        a6 = flow.appeal_submit(
            user=tree["other_community_secretary"].user,
            category_id=a_category().pk,
            description="路灯不亮",
            on_behalf_of=a2_person,
        )
    with at(2, 9, 30):
        flow.appeal_accept(user=gl, appeal_id=a4.pk)
    with at(2, 10):
        flow.appeal_accept(user=gl, appeal_id=a1.pk)
        flow.appeal_return(user=gl, appeal_id=a5.pk, reason="重复反映")
        flow.appeal_escalate(user=gl, appeal_id=a4.pk, reason="本组无法解决")
    with at(2, 11):
        flow.appeal_accept(user=gl, appeal_id=a3.pk)
        flow.appeal_accept(user=cs, appeal_id=a4.pk)
    with at(2, 12):
        flow.appeal_escalate(user=cs, appeal_id=a4.pk, reason="社区无法解决")
    with at(2, 13):
        flow.appeal_escalate(user=gl, appeal_id=a3.pk, reason="需社区协调")
        flow.appeal_accept(user=so, appeal_id=a4.pk)
    with at(3, 9):
        flow.appeal_accept(user=cs, appeal_id=a3.pk)
    with at(3, 10):
        flow.appeal_resolve(user=gl, appeal_id=a1.pk, outcome="已清理")
    with at(3, 12):
        flow.appeal_rate(user=res, appeal_id=a1.pk, score="satisfied")
    with at(4, 10):
        flow.appeal_accept(user=gl, appeal_id=a2.pk)
    with at(4, 12):
        flow.appeal_resolve(user=gl, appeal_id=a2.pk, outcome="已清理")
        flow.appeal_rate(user=res, appeal_id=a2.pk, score="basic")
    with at(5, 9):
        flow.appeal_resolve(user=cs, appeal_id=a3.pk, outcome="物业清理")
    with at(6, 9):
        flow.appeal_rate(user=res, appeal_id=a3.pk, score="unsatisfied")
    with at(10, 10):
        flow.appeal_resolve(user=so, appeal_id=a4.pk, outcome="街道协调处理")
    facts.facts_refresh()
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "a5": a5, "a6": a6}


def test_street_kpis_match_the_hand_worked_rates(tree, march):
    k = kpis.kpi(tree["street_A"], MARCH)
    assert k.received == 6
    # Accepted within 1 working day of arriving: a1, a3, a4 (a2 took two days; a5, a6 never).
    assert k.accepted_on_time == 3
    assert k.response == pytest.approx(3 / 6)
    # Resolved: a1, a2 (closed), a4 (waiting for the rating); a3 was reopened.
    assert k.resolved == 3
    assert k.resolution == pytest.approx(3 / 6)
    # On time: a1 (1 day), a2 (2 hours); a4 took 6 working days at the street (limit 5).
    assert k.resolved_on_time == 2
    assert k.on_time == pytest.approx(2 / 3)
    # Rated: a1 满意, a2 基本满意, a3 不满意: (1 + 0.9 × 1) / 3.
    assert (k.satisfied, k.basic, k.unsatisfied) == (1, 1, 1)
    assert k.satisfaction == pytest.approx(1.9 / 3)
    # 100 × (0.1 × 0.5 + 0.5 × 0.5 + 0.4 × 0.6333…) = 55.333…
    assert k.composite == pytest.approx(100 * (0.05 + 0.25 + 0.4 * 1.9 / 3))
    assert k.composite == pytest.approx(55.3333, abs=1e-3)


def test_the_district_sees_the_same_and_street_b_sees_nothing(tree, march):
    assert kpis.kpi(tree["district"], MARCH).received == 6
    b = kpis.kpi(tree["street_B"], MARCH)
    assert b.received == 0 and b.response is None and b.composite is None


def test_period_bounds_are_local_days(tree, march):
    assert kpis.kpi(tree["street_A"], kpis.Period(date(2026, 2, 1), date(2026, 3, 2))).received == 0
    assert kpis.kpi(tree["street_A"], kpis.Period(date(2026, 3, 2), date(2026, 3, 3))).received == 6


def test_funnel_by_level(tree, march):
    rows = {r["level"]: r for r in kpis.funnel(tree["street_A"], MARCH)}
    # Settled: a1, a2 at the group; a4 at the street; a3 was reopened, so it is not settled.
    assert [rows[lv]["settled"] for lv in ("group", "community", "street", "district")] == [2, 0, 1, 0]
    assert rows["group"]["share"] == pytest.approx(2 / 6)
    # Went up: a3 and a4 from the group, a4 from the community.
    assert (rows["group"]["went_up"], rows["community"]["went_up"], rows["street"]["went_up"]) == (2, 1, 0)
    # Hours at the group until it left: a1 25, a2 51, a3 4, a4 1, a5 1 (returned) → median 4.
    assert rows["group"]["median_hours"] == pytest.approx(4)
    # Community: a3 from 13:00 Mon to 09:00 Thu = 68 h; a4 2 h → median 35.
    assert rows["community"]["median_hours"] == pytest.approx(35)
    # Street: a4 from 12:00 on the 2nd to 10:00 on the 10th = 190 h.
    assert rows["street"]["median_hours"] == pytest.approx(190)
    assert rows["district"]["median_hours"] is None


def test_communities_ranked_and_bounced_appeals(tree, march):
    ranking = kpis.ranking(tree["street_A"], "community", MARCH)
    assert [(rank, unit.name) for rank, unit, _k in ranking] == [(1, "A1社区"), (None, "A2社区")]
    a1 = ranking[0][2]
    assert (a1.received, a1.accepted_on_time, a1.resolved) == (5, 3, 3)
    assert a1.composite == pytest.approx(100 * (0.1 * 3 / 5 + 0.5 * 3 / 5 + 0.4 * 1.9 / 3))
    bounced = {f.appeal_id for f in kpis.bounced(tree["street_A"], MARCH)}
    assert bounced == {march["a3"].pk, march["a4"].pk}


def test_changed_weights_apply_and_keep_history(tree, march):
    with pytest.raises(DomainError) as err:
        kpi_settings_change(
            user=tree["street_officer"].user,
            w_response="0.2",
            w_resolve="0.4",
            w_satisfaction="0.4",
            basic_factor="0.8",
        )
    assert err.value.code == "district_only"
    with pytest.raises(DomainError) as err:
        kpi_settings_change(
            user=tree["district_staff"].user,
            w_response="0.2",
            w_resolve="0.5",
            w_satisfaction="0.4",
            basic_factor="0.8",
        )
    assert err.value.field == "w_response"
    with pytest.raises(DomainError) as err:
        kpi_settings_change(
            user=tree["district_staff"].user, w_response="0.2", w_resolve="0.4", w_satisfaction="0.4", basic_factor="x"
        )
    assert err.value.field == "basic_factor"
    assert KpiSettings.objects.count() == 0
    kpi_settings_change(
        user=tree["district_staff"].user, w_response="0.3", w_resolve="0.3", w_satisfaction="0.4", basic_factor="0.9"
    )
    kpi_settings_change(
        user=tree["district_staff"].user,
        w_response="0.2",
        w_resolve="0.4",
        w_satisfaction="0.4",
        basic_factor="0.8",
        note="按区委要求调整",
    )
    assert KpiSettings.objects.count() == 2
    k = kpis.kpi(tree["street_A"], MARCH)
    # (1 + 0.8 × 1) / 3 = 0.6; 100 × (0.2 × 0.5 + 0.4 × 0.5 + 0.4 × 0.6) = 54.
    assert k.satisfaction == pytest.approx(0.6)
    assert k.composite == pytest.approx(54.0)


def test_rollup_equals_a_fresh_recomputation(tree, march):
    """Refreshed step by step as the appeals moved on, the rollup equals one rebuilt from the events."""
    with at(11, 9):
        flow.appeal_rate(user=tree["resident"].user, appeal_id=march["a4"].pk, score="satisfied")
        new = _raise(tree)
    facts.facts_refresh()
    with at(11, 10):
        flow.appeal_accept(user=tree["group_leader"].user, appeal_id=new.pk)
    facts.facts_refresh()

    def rows():
        return sorted(
            tuple(getattr(f, c.attname) for c in AppealFact._meta.concrete_fields) for f in AppealFact.objects.all()
        )

    kept = rows()
    assert len(kept) == 7
    facts.facts_rebuild()
    assert rows() == kept
    assert AppealFact.objects.get(appeal_id=march["a4"].pk).score == "satisfied"
