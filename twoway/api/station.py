"""Convenience service stations over the API (R-7, Annex B): the stations in the caller's area,
their published catalogues (事项清单), the work ledger (工作台账) and its steps.

Reads go through station.access (the pages' scope) and station.selectors (the ledger's filters);
every write goes through station.services. Phone numbers are masked as on the pages."""

from datetime import UTC, datetime
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from twoway.core.errors import DomainError
from twoway.org.scope import scope_for, unit_get
from twoway.org.validation import mask_phone
from twoway.station import selectors, services
from twoway.station.access import (
    can_act,
    is_own,
    record_get,
    resident_records,
    station_get,
    visible_records,
    visible_stations,
)
from twoway.station.models import (
    CatalogueVersion,
    ItemKind,
    RatingChannel,
    ServiceItem,
    ServiceRecord,
    Station,
)

from . import cursor as paging
from .schemas import ErrorOut, Id, Moment, PersonRef, Text, UnitRef

router = Router(tags=["service stations"])
ERRORS = {(400, 401, 403, 404, 409, 422, 429): ErrorOut}

Kind = Literal["direct", "proxy"]
RecordState = Literal["booked", "accepted", "handed_off", "returned", "done", "cancelled"]
ServiceWay = Literal["window", "door", "after_hours", "online"]
Score = Literal["satisfied", "basic", "unsatisfied"]
# The months a ledger filter may name; outside them a month is a typo, not a question.
MONTH_YEARS = (1900, 2999)


# ---- schemas -----------------------------------------------------------------------------------


class StationRef(Schema):
    id: int
    name: str


class StationOut(Schema):
    id: int
    name: str
    community: UnitRef
    address: str
    phone: str = Field(description="the station's published service phone")
    complaint_phone: str
    hours: str
    catalogue_version: int | None = Field(description="the published catalogue's version; null if never published")
    catalogue_changed: bool = Field(description="items changed since the catalogue was last published")


class ComplianceOut(Schema):
    """The B.1.5 check, as on the station's page: at least 10 items handled at the station, 50
    handled on residents' behalf, complete items, the named areas covered, published as it stands."""

    direct: int
    proxy: int
    meets: bool
    missing: list[str]


class StationDetail(StationOut):
    published_at: datetime | None
    direct_count: int | None = Field(description="items handled at the station in the published catalogue")
    proxy_count: int | None = Field(description="items handled on residents' behalf in the published catalogue")
    compliance: ComplianceOut
    may_act: bool


class StationPage(Schema):
    items: list[StationOut]
    next_cursor: str | None


class ServiceItemOut(Schema):
    """An item of a published catalogue: what the public catalogue shows."""

    code: str
    kind: Kind
    kind_label: str
    area: str = Field(description="the service area of Annex B.1.5 (e.g. 养老保险)")
    name: str
    time_limit_days: int = Field(description="working days; 0 means settled on the spot")
    time_limit_label: str
    fee: str
    handler: str = Field(description="the handling unit")
    version: int = Field(description="the item's own version (it rises with every change)")


class ServiceItemDetail(ServiceItemOut):
    station: StationRef
    conditions: str = Field(description="acceptance conditions")
    materials: list[str] = Field(description="required materials, one per entry")
    guide: str = Field(description="the plain-language guide")
    catalogue_version: int
    published_at: datetime


class ServiceItemPage(Schema):
    station: StationRef
    catalogue_version: int | None = Field(description="the published version these items come from")
    published_at: datetime | None
    items: list[ServiceItemOut]
    next_cursor: str | None


class RecordOut(Schema):
    """A line of the work ledger, as the ledger page lists it."""

    id: int
    number: str
    station: StationRef
    item_name: str
    item_version: int
    kind: Kind
    kind_label: str
    mode: ServiceWay
    mode_label: str
    status: RecordState
    status_label: str
    card: Literal["none", "yellow", "red"] = Field(description="yellow: near its time limit; red: past it")
    resident_name: str
    first_owner: PersonRef | None = Field(description="who received the resident first (首问负责); staff only")
    received_at: datetime = Field(description="the service time (for a booking: the appointment)")
    due_at: datetime | None
    done_at: datetime | None
    on_time: bool | None
    satisfaction: Score | None
    satisfaction_label: str


