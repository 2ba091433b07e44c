"""The appeal lifecycle (R-3). Every arrow is one function here, writing one event in the
same transaction as the state change; pages, the API and `tick` all call these.

pending (待签收) → accepted (办理中) → resolved (已办结, waiting for the rating) → closed
pending → returned (退回, with a reason; ends it at intake)
accepted → escalate → pending at the parent unit; the district cannot escalate, it assigns
to a department, which answers back to the district.
resolved → 不满意 → accepted again at the same unit (重办, once); a second 不满意 escalates.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from twoway.core.errors import DomainError
from twoway.core.parse import as_ids, as_int
from twoway.core.text import clean_key, clean_text
from twoway.deadlines import engine
from twoway.notify.send import StaffOf, notify, notify_many
from twoway.org.models import STAFF_ROLES, OrgUnit, Person, UnitKind
from twoway.org.scope import scope_for

from .access import appeal_get, can_act
from .models import (
    DESCRIPTION_MAX,
    MAX_EXTENSION_DAYS,
    OUTCOME_MAX,
    RATING_DAYS,
    Appeal,
    AppealEvent,
    AppealResource,
    Channel,
    EventKind,
    Extension,
    ExtensionStatus,
    Rating,
    Resource,
    Score,
    Status,
    SupervisionOrder,
)
from .selectors import active_category

DECISION_REF_MAX = 100
MERGE_MAX = 100  # appeals merged in one go: the timeline names each of them

ESCALATES_TO = {
    UnitKind.GROUP: UnitKind.COMMUNITY,
    UnitKind.COMMUNITY: UnitKind.STREET,
    UnitKind.STREET: UnitKind.DISTRICT,
}


# ---- helpers --------------------------------------------------------------------------------


def _record(text) -> str:
    """Text the system writes into the permanent record: always in the official language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _person(user) -> Person:
    person = scope_for(user).person
    if person is None:
        raise DomainError("no_person", _("Your login is not linked to a person record."))
    return person


def _event(
    appeal: Appeal,
    kind: str,
    *,
    actor: Person | None,
    unit: OrgUnit,
    note: str = "",
    to_unit: OrgUnit | None = None,
    internal: bool = False,
    decision_ref: str = "",
    first: bool = False,
) -> AppealEvent:
    """Append one event, chained to the previous one by hash. The caller holds the row lock.
    `first`: the appeal was created in this transaction and has no event yet to chain to."""
    last = None if first else appeal.events.order_by("-seq").values("seq", "hash").first()
    event = AppealEvent(
        appeal=appeal,
        seq=(last["seq"] + 1) if last else 1,
        kind=kind,
        actor=actor,
        unit=unit,
        to_unit=to_unit,
        status=appeal.status,
        note=note,
        internal=internal,
        decision_ref=decision_ref,
        at=timezone.now(),
        prev_hash=last["hash"] if last else "",
    )
    event.hash = event.compute_hash()
    event.save()
    return event


def _set_deadline(appeal: Appeal, stage: str, *, start=None) -> None:
    rule = engine.rule_for(level=appeal.handling_unit.kind, stage=stage, category_code=appeal.category.code)
    cal = engine.calendar()
    appeal.due_at = engine.due_at(start or timezone.now(), rule.working_days + appeal.extension_days, cal)
    appeal.yellow_at = engine.yellow_at(appeal.due_at, rule.yellow_before, cal)


def _clear_deadline(appeal: Appeal) -> None:
    appeal.due_at = appeal.yellow_at = None


def _expect(appeal: Appeal, *statuses: str) -> None:
    """Refuse a transition from the wrong state; name who got there first if someone did."""
    if appeal.status in statuses:
        return
    last = appeal.events.order_by("-seq").select_related("actor").first()
    who = last.actor.name if last and last.actor else _("the system")
    raise DomainError(
        "already_handled",
        _("This appeal is now “%(status)s” (last step by %(who)s); the page was out of date.")
        % {"status": appeal.get_status_display(), "who": who},
    )


def _concerned(appeal: Appeal) -> list[Person]:
    people = [appeal.raised_by, *[m.raised_by for m in appeal.merged.select_related("raised_by")]]
    return list(dict.fromkeys(people))


