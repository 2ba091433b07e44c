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


def _counts_by_unit(model, unit_field: str, prefixes: list[str]) -> dict[int, int]:
    if not prefixes:
        return {}
    q = _or(Q(**{f"{unit_field}__path__startswith": p}) for p in prefixes)
    rows = model.objects.filter(q).filter(retired_at__isnull=True).values(f"{unit_field}__path").annotate(n=Count("id"))
    return {r[f"{unit_field}__path"]: r["n"] for r in rows}


def unit_summaries(units: list[OrgUnit]) -> list[UnitSummary]:
    """For each unit: active child units, households and people in its whole subtree.

    Three grouped queries whatever the number of units, rolled up by path in Python.
    """
    prefixes = [u.path for u in units]
    households = _counts_by_unit(Household, "group", prefixes)
    people = _counts_by_unit(Person, "unit", prefixes)
    q = _or(Q(path__startswith=p) for p in prefixes)
    children = {}
    if prefixes:
        for row in (
            OrgUnit.objects.filter(q, retired_at__isnull=True)
            .exclude(parent=None)
            .values("parent_id")
            .annotate(n=Count("id"))
        ):
            children[row["parent_id"]] = row["n"]
    leaders = {}
    if prefixes:
        rows = (
            Role.objects.filter(_or(Q(unit__path__startswith=p) for p in prefixes), kind=RoleKind.GROUP_LEADER)
            .values("unit__path")
            .annotate(n=Count("id"))
        )
        leaders = {r["unit__path"]: r["n"] for r in rows}

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
    text = (text or "").strip()
    if not text:
        return qs
    q = Q(address__icontains=text) | Q(group__name__icontains=text) | Q(members__name__icontains=text)
    parts = text.replace("号楼", "-").replace("单元", "-").replace("室", "").split("-")
    parts = [p.strip() for p in parts if p.strip()]
    if len(parts) >= 2:
        sub = Q(building=parts[0], entrance=parts[1])
        if len(parts) >= 3:
            sub &= Q(room=parts[2])
        q |= sub
    else:
        q |= Q(room=text) | Q(building=text)
    return qs.filter(q).distinct()


def search_people(qs: QuerySet[Person], text: str) -> QuerySet[Person]:
    """By name, by the last digits of a phone or ID number (what staff ask a caller for)."""
    text = (text or "").strip()
    if not text:
        return qs
    q = Q(name__icontains=text)
    if text.isdigit() or text.upper().endswith("X"):
        q |= Q(phone__endswith=text) | Q(id_number__iendswith=text)
    return qs.filter(q)
