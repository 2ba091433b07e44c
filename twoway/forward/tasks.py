"""Tasks (R-2.1, R-2.4): pushed down level by level, reported up, checked (验收) or sent back
by the level that assigned them, supervised (督办) from above when late.

assigned (待办) ──report──> reported (待验收) ──check──> checked (已验收)
                               └──return (with a reason)──> returned ──report──> reported …

Each arrow is one function here that locks the task row, checks the state, and appends one
TaskEvent in the same transaction.
"""

from datetime import date, datetime, time

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.appeals.photos import clean_photos
from twoway.core.errors import DomainError
from twoway.core.parse import as_int, as_list
from twoway.core.text import clean_text
from twoway.deadlines import engine
from twoway.notify.send import notify
from twoway.org.models import WRITE_ROLES, Household, OrgUnit, Person, UnitKind
from twoway.org.scope import scope_for

from .access import can_check, can_report, plan_get, task_get
from .models import EventKind, Plan, PlanStatus, Report, ReportFile, Task, TaskEvent, TaskStatus
from .plans import actor_of
from .rollup import key_of, rollup_add, rollup_move

TITLE_MAX = 120
TEXT_MAX = 4000
MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt", ".wps", ".et", ".ofd", ".zip"}
# Tasks are due at the end of the working day they name.
DUE_TIME = time(18, 0)


def _event(task: Task, kind: str, *, actor: Person | None, unit: OrgUnit, note: str = "") -> TaskEvent:
    return TaskEvent.objects.create(task=task, kind=kind, actor=actor, unit=unit, note=note, at=timezone.now())


def unit_staff(unit: OrgUnit) -> list[Person]:
    return list(Person.objects.filter(roles__unit=unit, roles__kind__in=WRITE_ROLES).distinct())


def _deadline(plan: Plan, unit: OrgUnit, due_on: date | None, cal) -> tuple[datetime, datetime]:
    """The due time (the date given, else the time limit for the unit's level) and the yellow card."""
    rule = engine.rule_for(level=unit.kind, stage="task", category_code=plan.kind)
    now = timezone.now()
    if due_on is None:
        due = engine.due_at(now, rule.working_days, cal)
    else:
        due = timezone.make_aware(datetime.combine(due_on, DUE_TIME))
        if due <= now:
            raise DomainError("due_past", _("Due date: choose a day in the future."), "due_on")
    return due, max(now, engine.yellow_at(due, rule.yellow_before, cal))


def _clean_text(title: str, detail: str) -> tuple[str, str]:
    title = clean_text(title, field="title", label=_("Task"), limit=None)
    if not title:
        raise DomainError("title_required", _("Task: enter what is to be done."), "title")
    if len(title) > TITLE_MAX:
        raise DomainError("title_long", _("Task: at most %(n)s characters.") % {"n": TITLE_MAX}, "title")
    detail = clean_text(detail, field="detail", label=_("What to do"), limit=None)
    if len(detail) > TEXT_MAX:
        raise DomainError("detail_long", _("What to do: at most %(n)s characters.") % {"n": TEXT_MAX}, "detail")
    return title, detail


def _units_below(parent: OrgUnit, unit_ids) -> list[OrgUnit]:
    ids = [as_int(pk) for pk in as_list(unit_ids)]
    if None in ids:
        raise DomainError("bad_unit", _("Units: choose units from the list."), "units")
    if not ids:
        raise DomainError("units_required", _("Units: choose at least one unit to assign the task to."), "units")
    units = list(OrgUnit.objects.filter(pk__in=ids, parent=parent, retired_at__isnull=True).order_by("path"))
    if len(units) != len(set(ids)):
        raise DomainError("bad_unit", _("Units: a task goes only to the units directly below."), "units")
    return units


def _create(plan, parent, units_or_households, assigned_by, title, detail, due_on, actor) -> list[Task]:
    cal = engine.calendar()
    now = timezone.now()
    tasks = []
    for target in units_or_households:
        unit, household = (target.group, target) if isinstance(target, Household) else (target, None)
        due, yellow = _deadline(plan, unit, due_on, cal)
        if parent is not None and due > parent.due_at and due_on is None:
            # Without a date of its own, a part is due with the task it is part of.
            due, yellow = parent.due_at, min(yellow, parent.yellow_at)
        if parent is not None and due > parent.due_at:
            raise DomainError(
                "due_after_parent",
                _("Due date: no later than the task it is part of (%(due)s).")
                % {"due": timezone.localtime(parent.due_at).strftime("%Y-%m-%d")},
                "due_on",
            )
        tasks.append(
            Task(
                plan=plan,
                parent=parent,
                unit=unit,
                household=household,
                assigned_by=assigned_by,
                title=title,
                detail=detail,
                due_at=due,
                yellow_at=yellow,
                created_at=now,
            )
        )
    tasks = Task.objects.bulk_create(tasks)
    rollup_add(tasks)
    TaskEvent.objects.bulk_create(
        TaskEvent(task=t, kind=EventKind.ASSIGNED, actor=actor, unit=assigned_by, at=now) for t in tasks
    )
    if not any(t.household_id for t in tasks):
        for t in tasks:
            notify(
                people=unit_staff(t.unit),
                title=_("New task: %(title)s") % {"title": t.title},
                link=reverse("forward:task", args=[t.pk]),
            )
    return tasks


