"""Read endpoints over modules that may be left out of an installation, through their own scope
functions: tasks (twoway.forward), added only when that module is installed."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from . import cursor as paging
from .schemas import ErrorOut, Id, Text, UnitRef

ERRORS = {(400, 401, 403, 404, 409, 422, 429): ErrorOut}


class TaskOut(Schema):
    id: int
    title: str
    detail: str
    status: Literal["assigned", "reported", "checked", "returned"]
    status_label: str
    plan_id: int
    plan_title: str
    unit: UnitRef
    due_at: datetime
    yellow_at: datetime
    created_at: datetime
    reported_at: datetime | None
    checked_at: datetime | None


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class TaskFilters(Schema):
    status: list[Literal["assigned", "reported", "checked", "returned"]] = Field(default_factory=list)
    unit: int | None = Field(None, ge=1, le=2**53, description="only tasks of this unit's subtree")
    cursor: Text(200) = ""
    limit: int = Field(25, ge=1, le=paging.MAX_LIMIT)


def _task_out(t) -> dict:
    return {
        "id": t.pk,
        "title": t.title,
        "detail": t.detail,
        "status": t.status,
        "status_label": t.get_status_display(),
        "plan_id": t.plan_id,
        "plan_title": t.plan.title,
        "unit": {"id": t.unit_id, "name": t.unit.name, "kind": t.unit.kind},
        "due_at": t.due_at,
        "yellow_at": t.yellow_at,
        "created_at": t.created_at,
        "reported_at": t.reported_at,
        "checked_at": t.checked_at,
    }


def _tasks_router() -> Router:
    from twoway.forward.access import task_get, visible_tasks
    from twoway.org.scope import unit_get

    router = Router(tags=["tasks"])

    @router.get("/tasks", response={200: TaskPage, **ERRORS}, summary="Tasks assigned to units in your area (R-2)")
    def task_list(request: HttpRequest, filters: Query[TaskFilters]):
        qs = visible_tasks(request.user).select_related("plan", "unit")
        if filters.unit:
            unit = unit_get(request.user, filters.unit)
            qs = qs.filter(unit__path__startswith=unit.path)
        if filters.status:
            qs = qs.filter(status__in=filters.status)
        rows, next_cursor = paging.page(qs, field="created_at", cursor=filters.cursor, limit=filters.limit)
        return {"items": [_task_out(t) for t in rows], "next_cursor": next_cursor}

    @router.get("/tasks/{pk}", response={200: TaskOut, **ERRORS}, summary="One task")
    def task_read(request: HttpRequest, pk: Id):
        return _task_out(task_get(request.user, pk))

    return router


def add_routers(api) -> None:
    try:
        from twoway.forward import access  # noqa: F401
    except ImportError:  # the forward chain is not installed
        return
    api.add_router("/", _tasks_router())