def _handlers(unit: OrgUnit) -> StaffOf:
    """The people who pick up appeals at a unit: its staff roles (not auditors), found when the
    notification is written."""
    return StaffOf(unit.pk, tuple(sorted(STAFF_ROLES - {"auditor"})))


def _tell_residents(appeal: Appeal, title: str, body: str = "", *, people: list[Person] | None = None) -> None:
    notify(
        people=_concerned(appeal) if people is None else people,
        title=f"{appeal.number} {title}",
        body=body,
        link=reverse("appeals:detail", args=[appeal.pk]),
    )


def _tell_handlers(appeal: Appeal, title: str) -> None:
    notify(
        people=_handlers(appeal.handling_unit),
        title=f"{appeal.number} {title}",
        body=appeal.description[:200],
        link=reverse("appeals:detail", args=[appeal.pk]),
    )


def _text(value: str, field: str, label: str, *, required: bool = True, limit: int = 2000) -> str:
    return clean_text(value, field=field, label=label, limit=limit, required=required)


def _decision_ref(value: str) -> str:
    return clean_text(value, field="decision_ref", label=_("Meeting decision"), limit=DECISION_REF_MAX)


def _save(appeal: Appeal, *fields: str) -> None:
    appeal.updated_at = timezone.now()
    appeal.save(update_fields=[*fields, "updated_at"])


# ---- intake ---------------------------------------------------------------------------------


def appeal_submit(
    *,
    user,
    category_id,
    description: str,
    place: str = "",
    lat=None,
    lng=None,
    for_household: bool = False,
    mediation: bool = False,
    photos=(),
    idem_key: str = "",
    on_behalf_of: Person | None = None,
    channel: str = Channel.APP,
) -> Appeal:
    """A resident raises an appeal, or staff raise one on a resident's behalf (帮办).

    A key already seen from the same resident returns the first appeal and creates nothing
    (the unique constraint on resident and key decides, so two racing requests make one appeal).
    Everything is written in one transaction; nothing is read that a process-wide copy can
    answer (categories, time limits, holidays), so a submission costs few statements.
    """
    from .photos import clean_photos

    actor = _person(user)
    resident = on_behalf_of or actor
    if on_behalf_of is not None:
        if not scope_for(user).covers(on_behalf_of.unit.path, write=True):
            raise DomainError("not_in_area", _("Resident: this resident is outside your area."), "resident")
        if channel == Channel.APP:
            channel = Channel.PHONE
    if channel not in Channel.values:
        raise DomainError("bad_channel", _("Channel: choose one of the list."), "channel")
    idem_key = clean_key(idem_key, limit=200)[:64]
    description = _text(description, "description", _("Description"), limit=DESCRIPTION_MAX)
    category = active_category(category_id)
    if category is None:
        raise DomainError("unknown_category", _("Category: choose a category from the list."), "category")
    group = resident.unit
    if group.kind != UnitKind.GROUP or group.is_retired:
        raise DomainError("no_group", _("Resident: the resident is not registered in a resident group."), "resident")
    place = _text(place, "place", _("Place"), required=False, limit=100)
    lat, lng = _coordinates(lat, lng)
    images = clean_photos(photos)
    if for_household and not resident.household_id:
        raise DomainError(
            "no_household", _("For the household: you are not registered in a household."), "for_household"
        )
    appeal = Appeal(
        number="~",
        category=category,
        description=description,
        place=place,
        lat=lat,
        lng=lng,
        raised_by=resident,
        household_id=resident.household_id if for_household else None,
        channel=channel,
        proxy=actor if on_behalf_of is not None else None,
        mediation=bool(mediation),
        origin_unit=group,
        handling_unit=group,
        status=Status.PENDING,
        idem_key=idem_key,
    )
    _set_deadline(appeal, "accept")
    note = _("Raised on the resident's behalf by %(name)s") % {"name": actor.name} if on_behalf_of else ""
    try:
        with transaction.atomic():
            # On PostgreSQL the id comes from the sequence first, so the number is written with the
            # row (a second UPDATE would write a new version of the row into every index).
            appeal.pk = _next_id(Appeal)
            if appeal.pk is not None:
                appeal.number = _number(appeal)
            appeal.save(force_insert=True)
            if appeal.number == "~":
                appeal.number = _number(appeal)
                appeal.save(update_fields=["number"])
            for image in images:
                image.save_to(appeal)
            _event(appeal, EventKind.SUBMITTED, actor=actor, unit=group, note=note, first=True)
            link = reverse("appeals:detail", args=[appeal.pk])
            to_handlers = _("New appeal to accept")
            to_resident = _("Your appeal was received")
            with_unit = _("It is with %(unit)s.") % {"unit": group.name}
            # One INSERT for both. Nothing is merged into a new appeal yet: the resident is the only one concerned.
            notify_many(
                [
                    (_handlers(group), f"{appeal.number} {to_handlers}", description[:200], link),
                    ([resident], f"{appeal.number} {to_resident}", with_unit, link),
                ]
            )
    except IntegrityError:
        existing = Appeal.objects.filter(raised_by=resident, idem_key=idem_key).first() if idem_key else None
        if existing:
            return existing
        raise
    return appeal


