"""Synthetic forward-chain load: key projects cascaded district → streets → communities →
groups → households, with tasks at every stage, written with bulk_create in batches.

    from twoway.forward.synth import generate_tasks
    generate_tasks(count=50_000)

Used by bench/tasks.py; it needs a district (org/demo.py or `manage.py generate`) to exist.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from twoway.org.models import Household, OrgUnit, UnitKind

from .models import Plan, PlanKind, PlanStatus, Task, TaskEvent, TaskStatus
from .rollup import rollup_add

TITLES = ["老旧小区改造", "文明城市创建", "垃圾分类推进", "医保参保扩面", "冬季供暖保障", "消防安全排查", "防诈骗宣传"]


def _status(rng: random.Random, due, now):
    roll = rng.random()
    if roll < 0.55:
        checked = min(now, due - timedelta(hours=rng.randint(-48, 120)))
        return TaskStatus.CHECKED, checked - timedelta(hours=6), checked
    if roll < 0.70:
        return TaskStatus.REPORTED, min(now, due - timedelta(hours=rng.randint(-24, 72))), None
    if roll < 0.75:
        return TaskStatus.RETURNED, min(now, due - timedelta(hours=rng.randint(0, 72))), None
    return TaskStatus.ASSIGNED, None, None


def _make(rng, plan, start, now, targets, due_at, *, batch: int, events: bool) -> list[Task]:
    """Tasks of one level: targets are (unit, household id or None, parent task or None, assigned by)."""
    rows = []
    for unit, household, parent, assigned_by in targets:
        status, reported, checked = _status(rng, due_at, now)
        rows.append(
            Task(
                plan=plan,
                parent=parent,
                unit=unit,
                household_id=household,
                assigned_by=assigned_by,
                title=plan.title,
                status=status,
                due_at=due_at,
                yellow_at=due_at - timedelta(days=2),
                created_at=start,
                reported_at=reported,
                checked_at=checked,
            )
        )
    out = []
    for i in range(0, len(rows), batch):
        made = Task.objects.bulk_create(rows[i : i + batch])
        rollup_add(made)
        out += made
    if events:
        for i in range(0, len(out), batch):
            TaskEvent.objects.bulk_create(
                TaskEvent(task=t, kind="assigned", unit_id=t.assigned_by_id, at=start) for t in out[i : i + batch]
            )
    return out


def generate_tasks(*, count: int, seed: int = 5, batch: int = 5_000, events: bool = True) -> int:
    """Add about `count` tasks (whole cascades, so a few more at most) and return how many."""
    rng = random.Random(seed)
    district = OrgUnit.objects.filter(kind=UnitKind.DISTRICT).order_by("id").first()
    if district is None:
        return 0
    units = list(OrgUnit.objects.filter(path__startswith=district.path, retired_at__isnull=True).order_by("path"))
    by_unit = {u.pk: u for u in units}
    children: dict[int, list[OrgUnit]] = {}
    for u in units:
        if u.parent_id:
            children.setdefault(u.parent_id, []).append(u)
    households: dict[int, list[int]] = {}
    for pk, group_id in Household.objects.filter(retired_at__isnull=True).values_list("pk", "group_id"):
        households.setdefault(group_id, []).append(pk)
    streets = [u for u in children.get(district.pk, []) if u.kind == UnitKind.STREET]
    now = timezone.now()
    made = n = 0
    opts = {"batch": batch, "events": events}
    while made < count:
        n += 1
        with transaction.atomic():
            start = now - timedelta(days=rng.randint(10, 120))
            plan = Plan.objects.create(
                unit=district,
                kind=PlanKind.KEY_PROJECT,
                title=f"{rng.choice(TITLES)}（第{n}批）",
                document="合成数据",
                status=PlanStatus.RUNNING,
                started_at=start,
            )
            due = start + timedelta(days=rng.randint(20, 150))
            level = [(s, None, None, district) for s in streets]
            street_tasks = _make(rng, plan, start, now, level, due, **opts)
            level = [(c, None, t, by_unit[t.unit_id]) for t in street_tasks for c in children.get(t.unit_id, [])]
            community_tasks = _make(rng, plan, start, now, level, due, **opts)
            level = [(g, None, t, by_unit[t.unit_id]) for t in community_tasks for g in children.get(t.unit_id, [])]
            group_tasks = _make(rng, plan, start, now, level, due - timedelta(days=5), **opts)
            made += len(street_tasks) + len(community_tasks) + len(group_tasks)
            room = count - made
            level = []
            for t in group_tasks:
                group = by_unit[t.unit_id]
                for h in households.get(t.unit_id, [])[: max(0, room - len(level))]:
                    level.append((group, h, t, group))
            if level:
                made += len(_make(rng, plan, start, now, level, due - timedelta(days=8), **opts))
    return made
