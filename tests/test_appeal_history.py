"""Generated histories hold together: every state equals a replay of its events, and every
hash chain verifies; a tampered event is found."""

from twoway.appeals.history import chain_breaks, replay
from twoway.appeals.models import Appeal, AppealEvent, Status
from twoway.appeals.synth import generate


def test_generated_appeals_replay_to_their_state_and_chains_verify(tree):
    assert generate(count=300, days=90, seed=3) == 300
    appeals = {a.pk: a for a in Appeal.objects.all()}
    events: dict[int, list] = {}
    for e in AppealEvent.objects.order_by("appeal_id", "seq"):
        events.setdefault(e.appeal_id, []).append(e)
    assert len(events) == 300
    statuses = set()
    for pk, appeal in appeals.items():
        state = replay(events[pk])
        assert (state.status, state.handling_unit_id) == (appeal.status, appeal.handling_unit_id), appeal.number
        assert chain_breaks(events[pk]) == []
        statuses.add(appeal.status)
    assert {Status.CLOSED, Status.RETURNED} <= statuses
    # Some climbed to the district.
    assert Appeal.objects.filter(handling_unit=tree["district"]).exists()


def test_a_tampered_event_breaks_the_chain(tree):
    generate(count=5, days=30, seed=4)
    appeal = Appeal.objects.first()
    AppealEvent.objects.filter(appeal=appeal, seq=1).update(note="篡改过的内容")
    events = list(appeal.events.order_by("seq"))
    assert chain_breaks(events) == ["step 1: content does not match its hash"]


def test_verify_history_command_reports_a_break(tree):
    import io

    import pytest
    from django.core.management import CommandError, call_command

    generate(count=20, days=30, seed=5)
    out = io.StringIO()
    call_command("verify_history", stdout=out)
    assert "20 appeals checked, 0 problems" in out.getvalue()
    victim = AppealEvent.objects.filter(seq=2).order_by("pk").first()
    AppealEvent.objects.filter(pk=victim.pk).update(note="x")
    with pytest.raises(CommandError):
        call_command("verify_history", stdout=out)
    assert f"appeal {victim.appeal_id}: step 2: content does not match its hash" in out.getvalue()
