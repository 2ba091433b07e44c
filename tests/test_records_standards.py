"""The area standards of Annex A and C, each at its exact boundary."""

from decimal import Decimal

import pytest

from twoway.records.standards import (
    area_for_households,
    community_shortfalls,
    development_shortfalls,
    regional_shortfalls,
    street_shortfalls,
)


def codes(shortfalls):
    return [s.code for s in shortfalls]


@pytest.mark.parametrize(
    ("households", "needed"),
    [(0, "0"), (1, "0.3"), (100, "30"), (150, "45"), (1000, "300"), (1667, "500.1"), (2001, "600.3")],
)
def test_thirty_square_metres_per_hundred_households(households, needed):
    assert area_for_households(households) == Decimal(needed)


def test_per_households_rule_at_its_boundary():
    # 2000 households need 600 m²: exactly 600 meets it, a hundredth less does not.
    assert codes(community_shortfalls(area="600", households=2000, newly_built=False)) == []
    short = community_shortfalls(area="599.99", households=2000, newly_built=False)
    assert codes(short) == ["per_households"]
    assert short[0].missing == Decimal("0.01")
    assert short[0].clause == "A.2.1, C.1.2"


def test_existing_community_needs_300():
    assert codes(community_shortfalls(area="300", households=100, newly_built=False)) == []
    assert codes(community_shortfalls(area="299.99", households=100, newly_built=False)) == ["community_min"]


def test_new_community_needs_500():
    assert codes(community_shortfalls(area="500", households=100, newly_built=True)) == []
    short = community_shortfalls(area="499.99", households=100, newly_built=True)
    assert codes(short) == ["community_min"]
    assert short[0].required == Decimal(500)
    # 400 m² is enough for an existing community, not for a new one.
    assert codes(community_shortfalls(area="400", households=100, newly_built=False)) == []
    assert codes(community_shortfalls(area="400", households=100, newly_built=True)) == ["community_min"]


def test_both_community_rules_can_fail_together():
    short = community_shortfalls(area="250", households=1000, newly_built=False)
    assert codes(short) == ["per_households", "community_min"]
    assert [s.missing for s in short] == [Decimal(50), Decimal(50)]


def test_street_centre_needs_1000():
    assert codes(street_shortfalls(area="1000")) == []
    assert codes(street_shortfalls(area="999.99")) == ["street_min"]


def test_regional_centre_needs_500():
    assert regional_shortfalls(regional_area=None) == []
    assert codes(regional_shortfalls(regional_area="500")) == []
    assert codes(regional_shortfalls(regional_area="499.99")) == ["regional_min"]
    assert codes(community_shortfalls(area="600", households=100, newly_built=True, regional_area="499")) == [
        "regional_min"
    ]
    assert codes(street_shortfalls(area="1200", regional_area=Decimal("499.99"))) == ["regional_min"]


def test_development_planned_area_by_households():
    assert development_shortfalls(planned_area="90", households=300) == []
    assert codes(development_shortfalls(planned_area="89.99", households=300)) == ["per_households"]
