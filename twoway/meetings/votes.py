"""Voting on motions (R-4.2): open, cast, close, recount. A closed motion stores its counts
and the rule that produced them; `motion_recount` checks them against the ballots."""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.core.errors import DomainError
from twoway.core.parse import as_int
from twoway.org.models import Person
from twoway.org.scope import scope_for

from .models import Attendance, Ballot, Meeting, Motion, MotionStatus, Participant, VoteReceipt
from .rules import Base, Choice, Majority, Rule, Tally, tally

VOTING_ATTENDANCE = (Attendance.PRESENT, Attendance.PROXY)


def _may_run(user, meeting: Meeting) -> None:
    scope = scope_for(user)
    person = scope.person
    if not (scope.covers(meeting.unit.path, write=True) or (person and person.pk == meeting.convener_id)):
        raise DomainError("not_convener", _("Only the convener or staff of the unit can run this meeting."))


def _motion_for_update(motion_id) -> Motion:
    motion = (
        Motion.objects.select_for_update(of=("self",))
        .select_related("topic__meeting__type", "topic__meeting__unit")
        .filter(pk=as_int(motion_id))
        .first()
    )
    if motion is None:
        raise DomainError("unknown_motion", _("No such motion."))
    return motion


@transaction.atomic
def motion_open(*, user, motion_id) -> Motion:
    """Open voting on a motion, explicitly."""
    motion = _motion_for_update(motion_id)
    _may_run(user, motion.topic.meeting)
    if motion.status != MotionStatus.DRAFT:
        raise DomainError("not_draft", _("Voting on this motion has already been opened."))
    motion.status, motion.opened_at = MotionStatus.OPEN, timezone.now()
    motion.save(update_fields=["status", "opened_at"])
    return motion


@transaction.atomic
def ballot_cast(*, user, motion_id, choice: str) -> None:
    """Cast one ballot. A late, duplicate or ineligible ballot is refused with its reason."""
    person: Person | None = scope_for(user).person
    motion = Motion.objects.select_related("topic__meeting__type").filter(pk=as_int(motion_id)).first()
    if motion is None or person is None:
        raise DomainError("unknown_motion", _("No such motion."))
    if choice not in [c.value for c in Choice]:
        raise DomainError("bad_choice", _("Ballot: choose for, against or abstain."), "choice")
    if motion.status == MotionStatus.DRAFT:
        raise DomainError("not_open", _("Voting on this motion has not opened yet."))
    if motion.status == MotionStatus.CLOSED:
        raise DomainError("late", _("Voting on this motion has closed: the ballot came too late."))
    member = Participant.objects.filter(meeting=motion.topic.meeting, person=person).first()
    if member is None or not member.votes:
        raise DomainError("not_eligible", _("You are not a voting member of this meeting."))
    if member.attendance not in VOTING_ATTENDANCE:
        raise DomainError("not_present", _("Only members recorded as present (or by proxy) can vote."))
    secret = motion.topic.meeting.type.secret
    try:
        with transaction.atomic():
            VoteReceipt.objects.create(motion=motion, voter=person)
    except IntegrityError:
        raise DomainError("duplicate", _("You have already voted on this motion.")) from None
    if secret:
        # No voter, the opening time instead of the moment, and a random id rather than the
        # next in sequence: otherwise the order of ballots would match the order of receipts.
        Ballot.objects.create(
            pk=SECRET_ID_FLOOR + secrets.randbelow(SECRET_ID_SPAN), motion=motion, choice=choice, at=motion.opened_at
        )
    else:
        Ballot.objects.create(motion=motion, voter=person, choice=choice, at=timezone.now())


SECRET_ID_FLOOR = 2**40  # far above any id the sequence will hand out
SECRET_ID_SPAN = 2**62 - 2**40


def stored_rule(motion: Motion) -> Rule:
    """The rule a closed motion was counted under (kept with its result), else its type's rule now."""
    saved = (motion.result or {}).get("rule")
    if saved:
        return Rule(int(saved["quorum_percent"]), Majority(saved["majority"]), Base(saved["base"]))
    return motion.topic.meeting.type.rule


def count(motion: Motion, rule: Rule | None = None) -> Tally:
    """Count a motion's ballots under a rule (by default its meeting type's), from the rows as they are now."""
    meeting = motion.topic.meeting
    members = Participant.objects.filter(meeting=meeting, votes=True)
    eligible = members.count()
    present = members.filter(attendance__in=VOTING_ATTENDANCE).count()
    choices = list(motion.ballots.values_list("choice", flat=True))
    return tally(rule or meeting.type.rule, choices=choices, eligible=eligible, present=present)


@transaction.atomic
def motion_close(*, user, motion_id) -> Motion:
    """Close voting, store the result with its rule, and carry out the motion's effect."""
    motion = _motion_for_update(motion_id)
    meeting = motion.topic.meeting
    _may_run(user, meeting)
    if motion.status != MotionStatus.OPEN:
        raise DomainError("not_open", _("Voting on this motion is not open."))
    rule = meeting.type.rule
    result = count(motion, rule)
    motion.status, motion.closed_at = MotionStatus.CLOSED, timezone.now()
    stored = {
        **result.as_dict(),
        "rule": {"quorum_percent": rule.quorum_percent, "majority": rule.majority.value, "base": rule.base.value},
    }
    motion.result, motion.rule, motion.passed = stored, rule.describe(), result.passed
    motion.save(update_fields=["status", "closed_at", "result", "rule", "passed"])
    if result.passed:
        from .effects import apply_effect

        apply_effect(user=user, motion=motion)
    return motion


def stored_counts(motion: Motion) -> dict:
    """The stored result without the rule it was counted under."""
    return {k: v for k, v in (motion.result or {}).items() if k != "rule"}


def motion_recount(motion: Motion) -> bool:
    """True when the stored result equals a fresh count of the ballots under the stored rule.
    A later change to the meeting type's rule does not make an honest result look altered."""
    if motion.status != MotionStatus.CLOSED:
        return False
    rule = stored_rule(motion)
    fresh = count(motion, rule).as_dict()
    return stored_counts(motion) == fresh and motion.rule == rule.describe() and motion.passed == fresh["passed"]
