"""The station's rules (R-7): every write is one function here. Views and any API call these.

The catalogue (B.1.5) is edited item by item and published as a numbered version; a service
given is one ledger entry (B.1.7) that moves accepted → (handed off → back) → completed → rated,
each step an append-only `RecordEvent` written with it. Time limits come from the shared
deadline engine: the item's working days for completion (限时办结), the station's rules in
`TimeLimitRule` (category codes `station`, `station_handoff`) for the yellow card and the
hand-off.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.audit.log import audit_record
from twoway.core.errors import DomainError
from twoway.core.parse import as_int
from twoway.core.text import clean_key, clean_text
from twoway.deadlines import engine
from twoway.notify.send import notify
from twoway.org.models import WRITE_ROLES, OrgUnit, Person, UnitKind
from twoway.org.scope import scope_for

from . import seed_catalogue
from .access import record_get, station_get
from .models import (
    MIN_DIRECT,
    MIN_PROXY,
    SORT_MAX,
    TEXT_MAX,
    CatalogueVersion,
    Complaint,
    FeedbackKind,
    ItemKind,
    Mode,
    RatingChannel,
    RecordEvent,
    RecordStatus,
    RotaEntry,
    Satisfaction,
    ServiceItem,
    ServiceRecord,
    Station,
)

# The service areas B.1.5 names; a station whose catalogue leaves one out is told which.
ANNEX_B_AREAS = [
    "党员服务",
    "养老保险",
    "医疗保险",
    "社会救助",
    "卫生健康服务",
    "就业创业服务",
    "退役军人事务",
    "残疾人帮扶",
    "惠农政策",
    "法律顾问及纠纷调解",
    "水电气暖缴费",
]
EVENT_NOTE_MAX = 300  # RecordEvent.note
RULE_LEVEL = "community"
RULE_SETTLE = "station"  # stage "settle": the yellow card before an item's time limit
RULE_HANDOFF = "station_handoff"  # stage "accept": working days to hand a proxy item over


def _actor(user) -> Person:
    person = scope_for(user).person
    if person is None:
        raise DomainError("no_person", _("Your login is not linked to a person."))
    return person


def _event(record: ServiceRecord, kind: str, actor: Person | None, note: str = "", at=None) -> None:
    RecordEvent.objects.create(record=record, kind=kind, actor=actor, note=note[:300], at=at or timezone.now())


# ---- stations and the catalogue --------------------------------------------------------------


def station_ensure(*, community: OrgUnit, seed: bool = True) -> Station:
    """The community's station, created with the standard catalogue the first time (one per community)."""
    if community.kind != UnitKind.COMMUNITY:
        raise DomainError("not_community", _("A service station belongs to a community."), "community")
    with transaction.atomic():
        station, created = Station.objects.get_or_create(
            community=community,
            defaults={
                "name": f"{community.name}便民服务站",
                "address": community.address,
                "phone": community.phone,
                "hours": "周一至周五 8:30-12:00，14:00-17:30；周六上午错时服务",
            },
        )
        if created and seed:
            catalogue_seed(station=station)
    return station


def catalogue_seed(*, station: Station) -> int:
    """Load the standard catalogue (seed_catalogue.py) into a station that has no items yet."""
    if station.items.exists():
        return 0
    ServiceItem.objects.bulk_create(ServiceItem(station=station, **row) for row in seed_catalogue.rows())
    Station.objects.filter(pk=station.pk).update(catalogue_changed=True)
    return len(seed_catalogue.DIRECT) + len(seed_catalogue.PROXY)


ITEM_FIELDS = ("code", "kind", "area", "name", "conditions", "materials", "time_limit_days", "fee", "handler", "guide")
REQUIRED_ITEM_FIELDS = ("code", "kind", "name", "conditions", "materials", "fee", "handler", "guide")


def _item_field_label(name: str) -> str:
    return str(ServiceItem._meta.get_field(name).verbose_name)


def _item_text(data: dict, name: str) -> str:
    field = ServiceItem._meta.get_field(name)
    return clean_text(
        data.get(name),
        field=name,
        label=_item_field_label(name),
        limit=field.max_length,
        required=name in REQUIRED_ITEM_FIELDS,
    )


