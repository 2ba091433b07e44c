"""Counting votes (R-4.2): quorum and majority, as pure functions, so a stored result can be
recounted and checked against its ballots at any time."""

from collections import Counter
from dataclasses import asdict, dataclass
from enum import StrEnum


class Choice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class Majority(StrEnum):
    SIMPLE = "simple"  # more than half
    TWO_THIRDS = "two_thirds"  # at least two thirds


class Base(StrEnum):
    CAST = "cast"  # of the ballots cast (abstentions count as cast)
    ELIGIBLE = "eligible"  # of all members entitled to vote


@dataclass(frozen=True)
class Rule:
    quorum_percent: int  # members present must be at least this share of those entitled
    majority: Majority
    base: Base

    def describe(self) -> str:
        """The rule in the words of the record (stored with each result, shown on notices)."""
        majority = "过半数通过" if self.majority == Majority.SIMPLE else "三分之二以上通过"
        base = "以实际投票数为基数" if self.base == Base.CAST else "以应到人数为基数"
        return f"出席不少于{self.quorum_percent}%，{base}，{majority}"


@dataclass(frozen=True)
class Tally:
    eligible: int
    present: int
    votes_for: int
    votes_against: int
    abstain: int
    quorum_met: bool
    passed: bool | None  # None: no result, the quorum was not met
    needed: int  # how many votes "for" were needed

    def as_dict(self) -> dict:
        return asdict(self)


def votes_needed(rule: Rule, *, cast: int, eligible: int) -> int:
    """The smallest number of votes for that carries the motion."""
    base = cast if rule.base == Base.CAST else eligible
    if rule.majority == Majority.SIMPLE:
        return base // 2 + 1  # strictly more than half: a tie fails
    return -(-2 * base // 3)  # at least two thirds, rounded up


def tally(rule: Rule, *, choices: list[str], eligible: int, present: int) -> Tally:
    """Count the ballots under the rule. Quorum not met → no result."""
    counts = Counter(choices)
    cast = len(choices)
    quorum_met = eligible > 0 and present * 100 >= rule.quorum_percent * eligible
    needed = votes_needed(rule, cast=cast, eligible=eligible)
    passed = None
    if quorum_met:
        passed = cast > 0 and counts[Choice.FOR] >= needed
    return Tally(
        eligible=eligible,
        present=present,
        votes_for=counts[Choice.FOR],
        votes_against=counts[Choice.AGAINST],
        abstain=counts[Choice.ABSTAIN],
        quorum_met=quorum_met,
        passed=passed,
        needed=needed,
    )
