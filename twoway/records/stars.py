"""Star residents (社区星居民, §5.1.3.3): conduct records, nominations with evidence, the
quarterly vote of the community's resident representatives, and the published lists.

The vote is a meeting of the meetings app: one consultation meeting per round, one topic, one
motion per nomination, counted by its rules. This module only calls that app's public
functions (`agenda`, `votes`); what it has to do around them is marked "adapter".
"""

from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.core.errors import DomainError
from twoway.core.parse import as_ids, as_int
from twoway.core.text import clean_text
from twoway.meetings import agenda, votes
from twoway.meetings.models import MotionStatus
from twoway.org.models import OrgUnit, Person, RoleKind, UnitKind
from twoway.org.scope import scope_for

from .models import EVIDENCE_MAX, ConductRecord, Nomination, NominationKind, RoundStatus, StarCategory, StarRound

VOTE_MEETING_TYPE = "consultation"


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * (quarter - 1) + 1, 1)
    last = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, last


def _actor(user) -> Person:
    person = scope_for(user).person
    if person is None:
        raise DomainError("no_person", _("Your login is not linked to a person."))
    return person


def _require_write(user, unit: OrgUnit) -> Person:
    if not scope_for(user).covers(unit.path, write=True):
        raise DomainError("not_in_area", _("Community: you cannot act for this community."), "community")
    return _actor(user)


def _community_member(community: OrgUnit, person_id) -> Person:
    person = (
        Person.objects.filter(pk=as_int(person_id), unit__path__startswith=community.path, retired_at__isnull=True)
        .select_related("unit")
        .first()
    )
    if person is None:
        raise DomainError("not_resident", _("Resident: choose a resident of this community."), "person")
    return person


@transaction.atomic
def conduct_record(*, user, person_id, category: str, happened_on: date | None, note: str) -> ConductRecord:
    """Record one act of a resident's daily conduct in one of the ten categories."""
    person = Person.objects.filter(pk=as_int(person_id)).select_related("unit").first()
    if person is None:
        raise DomainError("not_resident", _("Resident: choose a resident."), "person")
    community = _community_of(person.unit)
    actor = _require_write(user, community)
    if category not in StarCategory.values:
        raise DomainError("bad_category", _("Category: choose one of the ten categories."), "category")
    note = clean_text(note, field="note", label=_("What happened"), limit=500, required=True)
    if happened_on is None or happened_on > timezone.localdate():
        raise DomainError("bad_date", _("Date: enter a date that is not in the future."), "happened_on")
    return ConductRecord.objects.create(
        person=person,
        community=community,
        category=category,
        happened_on=happened_on,
        note=note,
        recorded_by=actor,
    )


def _community_of(unit: OrgUnit) -> OrgUnit:
    if unit.kind == UnitKind.COMMUNITY:
        return unit
    if unit.kind == UnitKind.GROUP:
        return unit.parent
    raise DomainError("not_resident", _("Resident: choose a resident of a community."), "person")


@transaction.atomic
def round_open(*, user, community_id, year: int, quarter: int) -> StarRound:
    """Open a community's selection for one quarter (one per quarter)."""
    community = OrgUnit.objects.filter(pk=as_int(community_id), kind=UnitKind.COMMUNITY).first()
    if community is None:
        raise DomainError("required", _("Community: choose a community."), "community")
    _require_write(user, community)
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100:
        raise DomainError("bad_quarter", _("Quarter: choose a year and a quarter from 1 to 4."), "quarter")
    try:
        with transaction.atomic():
            return StarRound.objects.create(community=community, year=year, quarter=quarter)
    except IntegrityError:
        raise DomainError(
            "duplicate", _("Quarter: this community already has a selection for that quarter."), "quarter"
        ) from None


def _round_for_update(round_id) -> StarRound:
    star_round = (
        StarRound.objects.select_for_update(of=("self",))
        .select_related("community")
        .filter(pk=as_int(round_id))
        .first()
    )
    if star_round is None:
        raise DomainError("unknown_round", _("No such selection."))
    return star_round


