"""The reverse chain end to end (R-3), checking at each step what each person sees."""

import pytest
from django.core.exceptions import PermissionDenied

from twoway.appeals import flow
from twoway.appeals.access import visible_appeals
from twoway.appeals.models import AppealEvent, EventKind, Rating, Score, Status
from twoway.core.errors import DomainError
from twoway.notify.models import Notification

from .appeal_helpers import raise_appeal


def sees(tree, who, appeal) -> bool:
    return visible_appeals(tree[who].user).filter(pk=appeal.pk).exists()


def test_an_appeal_goes_up_all_four_levels_to_a_district_outcome(tree):
    t = tree
    appeal = raise_appeal(t)
    assert appeal.number.startswith("SQ-") and appeal.status == Status.PENDING
    assert appeal.handling_unit == t["group_A1a"]
    assert sees(t, "resident", appeal) and sees(t, "group_leader", appeal)
    assert not sees(t, "far_resident", appeal) and not sees(t, "other_community_secretary", appeal)
    assert Notification.objects.filter(person=t["group_leader"], title__contains=appeal.number).exists()

    # Resident group: accept, then escalate what it cannot settle.
    flow.appeal_accept(user=t["group_leader"].user, appeal_id=appeal.pk)
    flow.appeal_escalate(user=t["group_leader"].user, appeal_id=appeal.pk, reason="涉及公共区域，需社区协调")
    appeal.refresh_from_db()
    assert (appeal.handling_unit, appeal.status) == (t["community_A1"], Status.PENDING)
    # The group leader follows it, but can no longer act on it.
    assert sees(t, "group_leader", appeal)
    with pytest.raises(PermissionDenied):
        flow.appeal_accept(user=t["group_leader"].user, appeal_id=appeal.pk)

    # Community → street.
    flow.appeal_accept(user=t["community_secretary"].user, appeal_id=appeal.pk)
    flow.appeal_escalate(user=t["community_secretary"].user, appeal_id=appeal.pk, reason="议事协商会议表决上报街道")
    appeal.refresh_from_db()
    assert appeal.handling_unit == t["street_A"]
    assert sees(t, "street_officer", appeal) and not sees(t, "other_street_officer", appeal)

    # Street → district.
    flow.appeal_accept(user=t["street_officer"].user, appeal_id=appeal.pk)
    flow.appeal_escalate(user=t["street_officer"].user, appeal_id=appeal.pk, reason="周例会：需区级部门协调")
    appeal.refresh_from_db()
    assert appeal.handling_unit == t["district"]

    # The district cannot escalate; it assigns a department, which answers back.
    flow.appeal_accept(user=t["district_staff"].user, appeal_id=appeal.pk)
    with pytest.raises(DomainError) as err:
        flow.appeal_escalate(user=t["district_staff"].user, appeal_id=appeal.pk, reason="x")
    assert err.value.code == "cannot_escalate"
    flow.appeal_assign(user=t["district_staff"].user, appeal_id=appeal.pk, department_id=t["department"].pk)
    assert sees(t, "dept_officer", appeal)
    flow.appeal_accept(user=t["dept_officer"].user, appeal_id=appeal.pk)
    with pytest.raises(DomainError):
        flow.appeal_resolve(user=t["dept_officer"].user, appeal_id=appeal.pk, outcome="x")
    flow.appeal_answer(user=t["dept_officer"].user, appeal_id=appeal.pk, answer="已安排清运车辆，三日内完成")
    appeal.refresh_from_db()
    assert (appeal.handling_unit, appeal.status) == (t["district"], Status.ACCEPTED)

    # The district's joint meeting gives the final outcome.
    flow.appeal_resolve(
        user=t["district_staff"].user,
        appeal_id=appeal.pk,
        outcome="联席会议决定：区城管局清运，街道长效管理",
        decision_ref="联席会议 2026-12-01 决议3",
    )
    appeal.refresh_from_db()
    assert appeal.status == Status.RESOLVED and appeal.resolved_unit == t["district"]
    assert (
        Notification.objects.filter(person=t["resident"], title__contains="rate").exists()
        or Notification.objects.filter(person=t["resident"]).count() >= 6
    )

    flow.appeal_rate(user=t["resident"].user, appeal_id=appeal.pk, score=Score.SATISFIED, comment="处理及时")
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED
    kinds = list(appeal.events.values_list("kind", flat=True))
    assert kinds == [
        "submitted",
        "accepted",
        "escalated",
        "accepted",
        "escalated",
        "accepted",
        "escalated",
        "accepted",
        "assigned",
        "accepted",
        "answered",
        "resolved",
        "rated",
        "closed",
    ]
    # Levels on the timeline, in order.
    units = [e.unit.kind for e in appeal.events.select_related("unit")]
    assert units[:3] == ["group", "group", "group"] and "department" in units and units[-1] == "district"


