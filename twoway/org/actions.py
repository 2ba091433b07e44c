"""Every change to the tree, its households, people and roles. Pages and imports call these."""

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from twoway.core.errors import DomainError
from twoway.core.parse import as_int
from twoway.core.text import clean_text

from .models import CHILD_KINDS, PATH_DIGITS, Gender, Grid, Household, OrgUnit, Person, Role, RoleKind, UnitKind

SORT_MAX = 100_000


def _path_for(unit: OrgUnit, parent: OrgUnit | None) -> str:
    return (parent.path if parent else "") + f"{unit.pk:0{PATH_DIGITS}d}."


def _check_child_kind(kind: str, parent: OrgUnit | None) -> None:
    if kind not in UnitKind.values:
        raise DomainError("bad_kind", _("Kind: choose a kind of unit from the list."), "kind")
    allowed = CHILD_KINDS.get(UnitKind(parent.kind) if parent else None, [])
    if kind not in allowed:
        raise DomainError(
            "unit_kind_not_allowed",
            _("A %(kind)s cannot be placed under %(parent)s.")
            % {"kind": UnitKind(kind).label, "parent": parent.name if parent else _("the top level")},
            "kind",
        )


def _check_name(name: str) -> str:
    return clean_text(name, field="name", label=_("Name"), limit=100, required=True)


def _check_sort(sort) -> int:
    number = 0 if sort in (None, "") else as_int(sort)
    if number is None or not 0 <= number <= SORT_MAX:
        raise DomainError("bad_sort", _("Order: enter a whole number from 0 to %(n)s.") % {"n": SORT_MAX}, "sort")
    return number


def _check_address(address: str) -> str:
    return clean_text(address, field="address", label=_("Address"), limit=200)


@transaction.atomic
def unit_create(
    *, parent: OrgUnit | None, kind: str, name: str, code: str = "", sort: int = 0, address: str = "", phone: str = ""
) -> OrgUnit:
    """Add a unit under `parent`; the kind must fit the level below the parent."""
    from .validation import clean_phone

    name = _check_name(name)
    _check_child_kind(kind, parent)
    if parent is not None and parent.is_retired:
        raise DomainError("parent_retired", _("Units cannot be added under a retired unit."), "parent")
    code = clean_text(code, field="code", label=_("Code"), limit=32) or f"U{uuid.uuid4().hex[:12].upper()}"
    sort, address, phone = _check_sort(sort), _check_address(address), clean_phone(phone)
    if OrgUnit.objects.filter(code=code).exists():
        raise DomainError("code_taken", _("Code: %(code)s is already used.") % {"code": code}, "code")
    unit = OrgUnit.objects.create(
        parent=parent,
        kind=kind,
        name=name,
        code=code,
        sort=sort,
        address=address,
        phone=phone,
        path=f"~{uuid.uuid4().hex}",
        depth=(parent.depth + 1) if parent else 0,
    )
    unit.path = _path_for(unit, parent)
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def unit_rename(*, unit: OrgUnit, name: str) -> OrgUnit:
    """Give a unit a new name; its history and children stay with it."""
    unit.name = _check_name(name)
    unit.save(update_fields=["name"])
    return unit


@transaction.atomic
def unit_update(*, unit: OrgUnit, name: str, address: str = "", phone: str = "", sort: int = 0) -> OrgUnit:
    """Change a unit's name and its contact details; its code, place and history stay."""
    from .validation import clean_phone

    unit.name = _check_name(name)
    unit.phone = clean_phone(phone)
    unit.address, unit.sort = _check_address(address), _check_sort(sort)
    unit.save(update_fields=["name", "phone", "address", "sort"])
    return unit