@transaction.atomic
def nomination_add(
    *, user, round_id, person_id, kind: str, category: str = "", evidence: str = "", conduct_ids=()
) -> Nomination:
    """Nominate a resident of the community, with evidence, while the round takes nominations."""
    star_round = _round_for_update(round_id)
    actor = _require_write(user, star_round.community)
    if star_round.status != RoundStatus.NOMINATING:
        raise DomainError("closed", _("Nominations are closed for this quarter."))
    person = _community_member(star_round.community, person_id)
    if kind not in NominationKind.values:
        raise DomainError("bad_kind", _("List: choose the comprehensive or a single-item list."), "kind")
    if kind == NominationKind.SINGLE and category not in StarCategory.values:
        raise DomainError("bad_category", _("Category: choose one of the ten categories."), "category")
    if kind == NominationKind.COMPREHENSIVE:
        category = ""
    conduct = list(ConductRecord.objects.filter(pk__in=as_ids(conduct_ids), person=person))
    evidence = clean_text(evidence, field="evidence", label=_("Evidence"), limit=EVIDENCE_MAX)
    if not evidence and conduct:
        evidence = "；".join(c.note for c in conduct)[:EVIDENCE_MAX]
    if not evidence:
        raise DomainError(
            "no_evidence", _("Evidence: describe what the resident did, or tick conduct records."), "evidence"
        )
    if Nomination.objects.filter(round=star_round, person=person, kind=kind, category=category).exists():
        raise DomainError("duplicate", _("Resident: already nominated for this list."), "person")
    nomination = Nomination.objects.create(
        round=star_round, person=person, kind=kind, category=category, evidence=evidence, nominated_by=actor
    )
    nomination.conduct.set(conduct)
    return nomination


@transaction.atomic
def nomination_withdraw(*, user, round_id, nomination_id) -> None:
    star_round = _round_for_update(round_id)
    _require_write(user, star_round.community)
    if star_round.status != RoundStatus.NOMINATING:
        raise DomainError("closed", _("Nominations are closed for this quarter."))
    Nomination.objects.filter(round=star_round, pk=as_int(nomination_id)).delete()


def representatives(community: OrgUnit):
    """The community's resident representatives (居民代表), who vote on the lists."""
    return (
        Person.objects.filter(
            roles__kind=RoleKind.RESIDENT_REP,
            roles__unit__path__startswith=community.path,
            retired_at__isnull=True,
        )
        .distinct()
        .order_by("unit__path", "name")
    )


def _motion_text(nomination: Nomination) -> str:
    if nomination.kind == NominationKind.COMPREHENSIVE:
        return _("Elect %(name)s a comprehensive star") % {"name": nomination.person.name}
    return _("Elect %(name)s a star for %(category)s") % {
        "name": nomination.person.name,
        "category": StarCategory(nomination.category).label,
    }


@transaction.atomic
def round_start_vote(*, user, round_id, present_ids, starts_at: datetime | None = None, place: str = "") -> StarRound:
    """Close nominations and open the vote: a meeting of the resident representatives with
    one motion per nomination, voting open on each."""
    star_round = _round_for_update(round_id)
    _require_write(user, star_round.community)
    if star_round.status != RoundStatus.NOMINATING:
        raise DomainError("not_nominating", _("The vote on this quarter has already started."))
    nominations = list(star_round.nominations.select_related("person"))
    if not nominations:
        raise DomainError("no_nominations", _("Nominate at least one resident before the vote."))
    reps = list(representatives(star_round.community))
    if not reps:
        raise DomainError("no_reps", _("This community has no resident representatives to vote."))
    present = set(as_ids(present_ids))
    # Adapter: the meetings app has no "election" meeting; a consultation meeting is called,
    # its topic moved to the step where motions are put, one motion per nominee.
    meeting = agenda.meeting_create(
        user=user,
        unit=star_round.community,
        type_code=VOTE_MEETING_TYPE,
        title=_("Star residents, %(quarter)s") % {"quarter": star_round.label},
        starts_at=starts_at or timezone.now(),
        place=place or _("Community party-mass service centre"),
    )
    agenda.participants_add(user=user, meeting=meeting, people=reps)
    for rep in reps:
        agenda.attendance_set(
            user=user, meeting=meeting, person_id=rep.pk, attendance="present" if rep.pk in present else "absent"
        )
    topic = agenda.topic_add(
        user=user,
        meeting=meeting,
        title=_("Star residents, %(quarter)s") % {"quarter": star_round.label},
        matter=_("Quarterly vote of the resident representatives on the star-resident lists (§5.1.3.3)."),
    )
    while topic.step_code not in ("draft", "deliberate", "decide", "discuss"):
        topic = agenda.topic_advance(user=user, topic_id=topic.pk)
    for nomination in nominations:
        motion = agenda.motion_add(user=user, topic=topic, text=_motion_text(nomination))
        votes.motion_open(user=user, motion_id=motion.pk)
        nomination.motion = motion
        nomination.save(update_fields=["motion"])
    star_round.meeting = meeting
    star_round.status = RoundStatus.VOTING
    star_round.save(update_fields=["meeting", "status"])
    return star_round