class RecordEventOut(Schema):
    kind: str
    kind_label: str
    actor: str | None
    note: str
    at: datetime


class RecordDetail(RecordOut):
    """One ledger entry, as its page shows it. The phone is masked (个人信息保护法)."""

    resident_phone: str = Field(description="masked, e.g. 138****1234")
    booked_for: datetime | None
    place: str
    time_limit_label: str
    yellow_at: datetime | None
    handoff_due: datetime | None = Field(description="a proxy item: hand it to the handling unit by then")
    handed_to: str
    handed_at: datetime | None
    returned_at: datetime | None
    result: str
    done_by: PersonRef | None
    rating_channel: Literal["phone", "kiosk"] | None
    rating_comment: str
    rated_at: datetime | None
    note: str
    events: list[RecordEventOut] = Field(description="every step, oldest first; staff only")
    may_act: bool


class RecordPage(Schema):
    items: list[RecordOut]
    next_cursor: str | None


class StationFilters(Schema):
    q: Text(100) = Field("", description="words in the station's name")
    unit: int | None = Field(None, ge=1, le=2**53, description="only stations in this unit's subtree")
    cursor: Text(200) = ""
    limit: int = Field(25, ge=1, le=paging.MAX_LIMIT)


class ItemFilters(Schema):
    kind: Kind | None = Field(None, description="direct: handled at the station; proxy: handled on residents' behalf")
    q: Text(100) = Field("", description="words in the item's name, code or service area")
    cursor: Text(200) = ""
    limit: int = Field(25, ge=1, le=paging.MAX_LIMIT)


class RecordFilters(Schema):
    station: int | None = Field(None, ge=1, le=2**53, description="only this station's entries")
    unit: int | None = Field(None, ge=1, le=2**53, description="only the stations in this unit's subtree")
    month: Text(7) = Field("", description="service time in this month (local time), e.g. 2026-03")
    status: RecordState | None = None
    mode: ServiceWay | None = None
    kind: Kind | None = None
    q: Text(100) = Field("", description="number, item or resident's name")
    cursor: Text(200) = ""
    limit: int = Field(25, ge=1, le=paging.MAX_LIMIT)


class AcceptIn(Schema):
    item: Text(32, 1) = Field(description="the code of an item of the station's catalogue")
    resident: Id | None = Field(None, description="a resident of the community (person id)")
    resident_name: Text(50) = Field("", description="a walk-in resident's name, when `resident` is not given")
    resident_phone: Text(20) = ""
    mode: ServiceWay = "window"
    first_owner: Id | None = Field(None, description="who received the resident first (default: you)")
    booked_for: Moment | None = Field(None, description="door-to-door and out-of-hours services need a time")
    place: Text(200) = ""
    note: Text(2000) = ""
    idempotency_key: Text(40) = Field("", description="or the Idempotency-Key header: a retry returns the first entry")


class HandOffIn(Schema):
    to: Text(100) = Field("", description="the handling unit (default: the item's)")
    note: Text(300) = ""


class BackIn(Schema):
    note: Text(300) = ""


class CompleteIn(Schema):
    result: Text(2000, 1) = Field(description="what was done for the resident")


class CancelIn(Schema):
    reason: Text(300, 1)


class RateIn(Schema):
    satisfaction: Score
    comment: Text(300) = ""


# ---- output ------------------------------------------------------------------------------------


def _unit(u) -> dict:
    return {"id": u.pk, "name": u.name, "kind": u.kind}


def _station_out(s: Station) -> dict:
    # Only the community: its street lies outside a community staff member's area.
    community = s.community
    return {
        "id": s.pk,
        "name": s.name,
        "community": _unit(community),
        "address": s.address,
        "phone": s.phone,
        "complaint_phone": s.complaint_phone,
        "hours": s.hours,
        "catalogue_version": s.published_version or None,
        "catalogue_changed": s.catalogue_changed,
    }


