"""Progress rolled up the tree (R-2.4): at every unit, the tasks assigned within its subtree:
share checked, overdue count, and which unit below is holding things up.

Two queries whatever the size: the units of the subtree, and the task counts grouped by unit
id (from the rollup table, rollup.py); each count is then added into every shown ancestor of its
unit in Python.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.db.models import Count, IntegerField, Q, Sum, Value
from django.utils import timezone

from twoway.org.models import PATH_STEP, OrgUnit

from .models import OPEN_TASK_STATUSES, Task, TaskRollup, TaskStatus
from .rollup import day_of


@dataclass
class Node:
    unit: OrgUnit
    level: int  # 0 for the root, 1 for its children, …
    total: int = 0
    done: int = 0
    reported: int = 0
    overdue: int = 0
    yellow: int = 0
    children: list["Node"] = field(default_factory=list)
    holding_up: "Node | None" = None

    @property
    def open(self) -> int:
        return self.total - self.done

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def task_counts(root: OrgUnit, *, plan_id=None, now=None, whole_tree: bool = False):
    """Task counts per unit id within root's subtree: (unit_id, total, done, reported, overdue, yellow).

    One query over the rollup (rollup.py), not the tasks: its rows answer every count from their
    days, except "overdue" and "due soon" for rows due or turning yellow today, which the second
    half of the UNION counts from those tasks themselves (a unit may come back twice: add up).
    """
    now = now or timezone.now()
    today = day_of(now)
    start = datetime.combine(today, time.min, tzinfo=UTC)
    rows = TaskRollup.objects.all()
    today_tasks = Task.objects.filter(
        Q(due_at__gte=start, due_at__lt=start + timedelta(days=1))
        | Q(yellow_at__gte=start, yellow_at__lt=start + timedelta(days=1)),
        status__in=OPEN_TASK_STATUSES,
    )
    if not whole_tree:
        units = OrgUnit.objects.filter(path__startswith=root.path).values("pk")
        rows, today_tasks = rows.filter(unit__in=units), today_tasks.filter(unit__in=units)
    if plan_id:
        rows, today_tasks = rows.filter(plan_id=plan_id), today_tasks.filter(plan_id=plan_id)
    done = Q(status=TaskStatus.CHECKED)
    by_day = ~done & ~Q(due_day=today) & ~Q(yellow_day=today)
    zero = Value(0, output_field=IntegerField())
    counted = (
        rows.values_list("unit_id")
        .annotate(
            total=Sum("tasks"),
            done=Sum("tasks", filter=done),
            reported=Sum("tasks", filter=Q(status=TaskStatus.REPORTED)),
            overdue=Sum("tasks", filter=by_day & Q(due_day__lt=today)),
            yellow=Sum("tasks", filter=by_day & Q(yellow_day__lt=today, due_day__gt=today)),
        )
        .order_by()
    )
    exact = (
        today_tasks.values_list("unit_id")
        .annotate(
            total=zero,
            done=zero,
            reported=zero,
            overdue=Count("id", filter=Q(due_at__lt=now)),
            yellow=Count("id", filter=Q(yellow_at__lte=now, due_at__gte=now)),
        )
        .order_by()
    )
    return [tuple(n or 0 for n in row) for row in counted.union(exact, all=True)]


def progress_tree(root: OrgUnit, *, depth: int = 2, plan_id=None) -> Node:
    """The root and its units down to `depth` levels below it, each with its rolled-up counts."""
    units = list(
        OrgUnit.objects.filter(path__startswith=root.path)
        .only("id", "name", "kind", "path", "depth", "parent_id", "retired_at")
        .order_by("path")
    )
    paths = {u.pk: u.path for u in units}
    nodes = {
        u.path: Node(unit=u, level=u.depth - root.depth)
        for u in units
        if u.depth <= root.depth + depth and u.retired_at is None
    }
    if root.path not in nodes:
        nodes[root.path] = Node(unit=root, level=0)
    whole = root.parent_id is None
    for unit_id, total, done, reported, overdue, yellow in task_counts(root, plan_id=plan_id, whole_tree=whole):
        path = paths.get(unit_id)
        if path is None:
            continue
        for i in range(len(root.path), len(path) + 1, PATH_STEP):
            node = nodes.get(path[:i])
            if node is None:
                continue
            node.total += total
            node.done += done
            node.reported += reported
            node.overdue += overdue
            node.yellow += yellow
    for node in nodes.values():
        parent_path = node.unit.path[:-PATH_STEP]
        if node is not nodes[root.path] and parent_path in nodes:
            nodes[parent_path].children.append(node)
    for node in nodes.values():
        late = [c for c in node.children if c.overdue]
        if late:
            node.holding_up = max(late, key=lambda c: (c.overdue, c.open))
    return nodes[root.path]


def flatten(node: Node) -> list[Node]:
    out = [node]
    for child in node.children:
        out.extend(flatten(child))
    return out
