"""The rules of the forward chain, one behaviour per test."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.factories import person_with_login
from twoway.core.errors import DomainError
from twoway.deadlines import engine
from twoway.forward import aid, plans, publicity, tasks, visits
from twoway.forward.models import (
    EventKind,
    NoticeRead,
    PlanStatus,
    Report,
    ReportPhoto,
    Task,
    TaskEvent,
    TaskStatus,
    Visit,
)
from twoway.forward.progress import progress_tree
from twoway.notify.models import Notification
from twoway.org.models import Household, Person, RoleKind


def _png(color="red", exif=False) -> SimpleUploadedFile:
    buf = io.BytesIO()
    img = Image.new("RGB", (40, 30), color)
    if exif:
        ex = Image.Exif()
        ex[0x010F] = "SecretCam"
        img.save(buf, "JPEG", exif=ex)
        return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")
    img.save(buf, "PNG")
    return SimpleUploadedFile("p.png", buf.getvalue(), content_type="image/png")


def _soon(days=20):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def chain(tree):
    """A running district plan with a task for street A, broken down to community A1 and its group a."""
    d = tree["district_staff"].user
    plan = plans.plan_create(user=d, unit_id=tree["district"].pk, kind="project", title="文明城市创建")
    street = tasks.task_assign(user=d, plan_id=plan.pk, unit_ids=[tree["street_A"].pk], title="创建", due_on=_soon())[0]
    community = tasks.task_break_down(
        user=tree["street_officer"].user, task_id=street.pk, unit_ids=[tree["community_A1"].pk], title="社区创建"
    )[0]
    group = tasks.task_break_down(
        user=tree["community_secretary"].user, task_id=community.pk, unit_ids=[tree["group_A1a"].pk], title="小组创建"
    )[0]
    return {"plan": plan, "street": street, "community": community, "group": group}


def test_a_plain_plan_is_under_way_at_once_and_a_key_project_waits(tree):
    d = tree["district_staff"].user
    plain = plans.plan_create(user=d, unit_id=tree["district"].pk, kind="plan", title="普通计划")
    key = plans.plan_create(user=d, unit_id=tree["district"].pk, kind="key_project", title="重点项目")
    assert plain.status == PlanStatus.RUNNING and key.status == PlanStatus.DRAFT
    with pytest.raises(DomainError) as e:
        tasks.task_assign(user=d, plan_id=key.pk, unit_ids=[tree["street_A"].pk], title="x", due_on=_soon())
    assert e.value.code == "not_started"


def test_six_ones_refusal_names_only_what_is_missing(tree):
    d = tree["district_staff"].user
    key = plans.plan_create(
        user=d, unit_id=tree["district"].pk, kind="key_project", title="重点项目", document="方案全文"
    )
    plans.plan_set_team(user=d, plan_id=key.pk, document="方案全文", leader_id=tree["district_staff"].pk, member_ids=[])
    key.refresh_from_db()
    missing = plans.six_ones_missing(key)
    assert len(missing) == 2  # the working group and the timetable
    with pytest.raises(DomainError) as e:
        plans.plan_start(user=d, plan_id=key.pk)
    assert all(m in e.value.message for m in missing)
    assert plans.six_ones_missing.__doc__


def test_a_plan_is_made_only_where_one_may_write(tree):
    with pytest.raises(DomainError) as e:
        plans.plan_create(user=tree["group_leader"].user, unit_id=tree["group_A1a"].pk, kind="plan", title="x")
    assert e.value.field == "unit"
    from django.http import Http404

    with pytest.raises(Http404):
        plans.plan_create(user=tree["street_officer"].user, unit_id=tree["street_B"].pk, kind="plan", title="x")
    with pytest.raises(DomainError) as e:
        plans.plan_create(user=tree["street_officer"].user, unit_id=tree["street_A"].pk, kind="plan", title=" ")
    assert e.value.field == "title"


def test_tasks_go_only_to_units_directly_below(tree):
    d = tree["district_staff"].user
    plan = plans.plan_create(user=d, unit_id=tree["district"].pk, kind="plan", title="计划")
    with pytest.raises(DomainError) as e:
        tasks.task_assign(user=d, plan_id=plan.pk, unit_ids=[tree["community_A1"].pk], title="x", due_on=_soon())
    assert e.value.field == "units"
    with pytest.raises(DomainError) as e:
        tasks.task_assign(user=d, plan_id=plan.pk, unit_ids=[], title="x", due_on=_soon())
    assert e.value.code == "units_required"
    assert not Task.objects.exists()


def test_due_dates_in_the_past_or_after_the_parent_are_refused(chain, tree):
    d = tree["district_staff"].user
    with pytest.raises(DomainError) as e:
        tasks.task_assign(
            user=d,
            plan_id=chain["plan"].pk,
            unit_ids=[tree["street_B"].pk],
            title="x",
            due_on=timezone.localdate() - timedelta(days=1),
        )
    assert e.value.code == "due_past"
    with pytest.raises(DomainError) as e:
        tasks.task_break_down(
            user=tree["street_officer"].user,
            task_id=chain["street"].pk,
            unit_ids=[tree["community_A2"].pk],
            title="x",
            due_on=_soon(40),
        )
    assert e.value.code == "due_after_parent"


def test_without_a_date_the_time_limit_comes_from_the_rules_as_data(tree):
    d = tree["district_staff"].user
    key = plans.plan_create(user=d, unit_id=tree["district"].pk, kind="key_project", title="重点")
    plans.plan_set_team(
        user=d,
        plan_id=key.pk,
        document="方案",
        leader_id=tree["district_staff"].pk,
        member_ids=[tree["street_officer"].pk],
    )
    plans.milestone_add(user=d, plan_id=key.pk, title="节点", due_on=_soon())
    plans.plan_start(user=d, plan_id=key.pk)
    task = tasks.task_assign(user=d, plan_id=key.pk, unit_ids=[tree["street_A"].pk], title="x")[0]
    rule = engine.rule_for(level="street", stage="task", category_code="key_project")
    assert rule.working_days == 15 and rule.yellow_before == 3  # the key-project rule (migration 0002)
    expected = engine.due_at(task.created_at, 15)
    assert abs((task.due_at - expected).total_seconds()) < 5
    assert abs((task.yellow_at - engine.yellow_at(task.due_at, 3)).total_seconds()) < 5


def test_yellow_then_red_card(chain):
    from twoway.forward.views import with_cards

    task = Task.objects.get(pk=chain["group"].pk)
    with time_machine.travel(task.yellow_at - timedelta(hours=1)):
        assert with_cards([task])[0].card == "none"
    with time_machine.travel(task.yellow_at + timedelta(minutes=1)):
        assert with_cards([task])[0].card == "yellow"
    with time_machine.travel(task.due_at + timedelta(minutes=1)):
        assert with_cards([task])[0].card == "red"
        root = progress_tree(Task.objects.get(pk=task.pk).plan.unit)
        assert root.overdue == 2 and root.holding_up.unit.code == "SA"


def test_report_needs_text_and_refusal_writes_nothing(chain, tree):
    gl = tree["group_leader"].user
    with pytest.raises(DomainError) as e:
        tasks.task_report(user=gl, task_id=chain["group"].pk, text="  ", photos=[_png()])
    assert e.value.field == "text"
    with pytest.raises(DomainError) as e:
        tasks.task_report(user=gl, task_id=chain["group"].pk, text="完成", files=[SimpleUploadedFile("x.exe", b"MZ")])
    assert e.value.field == "files"
    with pytest.raises(DomainError) as e:
        tasks.task_report(
            user=gl, task_id=chain["group"].pk, text="完成", photos=[SimpleUploadedFile("x.jpg", b"<script>")]
        )
    assert e.value.field == "photos"
    assert not Report.objects.exists() and not ReportPhoto.objects.exists()
    assert Task.objects.get(pk=chain["group"].pk).status == TaskStatus.ASSIGNED


def test_report_photos_are_re_encoded_without_exif(chain, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = tasks.task_report(
        user=tree["group_leader"].user,
        task_id=chain["group"].pk,
        text="已完成",
        photos=[_png(exif=True)],
        files=[SimpleUploadedFile("台账.xlsx", b"PK\x03\x04data")],
    )
    photo = report.photos.get()
    with Image.open(photo.image.path) as img:
        assert img.format == "JPEG"
        assert 0x010F not in img.getexif()
    assert report.files.get().name == "台账.xlsx"


def test_only_the_unit_reports_and_only_the_level_above_checks(chain, tree):
    other = tree["other_community_secretary"].user
    from django.http import Http404

    with pytest.raises(Http404):
        tasks.task_report(user=other, task_id=chain["group"].pk, text="x")
    with pytest.raises(DomainError):
        tasks.task_report(user=tree["community_secretary"].user, task_id=chain["community"].pk, text="x")  # parts open
    tasks.task_report(user=tree["group_leader"].user, task_id=chain["group"].pk, text="完成")
    with pytest.raises(DomainError) as e:
        tasks.task_check(user=tree["group_leader"].user, task_id=chain["group"].pk)
    assert e.value.code == "not_assigner"
    tasks.task_check(user=tree["community_secretary"].user, task_id=chain["group"].pk)
    with pytest.raises(DomainError) as e:
        tasks.task_check(user=tree["street_officer"].user, task_id=chain["group"].pk)
    assert e.value.code == "already_handled"


def test_send_back_needs_a_reason_then_report_again(chain, tree):
    gl, cs = tree["group_leader"].user, tree["community_secretary"].user
    tasks.task_report(user=gl, task_id=chain["group"].pk, text="完成一半")
    with pytest.raises(DomainError) as e:
        tasks.task_return(user=cs, task_id=chain["group"].pk, reason="")
    assert e.value.field == "reason"
    tasks.task_return(user=cs, task_id=chain["group"].pk, reason="还缺照片")
    task = Task.objects.get(pk=chain["group"].pk)
    assert task.status == TaskStatus.RETURNED and task.return_count == 1
    assert Notification.objects.filter(person=tree["group_leader"], title__contains=task.title).exists()
    tasks.task_report(user=gl, task_id=task.pk, text="补齐")
    tasks.task_check(user=cs, task_id=task.pk)
    kinds = list(TaskEvent.objects.filter(task=task).values_list("kind", flat=True))
    assert kinds == [EventKind.ASSIGNED, EventKind.REPORTED, EventKind.RETURNED, EventKind.REPORTED, EventKind.CHECKED]
    with pytest.raises(ValueError):
        TaskEvent.objects.filter(task=task).first().save()


def test_supervision_orders_come_from_above(chain, tree):
    with pytest.raises(DomainError):
        tasks.task_supervise(user=tree["group_leader"].user, task_id=chain["group"].pk, note="快")
    with pytest.raises(DomainError) as e:
        tasks.task_supervise(user=tree["street_officer"].user, task_id=chain["group"].pk, note="")
    assert e.value.field == "note"
    tasks.task_supervise(user=tree["street_officer"].user, task_id=chain["group"].pk, note="本周五前完成")
    task = Task.objects.get(pk=chain["group"].pk)
    assert task.supervision_count == 1
    event = task.events.get(kind=EventKind.SUPERVISED)
    assert event.unit == tree["street_A"]
    assert Notification.objects.filter(person=tree["group_leader"], title__startswith="督办").exists()


def test_a_group_breaks_its_task_down_by_household(chain, tree):
    gl = tree["group_leader"].user
    parts = tasks.task_break_down(user=gl, task_id=chain["group"].pk, households=True, title="每户宣传到位")
    households = Household.objects.filter(group=tree["group_A1a"]).count()
    assert len(parts) == households and all(p.household_id for p in parts)
    with pytest.raises(DomainError) as e:
        tasks.task_break_down(user=gl, task_id=chain["group"].pk, households=True, title="again")
    assert e.value.code == "no_households"
    for p in parts:
        tasks.task_report(user=gl, task_id=p.pk, text="已宣传")
        tasks.task_check(user=gl, task_id=p.pk)
    tasks.task_report(user=gl, task_id=chain["group"].pk, text="全部到户")
    with pytest.raises(DomainError):
        tasks.task_break_down(
            user=tree["street_officer"].user, task_id=chain["community"].pk, households=True, title="x"
        )


def test_a_closed_plan_needs_every_task_checked(chain, tree):
    d = tree["district_staff"].user
    with pytest.raises(DomainError) as e:
        plans.plan_close(user=d, plan_id=chain["plan"].pk)
    assert e.value.code == "tasks_open"


def test_notice_reach_reads_and_read_rate_per_unit(tree):
    notice = publicity.notice_publish(
        user=tree["street_officer"].user,
        unit_id=tree["street_A"].pk,
        title="医保缴费",
        body="请按时缴费",
        target_ids=[tree["community_A1"].pk],
    )
    resident, far = tree["resident"], tree["far_resident"]
    assert publicity.notice_open(person=resident, notice=notice) is True
    assert publicity.notice_open(person=resident, notice=notice) is False  # counted once
    assert publicity.notice_open(person=far, notice=notice) is False  # not pushed to them
    assert publicity.notice_open(person=tree["street_officer"], notice=notice) is False  # staff do not count
    assert NoticeRead.objects.count() == 1
    rows = {r.unit.code: r for r in publicity.notice_reach(notice, tree["street_A"])}
    a1 = Person.objects.filter(
        unit__path__startswith=tree["community_A1"].path, household__isnull=False, retired_at__isnull=True
    ).count()
    assert rows["SA"].reach == rows["CA1"].reach == a1
    assert rows["CA2"].reach == 0 and rows["CA2"].rate == 0
    assert rows["CA1"].read == 1 and rows["CA1"].rate == round(100 / a1)
    group = {r.unit.code: r for r in publicity.notice_reach(notice, tree["community_A1"])}
    assert group["GA1a"].read == 1 and group["GA1b"].read == 0
    with pytest.raises(DomainError) as e:
        publicity.notice_publish(
            user=tree["street_officer"].user,
            unit_id=tree["street_A"].pk,
            title="x",
            body="y",
            target_ids=[tree["community_B1"].pk],
        )
    assert e.value.field == "targets"


def test_a_notice_shows_in_the_feed_of_residents_it_was_pushed_to(tree):
    from twoway.forward.feed import items_for

    publicity.notice_publish(
        user=tree["street_officer"].user,
        unit_id=tree["street_A"].pk,
        title="冬季用电安全",
        body="不在楼道充电",
        target_ids=[tree["street_A"].pk],
    )
    items = items_for(tree["resident"], limit=5)
    assert [i.title for i in items] == ["冬季用电安全"] and items[0].unread
    assert items_for(tree["far_resident"], limit=5) == []


def test_visits_are_counted_per_unit_and_never_in_the_future(tree):
    hh = Household.objects.filter(group=tree["group_A1a"]).first()
    for kind in ("holiday", "holiday", "elderly_alone"):
        visits.visit_record(user=tree["community_secretary"].user, household_id=hh.pk, kind=kind)
    with pytest.raises(DomainError) as e:
        visits.visit_record(
            user=tree["community_secretary"].user,
            household_id=hh.pk,
            kind="holiday",
            at=timezone.now() + timedelta(days=1),
        )
    assert e.value.field == "at"
    with pytest.raises(DomainError) as e:
        visits.visit_record(user=tree["community_secretary"].user, household_id=hh.pk, kind="party")
    assert e.value.field == "kind"
    counts = dict((u.code, c) for u, c in visits.visit_counts(tree["street_A"]))
    assert counts["SA"]["total"] == 3 and counts["CA1"]["holiday"] == 2 and counts["CA2"]["total"] == 0
    assert Visit.objects.get(kind="elderly_alone").visited_by == tree["community_secretary"]


def test_mutual_aid_group_members_and_tagged_activities(tree):
    hh = Household.objects.filter(group=tree["group_A1a"]).first()
    group = aid.aid_group_create(
        user=tree["group_leader"].user, unit_id=tree["group_A1a"].pk, name="", building=hh.building
    )
    expected = Person.objects.filter(unit=tree["group_A1a"], household__building=hh.building).count()
    assert group.members.count() == expected and hh.building in group.name
    with pytest.raises(DomainError) as e:
        aid.aid_activity_record(user=tree["group_leader"].user, group_id=group.pk, title="清扫", at=None, tags=[])
    assert e.value.field == "tags"
    with pytest.raises(DomainError):
        aid.aid_activity_record(
            user=tree["group_leader"].user, group_id=group.pk, title="清扫", at=None, tags=["made_up"]
        )
    act = aid.aid_activity_record(
        user=tree["group_leader"].user, group_id=group.pk, title="楼道清扫", at=None, tags=["volunteer", "publicity"]
    )
    assert act.tags == ["volunteer", "publicity"]
    with pytest.raises(DomainError) as e:
        aid.aid_group_create(user=tree["group_leader"].user, unit_id=tree["group_A1a"].pk, name="", building="999")
    assert e.value.code == "no_residents"


def test_an_auditor_reads_but_cannot_check(chain, tree):
    auditor = person_with_login("fwd_auditor", tree["district"], RoleKind.AUDITOR).user
    tasks.task_report(user=tree["group_leader"].user, task_id=chain["group"].pk, text="完成")
    with pytest.raises(DomainError):
        tasks.task_check(user=auditor, task_id=chain["group"].pk)
