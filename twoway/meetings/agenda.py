"""Meetings, participants, topics and their steps (R-4.1, R-3.2–R-3.5)."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from twoway.appeals.models import Appeal, EventKind, Status
from twoway.core.errors import DomainError
from twoway.core.parse import as_ids, as_int
from twoway.core.text import clean_key, clean_text
from twoway.org.models import OrgUnit, Person, Role, RoleKind, UnitKind
from twoway.org.scope import scope_for

from .models import (
    MATTER_MAX,
    MINUTES_MAX,
    PLAN_MAX,
    Attendance,
    Meeting,
    MeetingType,
    Motion,
    MotionEffect,
    MotionStatus,
    Participant,
    ParticipantRole,
    Topic,
)
from .votes import _may_run


@transaction.atomic
def meeting_create(
    *,
    user,
    unit: OrgUnit,
    type_code: str,
    title: str,
    starts_at,
    place: str = "",
    online_link: str = "",
    urgent: bool = False,
) -> Meeting:
    """Call a meeting of the unit's own type; the person calling it is the convener."""
    if not scope_for(user).covers(unit.path, write=True):
        raise DomainError("not_in_area", _("Unit: you cannot call a meeting for this unit."), "unit")
    code = clean_key(type_code, limit=50)
    mtype = MeetingType.objects.filter(code=code, level=unit.kind).first() if code else None
    if mtype is None:
        raise DomainError("wrong_type", _("Type: this kind of meeting is not held at this level."), "type")
    title = clean_text(title, field="title", label=pgettext("meeting", "Title"), limit=200, required=True)
    place = clean_text(place, field="place", label=_("Place"), limit=200)
    online_link = clean_text(online_link, field="online_link", label=_("Online link"), limit=200)
    if online_link:
        try:
            URLValidator(schemes=["http", "https"])(online_link)
        except ValidationError:
            raise DomainError("bad_link", _("Online link: enter a web address (https://…)."), "online_link") from None
    if not place and not online_link:
        raise DomainError("no_place", _("Place: give a place or an online link."), "place")
    if not isinstance(starts_at, datetime):
        raise DomainError("bad_time", _("Time: enter a date and time."), "starts_at")
    return Meeting.objects.create(
        type=mtype,
        unit=unit,
        title=title,
        convener=scope_for(user).person,
        starts_at=starts_at,
        place=place,
        online_link=online_link,
        urgent=urgent,
    )


@transaction.atomic
def participants_add(*, user, meeting: Meeting, people: list[Person], role: str = "member", votes: bool = True) -> int:
    """Add people to the meeting in one role (members vote by default); those already in it stay as they are."""
    _may_run(user, meeting)
    if role not in ParticipantRole.values:
        raise DomainError("bad_role", _("Role: choose one of the list."), "role")
    added = 0
    for person in people:
        _obj, created = Participant.objects.get_or_create(
            meeting=meeting, person=person, defaults={"role": role, "votes": votes}
        )
        added += created
    return added


@transaction.atomic
def person_invite(*, user, meeting: Meeting, query: str) -> Person:
    """Invite one person of the meeting's unit (or below) by name or phone, as a voting member."""
    _may_run(user, meeting)
    if not isinstance(query, str) or not query.strip():
        raise DomainError("required", _("Person: give a name or a phone number."), "person")
    query = clean_key(query, limit=50)  # empty when it cannot be a name or a phone: matches nobody
    found = []
    if query:
        found = list(
            Person.objects.filter(unit__path__startswith=meeting.unit.path, retired_at__isnull=True)
            .filter(models.Q(name=query) | models.Q(phone=query))
            .order_by("id")[:2]
        )
    if not found:
        raise DomainError("no_person", _("Person: nobody of this unit has that name or phone."), "person")
    if len(found) > 1:
        raise DomainError("ambiguous", _("Person: several people share this name; give the phone number."), "person")
    if Participant.objects.filter(meeting=meeting, person=found[0]).exists():
        raise DomainError("already", _("Person: already a participant of this meeting."), "person")
    participants_add(user=user, meeting=meeting, people=found)
    return found[0]


def departments_for(meeting: Meeting):
    """The district departments that may be invited: those of the meeting's own district."""
    district_path = meeting.unit.ancestor_paths[0]
    return OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT, path__startswith=district_path).active().order_by("path")


@transaction.atomic
def departments_invite(*, user, meeting: Meeting, unit_ids) -> int:
    """Invite district departments: their officers attend as invited departments (列席), without a vote."""
    _may_run(user, meeting)
    ids = as_ids(unit_ids)
    units = list(departments_for(meeting).filter(pk__in=ids))
    if not units or len(units) != len(set(ids)):
        raise DomainError("not_department", _("Department: choose a department of this district."), "department")
    roles = Role.objects.filter(unit__in=units, kind__in=(RoleKind.LEADER, RoleKind.STAFF))
    people = list(Person.objects.filter(pk__in=roles.values("person_id"), retired_at__isnull=True))
    if not people:
        raise DomainError(
            "no_officers",
            _("Department: nobody works for this department yet, so nobody can be invited."),
            "department",
        )
    return participants_add(user=user, meeting=meeting, people=people, role=ParticipantRole.INVITED, votes=False)


