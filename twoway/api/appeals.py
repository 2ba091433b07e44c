"""Appeals over the API: list (filters, cursor pages), detail, create, and every transition.
Reads go through appeals.access and appeals.selectors; writes through appeals.flow only."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Header, Query, Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import Field

from twoway.appeals import flow, selectors
from twoway.appeals.access import appeal_get, can_act, can_read, visible_appeals
from twoway.appeals.models import Appeal, Category, Channel, Extension
from twoway.org.scope import person_get, scope_for, unit_get

from . import cursor as paging
from .schemas import (
    AnswerIn,
    AppealDetail,
    AppealIn,
    AppealPage,
    AssignIn,
    CategoryOut,
    DecideIn,
    ErrorOut,
    ExtensionIn,
    ExtensionOut,
    Id,
    MergeIn,
    NoteIn,
    RateIn,
    ReasonIn,
    ResolveIn,
    ResourceLinkIn,
    ReturnIn,
    SuperviseIn,
    Text,
)

router = Router(tags=["appeals"])
ERRORS = {codes_4xx: ErrorOut}


def _unit(u) -> dict:
    return {"id": u.pk, "name": u.name, "kind": u.kind}


def appeal_item(a: Appeal) -> dict:
    return {
        "id": a.pk,
        "number": a.number,
        "category": a.category.code,
        "category_name": a.category.name,
        "description": a.description,
        "place": a.place,
        "status": a.status,
        "status_label": a.get_status_display(),
        "channel": a.channel,
        "mediation": a.mediation,
        "handling_unit": _unit(a.handling_unit),
        "due_at": a.due_at,
        "yellow_at": a.yellow_at,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }


def appeal_out(a: Appeal) -> dict:
    return {
        "id": a.pk,
        "number": a.number,
        "category": a.category.code,
        "category_name": a.category.name,
        "description": a.description,
        "place": a.place,
        "lat": float(a.lat) if a.lat is not None else None,
        "lng": float(a.lng) if a.lng is not None else None,
        "status": a.status,
        "status_label": a.get_status_display(),
        "channel": a.channel,
        "mediation": a.mediation,
        "for_household": a.household_id is not None,
        "raised_by": {"id": a.raised_by_id, "name": a.raised_by.name},
        "origin_unit": _unit(a.origin_unit),
        "handling_unit": _unit(a.handling_unit),
        "due_at": a.due_at,
        "yellow_at": a.yellow_at,
        "outcome": a.outcome,
        "reopen_count": a.reopen_count,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "resolved_at": a.resolved_at,
        "closed_at": a.closed_at,
    }


def appeal_detail(request, pk) -> dict:
    appeal = appeal_get(request.user, pk)
    scope = scope_for(request.user)
    staff = scope.covers(appeal.handling_unit.path) or scope.covers(appeal.origin_unit.path)
    events = [
        {
            "seq": e.seq,
            "kind": e.kind,
            "kind_label": e.get_kind_display(),
            "at": e.at,
            "actor": e.actor.name if e.actor else None,
            "unit": e.unit.name,
            "to_unit": e.to_unit.name if e.to_unit else None,
            "status": e.status,
            "note": e.note,
            "internal": e.internal,
        }
        for e in selectors.timeline(appeal, staff=staff)
    ]
    return {**appeal_out(appeal), "events": events, "may_act": can_act(request.user, appeal)}


class AppealFilters(Schema):
    status: list[Literal["pending", "accepted", "resolved", "closed", "returned", "merged"]] = Field(
        default_factory=list, description="one or more states (repeat the parameter)"
    )
    category: Text(32) = Field("", description="a category code, or a top-level code for all of its group")
    unit: int | None = Field(None, ge=1, le=2**53, description="only appeals handled in this unit's subtree")
    q: Text(100) = Field("", description="number, or words in the description or place")
    card: Text(10) = Field("", description="yellow or red: open appeals near or past their deadline")
    area: bool = Field(False, description="staff: also appeals from your area now handled higher up")
    created_after: datetime | None = None
    created_before: datetime | None = None
    cursor: Text(200) = ""
    limit: int = Field(25, ge=1, le=paging.MAX_LIMIT)


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, summary="Appeal categories")
def categories(request: HttpRequest):
    qs = Category.objects.filter(active=True, parent__isnull=False).select_related("parent")
    return [{"code": c.code, "name": c.name, "group": c.parent.name, "group_code": c.parent.code} for c in qs]


@router.get(
    "/appeals",
    response={200: AppealPage, **ERRORS},
    summary="Appeals handled by your units (or raised by you), newest first",
)
def appeal_list(request: HttpRequest, filters: Query[AppealFilters]):
    unit = unit_get(request.user, filters.unit) if filters.unit else None
    qs = selectors.appeal_list(
        request.user,
        tab="all",
        q=filters.q,
        category=filters.category,
        card=filters.card,
        unit=unit,
        mine_only=scope_for(request.user).is_staff and not filters.area,
    )
    statuses = [s for s in filters.status if s]
    if statuses:
        qs = qs.filter(status__in=statuses)
    if filters.created_after:
        qs = qs.filter(created_at__gte=filters.created_after)
    if filters.created_before:
        qs = qs.filter(created_at__lt=filters.created_before)
    rows, next_cursor = paging.page(
        qs,
        field="created_at",
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [appeal_item(a) for a in rows], "next_cursor": next_cursor}


@router.post("/appeals", response={200: AppealDetail, 201: AppealDetail, **ERRORS}, summary="Raise an appeal")
def appeal_create(
    request: HttpRequest, data: AppealIn, idempotency_key: str = Header("", alias="Idempotency-Key", max_length=64)
):
    """A resident raises an appeal, or staff raise one on a resident's behalf (`on_behalf_of`).
    The same idempotency key (header or field) from the same resident returns the first appeal (200)."""
    resident = person_get(request.user, data.on_behalf_of, write=True) if data.on_behalf_of else None
    key = (idempotency_key or data.idempotency_key).replace("\x00", "").strip()
    raised_for = resident or scope_for(request.user).person
    existed = bool(key and raised_for and Appeal.objects.filter(raised_by=raised_for, idem_key=key).exists())
    category = Category.objects.filter(code=data.category).values_list("pk", flat=True).first()
    appeal = flow.appeal_submit(
        user=request.user,
        category_id=category,
        description=data.description,
        place=data.place,
        lat=data.lat,
        lng=data.lng,
        for_household=data.for_household,
        mediation=data.mediation,
        idem_key=key,
        on_behalf_of=resident,
        channel=Channel.API,
    )
    return Status(200 if existed else 201, appeal_detail(request, appeal.pk))


@router.get("/appeals/{pk}", response={200: AppealDetail, **ERRORS}, summary="One appeal with its timeline")
def appeal_read(request: HttpRequest, pk: Id):
    return appeal_detail(request, pk)


def _done(request, appeal: Appeal) -> dict:
    """The appeal after a step. A step can take it out of the caller's area (a department's answer
    goes back to the district): then only its new state is shown, without the timeline."""
    if can_read(request.user, appeal):
        return appeal_detail(request, appeal.pk)
    return {**appeal_out(appeal), "events": [], "may_act": False}


@router.post("/appeals/{pk}/accept", response={200: AppealDetail, **ERRORS}, summary="Accept (签收)")
def appeal_accept(request: HttpRequest, pk: Id):
    result = flow.appeal_accept(user=request.user, appeal_id=pk)
    return _done(request, result)


@router.post("/appeals/{pk}/return", response={200: AppealDetail, **ERRORS}, summary="Return at intake (退回)")
def appeal_return(request: HttpRequest, pk: Id, data: ReturnIn):
    result = flow.appeal_return(
        user=request.user, appeal_id=pk, reason=data.reason, duplicate_of_number=data.duplicate_of
    )
    return _done(request, result)


@router.post("/appeals/{pk}/note", response={200: AppealDetail, **ERRORS}, summary="Add a progress note")
def appeal_note(request: HttpRequest, pk: Id, data: NoteIn):
    result = flow.appeal_note(user=request.user, appeal_id=pk, note=data.note, internal=data.internal)
    return _done(request, result)


@router.post("/appeals/{pk}/resolve", response={200: AppealDetail, **ERRORS}, summary="Resolve with an outcome")
def appeal_resolve(request: HttpRequest, pk: Id, data: ResolveIn):
    result = flow.appeal_resolve(user=request.user, appeal_id=pk, outcome=data.outcome, decision_ref=data.decision_ref)
    return _done(request, result)


@router.post("/appeals/{pk}/escalate", response={200: AppealDetail, **ERRORS}, summary="Escalate to the level above")
def appeal_escalate(request: HttpRequest, pk: Id, data: ReasonIn):
    result = flow.appeal_escalate(user=request.user, appeal_id=pk, reason=data.reason)
    return _done(request, result)


@router.post("/appeals/{pk}/assign", response={200: AppealDetail, **ERRORS}, summary="District: assign to a department")
def appeal_assign(request: HttpRequest, pk: Id, data: AssignIn):
    result = flow.appeal_assign(user=request.user, appeal_id=pk, department_id=data.department, note=data.note)
    return _done(request, result)


@router.post("/appeals/{pk}/answer", response={200: AppealDetail, **ERRORS}, summary="Department: answer the district")
def appeal_answer(request: HttpRequest, pk: Id, data: AnswerIn):
    result = flow.appeal_answer(user=request.user, appeal_id=pk, answer=data.answer)
    return _done(request, result)


@router.post("/appeals/{pk}/rate", response={200: AppealDetail, **ERRORS}, summary="Resident: rate the outcome")
def appeal_rate(request: HttpRequest, pk: Id, data: RateIn):
    result = flow.appeal_rate(user=request.user, appeal_id=pk, score=data.score, comment=data.comment)
    return _done(request, result)


@router.post("/appeals/{pk}/merge", response={200: AppealDetail, **ERRORS}, summary="Merge other appeals into this one")
def appeal_merge(request: HttpRequest, pk: Id, data: MergeIn):
    result = flow.appeal_merge(user=request.user, target_id=pk, other_ids=data.others)
    return _done(request, result)


@router.post(
    "/appeals/{pk}/supervise", response={200: AppealDetail, **ERRORS}, summary="Issue a supervision order (督办)"
)
def appeal_supervise(request: HttpRequest, pk: Id, data: SuperviseIn):
    order = flow.appeal_supervise(user=request.user, appeal_id=pk, note=data.note)
    return _done(request, order.appeal)


def _extension_out(x: Extension) -> dict:
    return {"id": x.pk, "appeal": x.appeal_id, "days": x.days, "reason": x.reason, "status": x.status}


@router.post(
    "/appeals/{pk}/extensions", response={201: ExtensionOut, **ERRORS}, summary="Ask the level above for more time"
)
def appeal_extension(request: HttpRequest, pk: Id, data: ExtensionIn):
    extension = flow.appeal_request_extension(user=request.user, appeal_id=pk, days=data.days, reason=data.reason)
    return Status(201, _extension_out(extension))


@router.post(
    "/extensions/{pk}/decide", response={200: ExtensionOut, **ERRORS}, summary="Level above: decide an extension"
)
def extension_decide(request: HttpRequest, pk: Id, data: DecideIn):
    # The flow answers 404 for an unknown extension and for one outside the caller's area.
    return _extension_out(flow.appeal_decide_extension(user=request.user, extension_id=pk, approve=data.approve))


@router.post("/appeals/{pk}/resources", response={200: AppealDetail, **ERRORS}, summary="Link a resource (R-3.8)")
def appeal_link_resource(request: HttpRequest, pk: Id, data: ResourceLinkIn):
    link = flow.appeal_link_resource(user=request.user, appeal_id=pk, resource_id=data.resource, part=data.part)
    return _done(request, link.appeal)


__all__ = ["router", "appeal_out", "visible_appeals"]
