"""Reads for the org pages: counts rolled up the tree, and searches."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from .models import Household, OrgUnit, Person, Role, RoleKind


@dataclass
class UnitSummary:
    unit: OrgUnit
    children: int = 0
    households: int = 0
    people: int = 0
    group_leaders: int = 0


def unit_summaries(units: list[OrgUnit]) -> list[UnitSummary]:
    """For each unit: active child units, and households and people in its whole subtree.

    One read of the (small) unit table, then one grouped count per table by unit id, rolled
    up the tree in Python; the count stays the same whatever the number of units.
    """
    if not units:
        return []
    subtree = list(
        OrgUnit.objects.filter(_or(Q(path__startswith=u.path) for u in units)).values(
            "pk", "path", "parent_id", "retired_at"
        )
    )
    ids = [u["pk"] for u in subtree]
    path_of = {u["pk"]: u["path"] for u in subtree}

    def grouped(qs, fk: str) -> dict[str, int]:
        rows = qs.filter(**{f"{fk}_id__in": ids}).values(f"{fk}_id").annotate(n=Count("id")).order_by()
        return {path_of[r[f"{fk}_id"]]: r["n"] for r in rows}

    households = grouped(Household.objects.filter(retired_at__isnull=True), "group")
    people = grouped(Person.objects.filter(retired_at__isnull=True), "unit")
    leaders = grouped(Role.objects.filter(kind=RoleKind.GROUP_LEADER), "unit")
    children: dict[int, int] = {}
    for u in subtree:
        if u["retired_at"] is None and u["parent_id"] is not None:
            children[u["parent_id"]] = children.get(u["parent_id"], 0) + 1

    def rolled(counts: dict[str, int], prefix: str) -> int:
        return sum(n for path, n in counts.items() if path.startswith(prefix))

    return [
        UnitSummary(
            unit=u,
            children=children.get(u.pk, 0),
            households=rolled(households, u.path),
            people=rolled(people, u.path),
            group_leaders=rolled(leaders, u.path),
        )
        for u in units
    ]


def _or(qs) -> Q:
    result = Q()
    for q in qs:
        result |= q
    return result


def unit_children(unit: OrgUnit, *, include_retired: bool = False) -> QuerySet[OrgUnit]:
    qs = unit.children.all().order_by("sort", "name")
    return qs if include_retired else qs.filter(retired_at__isnull=True)


def search_units(qs: QuerySet[OrgUnit], text: str) -> QuerySet[OrgUnit]:
    text = (text or "").strip()
    return qs.filter(Q(name__icontains=text) | Q(code__iexact=text)) if text else qs


def search_households(qs: QuerySet[Household], text: str) -> QuerySet[Household]:
    """By place ("3-1-502", "3号楼1单元502"), or by a member's name or the address."""
    text = (text or "").strip()
    if not text:
        return qs
    parts = text.replace("号楼", "-").replace("单元", "-").replace("室", "").split("-")
    parts = [p.strip() for p in parts if p.strip()]
    if len(parts) >= 2:
        place = Q(building=parts[0], entrance=parts[1])
        if len(parts) >= 3:
            place &= Q(room=parts[2])
        return qs.filter(place)
    members = Person.objects.filter(name=text).values("household_id")
    return qs.filter(Q(room=text) | Q(building=text) | Q(pk__in=members) | Q(address__icontains=text))


def search_people(qs: QuerySet[Person], text: str) -> QuerySet[Person]:
    """By name, by the last digits of a phone or ID number (what staff ask a caller for)."""
    text = (text or "").strip()
    if not text:
        return qs
    q = Q(name__icontains=text)
    if text.isdigit() or text.upper().endswith("X"):
        q |= Q(phone__endswith=text) | Q(id_number__iendswith=text)
    return qs.filter(q)