def ballot_cast(*, user, nomination_id, choice: str) -> None:
    """A representative's ballot on one nominee, cast through the meetings app."""
    nomination = Nomination.objects.filter(pk=as_int(nomination_id)).select_related("round").first()
    if nomination is None or nomination.motion_id is None:
        raise DomainError("not_open", _("Voting on this nomination has not opened."))
    votes.ballot_cast(user=user, motion_id=nomination.motion_id, choice=choice)


@transaction.atomic
def round_publish(*, user, round_id) -> StarRound:
    """Close every motion, store who was elected, and publish the lists."""
    star_round = _round_for_update(round_id)
    _require_write(user, star_round.community)
    if star_round.status != RoundStatus.VOTING:
        raise DomainError("not_voting", _("This quarter's vote is not open."))
    for nomination in star_round.nominations.select_related("motion"):
        motion = nomination.motion
        if motion.status == MotionStatus.OPEN:
            motion = votes.motion_close(user=user, motion_id=motion.pk)
        nomination.elected = motion.passed is True
        nomination.save(update_fields=["elected"])
    star_round.status, star_round.published_at = RoundStatus.PUBLISHED, timezone.now()
    star_round.save(update_fields=["status", "published_at"])
    return star_round


# ---- reads ---------------------------------------------------------------------------------


def published_lists(star_round: StarRound) -> dict:
    """The comprehensive list and the single-item lists of a published round (names only)."""
    elected = list(
        star_round.nominations.filter(elected=True).select_related("person").order_by("category", "person__name")
    )
    single = []
    for value, label in StarCategory.choices:
        names = [n.person.name for n in elected if n.kind == NominationKind.SINGLE and n.category == value]
        if names:
            single.append((label, names))
    return {
        "comprehensive": [n.person.name for n in elected if n.kind == NominationKind.COMPREHENSIVE],
        "single": single,
    }


def public_rounds(*, community_id=None, year=None, quarter=None):
    qs = StarRound.objects.filter(status=RoundStatus.PUBLISHED).select_related("community__parent")
    if community_id:
        qs = qs.filter(community_id=as_int(community_id))
    if year and quarter:
        qs = qs.filter(year=as_int(year), quarter=as_int(quarter))
    return qs.order_by("-year", "-quarter", "community__path")


def visible_rounds(user):
    """Staff see their area's rounds; a representative also the rounds they vote in."""
    from twoway.meetings.models import Participant

    scope = scope_for(user)
    q = scope.unit_q("community") if scope.is_staff else Q(pk__in=[])
    if scope.person is not None:
        q |= Q(meeting_id__in=Participant.objects.filter(person=scope.person).values("meeting_id"))
    return StarRound.objects.filter(q).select_related("community")


def round_get(user, pk) -> StarRound:
    from django.http import Http404

    star_round = visible_rounds(user).filter(pk=as_int(pk)).first()
    if star_round is None:
        raise Http404
    return star_round


def my_ballots(person: Person | None, star_round: StarRound) -> dict[int, bool]:
    """For a representative: which nominations' motions they have voted on (motion id → True)."""
    if person is None or star_round.meeting_id is None:
        return {}
    from twoway.meetings.models import VoteReceipt

    return dict.fromkeys(
        VoteReceipt.objects.filter(motion__topic__meeting_id=star_round.meeting_id, voter=person).values_list(
            "motion_id", flat=True
        ),
        True,
    )


def is_voter(person: Person | None, star_round: StarRound) -> bool:
    if person is None or star_round.meeting_id is None:
        return False
    from twoway.meetings.models import Participant

    return Participant.objects.filter(
        meeting_id=star_round.meeting_id, person=person, votes=True, attendance__in=votes.VOTING_ATTENDANCE
    ).exists()


def rep_rounds(person: Person | None):
    """Rounds a resident representative may vote in now."""
    if person is None:
        return StarRound.objects.none()
    from twoway.meetings.models import Participant

    meetings = Participant.objects.filter(person=person).values("meeting_id")
    return StarRound.objects.filter(Q(meeting_id__in=meetings), status=RoundStatus.VOTING).select_related("community")


def as_datetime(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9)))
