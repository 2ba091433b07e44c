"""KPIs over the API (real HTTP, live_server) on the hand-built March appeals of tests/test_kpi.py:
the numbers equal the hand-worked rates, the supervision functions and what the dashboard page
shows for the same filters; the ranking equals the dashboard's ranking table; scope, defaults and
bad filters (a 400 or 422 naming the field, in the caller's language)."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.appeal_helpers import a_category, raise_appeal
from tests.test_api import api_client, error_of
from tests.test_kpi import MARCH, march  # noqa: F401  (the hand-built appeals, used by name)
from twoway.supervision import kpis, tables

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.usefixtures("march")]


@pytest.fixture
def api_as(tree, live_server):
    return lambda key: api_client(tree, live_server.url, key)


IN_MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def _shown_kpis(page) -> dict[str, str]:
    """The dashboard's KPI cards, as text: {"received": "6", "response": "50.0%", …}."""
    return dict(re.findall(r'data-kpi="(\w+)">([^<]*)<', page.content.decode()))


def _pct(rate) -> str:
    return "—" if rate is None else f"{100 * rate:.1f}%"


def _score(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _ranking_table(page) -> list[list[str]]:
    html = page.content.decode()
    block = html.split('data-table="ranking"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", block, re.S)]


def test_street_kpis_equal_the_hand_worked_rates_the_functions_and_the_dashboard(api_as, tree, login):
    unit = tree["street_A"]
    got = api_as("street_officer").get("/kpis", unit=unit.pk, **IN_MARCH)
    assert got.status_code == 200, got.text
    k = got.json()
    assert k["unit"] == {"id": unit.pk, "name": "A街道", "kind": "street"}
    assert k["period"] == {"from": "2026-03-01", "to": "2026-03-31"} and k["category"] is None

    # The rates worked out by hand in tests/test_kpi.py.
    assert (k["received"], k["accepted_on_time"], k["resolved"], k["resolved_on_time"]) == (6, 3, 3, 2)
    assert (k["satisfied"], k["basic"], k["unsatisfied"], k["rated"]) == (1, 1, 1, 3)
    assert k["response_rate"] == pytest.approx(0.5) and k["resolution_rate"] == pytest.approx(0.5)
    assert k["satisfaction_rate"] == pytest.approx(1.9 / 3) and k["on_time_rate"] == pytest.approx(2 / 3)
    assert k["composite"] == pytest.approx(55.3333, abs=1e-3)
    assert k["weights"] == {"w_response": 0.1, "w_resolve": 0.5, "w_satisfaction": 0.4, "basic_factor": 0.9}

    # Exactly what the supervision functions give (JSON keeps every digit of a float).
    want = kpis.kpi(unit, MARCH)
    assert [k["response_rate"], k["resolution_rate"], k["satisfaction_rate"], k["on_time_rate"], k["composite"]] == [
        want.response,
        want.resolution,
        want.satisfaction,
        want.on_time,
        want.composite,
    ]
    funnel = kpis.funnel(unit, MARCH)
    assert [{**r, "label": str(r["label"])} for r in funnel] == k["funnel"]
    assert [r["settled"] for r in k["funnel"]] == [2, 0, 1, 0]

    # And what the dashboard shows for the same filters.
    page = login(tree["street_officer"]).get(reverse("supervision:dashboard"), {"unit": unit.pk, **IN_MARCH})
    assert page.status_code == 200
    assert _shown_kpis(page) == {
        "received": str(k["received"]),
        "response": _pct(k["response_rate"]),
        "resolution": _pct(k["resolution_rate"]),
        "satisfaction": _pct(k["satisfaction_rate"]),
        "on_time": _pct(k["on_time_rate"]),
        "composite": _score(k["composite"]),
    }
    shown_funnel = page.context["charts"][[c.name for c in page.context["charts"]].index("funnel")].rows
    assert [[r["reached"], r["settled"], tables.pct(r["share"]), r["went_up"]] for r in k["funnel"]] == [
        row[1:5] for row in shown_funnel
    ]
    forward = page.context["forward"]
    if forward is None:
        assert k["forward"] is None
    else:
        assert [(r["unit"]["id"], r["tasks_total"], r["on_time"], r["checked"], r["read"]) for r in k["forward"]] == [
            (r["unit"].pk, r["tasks_total"], r["on_time"], r["checked"], r["read"]) for r in forward["rows"]
        ]


def test_ranking_equals_the_dashboards_ranking_table(api_as, tree, login):
    unit = tree["street_A"]
    got = api_as("street_officer").get("/kpis/ranking", unit=unit.pk, **IN_MARCH)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["child_kind"] == "community"
    rows = body["items"]
    assert [(r["rank"], r["unit"]["name"]) for r in rows] == [(1, "A1社区"), (None, "A2社区")]
    a1 = rows[0]
    assert (a1["received"], a1["accepted_on_time"], a1["resolved"]) == (5, 3, 3)
    assert a1["composite"] == pytest.approx(100 * (0.1 * 3 / 5 + 0.5 * 3 / 5 + 0.4 * 1.9 / 3))
    assert rows[1]["received"] == 1 and rows[1]["composite"] is None

    page = login(tree["street_officer"]).get(reverse("supervision:dashboard"), {"unit": unit.pk, **IN_MARCH})
    shown = _ranking_table(page)
    assert [
        [
            "—" if r["rank"] is None else str(r["rank"]),
            r["unit"]["name"],
            str(r["received"]),
            *(_score(tables.pct(r[key])) for key in ("response_rate", "resolution_rate", "satisfaction_rate")),
            _score(tables.pct(r["on_time_rate"])),
            _score(tables.one(r["composite"])),
        ]
        for r in rows
    ] == shown

    # A resident group has no units below it: an empty ranking, not an error.
    group = api_as("street_officer").get("/kpis/ranking", unit=tree["group_A1a"].pk, **IN_MARCH).json()
    assert group["child_kind"] is None and group["items"] == []


def test_category_filter_takes_a_top_level_code(api_as, tree):
    api = api_as("street_officer")
    categories = api.get("/categories").json()
    env = next(c for c in categories if c["code"] == "ENV01")
    top = a_category("ENV01").parent
    assert env["group_code"] == top.code
    same = api.get("/kpis", unit=tree["street_A"].pk, category=top.code, **IN_MARCH).json()
    assert same["received"] == 6 and same["category"] == {"code": top.code, "name": top.name}
    other = next(c["group_code"] for c in categories if c["group_code"] != top.code)
    none = api.get("/kpis", unit=tree["street_A"].pk, category=other, **IN_MARCH).json()
    assert none["received"] == 0 and none["response_rate"] is None and none["composite"] is None
    # A sub-category is not a dashboard filter: the field is named.
    assert error_of(api.get("/kpis", category="ENV01"), 400)["field"] == "category"


def test_scope_a_unit_outside_the_area_answers_404(api_as, tree):
    street = api_as("street_officer")
    for key in ("street_B", "community_B1", "group_B2a", "district"):
        for path in ("/kpis", "/kpis/ranking"):
            body = error_of(street.get(path, unit=tree[key].pk, **IN_MARCH), 404)
            assert body["code"] == "not_found" and tree[key].name not in body["message"]
    secretary = api_as("community_secretary")
    error_of(secretary.get("/kpis", unit=tree["street_A"].pk), 404)
    error_of(secretary.get("/kpis", unit=tree["community_A2"].pk), 404)
    error_of(secretary.get("/kpis", unit=2**53), 404)
    assert secretary.get("/kpis", unit=tree["group_A1a"].pk, **IN_MARCH).json()["received"] == 5
    # The district sees every street ranked; a resident sees no KPIs at all.
    district = api_as("district_staff").get("/kpis/ranking", **IN_MARCH).json()
    assert [r["unit"]["name"] for r in district["items"]] == ["A街道", "B街道"]
    refused = error_of(api_as("resident").get("/kpis"), 403)
    assert refused["code"] == "forbidden" and refused["message"] == "只有工作人员可以查看考核指标。"


def test_defaults_and_fresh_events_as_on_the_dashboard(api_as, tree, login):
    """No filters: the caller's own unit and the last 12 weeks. An appeal raised just now counts
    at once, as on the dashboard (both take in the latest events first)."""
    raise_appeal(tree)
    api = api_as("community_secretary")
    k = api.get("/kpis").json()
    today = timezone.localdate()
    assert k["unit"]["id"] == tree["community_A1"].pk
    assert k["period"] == {"from": str(today - timedelta(days=83)), "to": str(today)}
    assert k["received"] == 1
    page = login(tree["community_secretary"]).get(reverse("supervision:dashboard"))
    assert page.context["f"].unit == tree["community_A1"] and page.context["summary"].received == 1
    assert page.context["f"].period == kpis.Period(date.fromisoformat(k["period"]["from"]), today + timedelta(days=1))


def test_bad_filters_are_named_in_the_callers_language(api_as, tree):
    api = api_as("street_officer")
    backwards = error_of(api.get("/kpis", **{"from": "2026-03-10", "to": "2026-03-01"}), 400)
    assert backwards == {"code": "bad_period", "message": "from：开始日期不能晚于结束日期。", "field": "from"}
    too_long = error_of(api.get("/kpis/ranking", **{"from": "2020-01-01", "to": "2026-03-01"}), 400)
    assert too_long["field"] == "to" and "三年" in too_long["message"]
    assert error_of(api.get("/kpis", category="NOPE"), 400)["field"] == "category"
    assert error_of(api.get("/kpis", **{"from": "2026-13-01"}), 422)["field"] == "from"
    assert error_of(api.get("/kpis", to="0001-01-01"), 422)["field"] == "to"
    assert error_of(api.get("/kpis", unit="x"), 422)["field"] == "unit"
    assert error_of(api.get("/kpis", category="a\x00b"), 422)["field"] == "category"
    english = error_of(api.speaking("en").get("/kpis", **{"from": "2026-03-10", "to": "2026-03-01"}), 400)
    assert english["message"] == "from: the start must not be after the end."
    assert error_of(api_as("resident").speaking("en").get("/kpis"), 403)["message"] == "Only staff see the KPIs."
