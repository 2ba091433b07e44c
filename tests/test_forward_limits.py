"""Free text in the forward chain has a limit: the domain function refuses a longer text with an
error naming the field, in the user's language, and writes nothing; the model field declares
the same limit, so forms and the database schema agree with the rule."""

from datetime import timedelta

import pytest
from django.utils import timezone

from twoway.core.errors import DomainError
from twoway.forward import aid, plans, publicity, tasks, visits
from twoway.forward.models import (
    AidActivity,
    Plan,
    PolicyNotice,
    Report,
    Task,
    TaskEvent,
    Visit,
)
from twoway.org.models import Household


def _refused(call, field: str, model, label: str):
    before = model.objects.count()
    with pytest.raises(DomainError) as refused:
        call()
    assert refused.value.field == field
    assert label in refused.value.message  # named in Chinese, the default language
    assert model.objects.count() == before
    return refused.value


@pytest.fixture
def reported(tree):
    d = tree["district_staff"].user
    plan = plans.plan_create(user=d, unit_id=tree["district"].pk, kind="project", title="道路整治")
    task = tasks.task_assign(
        user=d,
        plan_id=plan.pk,
        unit_ids=[tree["street_A"].pk],
        title="整治",
        due_on=timezone.localdate() + timedelta(days=10),
    )[0]
    tasks.task_report(user=d, task_id=task.pk, text="完成")
    return plan, task


def test_each_free_text_field_declares_the_limit_its_function_enforces():
    limits = {
        (Plan, "document"): plans.DOCUMENT_MAX,
        (Task, "detail"): tasks.TEXT_MAX,
        (TaskEvent, "note"): tasks.TEXT_MAX,
        (Report, "text"): tasks.TEXT_MAX,
        (PolicyNotice, "body"): publicity.BODY_MAX,
        (Visit, "note"): visits.NOTE_MAX,
        (AidActivity, "note"): aid.NOTE_MAX,
    }
    for (model, name), limit in limits.items():
        assert model._meta.get_field(name).max_length == limit, f"{model.__name__}.{name}"


def test_a_plan_document_too_long_is_refused(tree):
    d = tree["district_staff"].user
    long = "方" * (plans.DOCUMENT_MAX + 1)
    _refused(
        lambda: plans.plan_create(user=d, unit_id=tree["district"].pk, kind="plan", title="计划", document=long),
        "document",
        Plan,
        "方案文本",
    )
    plan = plans.plan_create(
        user=d, unit_id=tree["district"].pk, kind="plan", title="计划", document="方" * plans.DOCUMENT_MAX
    )
    with pytest.raises(DomainError) as refused:
        plans.plan_set_team(user=d, plan_id=plan.pk, document=long)
    assert refused.value.field == "document"
    assert len(Plan.objects.get(pk=plan.pk).document) == plans.DOCUMENT_MAX


def test_task_texts_too_long_are_refused_not_cut(tree, reported):
    d = tree["district_staff"].user
    plan, task = reported
    long = "字" * (tasks.TEXT_MAX + 1)
    _refused(
        lambda: tasks.task_assign(
            user=d,
            plan_id=plan.pk,
            unit_ids=[tree["street_B"].pk],
            title="整治",
            detail=long,
            due_on=timezone.localdate() + timedelta(days=10),
        ),
        "detail",
        Task,
        "工作内容",
    )
    _refused(lambda: tasks.task_return(user=d, task_id=task.pk, reason=long), "reason", TaskEvent, "理由")
    _refused(lambda: tasks.task_supervise(user=d, task_id=task.pk, note=long), "note", TaskEvent, "督办")
    tasks.task_return(user=d, task_id=task.pk, reason="理" * tasks.TEXT_MAX)
    _refused(lambda: tasks.task_report(user=d, task_id=task.pk, text=long), "text", Report, "进展")
    assert Task.objects.get(pk=task.pk).status == "returned"


def test_notice_visit_and_activity_texts_too_long_are_refused(tree):
    d, gl = tree["district_staff"].user, tree["group_leader"].user
    _refused(
        lambda: publicity.notice_publish(
            user=d,
            unit_id=tree["district"].pk,
            title="通知",
            body="文" * (publicity.BODY_MAX + 1),
            target_ids=[tree["street_A"].pk],
        ),
        "body",
        PolicyNotice,
        "正文",
    )
    home = Household.objects.filter(group=tree["group_A1a"]).first()
    _refused(
        lambda: visits.visit_record(user=gl, household_id=home.pk, kind="holiday", note="记" * (visits.NOTE_MAX + 1)),
        "note",
        Visit,
        "备注",
    )
    group = aid.aid_group_create(user=gl, unit_id=tree["group_A1a"].pk, name="互助组", building=home.building)
    _refused(
        lambda: aid.aid_activity_record(
            user=gl, group_id=group.pk, title="清扫", at=None, tags=["volunteer"], note="记" * (aid.NOTE_MAX + 1)
        ),
        "note",
        AidActivity,
        "备注",
    )
    kept = aid.aid_activity_record(
        user=gl, group_id=group.pk, title="清扫", at=None, tags=["volunteer"], note="记" * aid.NOTE_MAX
    )
    assert len(kept.note) == aid.NOTE_MAX