@transaction.atomic
def unit_move(*, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move a unit and its whole subtree under another parent of the right level."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if new_parent.path.startswith(unit.path):
        raise DomainError("move_into_self", _("A unit cannot be moved under itself."), "parent")
    if new_parent.is_retired:
        raise DomainError("parent_retired", _("Units cannot be moved under a retired unit."), "parent")
    _check_child_kind(unit.kind, new_parent)
    old_prefix, new_prefix = unit.path, _path_for(unit, new_parent)
    shift = new_parent.depth + 1 - unit.depth
    subtree = list(OrgUnit.objects.select_for_update().filter(path__startswith=old_prefix))
    # Two passes through temporary paths keep the unique index on path satisfied throughout.
    for u in subtree:
        u.path = "~" + u.path
    OrgUnit.objects.bulk_update(subtree, ["path"])
    for u in subtree:
        u.path = new_prefix + u.path[1 + len(old_prefix) :]
        u.depth += shift
    OrgUnit.objects.bulk_update(subtree, ["path", "depth"])
    unit.refresh_from_db()
    unit.parent = new_parent
    unit.save(update_fields=["parent"])
    return unit


@transaction.atomic
def unit_retire(*, unit: OrgUnit) -> OrgUnit:
    """Retire a unit. Units are never deleted, since records refer to them; retiring hides it.

    A unit with active children cannot be retired until they are moved or retired.
    """
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if unit.is_retired:
        raise DomainError("already_retired", _("%(name)s is already retired.") % {"name": unit.name})
    if unit.children.filter(retired_at__isnull=True).exists():
        raise DomainError(
            "has_active_children",
            _("%(name)s still has active units under it: move or retire them first.") % {"name": unit.name},
        )
    unit.retired_at = timezone.now()
    unit.save(update_fields=["retired_at"])
    return unit


@transaction.atomic
def unit_restore(*, unit: OrgUnit) -> OrgUnit:
    """Bring a retired unit back into use."""
    if unit.parent and unit.parent.is_retired:
        raise DomainError("parent_retired", _("Restore the parent unit first."), "parent")
    unit.retired_at = None
    unit.save(update_fields=["retired_at"])
    return unit


def _household_fields(building: str, entrance: str, room: str) -> tuple[str, str, str]:
    values = {"building": building, "entrance": entrance, "room": room}
    labels = {"building": _("Building"), "entrance": _("Unit (entrance)"), "room": _("Room")}
    for key, value in values.items():
        values[key] = clean_text(value, field=key, label=labels[key], limit=20, required=True)
    return values["building"], values["entrance"], values["room"]


@transaction.atomic
def household_save(
    *, household: Household | None = None, group: OrgUnit, building: str, entrance: str, room: str, address: str = ""
) -> Household:
    """Create or update a household in a resident group."""
    if group.kind != UnitKind.GROUP:
        raise DomainError("not_a_group", _("Resident group: choose a resident group."), "group")
    building, entrance, room = _household_fields(building, entrance, room)
    address = _check_address(address)
    clash = Household.objects.filter(group=group, building=building, entrance=entrance, room=room)
    if household is not None:
        clash = clash.exclude(pk=household.pk)
    if clash.exists():
        raise DomainError("household_exists", _("Room: this household is already registered."), "room")
    household = household or Household()
    household.group, household.building, household.entrance, household.room = group, building, entrance, room
    household.address = address
    if household.pk:
        household.members.update(unit=group)
    household.save()
    return household


@transaction.atomic
def person_save(
    *,
    person: Person | None = None,
    unit: OrgUnit,
    household: Household | None,
    name: str,
    phone: str = "",
    id_number: str = "",
    gender: str = "",
    birth_date=None,
    relation: str = "",
) -> Person:
    """Create or update a person; a resident's unit is their household's group."""
    from .validation import clean_id_number, clean_phone

    name = clean_text(name, field="name", label=pgettext("person", "Name"), limit=50, required=True)
    phone = clean_phone(phone)
    id_number = clean_id_number(id_number)
    if gender and gender not in Gender.values:
        raise DomainError("bad_gender", _("Gender: choose one of the list."), "gender")
    relation = clean_text(relation, field="relation", label=_("Relation to head of household"), limit=20)
    if household is not None:
        unit = household.group
    if id_number:
        clash = Person.objects.filter(id_number__iexact=id_number)
        if person is not None:
            clash = clash.exclude(pk=person.pk)
        if clash.exists():
            raise DomainError("id_number_taken", _("ID number: another person already has this number."), "id_number")
    person = person or Person()
    person.unit, person.household, person.name = unit, household, name
    person.phone, person.id_number, person.gender = phone, id_number, gender or ""
    person.birth_date, person.relation = birth_date, relation
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise DomainError(
            "id_number_taken", _("ID number: another person already has this number."), "id_number"
        ) from None
    return person


@transaction.atomic
def role_assign(*, person: Person, unit: OrgUnit, kind: str, title: str = "") -> Role:
    """Give a person a role on a unit; assigning a role they already hold changes nothing."""
    if kind not in RoleKind.values:
        raise DomainError("bad_role", _("Role: choose a role from the list."), "kind")
    title = clean_text(title, field="title", label=_("Title"), limit=50)
    role, _created = Role.objects.get_or_create(person=person, unit=unit, kind=kind, defaults={"title": title})
    return role


@transaction.atomic
def role_remove(*, role: Role) -> None:
    """Take a role away. Roles are not history: the audit log keeps who changed them."""
    role.delete()


@transaction.atomic
def grid_save(*, grid: Grid | None, street: OrgUnit, name: str, units) -> Grid:
    """Create or change a grid; it may cover only communities and groups of its own street."""
    name = _check_name(name)
    outside = [u.name for u in units if not u.is_within(street)]
    if outside:
        raise DomainError(
            "unit_outside_street",
            _("Units covered: these are not in the street: %(names)s") % {"names": "、".join(outside)},
            "units",
        )
    if Grid.objects.filter(street=street, name=name).exclude(pk=grid.pk if grid else None).exists():
        raise DomainError("grid_name_taken", _("Name: the street already has a grid with this name."), "name")
    grid = grid or Grid()
    grid.street, grid.name = street, name
    grid.save()
    grid.units.set(units)
    return grid
