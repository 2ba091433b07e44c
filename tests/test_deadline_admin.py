"""The district edits the time limits and the holiday calendar; the next deadline follows them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from twoway.audit.models import AuditAction, AuditEntry
from twoway.deadlines.models import Holiday, TimeLimitRule

from .appeal_helpers import raise_appeal

SH = ZoneInfo("Asia/Shanghai")
WED = datetime(2026, 12, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def clock():
    with time_machine.travel(WED, tick=False) as traveller:
        yield traveller


def group_accept_rule() -> TimeLimitRule:
    return TimeLimitRule.objects.get(level="group", stage="accept", category_code="")


def test_every_staff_member_reads_the_matrix(tree, login):
    response = login(tree["community_secretary"]).get(reverse("deadlines:rules"))
    assert response.status_code == 200
    levels = [row["level"] for row in response.context["matrix"]]
    assert len(levels) == 5 and all(all(cell for cell in row["cells"]) for row in response.context["matrix"])
    assert not response.context["can_change"]
    assert reverse("deadlines:rule_edit", args=[group_accept_rule().pk]) not in response.content.decode()


def test_district_staff_change_a_time_limit_and_the_next_appeal_uses_it(tree, login, clock):
    before = raise_appeal(tree, description="改之前提交的诉求：楼道灯坏了，请尽快维修。")
    assert before.due_at == datetime(2026, 12, 3, 10, tzinfo=SH)  # 1 working day
    rule = group_accept_rule()
    client = login(tree["district_staff"])
    assert reverse("deadlines:rule_edit", args=[rule.pk]) in client.get(reverse("deadlines:rules")).content.decode()
    response = client.post(reverse("deadlines:rule_edit", args=[rule.pk]), {"working_days": 3, "yellow_before": 2})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.working_days, rule.yellow_before) == (3, 2)
    entry = AuditEntry.objects.get(action=AuditAction.CHANGE, target=f"time_limit:{rule.pk}")
    assert entry.username == "district_staff"
    assert entry.detail["before"]["working_days"] == 1 and entry.detail["after"]["working_days"] == 3

    appeal = raise_appeal(tree)
    assert appeal.due_at == datetime(2026, 12, 7, 10, tzinfo=SH)  # Wed + 3 working days = Monday
    assert appeal.yellow_at == datetime(2026, 12, 3, 10, tzinfo=SH)  # 2 working days before
    before.refresh_from_db()
    assert before.due_at == datetime(2026, 12, 3, 10, tzinfo=SH)  # a running appeal keeps its deadline


def test_a_category_gets_its_own_time_limit_and_loses_it_again(tree, login, clock):
    client = login(tree["district_staff"])
    response = client.post(
        reverse("deadlines:rule_new"),
        {"category_code": "ENV01", "level": "group", "stage": "accept", "working_days": 2, "yellow_before": 1},
    )
    assert response.status_code == 302
    rule = TimeLimitRule.objects.get(category_code="ENV01")
    assert raise_appeal(tree).due_at == datetime(2026, 12, 4, 10, tzinfo=SH)
    assert raise_appeal(tree, category_id=_category("FAC01")).due_at == datetime(2026, 12, 3, 10, tzinfo=SH)
    # The same category, level and stage twice: refused on the category field.
    again = client.post(
        reverse("deadlines:rule_new"),
        {"category_code": "ENV01", "level": "group", "stage": "accept", "working_days": 4, "yellow_before": 1},
    )
    assert "category_code" in again.context["form"].errors
    assert TimeLimitRule.objects.filter(category_code="ENV01").count() == 1

    client.post(reverse("deadlines:rule_remove", args=[rule.pk]))
    assert not TimeLimitRule.objects.filter(category_code="ENV01").exists()
    assert raise_appeal(tree).due_at == datetime(2026, 12, 3, 10, tzinfo=SH)
    # A level's default cannot be removed.
    client.post(reverse("deadlines:rule_remove", args=[group_accept_rule().pk]))
    assert TimeLimitRule.objects.filter(level="group", stage="accept", category_code="").exists()


def _category(code):
    from twoway.appeals.models import Category

    return Category.objects.get(code=code).pk


@pytest.mark.parametrize("who", ["street_officer", "community_secretary", "dept_officer", "district_auditor"])
def test_only_the_district_changes_time_limits_and_holidays(tree, login, who):
    rule = group_accept_rule()
    day = Holiday.objects.create(date=date(2026, 10, 1), name="国庆节")
    rules_before = set(TimeLimitRule.objects.values_list("pk", "working_days"))
    client = login(tree[who])
    assert client.get(reverse("deadlines:rules")).status_code == 200
    assert client.get(reverse("deadlines:holidays")).status_code == 200
    edit = reverse("deadlines:rule_edit", args=[rule.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"working_days": 9, "yellow_before": 1}).status_code == 403
    new = {"category_code": "ENV01", "level": "group", "stage": "accept", "working_days": 9, "yellow_before": 1}
    assert client.post(reverse("deadlines:rule_new"), new).status_code == 403
    assert client.post(reverse("deadlines:holidays"), {"date": "2026-12-03", "is_workday": "0"}).status_code == 403
    assert client.post(reverse("deadlines:holiday_remove", args=[day.pk])).status_code == 403
    rule.refresh_from_db()
    assert rule.working_days == 1
    assert list(Holiday.objects.all()) == [day]
    assert set(TimeLimitRule.objects.values_list("pk", "working_days")) == rules_before
    assert not TimeLimitRule.objects.filter(category_code="ENV01").exists()
    assert not AuditEntry.objects.filter(action=AuditAction.CHANGE).exists()


def test_residents_are_refused(tree, login):
    client = login(tree["resident"])
    assert client.get(reverse("deadlines:rules")).status_code == 403
    assert client.get(reverse("deadlines:holidays")).status_code == 403


@pytest.mark.parametrize(("days", "yellow"), [(3, 4), (5, 0)])
def test_a_yellow_card_at_or_after_the_red_is_refused_and_nothing_is_saved(tree, login, days, yellow):
    rule = TimeLimitRule.objects.get(level="community", stage="settle", category_code="")
    client = login(tree["district_staff"])
    response = client.post(
        reverse("deadlines:rule_edit", args=[rule.pk]), {"working_days": days, "yellow_before": yellow}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["yellow_before"]
    page = response.content.decode()
    label = str(response.context["form"].fields["yellow_before"].label)
    assert f"{label}：{errors['yellow_before'][0]}" in page  # the message names the field
    rule.refresh_from_db()
    assert (rule.working_days, rule.yellow_before) == (5, 1)
    assert not AuditEntry.objects.filter(action=AuditAction.CHANGE).exists()


def test_adding_a_holiday_moves_the_next_deadline(tree, login, clock):
    client = login(tree["district_staff"])
    response = client.post(reverse("deadlines:holidays"), {"date": "2026-12-03", "is_workday": "0", "name": "假日"})
    assert response.status_code == 302
    assert Holiday.objects.get(date=date(2026, 12, 3)).name == "假日"
    assert AuditEntry.objects.filter(action=AuditAction.CHANGE, target="holiday:2026-12-03").exists()
    assert raise_appeal(tree).due_at == datetime(2026, 12, 4, 10, tzinfo=SH)  # Thursday is off

    page = client.get(reverse("deadlines:holidays"), {"year": 2026})
    day = Holiday.objects.get(date=date(2026, 12, 3))
    assert day in page.context["days"]
    client.post(reverse("deadlines:holiday_remove", args=[day.pk]))
    assert not Holiday.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.CHANGE, target="holiday:2026-12-03").count() == 2
    assert raise_appeal(tree).due_at == datetime(2026, 12, 3, 10, tzinfo=SH)


def test_a_run_of_days_off_and_a_working_weekend(tree, login, clock):
    client = login(tree["district_staff"])
    client.post(reverse("deadlines:holidays"), {"date": "2026-12-03", "until": "2026-12-04", "is_workday": "0"})
    client.post(reverse("deadlines:holidays"), {"date": "2026-12-05", "is_workday": "1", "name": "调休"})
    assert Holiday.objects.count() == 3
    assert raise_appeal(tree).due_at == datetime(2026, 12, 5, 10, tzinfo=SH)  # the working Saturday
    # The two days off show as one line, and go in one step.
    runs = client.get(reverse("deadlines:holidays"), {"year": 2026}).context["runs"]
    assert [len(run.days) for run in runs] == [2, 1]
    client.post(reverse("deadlines:holiday_remove", args=[runs[0].last.pk]), {"run": "1"})
    assert list(Holiday.objects.values_list("name", flat=True)) == ["调休"]
    entry = AuditEntry.objects.filter(action=AuditAction.CHANGE).order_by("-pk").first()
    assert entry.detail["removed"] == ["2026-12-03", "2026-12-04"]


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"date": "2026-12-03", "is_workday": "1"}, "is_workday"),  # a Thursday cannot be a working weekend
        ({"date": "2026-12-10", "until": "2026-12-08", "is_workday": "0"}, "until"),
        ({"date": "2026-12-01", "until": "2027-01-15", "is_workday": "0"}, "until"),
        ({"date": "2026-12-24", "is_workday": "0"}, "date"),  # already in the calendar
        ({"date": "", "is_workday": "0"}, "date"),
    ],
)
def test_bad_calendar_input_names_the_field_and_saves_nothing(tree, login, post, field):
    Holiday.objects.create(date=date(2026, 12, 24), name="已有")
    response = login(tree["district_staff"]).post(reverse("deadlines:holidays"), post)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert list(Holiday.objects.values_list("name", flat=True)) == ["已有"]
    assert not AuditEntry.objects.filter(action=AuditAction.CHANGE).exists()