@transaction.atomic
def item_save(*, user, station_id: int, item_id: int | None = None, data: dict) -> ServiceItem:
    """Add an item to a station's catalogue or change one; a change raises the item's version."""
    station = station_get(user, station_id, write=True, for_update=True)
    values = {name: _item_text(data, name) for name in ITEM_FIELDS if name not in ("kind", "time_limit_days")}
    if data.get("kind") not in ItemKind.values:
        raise DomainError("bad_kind", _("Kind: choose one of the list."), "kind")
    values["kind"] = data["kind"]
    days = as_int(data.get("time_limit_days"))
    if days is None or not (0 <= days <= 60):
        raise DomainError("bad_days", _("Time limit: between 0 and 60 working days."), "time_limit_days")
    values["time_limit_days"] = days
    sort = as_int(data.get("sort") or 0)
    if sort is None or not 0 <= sort <= SORT_MAX:
        raise DomainError("bad_sort", _("Order: enter a whole number from 0 to %(n)s.") % {"n": SORT_MAX}, "sort")
    item_id = as_int(item_id) if item_id not in (None, "") else None
    clash = ServiceItem.objects.filter(station=station, code=values["code"]).exclude(pk=item_id or 0)
    if clash.exists():
        raise DomainError("code_taken", _("Code: another item of this station already has it."), "code")
    if item_id:
        item = ServiceItem.objects.select_for_update().filter(pk=item_id, station=station).first()
        if item is None:
            raise DomainError("not_found", _("This item is not in the station's catalogue."))
        changed = any(getattr(item, f) != values[f] for f in ITEM_FIELDS)
        if changed:
            item.version += 1
    else:
        item = ServiceItem(station=station)
        changed = True
    for name in ITEM_FIELDS:
        setattr(item, name, values[name])
    item.sort = sort or item.sort or 0
    item.save()
    if changed:
        Station.objects.filter(pk=station.pk).update(catalogue_changed=True)
    return item


@transaction.atomic
def item_withdraw(*, user, item_id: int, withdraw: bool = True) -> ServiceItem:
    """Take an item out of the catalogue (or put it back); it stays in the ledger's history."""
    item = ServiceItem.objects.select_for_update().select_related("station").filter(pk=as_int(item_id)).first()
    if item is None:
        raise DomainError("not_found", _("This item is not in the station's catalogue."))
    station_get(user, item.station_id, write=True)
    item.retired_at = timezone.now() if withdraw else None
    item.version += 1
    item.save(update_fields=["retired_at", "version", "updated_at"])
    Station.objects.filter(pk=item.station_id).update(catalogue_changed=True)
    return item


@transaction.atomic
def catalogue_publish(*, user, station_id: int, note: str = "") -> CatalogueVersion:
    """Freeze the current catalogue as the next numbered version and make it the public one."""
    station = station_get(user, station_id, write=True, for_update=True)
    note = clean_text(note, field="note", label=_("What changed"), limit=200)
    items = list(station.items.filter(retired_at__isnull=True).order_by("kind", "sort", "code"))
    if not items:
        raise DomainError("empty", _("The catalogue is empty: add items before publishing."))
    number = station.published_version + 1
    version = CatalogueVersion.objects.create(
        station=station,
        number=number,
        items=[i.snapshot() for i in items],
        direct_count=sum(1 for i in items if i.kind == ItemKind.DIRECT),
        proxy_count=sum(1 for i in items if i.kind == ItemKind.PROXY),
        note=note,
        published_by=_actor(user),
        published_at=timezone.now(),
    )
    station.published_version = number
    station.catalogue_changed = False
    station.save(update_fields=["published_version", "catalogue_changed"])
    return version


@dataclass
class Compliance:
    """The B.1.5 check of one station: what it has, and what is missing, in words."""

    direct: int
    proxy: int
    missing: list[str] = field(default_factory=list)
    incomplete_items: list[ServiceItem] = field(default_factory=list)
    missing_areas: list[str] = field(default_factory=list)

    @property
    def meets(self) -> bool:
        return not self.missing


