"""The forward pages: each renders for the roles that use it, the tree is scoped and its
query count is pinned, and the forms go through the domain functions."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

import tests.scope_registry  # noqa: F401  (loads the scope cases first: they import it)
from tests.scope_cases.forward import _seed_forward
from twoway.forward.models import NoticeRead, Plan, PolicyNotice, Task, TaskStatus


@pytest.fixture
def seeded(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _seed_forward(tree)
    return tree


PAGES = [
    "forward:plans",
    "forward:plan_new",
    "forward:tasks",
    "forward:tree",
    "forward:overdue",
    "forward:notices",
    "forward:notice_new",
    "forward:visits",
    "forward:visit_new",
    "forward:aid",
    "forward:aid_new",
]


@pytest.mark.parametrize("who", ["district_staff", "street_officer", "community_secretary", "group_leader"])
def test_every_list_page_renders_for_staff(seeded, login, who):
    client = login(seeded[who])
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    plan = Plan.objects.get(title="区级道路整治项目")
    assert client.get(reverse("forward:plan", args=[plan.pk])).status_code == 200
    task = Task.objects.filter(unit=seeded["group_A1a"]).first()
    assert client.get(reverse("forward:task", args=[task.pk])).status_code == 200


def test_residents_see_their_notices_and_nothing_else(seeded, login):
    client = login(seeded["resident"])
    assert client.get(reverse("forward:plans")).status_code == 403
    assert client.get(reverse("forward:tree")).status_code == 403
    response = client.get(reverse("forward:notices"))
    assert "A1社区垃圾分类宣传" in response.content.decode()
    assert "B街道医保缴费提醒" not in response.content.decode()
    notice = PolicyNotice.objects.get(title="A1社区垃圾分类宣传")
    assert client.get(reverse("forward:notice", args=[notice.pk])).status_code == 200
    assert NoticeRead.objects.filter(notice=notice, person=seeded["resident"]).count() == 1
    home = client.get(reverse("home")).content.decode()
    assert "A1社区垃圾分类宣传" in home


def test_the_tree_of_a_street_shows_only_its_subtree(seeded, login):
    client = login(seeded["street_officer"])
    body = client.get(reverse("forward:tree")).content.decode()
    assert "A1社区" in body and "A2社区" in body
    assert "B1社区" not in body and "B街道" not in body
    assert client.get(reverse("forward:tree"), {"unit": seeded["street_B"].pk}).status_code == 404
    assert client.get(reverse("forward:tree"), {"unit": seeded["community_A1"].pk}).status_code == 200


def test_tree_page_query_count_is_pinned(seeded, login, django_assert_num_queries):
    """The district tree costs the same whatever the number of tasks or units."""
    client = login(seeded["district_staff"])
    plan = Plan.objects.get(title="区级道路整治项目")
    url = reverse("forward:tree")
    client.get(url)  # warm the session
    with django_assert_num_queries(11):
        response = client.get(url, {"plan": plan.pk})
    assert response.status_code == 200
    # More tasks, more units reached: the same number of queries.
    d = seeded["district_staff"].user
    from twoway.forward import tasks

    tasks.task_assign(
        user=d,
        plan_id=plan.pk,
        unit_ids=[seeded["street_A"].pk, seeded["street_B"].pk],
        title="第二批",
        due_on=timezone.localdate() + timedelta(days=10),
    )
    with django_assert_num_queries(11):
        client.get(url, {"plan": plan.pk})


def _png():
    buf = io.BytesIO()
    Image.new("RGB", (30, 30), "red").save(buf, "PNG")
    buf.name = "photo.png"
    buf.seek(0)
    return buf


def test_report_check_and_send_back_through_the_pages(seeded, login):
    task = Task.objects.filter(unit=seeded["group_A1b"]).first() or Task.objects.create(
        plan=Plan.objects.get(title="区级道路整治项目"),
        unit=seeded["group_A1b"],
        assigned_by=seeded["community_A1"],
        title="A1b小组段",
        due_at=timezone.now() + timedelta(days=3),
        yellow_at=timezone.now() + timedelta(days=2),
        created_at=timezone.now(),
    )
    from tests.factories import person_with_login
    from twoway.org.models import RoleKind

    leader = person_with_login("leader_A1b", seeded["group_A1b"], RoleKind.GROUP_LEADER)
    client = login(leader)
    url = reverse("forward:task_act", args=[task.pk, "report"])
    response = client.post(url, {"text": ""}, follow=True)
    assert "进展" in response.content.decode()  # the error names the field
    client.post(url, {"text": "已完成清扫", "photos": _png()})
    task.refresh_from_db()
    assert task.status == TaskStatus.REPORTED and task.reports.get().photos.count() == 1
    photo = task.reports.get().photos.get()
    assert client.get(reverse("forward:photo", args=[photo.pk]))["Content-Type"] == "image/jpeg"
    # The group leader cannot check their own work; the community can.
    client.post(reverse("forward:task_act", args=[task.pk, "check"]))
    task.refresh_from_db()
    assert task.status == TaskStatus.REPORTED
    client = login(seeded["community_secretary"])
    client.post(reverse("forward:task_act", args=[task.pk, "return"]), {"reason": "缺少照片说明"})
    task.refresh_from_db()
    assert task.status == TaskStatus.RETURNED
    page = client.get(reverse("forward:task", args=[task.pk])).content.decode()
    assert "缺少照片说明" in page
