"""Who may see what (R-1.3). Every list and every fetch of a scoped record goes through here.

A person with a staff role on a unit sees that unit's subtree; a resident sees themself, their
household and what is public. Out-of-scope records answer 404 (their existence is not
revealed); records in scope that the person may only read answer 403 on a write.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from twoway.core.parse import pk_or_404

from .models import PATH_STEP, STAFF_ROLES, WRITE_ROLES, Household, OrgUnit, Person, Role, RoleKind


@dataclass(frozen=True)
class Scope:
    person: Person | None
    read_paths: tuple[str, ...] = ()
    write_paths: tuple[str, ...] = ()
    roles: tuple[Role, ...] = field(default=())

    @property
    def is_staff(self) -> bool:
        return bool(self.read_paths)

    def role_kinds(self) -> set[str]:
        return {r.kind for r in self.roles}

    def covers(self, path: str, *, write: bool = False) -> bool:
        paths = self.write_paths if write else self.read_paths
        return any(path.startswith(p) for p in paths)

    def q(self, lookup: str, *, write: bool = False) -> Q:
        """A filter: `lookup` (a path field, e.g. "unit__path") lies within this scope."""
        paths = self.write_paths if write else self.read_paths
        if not paths:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{lookup}__startswith": p}) for p in paths))

    def unit_q(self, fk: str, *, write: bool = False) -> Q:
        """A filter: the unit foreign key `fk` (e.g. "unit") points inside this scope.

        A semi-join on the small unit table, so large tables are filtered by their indexed
        foreign key and can still be paged in their own index order.
        """
        if self.covers_everything(write=write):
            return Q()
        return Q(**{f"{fk}__in": OrgUnit.objects.filter(self.q("path", write=write)).values("pk")})

    def covers_everything(self, *, write: bool = False) -> bool:
        """True for a district-wide role: no filter is needed, and lists page in index order."""
        paths = self.write_paths if write else self.read_paths
        roots = [p for p in paths if len(p) == PATH_STEP]
        if not roots:
            return False
        return set(roots) >= set(OrgUnit.objects.filter(parent=None).values_list("path", flat=True))


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths that lie inside another path of the set, so filters stay short."""
    kept = sorted(paths)
    return tuple(p for p in kept if not any(p != o and p.startswith(o) for o in kept))


# Set on a user by the login backend (org/auth.py): their person, or None when the login has none.
PERSON_ATTR = "_twoway_person"
_NOT_LOADED = object()


def scope_for(user) -> Scope:
    """The scope of a logged-in user, computed once per request object."""
    cached = getattr(user, "_twoway_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        scope = Scope(person=None)
    else:
        # The login backend reads the person with the user (org/auth.py); otherwise one query.
        # Either way a resident's roles are read only when they have any.
        person = getattr(user, PERSON_ATTR, _NOT_LOADED)
        if person is _NOT_LOADED:
            person = (
                Person.objects.filter(user=user)
                .select_related("unit", "household")
                .annotate(_has_roles=Exists(Role.objects.filter(person=OuterRef("pk"))))
                .first()
            )
        roles = (
            tuple(Role.objects.filter(person=person, unit__retired_at__isnull=True).select_related("unit"))
            if person is not None and person._has_roles
            else ()
        )
        if user.is_superuser:
            everything = {u.path for u in OrgUnit.objects.filter(parent__isnull=True)}
            read = write = everything
        else:
            read = {r.unit.path for r in roles if r.kind in STAFF_ROLES}
            write = {r.unit.path for r in roles if r.kind in WRITE_ROLES}
        scope = Scope(person=person, read_paths=_minimal(read), write_paths=_minimal(write), roles=roles)
    user._twoway_scope = scope
    return scope


def require_staff(user) -> Scope:
    scope = scope_for(user)
    if not scope.is_staff:
        raise PermissionDenied
    return scope


# ---- selectors: what a user may list -------------------------------------------------------


def visible_units(user) -> QuerySet[OrgUnit]:
    scope = scope_for(user)
    return OrgUnit.objects.filter(scope.q("path"))


def visible_households(user) -> QuerySet[Household]:
    scope = scope_for(user)
    q = scope.unit_q("group")
    # Only widen the filter when the own household lies outside the staff scope: an OR here
    # would stop the database from paging the list in index order.
    if scope.person and scope.person.household_id and not scope.covers(scope.person.unit.path):
        q |= Q(pk=scope.person.household_id)
    return Household.objects.filter(q)


def visible_people(user) -> QuerySet[Person]:
    scope = scope_for(user)
    q = scope.unit_q("unit")
    if scope.person and not scope.covers(scope.person.unit.path):
        q |= Q(pk=scope.person.pk)
        if scope.person.household_id:
            q |= Q(household_id=scope.person.household_id)
    return Person.objects.filter(q)


# ---- permission-checking fetchers ----------------------------------------------------------


def _check(scope: Scope, path: str, write: bool) -> None:
    if not scope.covers(path):
        raise Http404
    if write and not scope.covers(path, write=True):
        raise PermissionDenied


def unit_get(user, pk, *, write: bool = False) -> OrgUnit:
    """The unit with this id, if the user may see it (and change it, with write=True)."""
    scope = scope_for(user)
    unit = OrgUnit.objects.filter(pk=pk_or_404(pk)).first()
    if unit is None:
        raise Http404
    _check(scope, unit.path, write)
    return unit


def household_get(user, pk, *, write: bool = False) -> Household:
    scope = scope_for(user)
    household = Household.objects.select_related("group").filter(pk=pk_or_404(pk)).first()
    if household is None:
        raise Http404
    own = scope.person is not None and scope.person.household_id == household.pk
    if own and not write:
        return household
    _check(scope, household.group.path, write)
    return household


def person_get(user, pk, *, write: bool = False) -> Person:
    scope = scope_for(user)
    person = Person.objects.select_related("unit", "household", "user").filter(pk=pk_or_404(pk)).first()
    if person is None:
        raise Http404
    me = scope.person
    related = me is not None and (me.pk == person.pk or (me.household_id and me.household_id == person.household_id))
    if related and not write:
        return person
    _check(scope, person.unit.path, write)
    return person


def can_unmask(user, person: Person) -> bool:
    """Whether this user may see the person's full phone and ID numbers (PIPL)."""
    from django.conf import settings

    scope = scope_for(user)
    if scope.person is not None and scope.person.pk == person.pk:
        return True
    if user.is_superuser:
        return True
    allowed = set(settings.TWOWAY_UNMASK_ROLES)
    return any(r.kind in allowed and person.unit.path.startswith(r.unit.path) for r in scope.roles)


def home_units(user) -> list[OrgUnit]:
    """The units a staff user holds a role on, highest first (their home page's subjects)."""
    scope = scope_for(user)
    units = {r.unit.pk: r.unit for r in scope.roles if r.kind in STAFF_ROLES}
    return sorted(units.values(), key=lambda u: (u.depth, u.path))


__all__ = [
    "RoleKind",
    "Scope",
    "scope_for",
    "require_staff",
    "visible_units",
    "visible_households",
    "visible_people",
    "unit_get",
    "household_get",
    "person_get",
    "can_unmask",
    "home_units",
]
