"""The forward chain end to end (issue 5's scenario): a key project refused until its six ones
are complete, cascaded district → 2 streets → their communities → groups, reported, checked at
each level, rolling up to 100% at the district."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.factories import person_with_login
from twoway.core.errors import DomainError
from twoway.forward import plans, tasks
from twoway.forward.models import Plan, PlanKind, PlanStatus, Task, TaskStatus
from twoway.forward.progress import progress_tree
from twoway.org.models import Person, RoleKind
from twoway.org.scope import scope_for


def _staff(tree, key, unit_key, kind=RoleKind.STAFF):
    return person_with_login(key, tree[unit_key], kind).user


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_key_project_from_district_to_groups_and_back(tree):
    d = tree["district_staff"].user
    soon = timezone.localdate() + timedelta(days=20)
    plan = plans.plan_create(user=d, unit_id=tree["district"].pk, kind=PlanKind.KEY_PROJECT, title="老旧小区改造")
    assert plan.status == PlanStatus.DRAFT

    # Refused, naming every one that is missing; then one by one until it starts.
    with pytest.raises(DomainError) as e:
        plans.plan_start(user=d, plan_id=plan.pk)
    assert e.value.code == "six_ones_missing"
    for missing in ("plan document", "leadership member", "working group", "timetable"):
        assert missing in e.value.message
    with pytest.raises(DomainError):
        tasks.task_assign(user=d, plan_id=plan.pk, unit_ids=[tree["street_A"].pk], title="改造", due_on=soon)
    plans.plan_set_team(
        user=d, plan_id=plan.pk, document="改造方案全文", leader_id=tree["district_staff"].pk, member_ids=[]
    )
    with pytest.raises(DomainError) as e:
        plans.plan_start(user=d, plan_id=plan.pk)
    assert "working group" in e.value.message and "plan document" not in e.value.message
    plans.plan_set_team(
        user=d,
        plan_id=plan.pk,
        document="改造方案全文",
        leader_id=tree["district_staff"].pk,
        member_ids=[tree["street_officer"].pk, tree["other_street_officer"].pk],
    )
    with pytest.raises(DomainError) as e:
        plans.plan_start(user=d, plan_id=plan.pk)
    assert "timetable" in e.value.message and "working group" not in e.value.message
    milestone = plans.milestone_add(user=d, plan_id=plan.pk, title="完成摸底", due_on=soon)
    plan = plans.plan_start(user=d, plan_id=plan.pk)
    assert plan.status == PlanStatus.RUNNING

    # Cascade: district → both streets → their communities → their groups.
    street_users = {"street_A": tree["street_officer"].user, "street_B": tree["other_street_officer"].user}
    community_users = {
        "community_A1": tree["community_secretary"].user,
        "community_A2": tree["other_community_secretary"].user,
        "community_B1": _staff(tree, "b1_secretary", "community_B1", RoleKind.LEADER),
        "community_B2": _staff(tree, "b2_secretary", "community_B2", RoleKind.LEADER),
    }
    group_users = {}
    top = tasks.task_assign(
        user=d,
        plan_id=plan.pk,
        unit_ids=[tree["street_A"].pk, tree["street_B"].pk],
        title="完成辖区内老旧小区改造",
        due_on=soon,
    )
    assert [t.unit for t in top] == [tree["street_A"], tree["street_B"]]
    for st in top:
        user = street_users[f"street_{st.unit.code[-1]}"]
        communities = [tree[f"community_{st.unit.code[-1]}{c}"] for c in "12"]
        for ct in tasks.task_break_down(
            user=user, task_id=st.pk, unit_ids=[c.pk for c in communities], title="社区改造"
        ):
            key = f"community_{ct.unit.code[1:]}"
            groups = list(ct.unit.children.order_by("code"))
            for gt in tasks.task_break_down(
                user=community_users[key], task_id=ct.pk, unit_ids=[g.pk for g in groups], title="小组入户动员"
            ):
                group_users[gt.unit.code] = person_with_login(
                    f"leader_{gt.unit.code}", gt.unit, RoleKind.GROUP_LEADER
                ).user
    assert Task.objects.filter(plan=plan).count() == 2 + 4 + 8

    root = progress_tree(tree["district"], plan_id=plan.pk)
    assert (root.total, root.done, root.percent) == (14, 0, 0)

    # A street cannot report before its communities are checked.
    with pytest.raises(DomainError) as e:
        tasks.task_report(user=street_users["street_A"], task_id=top[0].pk, text="完成")
    assert e.value.code == "parts_open"

    # Groups report; communities check; communities report; streets check; streets report; district checks.
    for gt in Task.objects.filter(plan=plan, unit__kind="group"):
        tasks.task_report(user=group_users[gt.unit.code], task_id=gt.pk, text="已入户动员")
        # A group cannot check its own work.
        with pytest.raises(DomainError):
            tasks.task_check(user=group_users[gt.unit.code], task_id=gt.pk)
    for ct in Task.objects.filter(plan=plan, unit__kind="community"):
        cu = community_users[f"community_{ct.unit.code[1:]}"]
        for gt in ct.subtasks.all():
            tasks.task_check(user=cu, task_id=gt.pk)
        tasks.task_report(user=cu, task_id=ct.pk, text="本社区完成")
    mid = progress_tree(tree["district"], plan_id=plan.pk)
    assert mid.done == 8 and mid.percent == round(100 * 8 / 14)
    for st in top:
        su = street_users[f"street_{st.unit.code[-1]}"]
        for ct in st.subtasks.all():
            tasks.task_check(user=su, task_id=ct.pk)
        tasks.task_report(user=su, task_id=st.pk, text="本街道完成")
        tasks.task_check(user=d, task_id=st.pk)

    root = progress_tree(tree["district"], plan_id=plan.pk)
    assert (root.total, root.done, root.percent, root.overdue) == (14, 14, 100, 0)
    assert all(c.percent == 100 for c in root.children if c.total)

    # Followed through to the end: closes only with every milestone verified.
    with pytest.raises(DomainError) as e:
        plans.plan_close(user=d, plan_id=plan.pk)
    assert e.value.code == "milestones_open"
    plans.milestone_verify(user=d, milestone_id=milestone.pk)
    assert plans.plan_close(user=d, plan_id=plan.pk).status == PlanStatus.CLOSED
    assert Plan.objects.get(pk=plan.pk).closed_at is not None
    # Scope: a street sees only its own subtree's progress.
    assert scope_for(street_users["street_A"]).covers(tree["street_A"].path)
    assert Person.objects.exists()
    assert TaskStatus.CHECKED == Task.objects.filter(plan=plan).values_list("status", flat=True).distinct().get()
