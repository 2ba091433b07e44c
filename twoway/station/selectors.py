"""Reads for the station pages: the ledger with its filters, monthly totals, the .xlsx export."""

import io
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from twoway.org.validation import mask_phone

from .models import ItemKind, Mode, RecordStatus, Satisfaction, ServiceRecord


def ledger(
    qs: QuerySet[ServiceRecord],
    *,
    station_id=None,
    month: str = "",
    status: str = "",
    mode: str = "",
    kind: str = "",
    q: str = "",
) -> QuerySet[ServiceRecord]:
    """The ledger entries of `qs` (already scoped) that match the filters, newest first."""
    if station_id:
        qs = qs.filter(station_id=station_id)
    if month:
        start, end = month_bounds(month)
        if start is not None:
            qs = qs.filter(received_at__gte=start, received_at__lt=end)
    if status in RecordStatus.values:
        qs = qs.filter(status=status)
    if mode in Mode.values:
        qs = qs.filter(mode=mode)
    if kind in ItemKind.values:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(item_name__icontains=q) | Q(resident_name__icontains=q))
    return qs.select_related("station", "first_owner", "done_by").order_by("-received_at", "-id")


def month_bounds(month: str) -> tuple[datetime | None, datetime | None]:
    """'2026-03' → the first instant of March and of April, local time."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        start = date(year, mon, 1)
    except (ValueError, TypeError):
        return None, None
    end = date(year + (mon == 12), mon % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, datetime.min.time()), tz),
        timezone.make_aware(datetime.combine(end, datetime.min.time()), tz),
    )


@dataclass
class MonthTotals:
    station_id: int
    station_name: str
    month: date
    total: int
    direct: int
    proxy: int
    door: int
    after_hours: int
    done: int
    on_time: int
    overdue_open: int
    rated: int
    satisfied: int
    basic: int
    unsatisfied: int

    @property
    def satisfaction_rate(self) -> float | None:
        """Satisfied and basically satisfied, as a share of the rated services (%)."""
        if not self.rated:
            return None
        return round(100 * (self.satisfied + self.basic) / self.rated, 1)

    @property
    def on_time_rate(self) -> float | None:
        if not self.done:
            return None
        return round(100 * self.on_time / self.done, 1)


def monthly_totals(qs: QuerySet[ServiceRecord], *, now: datetime | None = None) -> list[MonthTotals]:
    """Per station and local calendar month: how many services, of which kind and way, completed,
    completed in time, still open past their time limit, and how residents rated them."""
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    rows = (
        qs.exclude(status=RecordStatus.CANCELLED)
        .annotate(month=TruncMonth("received_at", tzinfo=tz))
        .values("station_id", "station__name", "month")
        .annotate(
            total=Count("id"),
            direct=Count("id", filter=Q(kind=ItemKind.DIRECT)),
            proxy=Count("id", filter=Q(kind=ItemKind.PROXY)),
            door=Count("id", filter=Q(mode=Mode.DOOR)),
            after_hours=Count("id", filter=Q(mode=Mode.OUT_OF_HOURS)),
            done=Count("id", filter=Q(status=RecordStatus.DONE)),
            on_time=Count("id", filter=Q(status=RecordStatus.DONE, done_at__lte=F("due_at"))),
            overdue_open=Count(
                "id",
                filter=Q(
                    status__in=[RecordStatus.ACCEPTED, RecordStatus.HANDED_OFF, RecordStatus.RETURNED], due_at__lt=now
                ),
            ),
            rated=Count("id", filter=~Q(satisfaction="")),
            satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
            basic=Count("id", filter=Q(satisfaction=Satisfaction.BASIC)),
            unsatisfied=Count("id", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
        )
        .order_by("-month", "station__name")
    )
    out = []
    for r in rows:
        month = r["month"]
        if isinstance(month, datetime):
            month = timezone.localtime(month, tz).date() if timezone.is_aware(month) else month.date()
        out.append(
            MonthTotals(
                station_id=r["station_id"],
                station_name=r["station__name"],
                month=month,
                **{
                    k: r[k]
                    for k in MonthTotals.__dataclass_fields__
                    if k not in ("station_id", "station_name", "month")
                },
            )
        )
    return out


# The ledger sheet's columns: the fields B.1.7 names, and what one-window service adds.
LEDGER_HEADERS = [
    "台账编号",
    "便民服务站",
    "服务时间",
    "服务事项",
    "事项类型",
    "服务方式",
    "居民姓名",
    "联系电话",
    "首问负责人",
    "转办单位",
    "转办时间",
    "办回时间",
    "承诺办结时间",
    "办理结果",
    "办结时间",
    "是否按时办结",
    "满意度",
    "评价方式",
]
_KIND = {"direct": "直接办理", "proxy": "帮办代办"}
_MODE = {"window": "窗口受理", "door": "上门服务", "after_hours": "错时延时服务", "online": "网上帮办"}
_STATUS_OPEN = {
    "booked": "已预约",
    "accepted": "办理中",
    "handed_off": "已转办",
    "returned": "已办回",
    "cancelled": "已取消",
}
_SATISFACTION = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
_CHANNEL = {"phone": "手机评价", "kiosk": "服务台评价"}


def _local(value: datetime | None):
    # Excel has no time zones: write the local (Asia/Shanghai) wall-clock time, as staff read it.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def ledger_row(r: ServiceRecord) -> list:
    on_time = r.on_time
    return [
        r.number,
        r.station.name,
        _local(r.received_at),
        r.item_name,
        _KIND.get(r.kind, r.kind),
        _MODE.get(r.mode, r.mode),
        r.resident_name,
        mask_phone(r.resident_phone),
        r.first_owner.name,
        r.handed_to or None,
        _local(r.handed_at),
        _local(r.returned_at),
        _local(r.due_at),
        r.result or _STATUS_OPEN.get(r.status),
        _local(r.done_at),
        None if on_time is None else ("是" if on_time else "否"),
        _SATISFACTION.get(r.satisfaction) if r.satisfaction else None,
        _CHANNEL.get(r.rating_channel) if r.rating_channel else None,
    ]


def ledger_xlsx(qs: QuerySet[ServiceRecord]) -> tuple[bytes, int]:
    """The ledger as an .xlsx workbook with Chinese headers (工作台账); phone numbers masked."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "工作台账"
    sheet.append(LEDGER_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for r in qs.iterator(chunk_size=2000):
        sheet.append(ledger_row(r))
        count += 1
    for row in range(2, count + 2):
        for col in (3, 11, 12, 13, 15):
            sheet.cell(row=row, column=col).number_format = "yyyy-mm-dd hh:mm"
    widths = [16, 20, 17, 28, 10, 12, 10, 14, 10, 20, 17, 17, 17, 36, 17, 12, 10, 10]
    for i, w in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = w
    sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue(), count
