"""The ledger export (工作台账, B.1.7): an .xlsx with Chinese headers, opened and read cell by cell."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import time_machine
from django.urls import reverse

from twoway.audit.models import AuditEntry
from twoway.station import services
from twoway.station.selectors import LEDGER_HEADERS

TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=TZ)


def test_the_export_holds_every_field_of_b17_cell_by_cell(tree, login):
    user = tree["community_secretary"].user
    station = services.station_ensure(community=tree["community_A1"])
    item = station.items.get(code="P03")
    with time_machine.travel(at(2026, 3, 2, 9, 30), tick=False):
        proxy = services.record_accept(
            user=tree["grid_worker"].user,
            station_id=station.pk,
            item_id=item.pk,
            resident_id=tree["resident"].pk,
            first_owner_id=tree["community_secretary"].pk,
        )
    with time_machine.travel(at(2026, 3, 2, 14, 0), tick=False):
        services.record_hand_off(user=user, record_id=proxy.pk)
    with time_machine.travel(at(2026, 3, 4, 10, 15), tick=False):
        services.record_back(user=user, record_id=proxy.pk)
        services.record_complete(user=user, record_id=proxy.pk, result="已参保")
    services.record_rate(user=tree["resident"].user, record_id=proxy.pk, satisfaction="basic", channel="phone")
    with time_machine.travel(at(2026, 3, 5, 18, 40), tick=False):
        walk_in = services.record_accept(
            user=user,
            station_id=station.pk,
            item_id=station.items.get(code="D01").pk,
            resident_name="王大爷",
            resident_phone="13912345678",
            mode="after_hours",
            booked_for=at(2026, 3, 5, 18, 30),
        )
    proxy.refresh_from_db()
    walk_in.refresh_from_db()

    response = login(tree["street_officer"]).get(reverse("station:ledger_export"), {"month": "2026-03"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "工作台账"
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == LEDGER_HEADERS == [
        "台账编号", "便民服务站", "服务时间", "服务事项", "事项类型", "服务方式", "居民姓名", "联系电话", "首问负责人",
        "转办单位", "转办时间", "办回时间", "承诺办结时间", "办理结果", "办结时间", "是否按时办结", "满意度", "评价方式",
    ]  # fmt: skip
    assert len(rows) == 3
    phone = tree["resident"].phone
    assert rows[1] == [
        walk_in.number, "A1社区便民服务站", datetime(2026, 3, 5, 18, 40), "居住证明开具", "直接办理", "错时延时服务",
        "王大爷", "139****5678", "测试community_secretary", None, None, None, datetime(2026, 3, 5, 23, 59, 59),
        "办理中", None, None, None, None,
    ]  # fmt: skip
    assert rows[2] == [
        proxy.number, "A1社区便民服务站", datetime(2026, 3, 2, 9, 30), "城乡居民养老保险参保登记", "帮办代办", "窗口受理",
        tree["resident"].name, phone[:3] + "****" + phone[-4:], "测试community_secretary", "区社会保险事业中心",
        datetime(2026, 3, 2, 14, 0), datetime(2026, 3, 4, 10, 15), datetime(2026, 3, 9, 9, 30), "已参保",
        datetime(2026, 3, 4, 10, 15), "是", "基本满意", "手机评价",
    ]  # fmt: skip
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm"
    entry = AuditEntry.objects.get(action="export", target="station ledger")
    assert entry.detail["rows"] == 2 and entry.user == tree["street_officer"].user


def test_another_street_exports_none_of_these_rows(tree, login):
    station = services.station_ensure(community=tree["community_A1"])
    services.record_accept(
        user=tree["community_secretary"].user,
        station_id=station.pk,
        item_id=station.items.get(code="D01").pk,
        resident_name="王大爷",
    )
    response = login(tree["other_street_officer"]).get(reverse("station:ledger_export"))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1  # the headers only