def compliance(station: Station) -> Compliance:
    """Whether the station meets B.1.5: ≥10 items handled at the station, ≥50 handled on residents'
    behalf, each with its conditions, materials, time limit, fee and plain guide, the areas the
    clause names covered, and the catalogue published (公示) as it stands."""
    items = list(station.items.filter(retired_at__isnull=True))
    direct = sum(1 for i in items if i.kind == ItemKind.DIRECT)
    proxy = sum(1 for i in items if i.kind == ItemKind.PROXY)
    result = Compliance(direct=direct, proxy=proxy)
    if direct < MIN_DIRECT:
        result.missing.append(
            _("%(n)s more items handled at the station are needed (%(have)s of at least %(min)s).")
            % {"n": MIN_DIRECT - direct, "have": direct, "min": MIN_DIRECT}
        )
    if proxy < MIN_PROXY:
        result.missing.append(
            _("%(n)s more items handled on residents' behalf are needed (%(have)s of at least %(min)s).")
            % {"n": MIN_PROXY - proxy, "have": proxy, "min": MIN_PROXY}
        )
    result.incomplete_items = [i for i in items if any(not str(getattr(i, f)).strip() for f in REQUIRED_ITEM_FIELDS)]
    if result.incomplete_items:
        result.missing.append(
            _("%(n)s items lack a name, conditions, materials, fee, handling unit or plain guide.")
            % {"n": len(result.incomplete_items)}
        )
    covered = {i.area for i in items}
    result.missing_areas = [a for a in ANNEX_B_AREAS if a not in covered]
    if result.missing_areas:
        result.missing.append(_("No item yet for: %(areas)s.") % {"areas": "、".join(result.missing_areas)})
    if station.published_version == 0:
        result.missing.append(_("The catalogue has never been published."))
    elif station.catalogue_changed:
        result.missing.append(_("The catalogue has changes that are not published yet."))
    return result


# ---- time limits -------------------------------------------------------------------------------


def _deadline(start: datetime, days: int, cal: engine.Calendar) -> tuple[datetime, datetime | None]:
    """Due and yellow times for an item with `days` working days; 0 days: by the end of that day."""
    if days == 0:
        local = timezone.localtime(start)
        return local.replace(hour=23, minute=59, second=59, microsecond=0), None
    rule = engine.rule_for(level=RULE_LEVEL, stage="settle", category_code=RULE_SETTLE)
    due = engine.due_at(start, days, cal)
    yellow = engine.yellow_at(due, min(rule.yellow_before, days), cal)
    return due, yellow


def handoff_due(record: ServiceRecord, cal: engine.Calendar | None = None) -> datetime | None:
    """By when a proxy item must be handed to its handling unit (rule `station_handoff`)."""
    if record.kind != ItemKind.PROXY:
        return None
    rule = engine.rule_for(level=RULE_LEVEL, stage="accept", category_code=RULE_HANDOFF)
    return engine.due_at(record.received_at, rule.working_days, cal)


def record_card(record: ServiceRecord, now: datetime | None = None) -> engine.Card:
    if record.status in (RecordStatus.DONE, RecordStatus.CANCELLED, RecordStatus.BOOKED):
        return engine.Card.NONE
    return engine.card(now or timezone.now(), record.due_at, record.yellow_at)


# ---- the ledger ------------------------------------------------------------------------------


def _station_staff(station: Station, person_id) -> Person:
    person = (
        Person.objects.filter(pk=as_int(person_id), roles__unit=station.community, roles__kind__in=WRITE_ROLES)
        .distinct()
        .first()
    )
    if person is None:
        raise DomainError(
            "not_station_staff", _("First-inquiry owner: choose a staff member of this station."), "first_owner"
        )
    return person


