"""Task counts kept per (plan, unit, status, due day, yellow-card day) in TaskRollup, so the
progress tree sums a few hundred rows instead of reading every task.

The task functions (tasks.py) call `rollup_add` / `rollup_move` in the transaction that creates a
task or changes its status or dates; `manage.py forward_rollup` rebuilds the table from the tasks
(after loading tasks by other means) and `--check` compares the two.

Days are UTC days, so a stored day never depends on the time zone setting. "Overdue" and "due
soon" depend on the moment the page is read: every row whose days are not today's answers from
its days alone; the tasks due or turning yellow today are read one by one (progress.py).
"""

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime

from django.db import connection, transaction
from django.db.models import Count, F
from django.db.models.functions import TruncDate

from .models import Task, TaskRollup

Key = tuple[int, int, str, date, date]


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def key_of(task: Task) -> Key:
    return (task.plan_id, task.unit_id, task.status, day_of(task.due_at), day_of(task.yellow_at))


def rollup_add(tasks: Iterable[Task], *, sign: int = 1) -> None:
    """Count tasks in (sign=1) or out (sign=-1) of the rollup, in their present state."""
    _apply(Counter({k: sign * n for k, n in Counter(key_of(t) for t in tasks).items()}))


def rollup_move(task: Task, before: Key) -> None:
    """A task whose status or dates changed: out of the row it was counted in, into its new one."""
    after = key_of(task)
    if after != before:
        _apply(Counter({before: -1, after: 1}))


# Counting in: insert the row or add to it, in one statement that two transactions may run at
# once (PostgreSQL and SQLite both speak ON CONFLICT). The table name is our own constant.
_UPSERT = (
    "INSERT INTO forward_taskrollup (plan_id, unit_id, status, due_day, yellow_day, tasks) "
    "VALUES (%s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (plan_id, unit_id, status, due_day, yellow_day) "
    "DO UPDATE SET tasks = forward_taskrollup.tasks + EXCLUDED.tasks"
)


def _apply(deltas: Counter) -> None:
    # Rows are touched in key order, so two transactions moving tasks between the same rows
    # lock them in the same order and never wait for each other in a cycle.
    adapt = connection.ops.adapt_datefield_value
    for key, n in sorted(deltas.items()):
        if n > 0:
            with connection.cursor() as cursor:
                cursor.execute(_UPSERT, [key[0], key[1], key[2], adapt(key[3]), adapt(key[4]), n])
        elif n < 0:
            row = TaskRollup.objects.filter(
                plan_id=key[0], unit_id=key[1], status=key[2], due_day=key[3], yellow_day=key[4]
            )
            # The last tasks of a row take the row with them. A row that lacks the task (one
            # written around these functions) is left for forward_rollup to repair.
            deleted, _ = row.filter(tasks__lte=-n).delete()
            if not deleted:
                row.update(tasks=F("tasks") + n)


def rollup_from_tasks() -> dict[Key, int]:
    """The rollup as the tasks say it should be, counted afresh by the database."""
    rows = (
        Task.objects.annotate(due_day=TruncDate("due_at", tzinfo=UTC), yellow_day=TruncDate("yellow_at", tzinfo=UTC))
        .values_list("plan_id", "unit_id", "status", "due_day", "yellow_day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {tuple(r[:5]): r[5] for r in rows}


def rollup_stored() -> dict[Key, int]:
    rows = TaskRollup.objects.values_list("plan_id", "unit_id", "status", "due_day", "yellow_day", "tasks")
    return {tuple(r[:5]): r[5] for r in rows}


@transaction.atomic
def rollup_rebuild() -> int:
    """Recount the rollup from the tasks; returns the number of rows. Task changes made meanwhile
    wait for it (PostgreSQL: the table is locked against writes until the end)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE forward_taskrollup IN EXCLUSIVE MODE")
    TaskRollup.objects.all().delete()
    rows = [
        TaskRollup(plan_id=p, unit_id=u, status=s, due_day=d, yellow_day=y, tasks=n)
        for (p, u, s, d, y), n in rollup_from_tasks().items()
    ]
    TaskRollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
