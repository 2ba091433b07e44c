"""The progress rollup: after any sequence of task changes it equals a fresh count of the tasks,
and the tree read from it shows, at any moment, what counting every task one by one shows."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from twoway.forward import plans, tasks
from twoway.forward.models import Task, TaskRollup, TaskStatus
from twoway.forward.progress import flatten, progress_tree
from twoway.forward.rollup import rollup_from_tasks, rollup_stored


def _soon(days):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def worked(tree):
    """A district plan down to households and a street's own plan, part reported, sent back,
    reported again, checked and supervised, all through the task functions."""
    d, gl = tree["district_staff"].user, tree["group_leader"].user
    plan = plans.plan_create(user=d, unit_id=tree["district"].pk, kind="project", title="道路整治")
    streets = tasks.task_assign(
        user=d, plan_id=plan.pk, unit_ids=[tree["street_A"].pk, tree["street_B"].pk], title="整治", due_on=_soon(20)
    )
    communities = []
    for st in streets:
        kids = [tree[f"community_{st.unit.code[-1]}{n}"].pk for n in (1, 2)]
        communities += tasks.task_break_down(user=d, task_id=st.pk, unit_ids=kids, title="社区段", due_on=_soon(12))
    groups = []
    for ct in communities:
        kids = list(ct.unit.children.order_by("code").values_list("pk", flat=True))
        # Different due dates per community, so the rows fall on several days.
        due = _soon(4 + 2 * len(groups) // max(1, len(kids)))
        groups += tasks.task_break_down(user=d, task_id=ct.pk, unit_ids=kids, title="小组段", due_on=due)
    own = next(g for g in groups if g.unit == tree["group_A1a"])
    homes = tasks.task_break_down(user=gl, task_id=own.pk, households=True, title="每户宣传")
    for h in homes[:2]:
        tasks.task_report(user=gl, task_id=h.pk, text="已宣传")
        tasks.task_check(user=gl, task_id=h.pk)
    others = [g for g in groups if g is not own]
    tasks.task_report(user=d, task_id=others[0].pk, text="完成")
    tasks.task_check(user=d, task_id=others[0].pk)
    tasks.task_report(user=d, task_id=others[1].pk, text="完成大部分")
    tasks.task_return(user=d, task_id=others[1].pk, reason="缺少照片")
    tasks.task_report(user=d, task_id=others[1].pk, text="补齐照片")
    tasks.task_report(user=d, task_id=others[2].pk, text="完成")
    tasks.task_return(user=d, task_id=others[2].pk, reason="不完整")
    tasks.task_supervise(user=d, task_id=others[3].pk, note="本周完成")
    winter = plans.plan_create(user=tree["street_officer"].user, unit_id=tree["street_A"].pk, kind="plan", title="供暖")
    tasks.task_assign(
        user=tree["street_officer"].user,
        plan_id=winter.pk,
        unit_ids=[tree["community_A1"].pk, tree["community_A2"].pk],
        title="排查",
    )
    return {"plan": plan, "winter": winter, "groups": groups, "homes": homes}


def _counts_from_tasks(node, plan_id, now):
    """The figures of one unit counted from its subtree's tasks one by one (no rollup)."""
    qs = Task.objects.filter(unit__path__startswith=node.unit.path)
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    figures = {"total": 0, "done": 0, "reported": 0, "overdue": 0, "yellow": 0}
    for t in qs:
        figures["total"] += 1
        figures["done"] += t.status == TaskStatus.CHECKED
        figures["reported"] += t.status == TaskStatus.REPORTED
        if t.status != TaskStatus.CHECKED:
            figures["overdue"] += t.due_at < now
            figures["yellow"] += t.yellow_at <= now <= t.due_at
    return figures


def _assert_tree_matches_tasks(root_unit, plan_id=None):
    now = timezone.now()
    root = progress_tree(root_unit, plan_id=plan_id)
    for node in flatten(root):
        expected = _counts_from_tasks(node, plan_id, now)
        shown = {k: getattr(node, k) for k in expected}
        assert shown == expected, f"{node.unit.name} at {now}"
        late = [c for c in node.children if _counts_from_tasks(c, plan_id, now)["overdue"]]
        holding = max(late, key=lambda c: (c.overdue, c.open)).unit if late else None
        assert (node.holding_up.unit if node.holding_up else None) == holding
    return root


def test_the_rollup_equals_a_fresh_count_after_every_kind_of_change(worked):
    stored = rollup_stored()
    assert stored == rollup_from_tasks()
    assert sum(stored.values()) == Task.objects.count()
    # Fewer rows than tasks: tasks of one unit, status and days share a row.
    assert TaskRollup.objects.count() < Task.objects.count()
    statuses = {key[2] for key in stored}
    assert statuses == {TaskStatus.ASSIGNED, TaskStatus.REPORTED, TaskStatus.CHECKED, TaskStatus.RETURNED}
    call_command("forward_rollup", "--check")


def test_the_tree_shows_what_the_tasks_say_at_every_moment(worked, tree):
    """Before a yellow card, on the day it turns yellow, on the due day before and after the due
    time (rows of today are counted from their tasks), the day after, and weeks later."""
    group = worked["groups"][-1]
    moments = [
        timezone.now(),
        group.yellow_at - timedelta(minutes=1),
        group.yellow_at + timedelta(minutes=1),
        group.due_at - timedelta(minutes=1),
        group.due_at + timedelta(minutes=1),
        datetime.combine(group.due_at.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC),
        group.due_at + timedelta(days=1),
        group.due_at + timedelta(days=30),
    ]
    seen_late = seen_yellow = False
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            for root_unit in (tree["district"], tree["street_A"], tree["community_A1"]):
                for plan_id in (None, worked["plan"].pk):
                    root = _assert_tree_matches_tasks(root_unit, plan_id)
                    seen_late |= root.overdue > 0
                    seen_yellow |= root.yellow > 0
    assert seen_late and seen_yellow  # the moments did reach both cards


def test_a_rollup_out_of_step_is_found_and_rebuilt(worked):
    row = TaskRollup.objects.order_by("id").first()
    TaskRollup.objects.filter(pk=row.pk).update(tasks=row.tasks + 5)
    with pytest.raises(CommandError):
        call_command("forward_rollup", "--check")
    call_command("forward_rollup")
    assert rollup_stored() == rollup_from_tasks()
    call_command("forward_rollup", "--check")