def record_accept(
    *,
    user,
    station_id: int,
    item_id,
    resident_id=None,
    resident_name: str = "",
    resident_phone: str = "",
    mode: str = Mode.WINDOW,
    first_owner_id=None,
    booked_for: datetime | None = None,
    place: str = "",
    note: str = "",
    idem_key: str = "",
    now: datetime | None = None,
) -> ServiceRecord:
    """One window (一窗受理): any staff member of the station accepts any item of its catalogue.

    The first-inquiry owner (首问负责) is whoever received the resident first, by default the
    one accepting. A booking (door to door, out of hours) in the future waits as `booked`.
    """
    now = now or timezone.now()
    station = station_get(user, station_id, write=True)
    actor = _actor(user)
    idem_key = clean_key(idem_key, limit=40)
    if idem_key:
        done = ServiceRecord.objects.filter(station=station, idem_key=idem_key).first()
        if done is not None:
            return done
    item = ServiceItem.objects.filter(pk=as_int(item_id, 0), station=station, retired_at__isnull=True).first()
    if item is None:
        raise DomainError("bad_item", _("Service item: choose an item of this station's catalogue."), "item")
    if mode not in Mode.values:
        raise DomainError("bad_mode", _("Service way: choose one of the list."), "mode")
    resident_phone = clean_text(resident_phone, field="resident_phone", label=_("Phone"), limit=20)
    place = clean_text(place, field="place", label=_("Place"), limit=200)
    note = clean_text(note, field="note", label=_("Note"), limit=TEXT_MAX)
    if booked_for is not None and not isinstance(booked_for, datetime):
        raise DomainError("bad_time", _("Appointment: enter a date and time."), "booked_for")
    resident = None
    if resident_id:
        resident = Person.objects.select_related("unit").filter(pk=as_int(resident_id), retired_at__isnull=True).first()
        if resident is None or not resident.unit.path.startswith(station.community.path):
            raise DomainError("bad_resident", _("Resident: choose a resident of this community."), "resident")
        resident_name = resident.name
        resident_phone = resident_phone or resident.phone
    resident_name = clean_text(resident_name, field="resident_name", label=_("Resident's name"), limit=50)
    if not resident_name:
        raise DomainError("required", _("Resident: give the resident's name or choose them."), "resident_name")
    owner = _station_staff(station, first_owner_id) if first_owner_id else actor
    if mode in (Mode.DOOR, Mode.OUT_OF_HOURS) and booked_for is None:
        raise DomainError(
            "booking_time", _("Appointment: door-to-door and out-of-hours services need a time."), "booked_for"
        )
    if mode == Mode.DOOR and not place and resident is None:
        raise DomainError("place", _("Place: where should the staff member go?"), "place")
    if mode == Mode.DOOR and not place and resident is not None and resident.household_id:
        place = resident.household.label
    booked = booked_for is not None and booked_for > now
    record = ServiceRecord(
        station=station,
        number=uuid.uuid4().hex[:20],
        item=item,
        item_name=item.name,
        item_version=item.version,
        kind=item.kind,
        mode=mode,
        resident=resident,
        resident_name=resident_name,
        resident_phone=resident_phone[:20],
        first_owner=owner,
        booked_for=booked_for,
        place=place[:200],
        received_at=booked_for if booked else now,
        status=RecordStatus.BOOKED if booked else RecordStatus.ACCEPTED,
        note=note,
        idem_key=idem_key,
    )
    if not booked:
        record.due_at, record.yellow_at = _deadline(now, item.time_limit_days, engine.calendar())
    try:
        with transaction.atomic():
            record.save()
            record.number = f"BM{timezone.localtime(now):%Y%m}{record.pk:06d}"
            record.save(update_fields=["number"])
            _event(record, "booked" if booked else "accepted", actor, note, at=now)
    except IntegrityError:
        done = ServiceRecord.objects.filter(station=station, idem_key=idem_key).first() if idem_key else None
        if done is None:
            raise
        return done
    return record


def _locked(user, record_id, expected: set[str]) -> ServiceRecord:
    record = record_get(user, record_id, write=True, for_update=True)
    if record.status not in expected:
        last = record.events.exclude(actor=None).select_related("actor").last()
        raise DomainError(
            "already_handled",
            _("Already handled: this entry is now “%(status)s”%(by)s.")
            % {
                "status": record.get_status_display(),
                "by": (_(" (by %(name)s)") % {"name": last.actor.name}) if last else "",
            },
        )
    return record


@transaction.atomic
def record_start(*, user, record_id: int, now: datetime | None = None) -> ServiceRecord:
    """A booked service begins (the visit or the out-of-hours appointment): the time limit starts."""
    now = now or timezone.now()
    record = _locked(user, record_id, {RecordStatus.BOOKED})
    record.status = RecordStatus.ACCEPTED
    record.received_at = now
    record.due_at, record.yellow_at = _deadline(now, record.item.time_limit_days, engine.calendar())
    record.save(update_fields=["status", "received_at", "due_at", "yellow_at"])
    _event(record, "accepted", _actor(user), at=now)
    return record


@transaction.atomic
def record_hand_off(*, user, record_id: int, to: str = "", note: str = "", now=None) -> ServiceRecord:
    """帮办代办: hand a proxy item's materials to the unit that handles it."""
    now = now or timezone.now()
    to = clean_text(to, field="to", label=_("Handed to"), limit=100)
    note = clean_text(note, field="note", label=_("Note"), limit=EVENT_NOTE_MAX)
    record = _locked(user, record_id, {RecordStatus.ACCEPTED})
    if record.kind != ItemKind.PROXY:
        raise DomainError("not_proxy", _("Only items handled on the resident's behalf are handed over."))
    record.status = RecordStatus.HANDED_OFF
    record.handed_to = (to or record.item.handler)[:100]
    record.handed_at = now
    record.save(update_fields=["status", "handed_to", "handed_at"])
    _event(record, "handed_off", _actor(user), note or record.handed_to, at=now)
    return record