def test_an_appeal_settled_at_the_resident_group(tree):
    t = tree
    appeal = raise_appeal(t)
    flow.appeal_accept(user=t["group_leader"].user, appeal_id=appeal.pk)
    flow.appeal_note(user=t["group_leader"].user, appeal_id=appeal.pk, note="已联系物业", internal=False)
    flow.appeal_note(user=t["group_leader"].user, appeal_id=appeal.pk, note="内部：物业经理电话", internal=True)
    flow.appeal_resolve(user=t["group_leader"].user, appeal_id=appeal.pk, outcome="居民议事会商定，物业当日清理完毕")
    flow.appeal_rate(user=t["resident"].user, appeal_id=appeal.pk, score=Score.BASIC)
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED and appeal.resolved_unit == t["group_A1a"]
    assert Rating.objects.get(appeal=appeal).score == Score.BASIC
    # The community never had to touch it, and the street never saw it.
    assert not AppealEvent.objects.filter(appeal=appeal, unit=t["community_A1"]).exists()
    assert not sees(t, "other_street_officer", appeal)


def test_not_satisfied_reopens_once_then_escalates(tree):
    t = tree
    appeal = raise_appeal(t)
    flow.appeal_accept(user=t["group_leader"].user, appeal_id=appeal.pk)
    flow.appeal_resolve(user=t["group_leader"].user, appeal_id=appeal.pk, outcome="已清理")
    flow.appeal_rate(user=t["resident"].user, appeal_id=appeal.pk, score=Score.UNSATISFIED, comment="又堆上了")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.reopen_count, appeal.handling_unit) == (Status.ACCEPTED, 1, t["group_A1a"])
    flow.appeal_resolve(user=t["group_leader"].user, appeal_id=appeal.pk, outcome="再次清理并张贴告示")
    flow.appeal_rate(user=t["resident"].user, appeal_id=appeal.pk, score=Score.UNSATISFIED, comment="问题依旧")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.handling_unit) == (Status.PENDING, t["community_A1"])
    assert list(appeal.ratings.order_by("round").values_list("round", "score")) == [
        (0, "unsatisfied"),
        (1, "unsatisfied"),
    ]
    assert appeal.events.filter(kind=EventKind.REOPENED).count() == 1
    assert appeal.events.last().kind == EventKind.ESCALATED


def test_only_the_resident_who_raised_it_can_rate(tree):
    t = tree
    appeal = raise_appeal(t)
    flow.appeal_accept(user=t["group_leader"].user, appeal_id=appeal.pk)
    flow.appeal_resolve(user=t["group_leader"].user, appeal_id=appeal.pk, outcome="已清理")
    with pytest.raises(DomainError):
        flow.appeal_rate(user=t["group_leader"].user, appeal_id=appeal.pk, score=Score.SATISFIED)


def test_returned_as_a_duplicate_links_the_original(tree):
    t = tree
    first = raise_appeal(t)
    second = raise_appeal(t, description="楼道杂物还没清")
    flow.appeal_return(
        user=t["group_leader"].user, appeal_id=second.pk, reason="重复反映", duplicate_of_number=first.number
    )
    second.refresh_from_db()
    assert second.status == Status.RETURNED and second.duplicate_of == first


def test_merged_appeals_follow_one_outcome(tree):
    t = tree
    a = raise_appeal(t)
    b = raise_appeal(t, who="group_leader", description="楼道杂物太多")
    flow.appeal_merge(user=t["group_leader"].user, target_id=a.pk, other_ids=[b.pk])
    b.refresh_from_db()
    assert b.status == Status.MERGED and b.merged_into == a
    flow.appeal_accept(user=t["group_leader"].user, appeal_id=a.pk)
    flow.appeal_resolve(user=t["group_leader"].user, appeal_id=a.pk, outcome="统一清理")
    b.refresh_from_db()
    assert b.outcome == "统一清理"
    assert Notification.objects.filter(person=t["group_leader"], title__contains=a.number).exists()


def test_staff_raise_an_appeal_on_a_residents_behalf(tree):
    t = tree
    appeal = raise_appeal(t, who="grid_worker", on_behalf_of=t["resident"], channel="phone")
    assert appeal.raised_by == t["resident"] and appeal.proxy == t["grid_worker"] and appeal.channel == "phone"
    assert sees(t, "resident", appeal)
    with pytest.raises(DomainError) as err:
        raise_appeal(t, who="grid_worker", on_behalf_of=t["far_resident"])
    assert err.value.field == "resident"