def _published(station: Station, number: int | None = None) -> CatalogueVersion | None:
    number = number or station.published_version
    if not number:
        return None
    return CatalogueVersion.objects.filter(station=station, number=number).first()


def _item_out(i: dict) -> dict:
    return {
        "code": i["code"],
        "kind": i["kind"],
        "kind_label": str(ItemKind(i["kind"]).label),
        "area": i["area"],
        "name": i["name"],
        "time_limit_days": i["time_limit_days"],
        "time_limit_label": services.days_label(i["time_limit_days"]),
        "fee": i["fee"],
        "handler": i["handler"],
        "version": i["version"],
    }


def _utc(at: datetime | None) -> datetime | None:
    return at.astimezone(UTC) if at is not None else None


def _person(p) -> dict | None:
    return {"id": p.pk, "name": p.name} if p is not None else None


def _record_out(r: ServiceRecord, *, staff: bool, now: datetime) -> dict:
    return {
        "id": r.pk,
        "number": r.number,
        "station": {"id": r.station_id, "name": r.station.name},
        "item_name": r.item_name,
        "item_version": r.item_version,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "mode": r.mode,
        "mode_label": r.get_mode_display(),
        "status": r.status,
        "status_label": r.get_status_display(),
        "card": str(services.record_card(r, now)),
        "resident_name": r.resident_name,
        "first_owner": _person(r.first_owner) if staff else None,
        "received_at": r.received_at,
        "due_at": r.due_at,
        "done_at": r.done_at,
        "on_time": r.on_time,
        "satisfaction": r.satisfaction or None,
        "satisfaction_label": r.get_satisfaction_display() if r.satisfaction else "",
    }


def _record_detail(request, pk) -> dict:
    """A ledger entry as its page shows it. The resident it served (not staff there) sees what their
    own page shows: no notes, no staff names, no steps."""
    r = record_get(request.user, pk)
    staff = scope_for(request.user).covers(r.station.community.path)
    events = []
    if staff:
        events = [
            {
                "kind": e.kind,
                "kind_label": str(e.kind_label),
                "actor": e.actor.name if e.actor else None,
                "note": e.note,
                "at": e.at,
            }
            for e in r.events.select_related("actor")
        ]
    return {
        **_record_out(r, staff=staff, now=timezone.now()),
        "resident_phone": mask_phone(r.resident_phone),
        "booked_for": r.booked_for,
        "place": r.place,
        "time_limit_label": services.days_label(r.item.time_limit_days),
        "yellow_at": r.yellow_at,
        "handoff_due": _utc(services.handoff_due(r)),
        "handed_to": r.handed_to,
        "handed_at": r.handed_at,
        "returned_at": r.returned_at,
        "result": r.result,
        "done_by": _person(r.done_by) if staff else None,
        "rating_channel": r.rating_channel or None,
        "rating_comment": r.rating_comment,
        "rated_at": r.rated_at,
        "note": r.note if staff else "",
        "events": events,
        "may_act": can_act(request.user, r.station),
    }


# ---- stations and catalogues -------------------------------------------------------------------


@router.get("/stations", response={200: StationPage, **ERRORS}, summary="Service stations in your area")
def station_list(request: HttpRequest, filters: Query[StationFilters]):
    qs = visible_stations(request.user)
    if filters.unit:
        unit = unit_get(request.user, filters.unit)
        qs = qs.filter(community__path__startswith=unit.path)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    rows, next_cursor = paging.page(qs, field="created_at", cursor=filters.cursor, limit=filters.limit)
    return {"items": [_station_out(s) for s in rows], "next_cursor": next_cursor}


