"""Tamper evidence beyond `verify_history`: `verify_records` also finds an appeal whose state
column was changed behind its history's back, an appeal without history, and an altered notice."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from twoway.appeals.models import Appeal, AppealEvent, Status
from twoway.appeals.synth import generate
from twoway.notices.models import Notice
from twoway.ops.verify import appeal_problems, notice_problems


def _notice(tree, title="公益金使用公示"):
    now = timezone.now()
    notice = Notice(
        unit=tree["community_A1"],
        title=title,
        body="修缮凉亭，支出2000元",
        publish_from=now,
        publish_to=now + timedelta(days=7),
    )
    notice.hash = notice.compute_hash()
    notice.save()
    return notice


def test_an_untouched_record_verifies(tree):
    generate(count=40, days=30, seed=21)
    _notice(tree)
    out = io.StringIO()
    call_command("verify_records", stdout=out)
    assert "40 appeals and 1 notices checked, 0 problems" in out.getvalue()


def test_a_state_changed_behind_the_history_is_found(tree):
    generate(count=30, days=30, seed=22)
    victim = Appeal.objects.exclude(status=Status.CLOSED).order_by("pk").first()
    Appeal.objects.filter(pk=victim.pk).update(status=Status.CLOSED)  # the chain itself is intact
    problems = list(appeal_problems(chunk=7))
    assert [(p.kind, p.ref) for p in problems] == [("state", victim.number)]
    with pytest.raises(CommandError):
        call_command("verify_records", stdout=io.StringIO())


def test_a_moved_appeal_and_a_deleted_history_are_found(tree):
    generate(count=30, days=30, seed=23)
    moved, bare = Appeal.objects.order_by("pk")[3:5]
    Appeal.objects.filter(pk=moved.pk).update(handling_unit=tree["district"])
    AppealEvent.objects.filter(appeal=bare)._raw_delete(AppealEvent.objects.db)
    found = {(p.kind, p.ref) for p in appeal_problems(chunk=5)}
    assert found == {("state", moved.number), ("no_history", bare.number)}


def test_an_altered_event_is_found_with_its_step(tree):
    generate(count=10, days=30, seed=24)
    event = AppealEvent.objects.filter(seq=2).order_by("pk").first()
    AppealEvent.objects.filter(pk=event.pk).update(note="被改过")
    problems = [str(p) for p in appeal_problems()]
    assert f"chain {event.appeal.number}: step 2: content does not match its hash" in problems


def test_an_altered_notice_is_found(tree):
    kept = _notice(tree)
    altered = _notice(tree, "议事结果公示")
    Notice.objects.filter(pk=altered.pk).update(body="支出20000元")
    assert [p.ref for p in notice_problems()] == [str(altered.pk)]
    out = io.StringIO()
    with pytest.raises(CommandError, match="altered"):
        call_command("verify_records", stdout=out)
    assert f"notice {altered.pk}" in out.getvalue() and f"notice {kept.pk}" not in out.getvalue()
