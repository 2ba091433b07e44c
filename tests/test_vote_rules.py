"""Vote counting (R-4.2): quorum, majorities on both bases, and a property-based check."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twoway.meetings.rules import Base, Choice, Majority, Rule, tally, votes_needed

SIMPLE_CAST = Rule(50, Majority.SIMPLE, Base.CAST)
F, A, X = Choice.FOR, Choice.AGAINST, Choice.ABSTAIN


def test_quorum_not_met_gives_no_result():
    t = tally(SIMPLE_CAST, choices=[F, F, F], eligible=10, present=4)
    assert t.quorum_met is False and t.passed is None


def test_quorum_exactly_met_counts():
    assert tally(SIMPLE_CAST, choices=[F, F, F], eligible=10, present=5).passed is True


def test_a_tie_under_simple_majority_fails():
    assert tally(SIMPLE_CAST, choices=[F, F, A, A], eligible=4, present=4).passed is False


def test_abstentions_count_as_cast_under_simple_majority():
    # 3 for, 2 against, 2 abstain: 3 of 7 cast is not more than half.
    assert tally(SIMPLE_CAST, choices=[F] * 3 + [A] * 2 + [X] * 2, eligible=7, present=7).passed is False


@pytest.mark.parametrize(
    ("base", "cast", "eligible", "needed"),
    [
        (Base.CAST, 9, 12, 6),
        (Base.ELIGIBLE, 9, 12, 8),
        (Base.CAST, 10, 10, 7),
        (Base.ELIGIBLE, 7, 11, 8),
        (Base.CAST, 3, 3, 2),
        (Base.CAST, 0, 5, 0),
    ],
)
def test_two_thirds_on_each_base(base, cast, eligible, needed):
    assert votes_needed(Rule(50, Majority.TWO_THIRDS, base), cast=cast, eligible=eligible) == needed


def test_two_thirds_of_eligible_is_harder_than_of_cast():
    choices = [F] * 6 + [A] * 3  # 6 of 9 cast = two thirds; 6 of 12 eligible is not
    assert tally(Rule(50, Majority.TWO_THIRDS, Base.CAST), choices=choices, eligible=12, present=9).passed is True
    assert tally(Rule(50, Majority.TWO_THIRDS, Base.ELIGIBLE), choices=choices, eligible=12, present=9).passed is False


def test_no_ballots_cannot_pass():
    assert tally(SIMPLE_CAST, choices=[], eligible=3, present=3).passed is False


@given(
    eligible=st.integers(1, 60),
    data=st.data(),
    majority=st.sampled_from(list(Majority)),
    base=st.sampled_from(list(Base)),
    quorum=st.sampled_from([50, 60, 67]),
)
def test_the_result_agrees_with_a_plain_recount(eligible, data, majority, base, quorum):
    present = data.draw(st.integers(0, eligible))
    choices = data.draw(st.lists(st.sampled_from(list(Choice)), max_size=present))
    t = tally(Rule(quorum, majority, base), choices=choices, eligible=eligible, present=present)
    votes_for = choices.count(Choice.FOR)
    denominator = len(choices) if base == Base.CAST else eligible
    if present * 100 < quorum * eligible:
        assert t.passed is None
    elif majority == Majority.SIMPLE:
        assert t.passed == (len(choices) > 0 and 2 * votes_for > denominator)
    else:
        assert t.passed == (len(choices) > 0 and 3 * votes_for >= 2 * denominator)
    assert t.votes_for + t.votes_against + t.abstain == len(choices)