@router.get("/stations/{pk}", response={200: StationDetail, **ERRORS}, summary="One station, with its B.1.5 check")
def station_read(request: HttpRequest, pk: Id):
    station = station_get(request.user, pk)
    version = _published(station)
    check = services.compliance(station)
    return {
        **_station_out(station),
        "published_at": version.published_at if version else None,
        "direct_count": version.direct_count if version else None,
        "proxy_count": version.proxy_count if version else None,
        "compliance": {"direct": check.direct, "proxy": check.proxy, "meets": check.meets, "missing": check.missing},
        "may_act": can_act(request.user, station),
    }


def _matches(item: dict, q: str) -> bool:
    q = q.casefold()
    return any(q in item[k].casefold() for k in ("name", "code", "area"))


@router.get(
    "/stations/{pk}/items",
    response={200: ServiceItemPage, **ERRORS},
    summary="A station's published catalogue (事项清单)",
)
def service_item_list(request: HttpRequest, pk: Id, filters: Query[ItemFilters]):
    """The items as last published (what residents see on the public catalogue), in its order.
    Pages stay in the version the first page came from, even if a new one is published meanwhile."""
    station = station_get(request.user, pk)
    number, offset = paging.decode_position(filters.cursor) if filters.cursor else (None, 0)
    version = _published(station, number)
    if number and version is None:
        raise DomainError("bad_cursor", _("cursor: use the next_cursor of the previous page."), "cursor")
    items = version.items if version else []
    if filters.kind:
        items = [i for i in items if i["kind"] == filters.kind]
    if filters.q:
        items = [i for i in items if _matches(i, filters.q)]
    shown, next_cursor = (
        paging.page_frozen(items, version=version.number, offset=offset, limit=filters.limit) if version else ([], None)
    )
    return {
        "station": {"id": station.pk, "name": station.name},
        "catalogue_version": version.number if version else None,
        "published_at": version.published_at if version else None,
        "items": [_item_out(i) for i in shown],
        "next_cursor": next_cursor,
    }


@router.get(
    "/stations/{pk}/items/{code}",
    response={200: ServiceItemDetail, **ERRORS},
    summary="One item of a station's published catalogue, in full",
)
def service_item_read(request: HttpRequest, pk: Id, code: Text(32, 1)):
    station = station_get(request.user, pk)
    version = _published(station)
    item = next((i for i in (version.items if version else []) if i["code"] == code), None)
    if item is None:
        raise Http404
    return {
        **_item_out(item),
        "station": {"id": station.pk, "name": station.name},
        "conditions": item["conditions"],
        "materials": item["materials"],
        "guide": item["guide"],
        "catalogue_version": version.number,
        "published_at": version.published_at,
    }


# ---- the ledger ------------------------------------------------------------------------------


def _month(text: str) -> str:
    """The month filter checked: a month of the ledger, or a 400 naming the field."""
    if not text:
        return ""
    year = mon = 0
    try:
        year, mon = (int(x) for x in text.split("-"))
    except ValueError:
        pass
    if not (MONTH_YEARS[0] <= year <= MONTH_YEARS[1] and 1 <= mon <= 12 and len(text) == 7):
        raise DomainError("bad_month", _("month: enter a month such as 2026-03."), "month")
    return text


@router.get(
    "/service-records",
    response={200: RecordPage, **ERRORS},
    summary="The work ledger (工作台账) of the stations in your area, newest first",
)
def service_record_list(request: HttpRequest, filters: Query[RecordFilters]):
    """Staff: every entry of the stations their area covers (as the ledger page). A resident:
    the services given to them (as their “My services” page)."""
    month = _month(filters.month)
    scope = scope_for(request.user)
    staff = scope.is_staff
    qs = visible_records(request.user) if staff else resident_records(scope.person)
    if filters.unit:
        unit = unit_get(request.user, filters.unit)
        qs = qs.filter(station__community__path__startswith=unit.path)
    station = station_get(request.user, filters.station) if filters.station else None
    qs = selectors.ledger(
        qs,
        station_id=station and station.pk,
        month=month,
        status=filters.status or "",
        mode=filters.mode or "",
        kind=filters.kind or "",
        q=filters.q,
    )
    rows, next_cursor = paging.page(qs, field="received_at", cursor=filters.cursor, limit=filters.limit)
    now = timezone.now()
    return {"items": [_record_out(r, staff=staff, now=now) for r in rows], "next_cursor": next_cursor}


