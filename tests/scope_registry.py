"""Every URL in the project, and how the scope test attacks it.

When you add a URL, add a case here. The scope test fails for any named URL without one, so
an unscoped page cannot slip in unnoticed. Cases:

- `Public(reason)`: needs no scope (login, health check, the public page).
- `ById(model, path_of, extra=None)`: the URL names one record by `pk`. The test requests it,
  by GET and by POST, for records outside the viewer's area and for guessed ids that do not
  exist, and expects 403 or 404 with none of the record's data in the answer.
- `Listing(query=None)`: a list, search or export. The test requests it and checks that no
  record from outside the viewer's area appears, also when `?unit=` names a foreign unit
  (which must answer 404). `query` adds fixed parameters; `kwargs` fills URL parameters.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from twoway.org.models import Grid, Household, OrgUnit, Person, Role


@dataclass(frozen=True)
class Public:
    reason: str


@dataclass(frozen=True)
class ById:
    model: type
    path_of: Callable  # record -> the path of the unit it belongs to
    text_of: Callable = str  # record -> a string that must not leak
    more_kwargs: Callable | None = None  # (record) -> more URL kwargs
    methods: tuple[str, ...] = ("GET", "POST")


@dataclass(frozen=True)
class Listing:
    kwargs: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    xlsx: bool = False


def _role_extra(person):
    role = person.roles.first() or Role.objects.create(person=person, unit=person.unit, kind="resident")
    return {"role_pk": role.pk}


CASES = {
    "login": Public("the login page"),
    "logout": Public("ends one's own session"),
    "set_language": Public("a language preference"),
    "elder_mode": Public("a display preference"),
    "healthz": Public("the health check says only ok or error"),
    "home": Listing(),
    "org:tree": Listing(),
    "org:unit": ById(OrgUnit, lambda u: u.path),
    "org:unit_add": ById(OrgUnit, lambda u: u.path),
    "org:unit_edit": ById(OrgUnit, lambda u: u.path),
    "org:unit_move": ById(OrgUnit, lambda u: u.path),
    "org:unit_retire": ById(OrgUnit, lambda u: u.path, methods=("POST",)),
    "org:households": Listing(),
    "org:household_new": Listing(),
    "org:household": ById(Household, lambda h: h.group.path, lambda h: h.address or h.label),
    "org:household_edit": ById(Household, lambda h: h.group.path, lambda h: h.address or h.label),
    "org:people": Listing(),
    "org:person_new": Listing(),
    "org:person": ById(Person, lambda p: p.unit.path, lambda p: p.name),
    "org:person_edit": ById(Person, lambda p: p.unit.path, lambda p: p.name),
    "org:role_add": ById(Person, lambda p: p.unit.path, lambda p: p.name, methods=("POST",)),
    "org:role_remove": ById(
        Person, lambda p: p.unit.path, lambda p: p.name, more_kwargs=_role_extra, methods=("POST",)
    ),
    "org:grids": Listing(),
    "org:grid_new": Listing(),
    "org:grid_edit": ById(Grid, lambda g: g.street.path, lambda g: g.name),
    "org:import": Listing(),
    "org:import_template": Listing(kwargs={"kind": "people"}),
    "org:export": Listing(kwargs={"kind": "people"}, xlsx=True),
    "audit:list": Listing(),
}
