"""Progress rolled up the tree (R-2.4): at every unit, the tasks assigned within its subtree:
share checked, overdue count, and which unit below is holding things up.

Two queries whatever the size: the units of the subtree, and the task counts grouped by unit
id; each count is then added into every shown ancestor of its unit in Python.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from twoway.org.models import PATH_STEP, OrgUnit

from .models import Task, TaskStatus


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

    Grouped by the task's unit id alone, so the database answers from one covering index
    (forward_task_progress) without joining the unit table.
    """
    now = now or timezone.now()
    qs = Task.objects.all()
    if not whole_tree:
        qs = qs.filter(unit__in=OrgUnit.objects.filter(path__startswith=root.path).values("pk"))
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    done = Q(status=TaskStatus.CHECKED)
    return (
        qs.values_list("unit_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=done),
            reported=Count("id", filter=Q(status=TaskStatus.REPORTED)),
            overdue=Count("id", filter=~done & Q(due_at__lt=now)),
            yellow=Count("id", filter=~done & Q(yellow_at__lte=now, due_at__gte=now)),
        )
        .order_by()
    )


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
