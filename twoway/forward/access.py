"""Who may see and act on plans and tasks (R-1.3 applied to R-2).

Read a task: staff whose area covers the unit it was assigned to (or the unit that assigned
it, for a plan a community declared to a department). Report on it: staff who may
write in that unit. Check it, send it back or issue a supervision order: staff who may write in
the unit that assigned it (the level above). Read a plan: staff whose area covers the plan's
unit, or any unit that holds one of its tasks (they see only their own part of it).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from twoway.core.parse import pk_or_404
from twoway.org.models import OrgUnit
from twoway.org.scope import Scope, scope_for

from .models import Plan, Task


def visible_tasks(user) -> QuerySet[Task]:
    scope = scope_for(user)
    if not scope.is_staff:
        return Task.objects.none()
    return Task.objects.filter(scope.unit_q("unit"))


def visible_plans(user) -> QuerySet[Plan]:
    scope = scope_for(user)
    if not scope.is_staff:
        return Plan.objects.none()
    if scope.covers_everything():
        return Plan.objects.all()
    units = OrgUnit.objects.filter(scope.q("path")).values("pk")
    has_task = Exists(Task.objects.filter(plan=OuterRef("pk"), unit__in=units))
    return Plan.objects.filter(Q(unit__in=units) | has_task)


def can_read_plan(scope: Scope, plan: Plan) -> bool:
    if scope.covers(plan.unit.path):
        return True
    return Task.objects.filter(plan=plan).filter(scope.unit_q("unit")).exists()


def can_run_plan(scope: Scope, plan: Plan) -> bool:
    return scope.covers(plan.unit.path, write=True)


def plan_get(user, pk, *, write: bool = False, for_update: bool = False) -> Plan:
    """The plan, if the user may see it (404 otherwise) and run it with write=True (403)."""
    scope = scope_for(user)
    qs = Plan.objects.select_related("unit", "leader", "command_post")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    plan = qs.filter(pk=pk_or_404(pk)).first()
    if plan is None or not scope.is_staff or not can_read_plan(scope, plan):
        raise Http404
    if write and not can_run_plan(scope, plan):
        raise PermissionDenied
    return plan


def can_report(scope: Scope, task: Task) -> bool:
    return scope.covers(task.unit.path, write=True)


def can_check(scope: Scope, task: Task) -> bool:
    """The level that assigned the task (or one above it) checks it."""
    return scope.covers(task.assigned_by.path, write=True)


def task_get(user, pk, *, for_update: bool = False) -> Task:
    """The task, if the user's area covers the unit it was assigned to or the unit that
    assigned it, which checks it (404 otherwise). The two differ only for a plan a community
    declared to a district department (双联共建): the department is not below the community."""
    scope = scope_for(user)
    qs = Task.objects.select_related("unit", "assigned_by", "plan", "plan__unit", "household", "parent")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    task = qs.filter(pk=pk_or_404(pk)).first()
    if task is None or not (scope.covers(task.unit.path) or scope.covers(task.assigned_by.path)):
        raise Http404
    return task