@transaction.atomic
def record_back(*, user, record_id: int, note: str = "", now=None) -> ServiceRecord:
    """The handling unit has answered: the result is back at the station."""
    now = now or timezone.now()
    note = clean_text(note, field="note", label=_("Note"), limit=EVENT_NOTE_MAX)
    record = _locked(user, record_id, {RecordStatus.HANDED_OFF})
    record.status = RecordStatus.RETURNED
    record.returned_at = now
    record.save(update_fields=["status", "returned_at"])
    _event(record, "returned", _actor(user), note, at=now)
    return record


@transaction.atomic
def record_complete(*, user, record_id: int, result: str, now=None) -> ServiceRecord:
    """Completed (办结): the result given to the resident, and the time, go into the ledger."""
    now = now or timezone.now()
    if not isinstance(result, str) or not result.strip():
        raise DomainError("required", _("Result: say what was done for the resident."), "result")
    result = clean_text(result, field="result", label=_("Result"), limit=TEXT_MAX)
    record = record_get(user, record_id, write=True, for_update=True)
    expected = {RecordStatus.RETURNED} if record.kind == ItemKind.PROXY else {RecordStatus.ACCEPTED}
    record = _locked(user, record_id, expected)
    actor = _actor(user)
    record.status = RecordStatus.DONE
    record.result = result
    record.done_at = now
    record.done_by = actor
    record.save(update_fields=["status", "result", "done_at", "done_by"])
    _event(record, "done", actor, record.result, at=now)
    if record.resident_id and record.resident.user_id:
        from django.urls import reverse

        notify(
            people=[record.resident],
            title=_("Your service “%(item)s” is completed: please rate it") % {"item": record.item_name},
            body=record.result,
            link=reverse("station:rate", args=[record.pk]),
        )
    return record


@transaction.atomic
def record_cancel(*, user, record_id: int, reason: str, now=None) -> ServiceRecord:
    """A booking or an accepted service that will not go ahead (the resident withdrew)."""
    if not isinstance(reason, str) or not reason.strip():
        raise DomainError("required", _("Reason: say why the service is cancelled."), "reason")
    reason = clean_text(reason, field="reason", label=_("Reason"), limit=EVENT_NOTE_MAX)
    record = _locked(user, record_id, {RecordStatus.BOOKED, RecordStatus.ACCEPTED})
    record.status = RecordStatus.CANCELLED
    record.save(update_fields=["status"])
    _event(record, "cancelled", _actor(user), reason, at=now)
    return record


@transaction.atomic
def record_rate(*, user, record_id: int, satisfaction: str, comment: str = "", channel: str, now=None) -> ServiceRecord:
    """The resident's satisfaction (B.1.7): on their own phone, or on the kiosk page at the desk.
    One rating per service; a second one is refused."""
    now = now or timezone.now()
    if satisfaction not in Satisfaction.values:
        raise DomainError("bad_score", _("Satisfaction: choose one of the answers."), "satisfaction")
    comment = clean_text(comment, field="comment", label=_("Comment"), limit=300)
    if channel == RatingChannel.PHONE:
        record = record_get(user, record_id, for_update=True)
        person = scope_for(user).person
        if person is None or record.resident_id != person.pk:
            raise DomainError("not_yours", _("Only the resident who was served rates this service."))
    elif channel == RatingChannel.KIOSK:
        record = record_get(user, record_id, write=True, for_update=True)
    else:
        raise DomainError("bad_channel", _("Unknown rating channel."))
    if record.status != RecordStatus.DONE:
        raise DomainError("not_done", _("This service is not completed yet: it can be rated once it is."))
    if record.satisfaction:
        raise DomainError("already_rated", _("Already rated: thank you, one rating per service."))
    record.satisfaction = satisfaction
    record.rating_comment = comment
    record.rating_channel = channel
    record.rated_at = now
    record.save(update_fields=["satisfaction", "rating_comment", "rating_channel", "rated_at"])
    _event(record, "rated", None, record.get_satisfaction_display(), at=now)
    return record


