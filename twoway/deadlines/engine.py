"""The deadline engine: working days, due times and yellow/red cards, for appeals and tasks."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils import timezone

from twoway.core.cache import cached, invalidate_on_change

from .models import Holiday, TimeLimitRule

DEFAULT_WORKING_DAYS = {"accept": 1, "settle": 5, "task": 10}


class Card(StrEnum):
    NONE = "none"
    YELLOW = "yellow"
    RED = "red"


@dataclass(frozen=True)
class Calendar:
    """Working days: Monday to Friday, except listed holidays, plus listed weekend workdays."""

    off: frozenset[date]
    on: frozenset[date]

    def is_working_day(self, d: date) -> bool:
        if d in self.on:
            return True
        return d.weekday() < 5 and d not in self.off

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same local time `days` working days later (or earlier, for a negative count).

        A start on a day off counts from the next working day's beginning.
        """
        local = timezone.localtime(start)
        step = 1 if days >= 0 else -1
        d = local.date()
        if not self.is_working_day(d) and step > 0:
            while not self.is_working_day(d):
                d += timedelta(days=1)
            local = local.replace(year=d.year, month=d.month, day=d.day, hour=0, minute=0, second=0, microsecond=0)
        remaining = abs(days)
        while remaining:
            d += timedelta(days=step)
            if self.is_working_day(d):
                remaining -= 1
        return local.replace(year=d.year, month=d.month, day=d.day)


def _load_calendar() -> Calendar:
    rows = list(Holiday.objects.values_list("date", "is_workday"))
    return Calendar(
        off=frozenset(d for d, workday in rows if not workday), on=frozenset(d for d, workday in rows if workday)
    )


def _load_rules() -> dict[tuple[str, str, str], TimeLimitRule]:
    return {(r.level, r.stage, r.category_code): r for r in TimeLimitRule.objects.all()}


# Both tables are small and read on every submission and transition: each process keeps a copy
# (twoway.core.cache), dropped whenever a rule or holiday changes.
invalidate_on_change("deadlines:calendar", Holiday)
invalidate_on_change("deadlines:rules", TimeLimitRule)


def calendar() -> Calendar:
    """The holiday calendar as it stands now."""
    return cached("deadlines:calendar", _load_calendar)


def rule_for(*, level: str, stage: str, category_code: str = "") -> TimeLimitRule:
    """The most specific rule: the category's own, else the level's default, else the built-in one.
    The rule returned is shared: read it, do not change it."""
    rules = cached("deadlines:rules", _load_rules)
    rule = (category_code and rules.get((level, stage, category_code))) or rules.get((level, stage, ""))
    if rule is None:
        rule = TimeLimitRule(level=level, stage=stage, working_days=DEFAULT_WORKING_DAYS[stage], yellow_before=1)
    return rule


def due_at(start: datetime, working_days: int, cal: Calendar | None = None) -> datetime:
    return (cal or calendar()).add_working_days(start, working_days)


def yellow_at(due: datetime, yellow_before: int, cal: Calendar | None = None) -> datetime:
    return (cal or calendar()).add_working_days(due, -yellow_before)


def card(now: datetime, due: datetime | None, yellow: datetime | None) -> Card:
    """Red once the deadline has passed; yellow from the yellow time; none before that."""
    if due is None:
        return Card.NONE
    if now >= due:
        return Card.RED
    if yellow is not None and now >= yellow:
        return Card.YELLOW
    return Card.NONE


def save_rule(*, rule: TimeLimitRule) -> TimeLimitRule:
    """Validate and store a rule; a rule whose red comes at or before its yellow is refused."""
    rule.full_clean()
    rule.save()
    return rule


__all__ = ["Card", "Calendar", "calendar", "rule_for", "due_at", "yellow_at", "card", "save_rule", "ValidationError"]