@router.get("/service-records/{pk}", response={200: RecordDetail, **ERRORS}, summary="One ledger entry with its steps")
def service_record_read(request: HttpRequest, pk: Id):
    return _record_detail(request, pk)


@router.post(
    "/stations/{pk}/records",
    response={200: RecordDetail, 201: RecordDetail, **ERRORS},
    summary="Accept a service at the window (一窗受理)",
)
def service_record_accept(
    request: HttpRequest,
    pk: Id,
    data: AcceptIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=40),
):
    """Any staff member of the station accepts any item of its catalogue, for a resident of the
    community or a walk-in. The same idempotency key returns the first entry (200)."""
    station = station_get(request.user, pk, write=True)
    key = (idempotency_key or data.idempotency_key).replace("\x00", "").strip()
    existed = bool(key and ServiceRecord.objects.filter(station=station, idem_key=key).exists())
    booked_for = data.booked_for
    if booked_for is not None and timezone.is_naive(booked_for):
        booked_for = timezone.make_aware(booked_for)
    item = ServiceItem.objects.filter(station=station, code=data.item).values_list("pk", flat=True).first()
    record = services.record_accept(
        user=request.user,
        station_id=station.pk,
        item_id=item,
        resident_id=data.resident,
        resident_name=data.resident_name,
        resident_phone=data.resident_phone,
        mode=data.mode,
        first_owner_id=data.first_owner,
        booked_for=booked_for,
        place=data.place,
        note=data.note,
        idem_key=key,
    )
    return Status(200 if existed else 201, _record_detail(request, record.pk))


@router.post("/service-records/{pk}/start", response={200: RecordDetail, **ERRORS}, summary="Start a booked service")
def service_record_start(request: HttpRequest, pk: Id):
    services.record_start(user=request.user, record_id=pk)
    return _record_detail(request, pk)


@router.post(
    "/service-records/{pk}/hand-off",
    response={200: RecordDetail, **ERRORS},
    summary="Hand a proxy item to its handling unit (帮办代办)",
)
def service_record_hand_off(request: HttpRequest, pk: Id, data: HandOffIn):
    services.record_hand_off(user=request.user, record_id=pk, to=data.to, note=data.note)
    return _record_detail(request, pk)


@router.post(
    "/service-records/{pk}/back",
    response={200: RecordDetail, **ERRORS},
    summary="The handling unit has answered",
)
def service_record_back(request: HttpRequest, pk: Id, data: BackIn):
    services.record_back(user=request.user, record_id=pk, note=data.note)
    return _record_detail(request, pk)


@router.post(
    "/service-records/{pk}/complete", response={200: RecordDetail, **ERRORS}, summary="Complete with a result (办结)"
)
def service_record_complete(request: HttpRequest, pk: Id, data: CompleteIn):
    services.record_complete(user=request.user, record_id=pk, result=data.result)
    return _record_detail(request, pk)


@router.post("/service-records/{pk}/cancel", response={200: RecordDetail, **ERRORS}, summary="Cancel a service")
def service_record_cancel(request: HttpRequest, pk: Id, data: CancelIn):
    services.record_cancel(user=request.user, record_id=pk, reason=data.reason)
    return _record_detail(request, pk)


@router.post(
    "/service-records/{pk}/rate",
    response={200: RecordDetail, **ERRORS},
    summary="Rate a completed service (the resident, or at the desk)",
)
def service_record_rate(request: HttpRequest, pk: Id, data: RateIn):
    """The resident rates their own service (on their phone); staff of the station pass their
    device to the resident at the desk (the kiosk). One rating per service."""
    own = is_own(request.user, record_get(request.user, pk))
    services.record_rate(
        user=request.user,
        record_id=pk,
        satisfaction=data.satisfaction,
        comment=data.comment,
        channel=RatingChannel.PHONE if own else RatingChannel.KIOSK,
    )
    return _record_detail(request, pk)