def _next_id(model) -> int | None:
    """The next id of the model's table from its sequence (PostgreSQL); None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table])
        return cursor.fetchone()[0]


def _number(appeal: Appeal) -> str:
    return f"SQ-{timezone.localtime(appeal.created_at).year}-{appeal.pk:06d}"


def _coordinates(lat, lng):
    if lat in (None, "") and lng in (None, ""):
        return None, None
    from decimal import Decimal, InvalidOperation

    try:
        lat, lng = Decimal(str(lat)), Decimal(str(lng))
    except (InvalidOperation, ValueError):
        raise DomainError("bad_location", _("Location: latitude and longitude must be numbers."), "lat") from None
    if not (lat.is_finite() and lng.is_finite() and -90 <= lat <= 90 and -180 <= lng <= 180):
        raise DomainError("bad_location", _("Location: latitude and longitude are out of range."), "lat")
    return lat.quantize(Decimal("0.000001")), lng.quantize(Decimal("0.000001"))


# ---- handling at a level --------------------------------------------------------------------


@transaction.atomic
def appeal_accept(*, user, appeal_id) -> Appeal:
    """The handling unit signs for the appeal (签收); the settle time limit starts."""
    appeal = appeal_get(user, appeal_id, act=True, for_update=True)
    _expect(appeal, Status.PENDING)
    actor = _person(user)
    appeal.status = Status.ACCEPTED
    _set_deadline(appeal, "settle")
    _save(appeal, "status", "due_at", "yellow_at")
    _event(appeal, EventKind.ACCEPTED, actor=actor, unit=appeal.handling_unit)
    _tell_residents(
        appeal, _("Your appeal is being handled"), _("%(unit)s accepted it.") % {"unit": appeal.handling_unit.name}
    )
    return appeal


@transaction.atomic
def appeal_return(*, user, appeal_id, reason: str, duplicate_of_number: str = "") -> Appeal:
    """Return an appeal at intake with a reason, e.g. a duplicate, linked to the original."""
    appeal = appeal_get(user, appeal_id, act=True, for_update=True)
    _expect(appeal, Status.PENDING)
    reason = _text(reason, "reason", _("Reason"), limit=500)
    original = None
    if isinstance(duplicate_of_number, str) and duplicate_of_number.strip():
        number = clean_key(duplicate_of_number, limit=20)
        original = Appeal.objects.filter(number=number).exclude(pk=appeal.pk).first() if number else None
        if original is None:
            raise DomainError("unknown_appeal", _("Duplicate of: no appeal has this number."), "duplicate_of")
    appeal.status, appeal.duplicate_of, appeal.closed_at = Status.RETURNED, original, timezone.now()
    _clear_deadline(appeal)
    _save(appeal, "status", "duplicate_of", "closed_at", "due_at", "yellow_at")
    note = reason + (f"（{_('duplicate of')} {original.number}）" if original else "")
    _event(appeal, EventKind.RETURNED, actor=_person(user), unit=appeal.handling_unit, note=note)
    _tell_residents(appeal, _("Your appeal was returned"), note)
    return appeal


@transaction.atomic
def appeal_note(*, user, appeal_id, note: str, internal: bool = True) -> Appeal:
    """Add a progress note; a public note is shown to the resident, an internal one only to staff."""
    appeal = appeal_get(user, appeal_id, act=True, for_update=True)
    _expect(appeal, Status.PENDING, Status.ACCEPTED)
    note = _text(note, "note", _("Note"), limit=2000)
    _event(appeal, EventKind.NOTE, actor=_person(user), unit=appeal.handling_unit, note=note, internal=internal)
    if not internal:
        _tell_residents(appeal, _("Progress on your appeal"), note)
    return appeal


@transaction.atomic
def appeal_resolve(*, user, appeal_id, outcome: str, decision_ref: str = "") -> Appeal:
    """Settle the appeal at this level with an outcome the resident sees, then wait for the rating."""
    appeal = appeal_get(user, appeal_id, act=True, for_update=True)
    _expect(appeal, Status.ACCEPTED)
    if appeal.handling_unit.kind == UnitKind.DEPARTMENT:
        raise DomainError("department_answers", _("A department answers to the district, which gives the outcome."))
    outcome = _text(outcome, "outcome", _("Outcome"), limit=OUTCOME_MAX)
    decision_ref = _decision_ref(decision_ref)
    now = timezone.now()
    appeal.status, appeal.outcome, appeal.resolved_at, appeal.resolved_unit = (
        Status.RESOLVED,
        outcome,
        now,
        appeal.handling_unit,
    )
    appeal.due_at, appeal.yellow_at = now + timedelta(days=RATING_DAYS), None
    _save(appeal, "status", "outcome", "resolved_at", "resolved_unit", "due_at", "yellow_at")
    _event(
        appeal,
        EventKind.RESOLVED,
        actor=_person(user),
        unit=appeal.handling_unit,
        note=outcome,
        decision_ref=decision_ref,
    )
    _tell_residents(appeal, _("Your appeal was resolved: please rate the outcome"), outcome)
    for merged in appeal.merged.all():
        merged.outcome = outcome
        _save(merged, "outcome")
    return appeal


def _escalate(
    appeal: Appeal, *, actor: Person | None, reason: str, decision_ref: str = "", kind: str = EventKind.ESCALATED
) -> Appeal:
    unit = appeal.handling_unit
    if unit.kind not in ESCALATES_TO:
        raise DomainError(
            "cannot_escalate",
            _("The district's decision is final: it cannot escalate. Assign the appeal to a department or resolve it."),
        )
    parent = unit.parent
    appeal.handling_unit, appeal.status = parent, Status.PENDING
    _set_deadline(appeal, "accept")
    _save(appeal, "handling_unit", "status", "due_at", "yellow_at")
    _event(appeal, kind, actor=actor, unit=unit, to_unit=parent, note=reason, decision_ref=decision_ref)
    _tell_handlers(appeal, _("Appeal escalated to you by %(unit)s") % {"unit": unit.name})
    _tell_residents(appeal, _("Your appeal went up to %(unit)s") % {"unit": parent.name}, reason)
    return appeal


@transaction.atomic
def appeal_escalate(*, user, appeal_id, reason: str, decision_ref: str = "") -> Appeal:
    """What this level cannot settle goes to the level above, with the reason."""
    appeal = appeal_get(user, appeal_id, act=True, for_update=True)
    _expect(appeal, Status.ACCEPTED)
    reason = _text(reason, "reason", _("Reason"), limit=1000)
    decision_ref = _decision_ref(decision_ref)
    return _escalate(appeal, actor=_person(user), reason=reason, decision_ref=decision_ref)


@transaction.atomic
def appeal_assign(*, user, appeal_id, department_id, note: str = "") -> Appeal:
    """The district hands the appeal to one of its departments, which answers back."""
    appeal = appeal_get(user, appeal_id, act=True, for_update=True)
    _expect(appeal, Status.ACCEPTED)
    if appeal.handling_unit.kind != UnitKind.DISTRICT:
        raise DomainError("not_district", _("Only the district assigns appeals to departments."))
    department = OrgUnit.objects.filter(
        pk=as_int(department_id), kind=UnitKind.DEPARTMENT, parent=appeal.handling_unit, retired_at__isnull=True
    ).first()
    if department is None:
        raise DomainError("unknown_department", _("Department: choose a department of the district."), "department")
    note = _text(note, "note", _("Instruction"), required=False, limit=1000)
    district = appeal.handling_unit
    appeal.handling_unit, appeal.status = department, Status.PENDING
    _set_deadline(appeal, "accept")
    _save(appeal, "handling_unit", "status", "due_at", "yellow_at")
    _event(appeal, EventKind.ASSIGNED, actor=_person(user), unit=district, to_unit=department, note=note)
    _tell_handlers(appeal, _("Appeal assigned to you by the district"))
    return appeal


@transaction.atomic
def appeal_answer(*, user, appeal_id, answer: str) -> Appeal:
    """A department answers back to the district, which then decides the outcome."""
    appeal = appeal_get(user, appeal_id, act=True, for_update=True)
    _expect(appeal, Status.ACCEPTED)
    if appeal.handling_unit.kind != UnitKind.DEPARTMENT:
        raise DomainError("not_department", _("Only a department answers back to the district."))
    answer = _text(answer, "answer", _("Answer"))
    department = appeal.handling_unit
    appeal.handling_unit, appeal.status = department.parent, Status.ACCEPTED
    _set_deadline(appeal, "settle")
    _save(appeal, "handling_unit", "status", "due_at", "yellow_at")
    _event(appeal, EventKind.ANSWERED, actor=_person(user), unit=department, to_unit=department.parent, note=answer)
    _tell_handlers(appeal, _("%(unit)s answered") % {"unit": department.name})
    return appeal


# ---- the resident's rating ------------------------------------------------------------------


@transaction.atomic
def appeal_rate(*, user, appeal_id, score: str, comment: str = "") -> Appeal:
    """The resident rates the outcome within 7 days. 不满意 reopens once; a second escalates."""
    appeal = appeal_get(user, appeal_id, for_update=True)
    person = _person(user)
    if appeal.raised_by_id != person.pk:
        raise DomainError("not_yours", _("Only the resident who raised the appeal can rate it."))
    _expect(appeal, Status.RESOLVED)
    if score not in Score.values:
        raise DomainError("bad_score", _("Rating: choose satisfied, basically satisfied or not satisfied."), "score")
    comment = _text(comment, "comment", _("Comment"), required=False, limit=500)
    unit = appeal.handling_unit
    Rating.objects.create(appeal=appeal, round=appeal.reopen_count, score=score, comment=comment, unit=unit, by=person)
    _event(
        appeal,
        EventKind.RATED,
        actor=person,
        unit=unit,
        note=f"{_record(Score(score).label)}{'：' + comment if comment else ''}",
    )
    if score != Score.UNSATISFIED:
        return _close(appeal, actor=person)
    if appeal.reopen_count == 0:
        appeal.status, appeal.reopen_count = Status.ACCEPTED, 1
        _set_deadline(appeal, "settle")
        _save(appeal, "status", "reopen_count", "due_at", "yellow_at")
        _event(appeal, EventKind.REOPENED, actor=person, unit=unit, note=comment)
        _tell_handlers(appeal, _("The resident was not satisfied: the appeal is reopened"))
        return appeal
    if unit.kind in ESCALATES_TO:
        appeal.reopen_count += 1
        _save(appeal, "reopen_count")
        return _escalate(
            appeal, actor=person, reason=_record(gettext_lazy("Not satisfied a second time: escalated automatically."))
        )
    # At the district a second 不满意 is recorded, and the district's decision stands (§5.2.5.2).
    return _close(appeal, actor=person)


def _close(appeal: Appeal, *, actor: Person | None, note: str = "") -> Appeal:
    appeal.status, appeal.closed_at = Status.CLOSED, timezone.now()
    _clear_deadline(appeal)
    _save(appeal, "status", "closed_at", "due_at", "yellow_at")
    _event(appeal, EventKind.CLOSED, actor=actor, unit=appeal.handling_unit, note=note)
    for merged in appeal.merged.exclude(status=Status.CLOSED):
        merged.status, merged.closed_at = Status.CLOSED, appeal.closed_at
        _save(merged, "status", "closed_at")
    return appeal


# ---- merging, supervision, extensions -------------------------------------------------------


@transaction.atomic
def appeal_merge(*, user, target_id, other_ids) -> Appeal:
    """Merge similar open appeals into one topic, so every household follows one outcome."""
    target = appeal_get(user, target_id, act=True, for_update=True)
    _expect(target, Status.PENDING, Status.ACCEPTED)
    actor = _person(user)
    other_ids = list(dict.fromkeys(as_ids(other_ids)))
    if len(other_ids) > MERGE_MAX:
        raise DomainError("too_many", _("Merge: at most %(n)s appeals at a time.") % {"n": MERGE_MAX}, "others")
    merged = []
    for other_id in other_ids:
        other = appeal_get(user, other_id, act=True, for_update=True)
        if other.pk == target.pk:
            continue
        _expect(other, Status.PENDING, Status.ACCEPTED)
        if other.handling_unit_id != target.handling_unit_id:
            raise DomainError("different_unit", _("Only appeals handled by the same unit can be merged."))
        other.status, other.merged_into = Status.MERGED, target
        _clear_deadline(other)
        _save(other, "status", "merged_into", "due_at", "yellow_at")
        _event(
            other,
            EventKind.MERGED,
            actor=actor,
            unit=other.handling_unit,
            note=_("Merged into %(number)s") % {"number": target.number},
        )
        merged.append(other)
    if not merged:
        raise DomainError("nothing_to_merge", _("Choose at least one other appeal to merge."), "others")
    _event(
        target,
        EventKind.MERGED,
        actor=actor,
        unit=target.handling_unit,
        note=_("Merged in: %(numbers)s") % {"numbers": "、".join(m.number for m in merged)},
    )
    _tell_residents(target, _("Similar appeals are now handled together"))
    return target


@transaction.atomic
def appeal_supervise(*, user, appeal_id, note: str) -> SupervisionOrder:
    """A level above the handling unit issues a supervision order (督办单)."""
    appeal = appeal_get(user, appeal_id, for_update=True)
    _expect(appeal, Status.PENDING, Status.ACCEPTED)
    scope = scope_for(user)
    issuer = next(
        (
            r.unit
            for r in sorted(scope.roles, key=lambda r: -r.unit.depth)
            if r.kind in STAFF_ROLES - {"auditor"}
            and appeal.handling_unit.path.startswith(r.unit.path)
            and r.unit.pk != appeal.handling_unit_id
        ),
        None,
    )
    if issuer is None:
        raise DomainError("not_above", _("Only a level above the handling unit can issue a supervision order."))
    note = _text(note, "note", _("Instruction"), limit=500)
    order = SupervisionOrder.objects.create(
        appeal=appeal, from_unit=issuer, to_unit=appeal.handling_unit, issued_by=_person(user), note=note
    )
    _event(appeal, EventKind.SUPERVISED, actor=order.issued_by, unit=issuer, to_unit=appeal.handling_unit, note=note)
    _tell_handlers(appeal, _("Supervision order from %(unit)s") % {"unit": issuer.name})
    return order


@transaction.atomic
def appeal_request_extension(*, user, appeal_id, days, reason: str) -> Extension:
    """Ask the level above for more time: up to 10 more working days in all."""
    appeal = appeal_get(user, appeal_id, act=True, for_update=True)
    _expect(appeal, Status.ACCEPTED)
    days = as_int(days)
    room = MAX_EXTENSION_DAYS - appeal.extension_days
    if days is None or days < 1 or days > room:
        raise DomainError("bad_days", _("Working days: enter a number from 1 to %(n)s.") % {"n": room}, "days")
    if appeal.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise DomainError("pending_extension", _("An extension request is already waiting for a decision."))
    if appeal.handling_unit.parent is None:
        raise DomainError("no_level_above", _("The district has no level above to approve an extension."))
    reason = _text(reason, "reason", _("Reason"), limit=500)
    extension = Extension.objects.create(
        appeal=appeal, unit=appeal.handling_unit, days=days, reason=reason, requested_by=_person(user)
    )
    _event(
        appeal,
        EventKind.EXTENSION_REQUESTED,
        actor=extension.requested_by,
        unit=appeal.handling_unit,
        note=f"+{days}：{reason}",
        internal=True,
    )
    notify(
        people=_handlers(appeal.handling_unit.parent),
        title=f"{appeal.number} {_('Extension requested')}",
        body=reason,
        link=reverse("appeals:detail", args=[appeal.pk]),
    )
    return extension


@transaction.atomic
def appeal_decide_extension(*, user, extension_id, approve: bool) -> Extension:
    """The level above approves or refuses an extension; approval moves the deadline on."""
    extension = Extension.objects.select_for_update().filter(pk=as_int(extension_id)).first()
    if extension is None:
        raise Http404  # as for an extension outside the person's area (appeal_get below)
    appeal = appeal_get(user, extension.appeal_id, for_update=True)
    parent = extension.unit.parent
    if parent is None or not scope_for(user).covers(parent.path, write=True):
        raise DomainError("not_above", _("Only the level above can decide an extension."))
    if extension.status != ExtensionStatus.PENDING:
        raise DomainError("already_handled", _("This extension request was already decided."))
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by, extension.decided_at = _person(user), timezone.now()
    extension.save(update_fields=["status", "decided_by", "decided_at"])
    if approve and appeal.status == Status.ACCEPTED and appeal.handling_unit_id == extension.unit_id:
        appeal.extension_days += extension.days
        cal = engine.calendar()
        appeal.due_at = engine.due_at(appeal.due_at, extension.days, cal)
        rule = engine.rule_for(level=appeal.handling_unit.kind, stage="settle", category_code=appeal.category.code)
        appeal.yellow_at = engine.yellow_at(appeal.due_at, rule.yellow_before, cal)
        _save(appeal, "extension_days", "due_at", "yellow_at")
    _event(
        appeal,
        EventKind.EXTENSION_DECIDED,
        actor=extension.decided_by,
        unit=parent,
        to_unit=extension.unit,
        note=f"+{extension.days} {extension.get_status_display()}",
        internal=True,
    )
    return extension


@transaction.atomic
def appeal_link_resource(*, user, appeal_id, resource_id, part: str) -> AppealResource:
    """Link a mediator, adviser, social organisation or partner with its part in settling it (R-3.8)."""
    appeal = appeal_get(user, appeal_id, act=True, for_update=True)
    resource = Resource.objects.filter(
        pk=as_int(resource_id), active=True, unit__path__in=appeal.handling_unit.ancestor_paths
    ).first()
    if resource is None:
        raise DomainError("unknown_resource", _("Resource: choose one from the directory."), "resource")
    part = _text(part, "part", _("Part in settling it"), limit=300)
    link, created = AppealResource.objects.get_or_create(
        appeal=appeal, resource=resource, defaults={"part": part, "added_by": _person(user)}
    )
    if not created:
        raise DomainError("already_linked", _("This resource is already linked."), "resource")
    _event(
        appeal,
        EventKind.RESOURCE_LINKED,
        actor=link.added_by,
        unit=appeal.handling_unit,
        note=f"{resource.get_kind_display()}：{resource.name}（{part}）",
    )
    return link


# ---- time-based rules -----------------------------------------------------------------------


def tick(*, now=None) -> dict:
    """Apply the time-based rules: close resolved appeals left unrated for 7 days.

    Safe to run every minute and twice at once: each appeal is locked and re-checked in its
    own transaction, so a second runner finds nothing left to do.
    """
    now = now or timezone.now()
    closed = 0
    due = Appeal.objects.filter(status=Status.RESOLVED, due_at__lte=now).values_list("pk", flat=True)
    for pk in list(due[:5000]):
        with transaction.atomic():
            appeal = (
                Appeal.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("handling_unit")
                .filter(pk=pk, status=Status.RESOLVED, due_at__lte=now)
                .first()
            )
            if appeal is None:
                continue
            _close(appeal, actor=None, note=_record(gettext_lazy("No rating within 7 days: closed automatically.")))
            closed += 1
    return {"closed_unrated": closed}


__all__ = [
    "appeal_submit",
    "appeal_accept",
    "appeal_return",
    "appeal_note",
    "appeal_resolve",
    "appeal_escalate",
    "appeal_assign",
    "appeal_answer",
    "appeal_rate",
    "appeal_merge",
    "appeal_supervise",
    "appeal_request_extension",
    "appeal_decide_extension",
    "appeal_link_resource",
    "tick",
    "can_act",
]
