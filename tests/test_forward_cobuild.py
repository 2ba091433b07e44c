"""Co-building (双联共建, §5.1.3.2) and the community's charter and convention (§4.3 c): who may
sit on a community's group, a plan declared to a department followed as a task the department
reports on and the community checks, and documents published to the community's residents."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory
from twoway.core.errors import DomainError
from twoway.forward import charters, cobuild, tasks
from twoway.forward.models import CoBuildMember, CommunityDocument, PlanKind, PlanStatus, Task, TaskStatus
from twoway.notify.models import Notification
from twoway.org.models import Role, RoleKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(tree):
    """The head of the district's department (a leader role there)."""
    person = PersonFactory(unit=tree["department"], household=None, name="王局长")
    Role.objects.create(person=person, unit=tree["department"], kind=RoleKind.LEADER, title="局长")
    return person


def _refused(call, field):
    with pytest.raises(DomainError) as refused:
        call()
    assert refused.value.field == field, refused.value.message
    return refused.value.message


def test_only_department_heads_sit_on_a_communitys_group_and_only_once(tree, head):
    secretary = tree["community_secretary"].user
    a1 = tree["community_A1"].pk
    member = cobuild.member_add(user=secretary, community_id=a1, person_id=head.pk, duty="委员，负责老旧小区改造")
    assert (member.department, member.duty) == (tree["department"], "委员，负责老旧小区改造")
    assert "王局长" in _refused(
        lambda: cobuild.member_add(user=secretary, community_id=a1, person_id=head.pk), "person"
    )
    # A department's staff member who is not its head, a street officer, no one at all.
    for someone in (tree["dept_officer"].pk, tree["street_officer"].pk, "x", None):
        assert _refused(lambda s=someone: cobuild.member_add(user=secretary, community_id=a1, person_id=s), "person")
    _refused(lambda: cobuild.member_add(user=secretary, community_id=tree["group_A1a"].pk, person_id=head.pk), "unit")
    _refused(lambda: cobuild.member_add(user=secretary, community_id=a1, person_id=head.pk, duty="委员\x00"), "duty")
    # Another community's secretary does not see this one; the auditor sees it but cannot change it.
    with pytest.raises(Http404):
        cobuild.member_add(user=tree["other_community_secretary"].user, community_id=a1, person_id=head.pk)
    with pytest.raises(PermissionDenied):
        cobuild.member_add(user=tree["district_auditor"].user, community_id=a1, person_id=head.pk)
    # Leaving keeps the seat in the history; the head can then be seated again.
    cobuild.member_remove(user=secretary, member_id=member.pk)
    _refused(lambda: cobuild.member_remove(user=secretary, member_id=member.pk), "member")
    again = cobuild.member_add(user=secretary, community_id=a1, person_id=head.pk)
    assert list(cobuild.members(tree["community_A1"])) == [again]
    assert CoBuildMember.objects.filter(person=head).count() == 2
    _refused(lambda: cobuild.member_remove(user=tree["other_street_officer"].user, member_id=again.pk), "member")


def test_a_declared_plan_is_a_task_the_department_reports_on_and_the_community_checks(tree, head):
    secretary = tree["community_secretary"].user
    plan = cobuild.plan_declare(
        user=secretary,
        community_id=tree["community_A1"].pk,
        department_id=tree["department"].pk,
        title="A1社区管网更新实施方案",
        document="一、范围：1至6号楼。二、分工：住建局施工，社区入户告知。",
        due_on=timezone.localdate() + timedelta(days=20),
    )
    assert (plan.kind, plan.status, plan.unit) == (PlanKind.COBUILD, PlanStatus.RUNNING, tree["community_A1"])
    task = Task.objects.get(plan=plan)
    assert (task.unit, task.assigned_by, task.status) == (tree["department"], tree["community_A1"], "assigned")
    # The department's staff are told, and see it among the plans declared to them.
    assert Notification.objects.filter(person=tree["dept_officer"], link=reverse("forward:task", args=[task.pk]))
    assert list(cobuild.declared(departments=[tree["department"]])) == [task]
    assert list(cobuild.declared(community=tree["community_A2"])) == []
    # The community cannot report for the department; the department cannot check its own work.
    with pytest.raises(DomainError):
        tasks.task_report(user=secretary, task_id=task.pk, text="社区代报")
    tasks.task_report(user=tree["dept_officer"].user, task_id=task.pk, text="已完成1至3号楼管网更新")
    with pytest.raises(DomainError):
        tasks.task_check(user=tree["dept_officer"].user, task_id=task.pk)
    tasks.task_check(user=secretary, task_id=task.pk)
    task.refresh_from_db()
    assert task.status == TaskStatus.CHECKED