@transaction.atomic
def checklist_send(*, user, record_id: int) -> ServiceRecord:
    """一次告知: send the resident the item's full list of materials, conditions, time limit and fee."""
    record = record_get(user, record_id, write=True, for_update=True)
    if record.resident is None or record.resident.user_id is None:
        raise DomainError(
            "no_account", _("This resident has no account to send to: print the checklist and hand it over.")
        )
    from django.urls import reverse

    item = record.item
    body = "\n".join(
        [
            _("Conditions: %(c)s") % {"c": item.conditions},
            _("Materials: %(m)s") % {"m": "；".join(item.material_list)},
            _("Time limit: %(d)s") % {"d": days_label(item.time_limit_days)},
            _("Fee: %(f)s") % {"f": item.fee},
        ]
    )
    notify(
        people=[record.resident],
        title=_("What to bring for “%(item)s”") % {"item": item.name},
        body=body,
        link=reverse("station:rate", args=[record.pk]),
    )
    record.checklist_sent_at = timezone.now()
    record.save(update_fields=["checklist_sent_at"])
    _event(record, "checklist_sent", _actor(user))
    return record


def days_label(days: int) -> str:
    if days == 0:
        return _("settled on the spot")
    return _("%(n)s working days") % {"n": days}


# ---- complaints and the rota --------------------------------------------------------------------


@transaction.atomic
def complaint_add(
    *, user, station_id: int, kind: str, text: str, by_name: str = "", contact: str = "", about_station=True
) -> Complaint:
    """Record a complaint or suggestion (B.2.5); a complaint about the station is seen by its street."""
    station = station_get(user, station_id, write=True)
    if kind not in FeedbackKind.values:
        raise DomainError("bad_kind", _("Kind: choose one of the list."), "kind")
    text = clean_text(text, field="text", label=_("What was said"), limit=TEXT_MAX, required=True)
    by_name = clean_text(by_name, field="by_name", label=_("From"), limit=50)
    contact = clean_text(contact, field="contact", label=_("Contact"), limit=50)
    return Complaint.objects.create(
        station=station,
        kind=kind,
        text=text,
        by_name=by_name,
        contact=contact,
        about_station=bool(about_station),
        received_at=timezone.now(),
        received_by=_actor(user),
    )


@transaction.atomic
def complaint_reply(*, user, complaint_id: int, handling: str, reply: str) -> Complaint:
    """How a complaint was handled, and the reply given to the person who made it."""
    from .access import complaint_get

    complaint = complaint_get(user, complaint_id, write=True)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    handling = clean_text(handling, field="handling", label=_("How it was handled"), limit=TEXT_MAX)
    reply = clean_text(reply, field="reply", label=_("Reply given"), limit=TEXT_MAX, required=True)
    complaint.handling = handling
    complaint.reply = reply
    complaint.replied_at = timezone.now()
    complaint.save(update_fields=["handling", "reply", "replied_at"])
    return complaint


@transaction.atomic
def rota_set(*, user, station_id: int, weekday: int, role: str, person_id, work_phone: str = "") -> RotaEntry:
    """Put a staff member on the desk for a weekday as A or B (AB角, B.1.2)."""
    station = station_get(user, station_id, write=True, for_update=True)
    weekday = _weekday(weekday)
    if role not in ("A", "B"):
        raise DomainError("bad_role", _("A/B role: choose A or B."), "role")
    work_phone = clean_text(work_phone, field="work_phone", label=_("Work phone (published)"), limit=32)
    person = _station_staff(station, person_id)
    entry, _created = RotaEntry.objects.update_or_create(
        station=station, weekday=weekday, role=role, defaults={"person": person, "work_phone": work_phone}
    )
    return entry


@transaction.atomic
def rota_clear(*, user, station_id: int, weekday: int, role: str) -> None:
    """Take whoever is on the desk for a weekday as A or B off the rota."""
    station = station_get(user, station_id, write=True)
    weekday = _weekday(weekday)
    if role not in ("A", "B"):
        raise DomainError("bad_role", _("A/B role: choose A or B."), "role")
    RotaEntry.objects.filter(station=station, weekday=weekday, role=role).delete()


def _weekday(value) -> int:
    weekday = as_int(value)
    if weekday is None or not 0 <= weekday <= 6:
        raise DomainError("bad_weekday", _("Weekday: choose one of the list."), "weekday")
    return weekday


def export_audit(*, request, count: int, query: dict) -> None:
    audit_record(request=request, action="export", target="station ledger", detail={"rows": count, "query": query})


def day_bounds(day) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)
