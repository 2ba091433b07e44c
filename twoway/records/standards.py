"""The area standards for community service rooms and party-mass service centres (Annex A, C),
as pure functions, so each can be tested at its exact boundary.

- A.2.1 / C.1.2: at least 30 m² for every 100 households;
- A.2.1: a regional party-mass centre of at least 500 m²;
- C.1.2: a community centre of at least 300 m² (existing community) or 500 m² (new community);
- C.1.2: a street centre of at least 1000 m².
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

PER_100_HOUSEHOLDS = Decimal(30)
REGIONAL_MIN = Decimal(500)
COMMUNITY_EXISTING_MIN = Decimal(300)
COMMUNITY_NEW_MIN = Decimal(500)
STREET_MIN = Decimal(1000)


@dataclass(frozen=True)
class Shortfall:
    code: str
    clause: str
    rule: str
    required: Decimal
    actual: Decimal

    @property
    def missing(self) -> Decimal:
        return self.required - self.actual


def area_for_households(households: int) -> Decimal:
    """The floor area 30 m² per 100 households asks for (no rounding: 150 households → 45 m²)."""
    return PER_100_HOUSEHOLDS * Decimal(households) / Decimal(100)


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def community_shortfalls(*, area, households: int, newly_built: bool, regional_area=None) -> list[Shortfall]:
    """Every standard a community's centre falls short of; empty when it meets them all."""
    area = _dec(area)
    out = []
    per_households = area_for_households(households)
    if area < per_households:
        out.append(
            Shortfall("per_households", "A.2.1, C.1.2", str(_("30 m² per 100 households")), per_households, area)
        )
    minimum, rule = (
        (COMMUNITY_NEW_MIN, _("new community: at least 500 m²"))
        if newly_built
        else (COMMUNITY_EXISTING_MIN, _("existing community: at least 300 m²"))
    )
    if area < minimum:
        out.append(Shortfall("community_min", "C.1.2", str(rule), minimum, area))
    out += regional_shortfalls(regional_area=regional_area)
    return out


def regional_shortfalls(*, regional_area) -> list[Shortfall]:
    if regional_area is None:
        return []
    regional_area = _dec(regional_area)
    if regional_area < REGIONAL_MIN:
        return [
            Shortfall(
                "regional_min",
                "A.2.1",
                str(_("regional party-mass centre: at least 500 m²")),
                REGIONAL_MIN,
                regional_area,
            )
        ]
    return []


def street_shortfalls(*, area, regional_area=None) -> list[Shortfall]:
    area = _dec(area)
    out = []
    if area < STREET_MIN:
        out.append(Shortfall("street_min", "C.1.2", str(_("street centre: at least 1000 m²")), STREET_MIN, area))
    return out + regional_shortfalls(regional_area=regional_area)


def shortfalls_for(space) -> list[Shortfall]:
    """The shortfalls of a ServiceSpace, by the kind of its unit."""
    if space.unit.kind == "street":
        return street_shortfalls(area=space.centre_area, regional_area=space.regional_area)
    return community_shortfalls(
        area=space.centre_area,
        households=space.households,
        newly_built=space.newly_built,
        regional_area=space.regional_area,
    )


def development_shortfalls(*, planned_area, households: int) -> list[Shortfall]:
    """What a development's planned service rooms lack against 30 m² per 100 households (A.2.1)."""
    planned_area = _dec(planned_area)
    needed = area_for_households(households)
    if planned_area < needed:
        return [Shortfall("per_households", "A.2.1", str(_("30 m² per 100 households")), needed, planned_area)]
    return []
