"""forward_kpis: per-unit task and notice figures for the dashboards, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from twoway.forward.kpis import forward_kpis
from twoway.forward.models import NoticeRead, Plan, PolicyNotice, Task, TaskStatus
from twoway.org.models import Person


def _task(plan, unit, due, status=TaskStatus.ASSIGNED, checked_at=None):
    return Task.objects.create(
        plan=plan,
        unit=unit,
        assigned_by=unit.parent or unit,
        title="任务",
        due_at=due,
        yellow_at=due - timedelta(days=1),
        created_at=due - timedelta(days=10),
        status=status,
        checked_at=checked_at,
    )


@pytest.fixture
def window():
    now = timezone.now()
    return now - timedelta(days=30), now + timedelta(days=30)


def test_tasks_counted_in_every_ancestor(tree, window):
    start, end = window
    now = timezone.now()
    plan = Plan.objects.create(unit=tree["district"], title="重点项目")
    _task(plan, tree["group_A1a"], now - timedelta(days=2), TaskStatus.CHECKED, now - timedelta(days=3))  # on time
    _task(plan, tree["group_A1a"], now - timedelta(days=2), TaskStatus.CHECKED, now - timedelta(days=1))  # late
    _task(plan, tree["community_A2"], now - timedelta(days=1))  # overdue, open
    _task(plan, tree["street_B"], now + timedelta(days=5))  # not due yet
    _task(plan, tree["street_B"], now + timedelta(days=5), TaskStatus.CHECKED, now)  # done early
    _task(plan, tree["street_B"], now + timedelta(days=60))  # outside the window
    units = [tree[k] for k in ("district", "street_A", "community_A1", "street_B", "group_B2b")]
    kpis = forward_kpis(units, start, end)
    assert kpis[tree["district"].pk] == {
        "tasks_total": 5,
        "tasks_due": 4,
        "tasks_on_time": 2,
        "tasks_checked": 3,
        "notices_reach": 0,
        "notices_read": 0,
    }
    assert kpis[tree["street_A"].pk]["tasks_total"] == 3
    assert kpis[tree["street_A"].pk]["tasks_on_time"] == 1
    assert kpis[tree["community_A1"].pk]["tasks_checked"] == 2
    assert kpis[tree["street_B"].pk]["tasks_due"] == 1
    assert kpis[tree["group_B2b"].pk]["tasks_total"] == 0


def test_notice_reach_and_read(tree, window):
    start, end = window
    notice = PolicyNotice.objects.create(
        unit=tree["district"], title="医保缴费通知", body="请按时缴费", published_at=timezone.now()
    )
    notice.targets.set([tree["community_A1"]])
    residents_a1 = Person.objects.filter(
        unit__path__startswith=tree["community_A1"].path, household__isnull=False, retired_at__isnull=True
    )
    reach = residents_a1.count()
    assert reach > 2
    NoticeRead.objects.create(notice=notice, person=tree["resident"], at=timezone.now())
    NoticeRead.objects.create(notice=notice, person=tree["group_leader"], at=timezone.now())
    kpis = forward_kpis([tree["district"], tree["street_A"], tree["group_A1a"], tree["community_A2"]], start, end)
    assert kpis[tree["district"].pk]["notices_reach"] == reach
    assert kpis[tree["district"].pk]["notices_read"] == 2
    group_reach = residents_a1.filter(unit=tree["group_A1a"]).count()
    assert kpis[tree["group_A1a"].pk]["notices_reach"] == group_reach
    assert kpis[tree["group_A1a"].pk]["notices_read"] == 2
    assert kpis[tree["community_A2"].pk]["notices_reach"] == 0
    # Published outside the window: not counted.
    later = forward_kpis([tree["district"]], end, end + timedelta(days=30))
    assert later[tree["district"].pk]["notices_reach"] == 0


def test_query_count_does_not_grow_with_units(tree, window, django_assert_max_num_queries):
    from twoway.org.models import OrgUnit

    start, end = window
    notice = PolicyNotice.objects.create(unit=tree["district"], title="通知", body="内容", published_at=timezone.now())
    notice.targets.set([tree["district"]])
    with django_assert_max_num_queries(4):
        forward_kpis([tree["district"]], start, end)
    units = list(OrgUnit.objects.all())
    with django_assert_max_num_queries(4):
        result = forward_kpis(units, start, end)
    assert len(result) == len(units)
    assert forward_kpis([], start, end) == {}
