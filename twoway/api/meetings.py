"""Meetings and ballots over the API. Reads through meetings.selectors (the pages' scope);
votes through meetings.votes only, so the one-ballot rule and the tally stay in one place."""

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from twoway.meetings import votes
from twoway.meetings.models import Motion, VoteReceipt
from twoway.meetings.selectors import can_run, meeting_get, visible_meetings
from twoway.org.scope import scope_for

from . import cursor as paging
from .appeals import ERRORS
from .schemas import BallotIn, Id, MeetingDetail, MeetingPage, MotionOut, Text

router = Router(tags=["meetings"])


def _meeting_out(m) -> dict:
    return {
        "id": m.pk,
        "title": m.title,
        "type": m.type.code,
        "type_name": m.type.name,
        "unit": {"id": m.unit_id, "name": m.unit.name, "kind": m.unit.kind},
        "starts_at": m.starts_at,
        "place": m.place,
        "status": m.status,
        "urgent": m.urgent,
        "secret_ballot": m.type.secret,
    }


def _motion_out(motion: Motion, voted: set[int]) -> dict:
    return {
        "id": motion.pk,
        "text": motion.text,
        "effect": motion.effect,
        "status": motion.status,
        "passed": motion.passed,
        "rule": motion.rule,
        "result": motion.result,
        "voted": motion.pk in voted,
    }


def _detail(request, pk) -> dict:
    meeting = meeting_get(request.user, pk)
    person = scope_for(request.user).person
    topics = list(meeting.topics.prefetch_related("motions", "appeals").order_by("id"))
    motion_ids = [m.pk for t in topics for m in t.motions.all()]
    voted = set()
    if person is not None and motion_ids:
        voted = set(
            VoteReceipt.objects.filter(motion_id__in=motion_ids, voter=person).values_list("motion_id", flat=True)
        )
    return {
        **_meeting_out(meeting),
        "minutes": meeting.minutes,
        "may_run": can_run(request.user, meeting),
        "topics": [
            {
                "id": t.pk,
                "title": t.title,
                "matter": t.matter,
                "step": t.step,
                "step_code": t.step_code,
                "appeals": [a.number for a in t.appeals.all()],
                "motions": [_motion_out(m, voted) for m in t.motions.all().order_by("id")],
            }
            for t in topics
        ],
    }


class MeetingFilters(Schema):
    unit: int | None = Field(None, ge=1, le=2**53, description="only meetings of this unit's subtree")
    cursor: Text(200) = ""
    limit: int = Field(25, ge=1, le=paging.MAX_LIMIT)


@router.get("/meetings", response={200: MeetingPage, **ERRORS}, summary="Meetings you may see, latest first")
def meeting_list(request: HttpRequest, filters: Query[MeetingFilters]):
    qs = visible_meetings(request.user)
    if filters.unit:
        from twoway.org.scope import unit_get

        unit = unit_get(request.user, filters.unit)
        qs = qs.filter(unit__path__startswith=unit.path)
    rows, next_cursor = paging.page(qs, field="starts_at", cursor=filters.cursor, limit=filters.limit)
    return {"items": [_meeting_out(m) for m in rows], "next_cursor": next_cursor}


@router.get("/meetings/{pk}", response={200: MeetingDetail, **ERRORS}, summary="A meeting: topics, motions, results")
def meeting_read(request: HttpRequest, pk: Id):
    return _detail(request, pk)


def _motion(request, pk) -> Motion:
    """The motion, if the caller may see its meeting (404 otherwise, as for the meeting)."""
    motion = Motion.objects.select_related("topic__meeting").filter(pk=pk).first()
    if motion is None:
        raise Http404
    meeting_get(request.user, motion.topic.meeting_id)
    return motion


@router.post("/motions/{pk}/ballot", response={200: MeetingDetail, **ERRORS}, summary="Cast your ballot")
def ballot_cast(request: HttpRequest, pk: Id, data: BallotIn):
    """One ballot per voting member present; a second, late or ineligible ballot is refused."""
    motion = _motion(request, pk)
    votes.ballot_cast(user=request.user, motion_id=motion.pk, choice=data.choice)
    return _detail(request, motion.topic.meeting_id)


@router.post("/motions/{pk}/open", response={200: MeetingDetail, **ERRORS}, summary="Convener: open voting")
def motion_open(request: HttpRequest, pk: Id):
    motion = _motion(request, pk)
    votes.motion_open(user=request.user, motion_id=motion.pk)
    return _detail(request, motion.topic.meeting_id)


@router.post("/motions/{pk}/close", response={200: MeetingDetail, **ERRORS}, summary="Convener: close voting and count")
def motion_close(request: HttpRequest, pk: Id):
    motion = _motion(request, pk)
    votes.motion_close(user=request.user, motion_id=motion.pk)
    return _detail(request, motion.topic.meeting_id)


__all__ = ["router", "MotionOut"]