@transaction.atomic
def minutes_save(*, user, meeting_id, text: str) -> Meeting:
    """Write the meeting's record (会议纪要正文); only the convener or the unit's staff may."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=as_int(meeting_id)).first()
    )
    if meeting is None:
        raise DomainError("unknown_meeting", _("No such meeting."))
    _may_run(user, meeting)
    if isinstance(text, str) and len(text.strip()) > MINUTES_MAX:
        raise DomainError("too_long", _("Minutes: keep the record under 20,000 characters."), "minutes")
    text = clean_text(text, field="minutes", label=_("Minutes"), limit=MINUTES_MAX)
    meeting.minutes = text
    meeting.save(update_fields=["minutes"])
    return meeting


@transaction.atomic
def attendance_set(*, user, meeting: Meeting, person_id, attendance: str) -> Participant:
    """Record whether a participant came (present, absent or by proxy)."""
    _may_run(user, meeting)
    if attendance not in Attendance.values:
        raise DomainError("bad_attendance", _("Attendance: choose present, absent or by proxy."), "attendance")
    participant = Participant.objects.filter(meeting=meeting, person_id=as_int(person_id)).first()
    if participant is None:
        raise DomainError("not_participant", _("This person is not a participant of the meeting."))
    participant.attendance = attendance
    participant.save(update_fields=["attendance"])
    return participant


@transaction.atomic
def topic_add(*, user, meeting: Meeting, title: str, appeal_ids=(), matter: str = "", funds=None) -> Topic:
    """Put a matter, or one or more appeals handled by the meeting's unit, on the agenda; `funds`
    is the amount of community funds (yuan) the matter would spend, if any."""
    from twoway.appeals.flow import _event, _person

    _may_run(user, meeting)
    funds = _parse_funds(funds)
    appeals = list(Appeal.objects.select_for_update().filter(pk__in=as_ids(appeal_ids)))
    for appeal in appeals:
        if appeal.handling_unit_id != meeting.unit_id or appeal.status != Status.ACCEPTED:
            raise DomainError(
                "appeal_not_here",
                _("Appeals: %(number)s is not being handled by this unit.") % {"number": appeal.number},
                "appeals",
            )
    matter = clean_text(matter, field="matter", label=_("Matter"), limit=MATTER_MAX)
    if not appeals and not matter:
        raise DomainError("empty_topic", _("Topic: choose appeals or describe the matter."), "matter")
    title = clean_text(title, field="title", label=pgettext("meeting", "Title"), limit=200, required=not appeals)
    topic = Topic.objects.create(meeting=meeting, title=title or appeals[0].category.name, matter=matter, funds=funds)
    topic.appeals.set(appeals)
    actor = _person(user)
    for appeal in appeals:
        _event(
            appeal, EventKind.ON_AGENDA, actor=actor, unit=meeting.unit, note=f"{meeting.type.name}：{meeting.title}"
        )
    return topic


def _parse_funds(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise DomainError("bad_funds", _("Community funds: enter an amount in yuan, such as 3200."), "funds")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def topic_advance(*, user, topic_id, plan: str = "") -> Topic:
    """Move a topic to its next step. Steps cannot be skipped; the vote must be over before
    the topic moves on to implementation."""
    topic = (
        Topic.objects.select_for_update()
        .select_related("meeting__type", "meeting__unit")
        .filter(pk=as_int(topic_id))
        .first()
    )
    if topic is None:
        raise DomainError("unknown_topic", _("No such topic."))
    _may_run(user, topic.meeting)
    plan = clean_text(plan, field="plan", label=_("Plan"), limit=PLAN_MAX)
    steps = topic.meeting.type.steps
    if topic.step + 1 >= len(steps):
        raise DomainError("last_step", _("The topic has reached its last step."))
    current = steps[topic.step]
    if current == "draft" and not (plan or topic.plan.strip()):
        raise DomainError("no_plan", _("Plan: draft the plan before moving on."), "plan")
    if current in ("deliberate", "decide"):
        motions = topic.motions.all()
        if not motions or any(m.status != MotionStatus.CLOSED for m in motions):
            raise DomainError("vote_not_done", _("Close the vote on every motion before moving on."))
    if plan:
        topic.plan = plan
    topic.step += 1
    topic.save(update_fields=["step", "plan"])
    if steps[topic.step] == "publish":
        from twoway.notices.publish import notice_for_topic

        notice_for_topic(topic=topic)
    return topic


@transaction.atomic
def motion_add(*, user, topic: Topic, text: str, effect: str = "none", appeal_ids=()) -> Motion:
    """Put a motion to the topic (at its deliberation step), with what passing it does to the appeals."""
    topic = Topic.objects.select_related("meeting__type", "meeting__unit").get(pk=topic.pk)
    _may_run(user, topic.meeting)
    text = clean_text(text, field="text", label=_("Motion"), limit=500, required=True)
    if effect not in MotionEffect.values:
        raise DomainError("bad_effect", _("Effect: choose one of the list."), "effect")
    if topic.meeting.type.steps[topic.step] not in ("deliberate", "decide", "draft", "discuss"):
        raise DomainError("wrong_step", _("Motions are put at the deliberation step."))
    motion = Motion.objects.create(topic=topic, text=text, effect=effect)
    chosen = topic.appeals.filter(pk__in=as_ids(appeal_ids))
    motion.appeals.set(chosen)
    return motion