@transaction.atomic
def task_assign(*, user, plan_id, unit_ids, title: str, detail: str = "", due_on: date | None = None) -> list[Task]:
    """Push a plan down: one task for each chosen unit directly below the plan's unit."""
    actor = actor_of(user)
    plan = plan_get(user, plan_id, write=True, for_update=True)
    if plan.status != PlanStatus.RUNNING:
        if plan.status == PlanStatus.DRAFT:
            raise DomainError("not_started", _("Start the project first: tasks go down once it is under way."))
        raise DomainError("plan_closed", _("This plan is closed."))
    title, detail = _clean_text(title, detail)
    units = _units_below(plan.unit, unit_ids)
    return _create(plan, None, units, plan.unit, title, detail, due_on, actor)


@transaction.atomic
def task_break_down(
    *,
    user,
    task_id,
    unit_ids=(),
    households: bool = False,
    title: str,
    detail: str = "",
    due_on: date | None = None,
) -> list[Task]:
    """Break a task into parts for the units directly below, or, for a resident group, one part
    for each of its households (e.g. 每户宣传到位)."""
    actor = actor_of(user)
    task = task_get(user, task_id, for_update=True)
    if not can_report(scope_for(user), task):
        raise DomainError("not_yours", _("Only the unit the task was assigned to can break it down."))
    if task.household_id:
        raise DomainError("household_task", _("A household's task cannot be broken down further."))
    if task.status not in (TaskStatus.ASSIGNED, TaskStatus.RETURNED):
        raise DomainError("not_open", _("Only a task that is still to do can be broken down."))
    if task.plan.status != PlanStatus.RUNNING:
        raise DomainError("plan_closed", _("This plan is closed."))
    title, detail = _clean_text(title, detail)
    if households:
        if task.unit.kind != UnitKind.GROUP:
            raise DomainError("not_group", _("Only a resident group breaks a task down by household."), "households")
        done = set(task.subtasks.values_list("household_id", flat=True))
        targets = list(
            Household.objects.filter(group=task.unit, retired_at__isnull=True).exclude(pk__in=done).order_by("pk")
        )
        if not targets:
            raise DomainError("no_households", _("This group has no households without a part of this task."))
    else:
        targets = _units_below(task.unit, unit_ids)
    return _create(task.plan, task, targets, task.unit, title, detail, due_on, actor)


@transaction.atomic
def task_report(*, user, task_id, text: str, photos=(), files=()) -> Report:
    """Report progress on a task (text, photos, attachments); it then waits for the check."""
    actor = actor_of(user)
    task = task_get(user, task_id, for_update=True)
    if not can_report(scope_for(user), task):
        raise DomainError("not_yours", _("Only the unit the task was assigned to can report on it."))
    if task.status not in (TaskStatus.ASSIGNED, TaskStatus.RETURNED):
        _already(task)
    text = clean_text(text, field="text", label=_("Progress"), limit=None)
    if not text:
        raise DomainError("text_required", _("Progress: describe what was done."), "text")
    if len(text) > TEXT_MAX:
        raise DomainError("text_long", _("Progress: at most %(n)s characters.") % {"n": TEXT_MAX}, "text")
    open_parts = task.subtasks.exclude(status=TaskStatus.CHECKED).count()
    if open_parts:
        raise DomainError(
            "parts_open",
            _("%(n)s parts of this task below are not checked yet; report once they are.") % {"n": open_parts},
        )
    clean = clean_photos(photos)
    uploads = _clean_files(files)
    now = timezone.now()
    report = Report.objects.create(task=task, text=text, by=actor, at=now)
    from django.core.files.base import ContentFile

    from .models import ReportPhoto

    for p in clean:
        photo = ReportPhoto(report=report, sha256=p.sha256, width=p.width, height=p.height)
        photo.image.save(f"{p.sha256[:16]}.jpg", ContentFile(p.data), save=False)
        photo.save()
    for name, data in uploads:
        item = ReportFile(report=report, name=name, size=len(data), content_type="application/octet-stream")
        item.file.save(f"{report.pk}-{len(data)}{_ext(name)}", ContentFile(data), save=False)
        item.save()
    before = key_of(task)
    task.status, task.reported_at = TaskStatus.REPORTED, now
    task.save(update_fields=["status", "reported_at"])
    rollup_move(task, before)
    _event(task, EventKind.REPORTED, actor=actor, unit=task.unit, note=text)
    notify(
        people=unit_staff(task.assigned_by),
        title=_("Progress reported: %(title)s (%(unit)s)") % {"title": task.title, "unit": task.unit.name},
        link=reverse("forward:task", args=[task.pk]),
    )
    return report


