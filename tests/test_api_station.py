"""Service stations over the API (real HTTP, live_server): the stations in scope with their B.1.5
check, the published catalogue (filters, pages that stay in their version, one item in full),
the work ledger (scope, filters, pages), phone numbers masked as on the pages, and a service
taken through its steps by the same domain functions as the pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import scope_registry  # noqa: F401  (loaded before the station cases, which import it)
from tests.scope_cases.station import _seed_station
from tests.test_api import api_client, error_of
from twoway.station import services
from twoway.station.models import CatalogueVersion, RecordStatus, ServiceRecord, Station

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def api_as(tree, live_server):
    return lambda key: api_client(tree, live_server.url, key)


PHONE = "13812345678"
MASKED = "138****5678"


@pytest.fixture
def stations(tree):
    """Stations in A1 and A2 (street A, published) and B2 (street B), one ledger entry each."""
    _seed_station(tree)
    return {s.community.name[:2]: s for s in Station.objects.select_related("community")}


def _walk(api, path, **params) -> list[dict]:
    """Every item of a list, page by page."""
    items, cursor = [], ""
    while True:
        page = api.get(path, cursor=cursor, **params)
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items


def test_stations_in_scope_with_their_check(api_as, tree, stations):
    street = api_as("street_officer")
    listed = _walk(street, "/stations", limit=1)
    assert sorted(s["name"] for s in listed) == ["A1社区便民服务站", "A2社区便民服务站"]
    assert {s["community"]["name"] for s in listed} == {"A1社区", "A2社区"}
    assert [s["name"] for s in _walk(api_as("other_street_officer"), "/stations")] == ["B2社区便民服务站"]
    assert [s["name"] for s in _walk(api_as("community_secretary"), "/stations")] == ["A1社区便民服务站"]
    assert _walk(api_as("resident"), "/stations") == []
    assert [s["name"] for s in street.get("/stations", unit=tree["community_A2"].pk).json()["items"]] == [
        "A2社区便民服务站"
    ]
    assert [s["name"] for s in street.get("/stations", q="A1").json()["items"]] == ["A1社区便民服务站"]
    error_of(street.get("/stations", unit=tree["street_B"].pk), 404)

    a1 = street.get(f"/stations/{stations['A1'].pk}").json()
    assert a1["catalogue_version"] == 1 and (a1["direct_count"], a1["proxy_count"]) == (13, 57)
    assert a1["compliance"] == {"direct": 13, "proxy": 57, "meets": True, "missing": []}
    assert a1["may_act"] is True
    b2 = api_as("other_street_officer").get(f"/stations/{stations['B2'].pk}").json()
    assert b2["catalogue_version"] is None and b2["compliance"]["meets"] is False
    assert b2["compliance"]["missing"] == ["目录从未公示。"]
    assert api_as("district_auditor").get(f"/stations/{stations['A1'].pk}").json()["may_act"] is False
    body = error_of(street.get(f"/stations/{stations['B2'].pk}"), 404)
    assert "B2" not in body["message"]


def test_the_published_catalogue_in_pages_with_filters_and_one_item_in_full(api_as, tree, stations):
    station = stations["A1"]
    api = api_as("community_secretary")
    published = CatalogueVersion.objects.get(station=station, number=1).items
    assert [i["code"] for i in _walk(api, f"/stations/{station.pk}/items", limit=25)] == [i["code"] for i in published]
    direct = _walk(api, f"/stations/{station.pk}/items", kind="direct")
    assert len(direct) == 13 and {i["kind"] for i in direct} == {"direct"}
    assert {i["kind_label"] for i in direct} == {"直接办理"}
    pension = api.get(f"/stations/{station.pk}/items", q="养老保险", kind="proxy").json()["items"]
    assert pension and all("养老保险" in i["name"] or "养老保险" in i["area"] for i in pension)
    assert all(i["kind"] == "proxy" for i in pension)

    item = api.get(f"/stations/{station.pk}/items/P03").json()
    snapshot = next(i for i in published if i["code"] == "P03")
    for field in ("name", "kind", "area", "conditions", "materials", "time_limit_days", "fee", "handler", "guide"):
        assert item[field] == snapshot[field], field
    assert item["version"] == 1 and item["catalogue_version"] == 1
    assert item["time_limit_label"] == services.days_label(snapshot["time_limit_days"])
    assert item["station"] == {"id": station.pk, "name": station.name}
    error_of(api.get(f"/stations/{station.pk}/items/NOPE"), 404)
    error_of(api.get(f"/stations/{stations['B2'].pk}/items/P03"), 404)
    error_of(api_as("street_officer").get(f"/stations/{stations['B2'].pk}/items"), 404)

    # Pages stay in the version they began in; a first page after publishing shows the new one.
    first = api.get(f"/stations/{station.pk}/items", limit=5).json()
    changed = station.items.get(code=published[5]["code"])
    user = tree["community_secretary"].user
    data = {f: getattr(changed, f) for f in services.ITEM_FIELDS} | {"name": "新的事项名称"}
    services.item_save(user=user, station_id=station.pk, item_id=changed.pk, data=data)
    services.catalogue_publish(user=user, station_id=station.pk, note="改名")
    second = api.get(f"/stations/{station.pk}/items", limit=5, cursor=first["next_cursor"]).json()
    assert second["catalogue_version"] == 1
    assert [i["name"] for i in second["items"]] == [i["name"] for i in published[5:10]]
    fresh = api.get(f"/stations/{station.pk}/items", limit=10).json()
    assert fresh["catalogue_version"] == 2 and fresh["items"][5]["name"] == "新的事项名称"
    assert fresh["items"][5]["version"] == 2
    assert error_of(api.get(f"/stations/{station.pk}/items", cursor="garbage!"), 400)["field"] == "cursor"
    ledger_cursor = api.get("/service-records", limit=1).json()["next_cursor"] or "MjAyNnwx"
    assert error_of(api.get(f"/stations/{station.pk}/items", cursor=ledger_cursor), 400)["field"] == "cursor"
    assert error_of(api.get(f"/stations/{station.pk}/items", kind="both"), 422)["field"] == "kind"

    # A station that never published: an empty catalogue, not an error.
    other = api_as("other_street_officer")
    empty = other.get(f"/stations/{stations['B2'].pk}/items").json()
    assert empty["catalogue_version"] is None and empty["items"] == []
    error_of(other.get(f"/stations/{stations['B2'].pk}/items/D01"), 404)


def test_the_ledger_in_scope_with_filters_and_pages(api_as, tree, stations):
    a1 = stations["A1"]
    user = tree["community_secretary"].user
    for n in range(5):
        services.record_accept(
            user=user, station_id=a1.pk, item_id=a1.items.get(code="D01").pk, resident_name=f"来访居民{n}"
        )
    street = api_as("street_officer")
    seen = _walk(street, "/service-records", limit=2)
    in_street_a = ServiceRecord.objects.filter(station__community__parent=tree["street_A"])
    assert sorted(r["number"] for r in seen) == sorted(in_street_a.values_list("number", flat=True))
    assert len(seen) == 7 and len({r["id"] for r in seen}) == 7
    assert [r["received_at"] for r in seen] == sorted((r["received_at"] for r in seen), reverse=True)
    assert all(r["first_owner"] for r in seen)
    far = ServiceRecord.objects.get(station=stations["B2"])
    assert far.number not in street.get("/service-records", limit=100).text
    assert [r["number"] for r in _walk(api_as("other_street_officer"), "/service-records")] == [far.number]

    assert len(street.get("/service-records", station=a1.pk, limit=100).json()["items"]) == 6
    assert len(street.get("/service-records", unit=tree["community_A2"].pk).json()["items"]) == 1
    assert len(street.get("/service-records", kind="direct").json()["items"]) == 5
    assert len(street.get("/service-records", q="来访居民3").json()["items"]) == 1
    month = timezone.localdate().strftime("%Y-%m")
    assert len(street.get("/service-records", month=month, limit=100).json()["items"]) == 7
    assert street.get("/service-records", month="2001-01").json()["items"] == []
    assert len(street.get("/service-records", status="accepted", limit=100).json()["items"]) == 7
    assert street.get("/service-records", status="done").json()["items"] == []

    for bad in ("2026-13", "26-03", "2026-3", "9999-12", "x"):
        assert error_of(street.get("/service-records", month=bad), 400) == {
            "code": "bad_month",
            "message": "month：请输入月份，例如 2026-03。",
            "field": "month",
        }
    assert error_of(street.get("/service-records", status="stuck"), 422)["field"] == "status"
    assert error_of(street.get("/service-records", mode="phone"), 422)["field"] == "mode"
    assert error_of(street.get("/service-records", limit=0), 422)["field"] == "limit"
    assert error_of(street.get("/service-records", cursor="garbage!"), 400)["field"] == "cursor"
    error_of(street.get("/service-records", station=stations["B2"].pk), 404)
    error_of(street.get("/service-records", unit=tree["street_B"].pk), 404)
    error_of(street.get(f"/service-records/{far.pk}"), 404)
    error_of(street.get("/service-records/99999999"), 404)

    # A resident: only the services given to them, without the staff's names.
    mine = _walk(api_as("resident"), "/service-records")
    assert [r["resident_name"] for r in mine] == [tree["resident"].name]
    assert mine[0]["first_owner"] is None


def test_phone_numbers_are_masked_as_on_the_pages(api_as, tree, stations, login):
    a1 = stations["A1"]
    secretary = api_as("community_secretary")
    made = secretary.post(
        f"/stations/{a1.pk}/records",
        {"item": "D01", "resident_name": "王来访", "resident_phone": PHONE, "note": "带了户口簿"},
    )
    assert made.status_code == 201, made.text
    record = made.json()
    assert record["resident_phone"] == MASKED and PHONE not in made.text
    detail = secretary.get(f"/service-records/{record['id']}")
    assert detail.json()["resident_phone"] == MASKED and PHONE not in detail.text
    listed = secretary.get("/service-records", limit=100)
    assert "王来访" in listed.text and PHONE not in listed.text
    page = login(tree["community_secretary"]).get(reverse("station:record", args=[record["id"]]))
    assert MASKED in page.content.decode() and PHONE not in page.content.decode()

    # The resident served reads their own entry as their page shows it: no staff names or notes.
    entry = ServiceRecord.objects.get(station=a1, resident=tree["resident"])
    ServiceRecord.objects.filter(pk=entry.pk).update(resident_phone=PHONE, note="内部备注")
    own = api_as("resident").get(f"/service-records/{entry.pk}")
    assert own.status_code == 200, own.text
    body = own.json()
    assert body["resident_phone"] == MASKED and PHONE not in own.text
    assert body["first_owner"] is None and body["events"] == [] and body["note"] == "" and body["may_act"] is False
    staff_view = secretary.get(f"/service-records/{entry.pk}").json()
    assert staff_view["note"] == "内部备注" and staff_view["events"][0]["kind"] == "accepted"
    error_of(api_as("far_resident").get(f"/service-records/{entry.pk}"), 404)


def test_a_service_through_its_steps(api_as, tree, stations):
    a1 = stations["A1"]
    secretary, resident = api_as("community_secretary"), api_as("resident")
    body = {"item": "P03", "resident": tree["resident"].pk, "idempotency_key": "desk-1"}
    first = secretary.post(f"/stations/{a1.pk}/records", body)
    assert first.status_code == 201, first.text
    pk = first.json()["id"]
    again = secretary.post(f"/stations/{a1.pk}/records", {**body, "idempotency_key": ""}, {"Idempotency-Key": "desk-1"})
    assert again.status_code == 200 and again.json()["id"] == pk
    assert ServiceRecord.objects.filter(station=a1, idem_key="desk-1").count() == 1
    entry = first.json()
    assert entry["status"] == "accepted" and entry["kind"] == "proxy" and entry["handoff_due"]
    assert entry["first_owner"]["id"] == tree["community_secretary"].pk

    def step(action, data=None, status=200, api=secretary):
        response = api.post(f"/service-records/{pk}/{action}", data)
        assert response.status_code == status, response.text
        return response.json()

    assert error_of(secretary.post(f"/service-records/{pk}/complete", {"result": "办好了"}), 409)["code"] == (
        "already_handled"
    )
    assert step("hand-off", {"to": "区社会保险事业中心"})["status"] == "handed_off"
    assert error_of(secretary.post(f"/service-records/{pk}/hand-off", {}), 409)["code"] == "already_handled"
    assert step("back", {"note": "审核通过"})["status"] == "returned"
    assert error_of(secretary.post(f"/service-records/{pk}/complete", {"result": ""}), 422)["field"] == "result"
    done = step("complete", {"result": "已参保，告知缴费方式"})
    assert done["status"] == "done" and done["on_time"] is True and done["done_by"]["name"]
    assert [e["kind"] for e in done["events"]] == ["accepted", "handed_off", "returned", "done"]
    assert error_of(api_as("far_resident").post(f"/service-records/{pk}/rate", {"satisfaction": "satisfied"}), 404)
    assert error_of(resident.post(f"/service-records/{pk}/rate", {"satisfaction": "great"}), 422)["field"] == (
        "satisfaction"
    )
    rated = step("rate", {"satisfaction": "satisfied", "comment": "很方便"}, api=resident)
    assert rated["satisfaction"] == "satisfied" and rated["rating_channel"] == "phone"
    assert error_of(resident.post(f"/service-records/{pk}/rate", {"satisfaction": "basic"}), 409)["code"] == (
        "already_rated"
    )

    # A home visit is booked, started, and another booking cancelled.
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
    refused = secretary.post(f"/stations/{a1.pk}/records", {"item": "D01", "resident_name": "张大爷", "mode": "door"})
    assert error_of(refused, 400)["field"] == "booked_for"
    visit = {"item": "D01", "resident": tree["resident"].pk, "mode": "door", "booked_for": tomorrow}
    booked = secretary.post(f"/stations/{a1.pk}/records", visit).json()
    assert booked["status"] == "booked" and booked["place"]
    pk = booked["id"]
    assert step("start")["status"] == "accepted"
    pk = secretary.post(f"/stations/{a1.pk}/records", visit).json()["id"]
    assert error_of(secretary.post(f"/service-records/{pk}/cancel", {"reason": ""}), 422)["field"] == "reason"
    assert step("cancel", {"reason": "居民改期"})["status"] == "cancelled"

    # Refusals: an unknown item, a year out of range, a reader, another street, a foreign resident.
    assert (
        error_of(secretary.post(f"/stations/{a1.pk}/records", {"item": "NOPE", "resident_name": "李"}), 400)["field"]
        == "item"
    )
    far_year = {"item": "D01", "resident_name": "李", "mode": "door", "booked_for": "0001-01-01T00:00:00Z"}
    assert error_of(secretary.post(f"/stations/{a1.pk}/records", far_year), 422)["field"] == "booked_for"
    count = ServiceRecord.objects.count()
    walk_in = {"item": "D01", "resident_name": "李"}
    assert error_of(api_as("district_auditor").post(f"/stations/{a1.pk}/records", walk_in), 403)["code"] == "forbidden"
    error_of(api_as("other_street_officer").post(f"/stations/{a1.pk}/records", walk_in), 404)
    foreign = {"item": "D01", "resident": tree["far_resident"].pk}
    assert error_of(secretary.post(f"/stations/{a1.pk}/records", foreign), 400)["field"] == "resident"
    assert ServiceRecord.objects.count() == count
    assert ServiceRecord.objects.filter(status=RecordStatus.DONE, satisfaction="satisfied").count() == 1


def test_list_queries_do_not_grow_with_the_page(tree, stations, client):
    """The ledger and the catalogue cost the same number of queries for 5 rows as for 30
    (in-process, so the queries can be counted; the token is checked as over HTTP)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from twoway.api.models import AccessToken
    from twoway.open311.models import digest

    a1 = stations["A1"]
    user = tree["street_officer"].user
    for n in range(30):
        services.record_accept(
            user=tree["community_secretary"].user,
            station_id=a1.pk,
            item_id=a1.items.get(code="P03" if n % 2 else "D01").pk,
            resident_name=f"来访居民{n}",
        )
    raw = "tw_query_count_token"
    AccessToken.objects.create(user=user, name="count", prefix=raw[:16], digest=digest(raw), rate_per_minute=1000)

    def queries(path, **params):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1{path}", params, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 200, response.content
        return len(captured)

    for path in ("/service-records", f"/stations/{a1.pk}/items", "/stations"):
        queries(path, limit=1)  # the first request reads the per-process tables (time limits, calendar)
        assert queries(path, limit=5) == queries(path, limit=30), path
