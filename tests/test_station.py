"""The convenience service station (R-7, Annex B): the B.1.5 check, one window with the
first-inquiry owner, the proxy hand-off against the time limit, ratings, bookings and the
ledger's monthly totals."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from twoway.core.errors import DomainError
from twoway.deadlines.models import Holiday, TimeLimitRule
from twoway.station import selectors, services
from twoway.station.models import (
    ItemKind,
    Mode,
    RatingChannel,
    RecordEvent,
    RecordStatus,
    Satisfaction,
    ServiceItem,
    ServiceRecord,
)

TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def station(tree):
    return services.station_ensure(community=tree["community_A1"])


def _item(station, code):
    return station.items.get(code=code)


def _accept(tree, station, code="P03", who="community_secretary", **kw):
    kw.setdefault("resident_id", tree["resident"].pk)
    return services.record_accept(user=tree[who].user, station_id=station.pk, item_id=_item(station, code).pk, **kw)


# ---- B.1.5 ---------------------------------------------------------------------------------------


def test_a_new_station_gets_the_standard_catalogue_but_is_not_compliant_until_published(tree, station):
    check = services.compliance(station)
    assert (check.direct, check.proxy) == (13, 57)
    assert check.missing_areas == []
    assert not check.meets
    assert check.missing == ["目录从未公示。"]
    services.catalogue_publish(user=tree["community_secretary"].user, station_id=station.pk)
    station.refresh_from_db()
    assert services.compliance(station).meets


def test_the_check_lists_what_is_missing(tree, station):
    services.catalogue_publish(user=tree["community_secretary"].user, station_id=station.pk)
    user = tree["community_secretary"].user
    for item in station.items.filter(kind=ItemKind.DIRECT).order_by("code")[:4]:
        services.item_withdraw(user=user, item_id=item.pk)  # 13 → 9 direct items
    for item in station.items.filter(area="退役军人事务"):
        services.item_withdraw(user=user, item_id=item.pk)  # 57 → 53 proxy items, one area gone
    item = station.items.filter(kind=ItemKind.PROXY, retired_at=None).first()
    ServiceItem.objects.filter(pk=item.pk).update(guide="")  # no plain guide
    station.refresh_from_db()
    check = services.compliance(station)
    assert (check.direct, check.proxy) == (9, 53)
    assert check.missing == [
        "还需1项可在服务站直接办理的事项（现有9项，至少10项）。",
        "1项事项缺少名称、受理条件、申请材料、收费、办理单位或白话文指南。",
        "以下方面还没有事项：退役军人事务。",
        "目录有改动尚未公示。",
    ]
    assert check.incomplete_items == [item]


def test_publishing_freezes_a_numbered_version(tree, station):
    user = tree["community_secretary"].user
    v1 = services.catalogue_publish(user=user, station_id=station.pk, note="首次公示")
    item = _item(station, "D01")
    data = {f: getattr(item, f) for f in services.ITEM_FIELDS}
    services.item_save(user=user, station_id=station.pk, item_id=item.pk, data={**data, "fee": "5元"})
    item.refresh_from_db()
    assert item.version == 2
    v2 = services.catalogue_publish(user=user, station_id=station.pk)
    assert (v1.number, v2.number) == (1, 2)
    assert next(i for i in v1.items if i["code"] == "D01")["fee"] == "免费"  # the old promise is kept
    assert next(i for i in v2.items if i["code"] == "D01")["fee"] == "5元"


def test_an_item_without_its_guide_is_refused_naming_the_field(tree, station):
    data = {f: getattr(_item(station, "D01"), f) for f in services.ITEM_FIELDS}
    with pytest.raises(DomainError) as e:
        services.item_save(
            user=tree["community_secretary"].user, station_id=station.pk, data={**data, "code": "D99", "guide": " "}
        )
    assert e.value.field == "guide"
    with pytest.raises(DomainError) as e:
        services.item_save(user=tree["community_secretary"].user, station_id=station.pk, data=data)
    assert e.value.field == "code"  # D01 is taken
    assert not station.items.filter(code="D99").exists()


# ---- one window and the first-inquiry owner -------------------------------------------------------


def test_any_staff_member_accepts_any_item_and_the_first_owner_is_recorded(tree, station):
    record = _accept(tree, station, who="grid_worker", first_owner_id=tree["community_secretary"].pk)
    assert record.first_owner == tree["community_secretary"]
    assert record.status == RecordStatus.ACCEPTED
    assert record.kind == ItemKind.PROXY
    assert record.number.startswith("BM")
    # Without a first owner named, the one accepting is the first owner.
    record = _accept(tree, station, code="D01", who="grid_worker")
    assert record.first_owner == tree["grid_worker"]
    assert list(record.events.values_list("kind", "actor")) == [("accepted", tree["grid_worker"].pk)]


@pytest.mark.parametrize("owner", ["street_officer", "resident", "other_community_secretary"])
def test_the_first_owner_must_be_a_staff_member_of_the_station(tree, station, owner):
    with pytest.raises(DomainError) as e:
        _accept(tree, station, first_owner_id=tree[owner].pk)
    assert e.value.field == "first_owner"
    assert not ServiceRecord.objects.exists()


def test_only_the_stations_staff_accept(tree, station):
    from django.http import Http404

    with pytest.raises(Http404):
        _accept(tree, station, who="other_community_secretary")
    with pytest.raises(DomainError) as e:
        _accept(tree, station, resident_id=tree["far_resident"].pk)
    assert e.value.field == "resident"


def test_a_double_submit_makes_one_entry(tree, station):
    one = _accept(tree, station, idem_key="k1")
    two = _accept(tree, station, idem_key="k1")
    assert one.pk == two.pk and ServiceRecord.objects.count() == 1


# ---- time limits (限时办结) --------------------------------------------------------------------------


def test_the_time_limit_counts_working_days_and_holidays(tree, station):
    Holiday.objects.create(date=at(2026, 3, 9).date(), name="调休")  # Monday off
    with time_machine.travel(at(2026, 3, 6, 10, 0), tick=False):  # a Friday
        record = _accept(tree, station, code="P03")  # 5 working days
    assert record.due_at == at(2026, 3, 16, 10, 0)  # Tue 10, Wed 11, Thu 12, Fri 13, Mon 16
    assert record.yellow_at == at(2026, 3, 13, 10, 0)  # 1 working day before (rule "station")
    assert services.handoff_due(record) == at(2026, 3, 10, 10, 0)  # 1 working day (rule "station_handoff")
    with time_machine.travel(at(2026, 3, 12, 9, 0), tick=False):
        assert services.record_card(record) == "none"
    with time_machine.travel(at(2026, 3, 13, 11, 0), tick=False):
        assert services.record_card(record) == "yellow"
    with time_machine.travel(at(2026, 3, 16, 10, 1), tick=False):
        assert services.record_card(record) == "red"


def test_the_rules_are_data_the_district_edits(tree, station):
    TimeLimitRule.objects.update_or_create(
        level="community",
        category_code="station",
        stage="settle",
        defaults={"working_days": 5, "yellow_before": 3},
    )
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):  # a Monday
        record = _accept(tree, station, code="P03")
    assert record.yellow_at == at(2026, 3, 4, 10, 0)


def test_an_on_the_spot_item_is_due_the_same_day(tree, station):
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        record = _accept(tree, station, code="D01")
    assert record.due_at == at(2026, 3, 2, 23, 59, 59)
    assert services.handoff_due(record) is None


def test_a_proxy_item_goes_to_its_unit_and_back_and_is_completed_in_time(tree, station):
    user = tree["community_secretary"].user
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        record = _accept(tree, station, code="P03")
    with pytest.raises(DomainError) as e:
        services.record_complete(user=user, record_id=record.pk, result="办好了")
    assert e.value.code == "already_handled"  # not before the unit has answered
    with time_machine.travel(at(2026, 3, 2, 15, 0), tick=False):
        services.record_hand_off(user=user, record_id=record.pk)
    with time_machine.travel(at(2026, 3, 5, 11, 0), tick=False):
        services.record_back(user=tree["grid_worker"].user, record_id=record.pk, note="审核通过")
    with time_machine.travel(at(2026, 3, 5, 16, 0), tick=False):
        services.record_complete(user=user, record_id=record.pk, result="已参保，告知缴费方式")
    record.refresh_from_db()
    assert record.handed_to == "区社会保险事业中心"
    assert record.status == RecordStatus.DONE and record.on_time is True
    assert list(record.events.values_list("kind", flat=True)) == ["accepted", "handed_off", "returned", "done"]
    with pytest.raises(DomainError) as e:
        services.record_complete(user=user, record_id=record.pk, result="again")
    assert e.value.code == "already_handled" and "已办结" in e.value.message


def test_late_completion_is_marked(tree, station):
    user = tree["community_secretary"].user
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        record = _accept(tree, station, code="P07")  # 1 working day
        services.record_hand_off(user=user, record_id=record.pk)
    with time_machine.travel(at(2026, 3, 4, 9, 0), tick=False):
        services.record_back(user=user, record_id=record.pk)
        services.record_complete(user=user, record_id=record.pk, result="备案完成")
    record.refresh_from_db()
    assert record.on_time is False


def test_a_direct_item_is_not_handed_off(tree, station):
    record = _accept(tree, station, code="D01")
    with pytest.raises(DomainError):
        services.record_hand_off(user=tree["community_secretary"].user, record_id=record.pk)
    services.record_complete(user=tree["community_secretary"].user, record_id=record.pk, result="当场开具")
    with pytest.raises(DomainError) as e:
        services.record_complete(user=tree["community_secretary"].user, record_id=record.pk, result=" ")
    assert e.value.field == "result"


# ---- door to door and out of hours (B.2.1, B.2.4) -----------------------------------------------------


def test_a_home_visit_is_booked_then_started_in_the_same_ledger(tree, station):
    user = tree["community_secretary"].user
    with pytest.raises(DomainError) as e:
        _accept(tree, station, code="D04", mode=Mode.DOOR)
    assert e.value.field == "booked_for"
    with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
        record = _accept(tree, station, code="D04", mode=Mode.DOOR, booked_for=at(2026, 3, 3, 15, 0))
    assert record.status == RecordStatus.BOOKED and record.due_at is None
    assert record.place  # the resident's household, by default
    with time_machine.travel(at(2026, 3, 3, 15, 10), tick=False):
        services.record_start(user=user, record_id=record.pk)
        services.record_complete(user=user, record_id=record.pk, result="上门完成认证")
    record.refresh_from_db()
    assert record.mode == Mode.DOOR and record.on_time
    assert record.received_at == at(2026, 3, 3, 15, 10)


# ---- ratings ------------------------------------------------------------------------------------------


def _done(tree, station, code="D01"):
    record = _accept(tree, station, code=code)
    return services.record_complete(user=tree["community_secretary"].user, record_id=record.pk, result="办好了")


def test_the_resident_rates_once_on_their_phone(tree, station, login):
    record = _done(tree, station)
    from twoway.notify.models import Notification

    assert Notification.objects.filter(person=tree["resident"], link=reverse("station:rate", args=[record.pk])).exists()
    client = login(tree["resident"])
    url = reverse("station:rate", args=[record.pk])
    page = client.get(url)
    assert page.status_code == 200 and "您对这次服务满意吗" in page.content.decode()
    response = client.post(url, {"satisfaction": "satisfied", "comment": "很快"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.satisfaction, record.rating_channel) == (Satisfaction.SATISFIED, RatingChannel.PHONE)
    assert "已经评价过" in client.post(url, {"satisfaction": "unsatisfied"}).content.decode()
    record.refresh_from_db()
    assert record.satisfaction == Satisfaction.SATISFIED


def test_another_resident_cannot_rate(tree, station, login):
    record = _done(tree, station)
    client = login(tree["far_resident"])
    assert client.post(reverse("station:rate", args=[record.pk]), {"satisfaction": "unsatisfied"}).status_code == 404
    with pytest.raises(DomainError):
        services.record_rate(
            user=tree["grid_worker"].user, record_id=record.pk, satisfaction="basic", channel=RatingChannel.PHONE
        )


def test_the_kiosk_takes_the_rating_at_the_desk(tree, station, login):
    record = _done(tree, station)
    client = login(tree["grid_worker"])
    assert record.item_name in client.get(reverse("station:kiosk", args=[station.pk])).content.decode()
    client.post(reverse("station:kiosk_rate", args=[record.pk]), {"satisfaction": "basic"})
    record.refresh_from_db()
    assert (record.satisfaction, record.rating_channel) == (Satisfaction.BASIC, RatingChannel.KIOSK)
    assert record.item_name not in client.get(reverse("station:kiosk", args=[station.pk])).content.decode()


def test_an_open_service_cannot_be_rated(tree, station):
    record = _accept(tree, station)
    with pytest.raises(DomainError) as e:
        services.record_rate(
            user=tree["resident"].user, record_id=record.pk, satisfaction="satisfied", channel=RatingChannel.PHONE
        )
    assert e.value.code == "not_done"


# ---- the ledger's monthly totals ----------------------------------------------------------------------


def test_monthly_totals_per_station(tree, station):
    user = tree["community_secretary"].user
    a2 = services.station_ensure(community=tree["community_A2"])
    with time_machine.travel(at(2026, 2, 27, 10, 0), tick=False):  # February
        feb = _accept(tree, station, code="D01")
        services.record_complete(user=user, record_id=feb.pk, result="ok")
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):  # March
        r1 = _accept(tree, station, code="D01")
        services.record_complete(user=user, record_id=r1.pk, result="ok")
        _accept(tree, station, code="P07", mode=Mode.OUT_OF_HOURS, booked_for=at(2026, 3, 2, 9, 0))
        r3 = _accept(tree, station, code="P03")
        cancelled = _accept(tree, station, code="P03")
        services.record_cancel(user=user, record_id=cancelled.pk, reason="居民不办了")
        services.record_accept(
            user=tree["other_community_secretary"].user,
            station_id=a2.pk,
            item_id=a2.items.get(code="D01").pk,
            resident_name="路过的居民",
        )
    services.record_rate(user=tree["resident"].user, record_id=r1.pk, satisfaction="satisfied", channel="phone")
    services.record_rate(user=user, record_id=feb.pk, satisfaction="unsatisfied", channel="kiosk")
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):  # r2 (1 day) is past due; r3 (5 days) is not
        services.record_hand_off(user=user, record_id=r3.pk)
        rows = selectors.monthly_totals(ServiceRecord.objects.all())
    got = {(r.station_name, r.month.strftime("%Y-%m")): r for r in rows}
    assert set(got) == {
        ("A1社区便民服务站", "2026-03"),
        ("A1社区便民服务站", "2026-02"),
        ("A2社区便民服务站", "2026-03"),
    }
    march = got[("A1社区便民服务站", "2026-03")]
    assert (march.total, march.direct, march.proxy, march.after_hours, march.door) == (3, 1, 2, 1, 0)
    assert (march.done, march.on_time, march.overdue_open, march.rated, march.satisfaction_rate) == (1, 1, 1, 1, 100.0)
    february = got[("A1社区便民服务站", "2026-02")]
    assert (february.total, february.done, february.rated, february.satisfaction_rate) == (1, 1, 1, 0.0)
    assert got[("A2社区便民服务站", "2026-03")].total == 1


def test_a_month_boundary_is_local_time(tree, station):
    # 2026-03-31 23:30 in Shanghai is 15:30 UTC: it belongs to March, not April, and vice versa.
    with time_machine.travel(at(2026, 4, 1, 0, 30), tick=False):
        _accept(tree, station, code="D01")
    with time_machine.travel(at(2026, 3, 31, 23, 30), tick=False):
        _accept(tree, station, code="D01")
    months = sorted(r.month.strftime("%Y-%m") for r in selectors.monthly_totals(ServiceRecord.objects.all()))
    assert months == ["2026-03", "2026-04"]
    start, end = selectors.month_bounds("2026-03")
    assert ServiceRecord.objects.filter(received_at__gte=start, received_at__lt=end).count() == 1


def test_streets_see_their_stations_ledgers_and_no_others(tree, station, login):
    a2 = services.station_ensure(community=tree["community_A2"])
    services.record_accept(
        user=tree["other_community_secretary"].user,
        station_id=a2.pk,
        item_id=a2.items.get(code="D01").pk,
        resident_name="A2的居民",
    )
    _accept(tree, station, code="D01")
    client = login(tree["street_officer"])
    body = client.get(reverse("station:ledger")).content.decode()
    assert "A2的居民" in body and tree["resident"].name in body
    assert client.get(reverse("station:totals")).status_code == 200
    client = login(tree["other_community_secretary"])
    body = client.get(reverse("station:ledger")).content.decode()
    assert "A2的居民" in body and tree["resident"].name not in body


def test_a_complaint_about_a_station_is_seen_by_its_street(tree, station, login):
    c = services.complaint_add(
        user=tree["grid_worker"].user, station_id=station.pk, kind="complaint", text="窗口午休没人值班"
    )
    client = login(tree["street_officer"])
    assert "窗口午休没人值班" in client.get(reverse("station:complaints", args=[station.pk])).content.decode()
    with pytest.raises(DomainError) as e:
        services.complaint_reply(user=tree["community_secretary"].user, complaint_id=c.pk, handling="", reply="")
    assert e.value.field == "reply"
    services.complaint_reply(
        user=tree["community_secretary"].user, complaint_id=c.pk, handling="调整午间AB角", reply="已安排午间值守"
    )
    c.refresh_from_db()
    assert c.replied_at is not None


def test_the_rota_takes_only_the_stations_staff(tree, station):
    user = tree["community_secretary"].user
    entry = services.rota_set(user=user, station_id=station.pk, weekday=0, role="A", person_id=tree["grid_worker"].pk)
    assert entry.person == tree["grid_worker"]
    with pytest.raises(DomainError) as e:
        services.rota_set(user=user, station_id=station.pk, weekday=0, role="B", person_id=tree["resident"].pk)
    assert e.value.field == "first_owner" or e.value.code == "not_station_staff"
    with pytest.raises(DomainError) as e:
        services.rota_set(user=user, station_id=station.pk, weekday=9, role="A", person_id=tree["grid_worker"].pk)
    assert e.value.field == "weekday"


# ---- pages --------------------------------------------------------------------------------------------


def test_the_accept_page_names_the_bad_field_and_writes_nothing(tree, station, login):
    client = login(tree["grid_worker"])
    url = reverse("station:accept", args=[station.pk])
    response = client.post(url, {"item": _item(station, "P03").pk, "mode": "window", "resident_name": ""})
    assert response.status_code == 200
    assert "居民姓名：" in response.content.decode()
    assert not ServiceRecord.objects.exists()
    response = client.post(
        url,
        {"item": _item(station, "P03").pk, "mode": "window", "resident": tree["resident"].pk, "idem_key": "x1"},
    )
    record = ServiceRecord.objects.get()
    assert response.url == reverse("station:record", args=[record.pk])
    assert record.first_owner == tree["grid_worker"]


def test_the_checklist_is_printable_and_sendable(tree, station, login):
    record = _accept(tree, station, code="P11")
    client = login(tree["grid_worker"])
    body = client.get(reverse("station:checklist", args=[record.pk])).content.decode()
    for material in _item(station, "P11").material_list:
        assert material in body
    client.post(reverse("station:record_act", args=[record.pk, "send_checklist"]))
    record.refresh_from_db()
    assert record.checklist_sent_at is not None
    from twoway.notify.models import Notification

    note = Notification.objects.get(person=tree["resident"], title__contains="最低生活保障申请")
    assert "家庭财产申报表" in note.body


def test_the_record_page_walks_a_proxy_item_through(tree, station, login):
    record = _accept(tree, station, code="P03")
    client = login(tree["grid_worker"])
    act = lambda action, **data: client.post(reverse("station:record_act", args=[record.pk, action]), data)  # noqa: E731
    act("hand_off", to="区社保中心")
    act("back", note="通过")
    response = act("complete", result="已办结", kiosk="1")
    assert response.url == reverse("station:kiosk_rate", args=[record.pk])
    record.refresh_from_db()
    assert record.status == RecordStatus.DONE and record.handed_to == "区社保中心"
    assert RecordEvent.objects.filter(record=record).count() == 4
