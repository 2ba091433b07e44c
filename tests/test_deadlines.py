"""The deadline engine: working days, holidays, yellow and red cards, rules as data."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from twoway.deadlines.engine import Card, calendar, card, due_at, rule_for, save_rule, yellow_at
from twoway.deadlines.models import Holiday, TimeLimitRule

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=SH)


def test_five_working_days_skip_the_weekend(db):
    # Wednesday 2026-12-02 10:00 + 5 working days = Wednesday 2026-12-09 10:00
    assert due_at(at(2026, 12, 2), 5) == at(2026, 12, 9)


def test_a_holiday_is_not_a_working_day_and_a_weekend_workday_is(db):
    Holiday.objects.create(date=date(2026, 12, 4), name="假日")  # Friday off
    Holiday.objects.create(date=date(2026, 12, 5), is_workday=True, name="调休")  # Saturday on
    # Thu 3rd + 1 = Sat 5th (a working Saturday), + 2 = Mon 7th
    assert due_at(at(2026, 12, 3), 1) == at(2026, 12, 5)
    assert due_at(at(2026, 12, 3), 2) == at(2026, 12, 7)


def test_a_start_on_a_day_off_counts_from_the_next_working_day(db):
    # Saturday 2026-12-05 15:00 + 1 working day = Tuesday 00:00 (Monday is day one)
    assert due_at(at(2026, 12, 5, 15), 1) == at(2026, 12, 8, 0)


def test_cards_turn_yellow_then_red(db):
    due = due_at(at(2026, 12, 2), 5)  # Wed 9th 10:00
    yellow = yellow_at(due, 1)  # Tue 8th 10:00
    assert yellow == at(2026, 12, 8)
    assert card(at(2026, 12, 8, 9, 59), due, yellow) == Card.NONE
    assert card(at(2026, 12, 8, 10), due, yellow) == Card.YELLOW
    assert card(at(2026, 12, 9, 9, 59), due, yellow) == Card.YELLOW
    assert card(at(2026, 12, 9, 10), due, yellow) == Card.RED


def test_yellow_crosses_a_holiday_backwards(db):
    Holiday.objects.create(date=date(2026, 12, 8), name="假日")  # Tuesday off
    due = at(2026, 12, 9)
    assert yellow_at(due, 1, calendar()) == at(2026, 12, 7)


def test_default_rules_come_from_the_migration(db):
    accept = rule_for(level="group", stage="accept")
    settle = rule_for(level="street", stage="settle")
    assert (accept.working_days, settle.working_days) == (1, 5)
    assert accept.pk is not None


def test_a_category_rule_wins_over_the_level_default(db):
    TimeLimitRule.objects.create(level="community", category_code="ENV", stage="settle", working_days=3)
    assert rule_for(level="community", stage="settle", category_code="ENV").working_days == 3
    assert rule_for(level="community", stage="settle", category_code="OTHER").working_days == 5


@pytest.mark.parametrize(("days", "yellow"), [(5, 0), (3, 4)])
def test_a_rule_whose_red_comes_at_or_before_its_yellow_is_refused(db, days, yellow):
    rule = TimeLimitRule(level="group", category_code="X", stage="settle", working_days=days, yellow_before=yellow)
    with pytest.raises(ValidationError) as err:
        save_rule(rule=rule)
    assert "yellow_before" in err.value.message_dict
    assert not TimeLimitRule.objects.filter(category_code="X").exists()
