"""What the API takes and gives. Every text field refuses NUL characters (no database stores
them), so bad input is a 422 with the field named, never a server error."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, Field


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def Text(max_length: int, min_length: int = 0):  # noqa: N802  (a type, read like one)
    return Annotated[str, Field(max_length=max_length, min_length=min_length), AfterValidator(_no_nul)]


Id = Annotated[int, Field(ge=1, le=2**53)]


def _plausible_year(value: datetime) -> datetime:
    # Far-off years overflow when a database converts them to UTC: refuse them as bad input.
    if not 1900 <= value.year <= 2999:
        raise ValueError("must lie between the years 1900 and 2999")
    return value


Moment = Annotated[datetime, AfterValidator(_plausible_year)]


class ErrorOut(Schema):
    code: str = Field(description="a stable code, e.g. not_found, already_handled, required")
    message: str = Field(description="in the language of Accept-Language (zh-hans by default)")
    field: str | None = Field(description="the field the message is about, if any")


class UnitRef(Schema):
    id: int
    name: str
    kind: str


class PersonRef(Schema):
    id: int
    name: str


class AppealItem(Schema):
    """An appeal in a list: what the queue page shows."""

    id: int
    number: str
    category: str = Field(description="the category code (an Open311 service_code)")
    category_name: str
    description: str
    place: str
    status: Literal["pending", "accepted", "resolved", "closed", "returned", "merged"]
    status_label: str
    channel: str
    mediation: bool
    handling_unit: UnitRef
    due_at: datetime | None
    yellow_at: datetime | None
    created_at: datetime
    updated_at: datetime


class AppealOut(AppealItem):
    """One appeal, with who raised it and where from (as on its page)."""

    lat: float | None
    lng: float | None
    for_household: bool
    raised_by: PersonRef
    origin_unit: UnitRef
    outcome: str
    reopen_count: int
    resolved_at: datetime | None
    closed_at: datetime | None


class EventOut(Schema):
    seq: int
    kind: str
    kind_label: str
    at: datetime
    actor: str | None
    unit: str
    to_unit: str | None
    status: str
    note: str
    internal: bool


class AppealDetail(AppealOut):
    events: list[EventOut]
    may_act: bool


class AppealPage(Schema):
    items: list[AppealItem]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last page")


class AppealIn(Schema):
    category: Text(32, 1) = Field(description="a category code from GET /categories")
    description: Text(2000, 1)
    place: Text(100) = ""
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    for_household: bool = False
    mediation: bool = False
    on_behalf_of: Id | None = Field(None, description="staff: the resident (person id) raised for")
    idempotency_key: Text(64) = Field("", description="or the Idempotency-Key header: a retry returns the first appeal")


class CategoryOut(Schema):
    code: str
    name: str
    group: str
    group_code: str = Field(description="the top-level category's code (the KPIs' category filter)")


class ReasonIn(Schema):
    reason: Text(1000, 1)


class ReturnIn(Schema):
    reason: Text(500, 1)
    duplicate_of: Text(20) = Field("", description="the number of the appeal this duplicates")


class NoteIn(Schema):
    note: Text(2000, 1)
    internal: bool = True


class ResolveIn(Schema):
    outcome: Text(2000, 1)
    decision_ref: Text(100) = ""


class AssignIn(Schema):
    department: Id
    note: Text(1000) = ""


class AnswerIn(Schema):
    answer: Text(2000, 1)


class RateIn(Schema):
    score: Literal["satisfied", "basic", "unsatisfied"]
    comment: Text(500) = ""


class MergeIn(Schema):
    others: list[Id] = Field(min_length=1, max_length=50)


class SuperviseIn(Schema):
    note: Text(500, 1)


class ExtensionIn(Schema):
    days: int = Field(ge=1, le=10)
    reason: Text(500, 1)


class ExtensionOut(Schema):
    id: int
    appeal: int
    days: int
    reason: str
    status: str


class DecideIn(Schema):
    approve: bool


class ResourceLinkIn(Schema):
    resource: Id
    part: Text(300, 1)


class TallyOut(Schema):
    eligible: int
    present: int
    votes_for: int
    votes_against: int
    abstain: int
    quorum_met: bool
    passed: bool | None
    needed: int


class MotionOut(Schema):
    id: int
    text: str
    effect: str
    status: Literal["draft", "open", "closed"]
    passed: bool | None
    rule: str
    result: TallyOut | None
    voted: bool = Field(description="whether the caller has cast a ballot on it")


class TopicOut(Schema):
    id: int
    title: str
    matter: str
    step: int
    step_code: str
    appeals: list[str] = Field(description="appeal numbers")
    motions: list[MotionOut]


class MeetingOut(Schema):
    id: int
    title: str
    type: str
    type_name: str
    unit: UnitRef
    starts_at: datetime
    place: str
    status: str
    urgent: bool
    secret_ballot: bool


class MeetingDetail(MeetingOut):
    minutes: str
    topics: list[TopicOut]
    may_run: bool


class MeetingPage(Schema):
    items: list[MeetingOut]
    next_cursor: str | None


class BallotIn(Schema):
    choice: Literal["for", "against", "abstain"]


class NoticeOut(Schema):
    id: int
    unit: UnitRef
    kind: str
    title: str
    body: str
    publish_from: datetime
    publish_to: datetime
    current: bool
    fingerprint: str
    verified: bool


class NoticePage(Schema):
    items: list[NoticeOut]
    next_cursor: str | None