def test_declaring_refuses_what_is_missing_by_field(tree):
    secretary = tree["community_secretary"].user
    base = {
        "user": secretary,
        "community_id": tree["community_A1"].pk,
        "department_id": tree["department"].pk,
        "title": "管网更新",
        "document": "方案",
    }
    _refused(lambda: cobuild.plan_declare(**{**base, "department_id": tree["street_A"].pk}), "department")
    _refused(lambda: cobuild.plan_declare(**{**base, "department_id": "²"}), "department")
    _refused(lambda: cobuild.plan_declare(**{**base, "title": " "}), "title")
    _refused(lambda: cobuild.plan_declare(**{**base, "title": "x" * 121}), "title")
    _refused(lambda: cobuild.plan_declare(**{**base, "document": ""}), "document")
    _refused(lambda: cobuild.plan_declare(**{**base, "document": "方案" * 10001}), "document")
    _refused(lambda: cobuild.plan_declare(**{**base, "due_on": timezone.localdate() - timedelta(days=1)}), "due_on")
    assert not Task.objects.exists()


def test_the_cobuild_page_for_the_community_the_department_and_outsiders(tree, head, login):
    client = login(tree["community_secretary"])
    url = reverse("forward:cobuild") + f"?unit={tree['community_A1'].pk}"
    added = client.post(url, {"action": "add", "person": head.pk, "duty": "委员"}, follow=True)
    assert "王局长已加入小组。" in added.content.decode()
    refused = client.post(url, {"action": "declare", "department": tree["department"].pk, "title": "", "document": "x"})
    assert refused.status_code == 200 and "标题：此项必填。" in refused.content.decode()
    client.post(
        url, {"action": "declare", "department": tree["department"].pk, "title": "楼道照明", "document": "加装"}
    )
    page = client.get(url).content.decode()
    assert "王局长" in page and "楼道照明" in page
    department = login(tree["dept_officer"]).get(reverse("forward:cobuild")).content.decode()
    assert "楼道照明" in department and "A1社区" in department
    assert login(tree["other_street_officer"]).get(url).status_code == 404
    district = login(tree["district_staff"]).get(reverse("forward:cobuild")).content.decode()
    assert "A1社区" in district and "1 名委员 · 申报 1 个方案" in district


def test_the_charter_and_convention_reach_the_communitys_residents_newest_version_first(tree, login):
    secretary = tree["community_secretary"].user
    a1 = tree["community_A1"].pk
    charters.document_publish(
        user=secretary, community_id=a1, kind="convention", title="A1居民公约", text="一、邻里和睦"
    )
    second = charters.document_publish(
        user=secretary,
        community_id=a1,
        kind="convention",
        title="A1居民公约（修订）",
        text="一、邻里和睦\n二、文明养犬",
    )
    assert second.version == 2
    assert charters.in_force(tree["community_A1"]) == [second]
    resident = login(tree["resident"]).get(reverse("forward:charter")).content.decode()
    assert "A1居民公约（修订）" in resident and "文明养犬" in resident and "第2版" in resident
    assert "A1居民公约</h2>" not in resident
    home = login(tree["resident"]).get(reverse("home")).content.decode()
    assert "A1居民公约（修订）" in home
    far = login(tree["far_resident"]).get(reverse("forward:charter")).content.decode()
    assert "文明养犬" not in far and "还没有在这里发布" in far
    # Staff see both versions in the history; refusals name the field and publish nothing.
    history = login(tree["community_secretary"]).get(reverse("forward:charter") + f"?unit={a1}").content.decode()
    assert "第1版" in history and "第2版" in history
    _refused(lambda: charters.document_publish(user=secretary, community_id=a1, kind="x", title="t", text="t"), "kind")
    _refused(
        lambda: charters.document_publish(user=secretary, community_id=a1, kind="charter", title="", text="t"), "title"
    )
    _refused(
        lambda: charters.document_publish(user=secretary, community_id=a1, kind="charter", title="t", text="x" * 20001),
        "text",
    )
    for outsider in ("resident", "other_community_secretary"):
        with pytest.raises(Http404):
            charters.document_publish(user=tree[outsider].user, community_id=a1, kind="charter", title="t", text="t")
    with pytest.raises(PermissionDenied):
        charters.document_publish(
            user=tree["district_auditor"].user, community_id=a1, kind="charter", title="t", text="t"
        )
    assert CommunityDocument.objects.count() == 2
