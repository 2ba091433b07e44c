"""Forward-chain figures per unit for the supervision dashboards (tasks done on time, notice reach).

`forward_kpis` answers for any number of units in four queries: it reads the figures once per
unit that has any, then adds each one up into every requested ancestor in Python.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import Count, F, Q
from django.utils import timezone

from twoway.org.models import PATH_STEP, OrgUnit, Person

from .models import NoticeRead, PolicyNotice, Task, TaskStatus

KEYS = ("tasks_total", "tasks_due", "tasks_on_time", "tasks_checked", "notices_reach", "notices_read")


def _prefixes(path: str) -> list[str]:
    return [path[: i + PATH_STEP] for i in range(0, len(path), PATH_STEP)]


def forward_kpis(units: Iterable[OrgUnit], start: datetime, end: datetime) -> dict[int, dict]:
    """For each unit id: tasks (due in [start, end)) and policy notices (published in [start, end))
    within that unit's subtree.

    tasks_due: the due date has passed, or the task is done (checked); tasks_on_time: checked by
    its due date. notices_reach: residents of the subtree that the notices were pushed to (one per
    resident per notice); notices_read: how many of those opened them.
    """
    units = list(units)
    result = {u.pk: dict.fromkeys(KEYS, 0) for u in units}
    if not units:
        return result
    wanted = {u.path: u.pk for u in units}
    within = reduce(or_, (Q(unit__path__startswith=p) for p in wanted))
    now = timezone.now()

    totals: dict[str, dict] = defaultdict(lambda: dict.fromkeys(KEYS, 0))

    def add_up(path: str, key: str, n: int) -> None:
        for prefix in _prefixes(path):
            if prefix in wanted:
                totals[prefix][key] += n

    checked = Q(status=TaskStatus.CHECKED)
    rows = (
        Task.objects.filter(within, due_at__gte=start, due_at__lt=end)
        .values("unit__path")
        .annotate(
            total=Count("id"),
            due=Count("id", filter=checked | Q(due_at__lt=now)),
            on_time=Count("id", filter=checked & Q(checked_at__lte=F("due_at"))),
            done=Count("id", filter=checked),
        )
    )
    for r in rows:
        path = r["unit__path"]
        add_up(path, "tasks_total", r["total"])
        add_up(path, "tasks_due", r["due"])
        add_up(path, "tasks_on_time", r["on_time"])
        add_up(path, "tasks_checked", r["done"])

    # Notices: where each one was pushed, how many residents live in each group, who opened what.
    targets: dict[int, list[str]] = defaultdict(list)
    for notice_id, path in PolicyNotice.targets.through.objects.filter(
        policynotice__published_at__gte=start, policynotice__published_at__lt=end
    ).values_list("policynotice_id", "orgunit__path"):
        targets[notice_id].append(path)
    if targets:
        residents = dict(
            Person.objects.filter(within, household__isnull=False, retired_at__isnull=True)
            .values_list("unit__path")
            .annotate(n=Count("id"))
            .values_list("unit__path", "n")
        )
        for paths in targets.values():
            for unit_path, n in residents.items():
                if any(unit_path.startswith(t) for t in paths):
                    add_up(unit_path, "notices_reach", n)
        reads = (
            NoticeRead.objects.filter(
                Q(notice_id__in=list(targets)),
                reduce(or_, (Q(person__unit__path__startswith=p) for p in wanted)),
                person__household__isnull=False,
            )
            .values_list("notice_id", "person__unit__path")
            .annotate(n=Count("id"))
        )
        for notice_id, unit_path, n in reads:
            if any(unit_path.startswith(t) for t in targets[notice_id]):
                add_up(unit_path, "notices_read", n)

    for path, pk in wanted.items():
        result[pk].update(totals.get(path, {}))
    return result