def _ext(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def _clean_files(files) -> list[tuple[str, bytes]]:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        raise DomainError("too_many_files", _("Attachments: at most %(n)s files.") % {"n": MAX_FILES}, "files")
    out = []
    for f in files:
        name = (getattr(f, "name", "") or "file").replace("/", "_").replace("\\", "_")[-100:]
        if _ext(name) not in FILE_TYPES:
            raise DomainError(
                "file_type",
                _("Attachments: %(name)s is not a document we accept (PDF, Word, Excel, text).") % {"name": name},
                "files",
            )
        data = f.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise DomainError("file_large", _("Attachments: %(name)s is larger than 10 MB.") % {"name": name}, "files")
        out.append((name, data))
    return out


def _already(task: Task):
    last = task.events.order_by("-at", "-id").select_related("actor").first()
    who = last.actor.name if last and last.actor else _("someone")
    raise DomainError(
        "already_handled",
        _("This task is already %(status)s (by %(who)s).") % {"status": task.get_status_display(), "who": who},
    )


def _for_checker(user, task_id) -> tuple[Person, Task]:
    actor = actor_of(user)
    task = task_get(user, task_id, for_update=True)
    if not can_check(scope_for(user), task):
        raise DomainError("not_assigner", _("Only the level that assigned the task can check it."))
    return actor, task


@transaction.atomic
def task_check(*, user, task_id) -> Task:
    """The assigning level accepts the reported work (验收): the task is done."""
    actor, task = _for_checker(user, task_id)
    if task.status != TaskStatus.REPORTED:
        if task.status == TaskStatus.CHECKED:
            _already(task)
        raise DomainError("not_reported", _("Nothing has been reported on this task yet."))
    before = key_of(task)
    task.status, task.checked_at = TaskStatus.CHECKED, timezone.now()
    task.save(update_fields=["status", "checked_at"])
    rollup_move(task, before)
    _event(task, EventKind.CHECKED, actor=actor, unit=task.assigned_by)
    notify(
        people=unit_staff(task.unit),
        title=_("Task checked: %(title)s") % {"title": task.title},
        link=reverse("forward:task", args=[task.pk]),
    )
    return task


@transaction.atomic
def task_return(*, user, task_id, reason: str) -> Task:
    """The assigning level sends the reported work back, with a reason."""
    actor, task = _for_checker(user, task_id)
    reason = clean_text(reason, field="reason", label=_("Reason"), limit=None)
    if not reason:
        raise DomainError("reason_required", _("Reason: say what is still missing."), "reason")
    if len(reason) > TEXT_MAX:
        raise DomainError("reason_long", _("Reason: at most %(n)s characters.") % {"n": TEXT_MAX}, "reason")
    if task.status != TaskStatus.REPORTED:
        if task.status == TaskStatus.CHECKED or task.status == TaskStatus.RETURNED:
            _already(task)
        raise DomainError("not_reported", _("Nothing has been reported on this task yet."))
    before = key_of(task)
    task.status = TaskStatus.RETURNED
    task.return_count += 1
    task.save(update_fields=["status", "return_count"])
    rollup_move(task, before)
    _event(task, EventKind.RETURNED, actor=actor, unit=task.assigned_by, note=reason)
    notify(
        people=unit_staff(task.unit),
        title=_("Task sent back: %(title)s") % {"title": task.title},
        body=reason,
        link=reverse("forward:task", args=[task.pk]),
    )
    return task


@transaction.atomic
def task_supervise(*, user, task_id, note: str) -> Task:
    """A supervision order (督办) from a level above the task's unit, on an open task."""
    actor, task = _for_checker(user, task_id)
    note = clean_text(note, field="note", label=_("Supervision order"), limit=None)
    if not note:
        raise DomainError("note_required", _("Supervision order: say what must be done by when."), "note")
    if len(note) > TEXT_MAX:
        raise DomainError("note_long", _("Supervision order: at most %(n)s characters.") % {"n": TEXT_MAX}, "note")
    if task.status == TaskStatus.CHECKED:
        raise DomainError("done", _("This task is already checked; there is nothing to supervise."))
    task.supervision_count += 1
    task.save(update_fields=["supervision_count"])
    scope = scope_for(user)
    unit = next((r.unit for r in scope.roles if task.unit.path.startswith(r.unit.path)), task.assigned_by)
    _event(task, EventKind.SUPERVISED, actor=actor, unit=unit, note=note)
    notify(
        people=unit_staff(task.unit),
        title=_("Supervision order (督办): %(title)s") % {"title": task.title},
        body=note,
        link=reverse("forward:task", args=[task.pk]),
    )
    return task
