"""Time-based rules with a frozen clock: cards, supervision orders, extensions, auto-close."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from twoway.appeals import flow
from twoway.appeals.models import EventKind, ExtensionStatus, Status, SupervisionOrder
from twoway.appeals.selectors import appeal_list, overdue_below
from twoway.core.errors import DomainError
from twoway.deadlines.engine import Card, card
from twoway.deadlines.models import Holiday

from .appeal_helpers import raise_appeal

SH = ZoneInfo("Asia/Shanghai")
WED = datetime(2026, 12, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def clock():
    with time_machine.travel(WED, tick=False) as traveller:
        yield traveller


def test_accept_deadline_is_one_working_day_and_settle_five(tree, clock):
    appeal = raise_appeal(tree)
    assert appeal.due_at == datetime(2026, 12, 3, 10, tzinfo=SH)
    flow.appeal_accept(user=tree["group_leader"].user, appeal_id=appeal.pk)
    appeal.refresh_from_db()
    assert appeal.due_at == datetime(2026, 12, 9, 10, tzinfo=SH)
    assert appeal.yellow_at == datetime(2026, 12, 8, 10, tzinfo=SH)


def test_cards_show_in_the_queue_and_the_overdue_list(tree, clock, login):
    appeal = raise_appeal(tree)
    flow.appeal_accept(user=tree["group_leader"].user, appeal_id=appeal.pk)
    appeal.refresh_from_db()
    clock.move_to(datetime(2026, 12, 8, 11, tzinfo=SH))
    assert card(datetime.now(tz=SH), appeal.due_at, appeal.yellow_at) == Card.YELLOW
    assert list(appeal_list(tree["group_leader"].user, tab="doing", card="yellow")) == [appeal]
    assert not overdue_below(tree["community_secretary"].user).exists()
    clock.move_to(datetime(2026, 12, 9, 10, 1, tzinfo=SH))
    assert list(appeal_list(tree["group_leader"].user, tab="doing", card="red")) == [appeal]
    # Overdue at the group: listed for the community above, not for the group itself.
    assert list(overdue_below(tree["community_secretary"].user)) == [appeal]
    assert not overdue_below(tree["group_leader"].user).exists()
    page = login(tree["group_leader"]).get(reverse("appeals:queue"), {"tab": "doing"}).content.decode()
    assert "text-bg-danger" in page


def test_a_holiday_moves_the_deadline(tree, clock):
    Holiday.objects.create(date=date(2026, 12, 3), name="假日")
    appeal = raise_appeal(tree)
    assert appeal.due_at == datetime(2026, 12, 4, 10, tzinfo=SH)


def test_the_level_above_issues_a_supervision_order(tree, clock):
    appeal = raise_appeal(tree)
    clock.move_to(datetime(2026, 12, 4, 10, tzinfo=SH))
    with pytest.raises(DomainError):
        flow.appeal_supervise(user=tree["group_leader"].user, appeal_id=appeal.pk, note="自己督办自己")
    order = flow.appeal_supervise(user=tree["community_secretary"].user, appeal_id=appeal.pk, note="请今日内签收")
    assert order.from_unit == tree["community_A1"] and order.to_unit == tree["group_A1a"]
    event = appeal.events.last()
    assert event.kind == EventKind.SUPERVISED and event.note == "请今日内签收"
    assert SupervisionOrder.objects.count() == 1


def test_an_extension_needs_the_level_above(tree, clock):
    appeal = raise_appeal(tree)
    flow.appeal_accept(user=tree["group_leader"].user, appeal_id=appeal.pk)
    with pytest.raises(DomainError) as err:
        flow.appeal_request_extension(user=tree["group_leader"].user, appeal_id=appeal.pk, days=11, reason="x")
    assert err.value.field == "days"
    ext = flow.appeal_request_extension(user=tree["group_leader"].user, appeal_id=appeal.pk, days=3, reason="等配件")
    with pytest.raises(DomainError):  # the group cannot approve its own request
        flow.appeal_decide_extension(user=tree["group_leader"].user, extension_id=ext.pk, approve=True)
    flow.appeal_decide_extension(user=tree["community_secretary"].user, extension_id=ext.pk, approve=True)
    appeal.refresh_from_db()
    ext.refresh_from_db()
    assert ext.status == ExtensionStatus.APPROVED
    assert appeal.due_at == datetime(2026, 12, 14, 10, tzinfo=SH)  # Wed 9th + 3 working days
    with pytest.raises(DomainError):  # only 7 more days are left of the 10
        flow.appeal_request_extension(user=tree["group_leader"].user, appeal_id=appeal.pk, days=8, reason="x")


def test_unrated_appeals_close_after_seven_days_and_tick_is_idempotent(tree, clock):
    appeal = raise_appeal(tree)
    flow.appeal_accept(user=tree["group_leader"].user, appeal_id=appeal.pk)
    flow.appeal_resolve(user=tree["group_leader"].user, appeal_id=appeal.pk, outcome="已处理")
    clock.shift(timedelta(days=6, hours=23))
    assert flow.tick() == {"closed_unrated": 0}
    clock.shift(timedelta(hours=2))
    call_command("tick", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert flow.tick() == {"closed_unrated": 0}  # a second run finds nothing left
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED
    assert appeal.events.filter(kind=EventKind.CLOSED).count() == 1
    assert appeal.events.last().actor is None


def test_rating_after_auto_close_is_refused(tree, clock):
    appeal = raise_appeal(tree)
    flow.appeal_accept(user=tree["group_leader"].user, appeal_id=appeal.pk)
    flow.appeal_resolve(user=tree["group_leader"].user, appeal_id=appeal.pk, outcome="已处理")
    clock.shift(timedelta(days=8))
    flow.tick()
    with pytest.raises(DomainError):
        flow.appeal_rate(user=tree["resident"].user, appeal_id=appeal.pk, score="satisfied")
