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

from twoway.appeals.models import Appeal, Extension, Photo, Resource
from twoway.meetings.models import Meeting
from twoway.notify.models import Notification
from twoway.org.models import Grid, Household, OrgUnit, Person, Role


@dataclass(frozen=True)
class Public:
    reason: str


@dataclass(frozen=True)
class ById:
    model: type
    path_of: Callable  # record -> the path (or paths) of the unit(s) whose staff may see it
    text_of: Callable = str  # record -> a string that must not leak
    more_kwargs: Callable | None = None  # (record) -> more URL kwargs
    methods: tuple[str, ...] = ("GET", "POST")
    concerns: Callable | None = None  # (record, viewer person) -> True if it is the viewer's own
    personal: bool = False  # only its owner may see it, whatever their role
    query_param: str | None = None  # the id goes in ?query_param= instead of the path


def _seed_appeals(tree):
    """Appeals in both streets, one escalated and one with a department, with a photo,
    an extension request and notifications, so every appeal URL has foreign records."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from twoway.appeals import flow
    from twoway.appeals.models import Category

    cat = Category.objects.get(code="ENV01")
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buf, "PNG")
    photo = SimpleUploadedFile("p.png", buf.getvalue(), content_type="image/png")
    near = flow.appeal_submit(
        user=tree["resident"].user, category_id=cat.pk, description="A1社区a组楼道堆物", photos=[photo]
    )
    flow.appeal_accept(user=tree["group_leader"].user, appeal_id=near.pk)
    flow.appeal_escalate(user=tree["group_leader"].user, appeal_id=near.pk, reason="上报")
    flow.appeal_accept(user=tree["community_secretary"].user, appeal_id=near.pk)
    flow.appeal_request_extension(user=tree["community_secretary"].user, appeal_id=near.pk, days=3, reason="等材料")
    far = flow.appeal_submit(user=tree["far_resident"].user, category_id=cat.pk, description="远方小区井盖缺失")
    far.handling_unit = tree["department"]
    far.save(update_fields=["handling_unit"])
    flow.appeal_submit(user=tree["far_resident"].user, category_id=cat.pk, description="远方路灯不亮")


def _seed_resources(tree):
    """A resource in every unit's directory, named after its unit, so a foreign one shows as a leak."""
    Resource.objects.bulk_create(
        Resource(unit=u, kind="mediator", name=f"{u.name}民情调解工作室", contact="0543-3160000")
        for u in OrgUnit.objects.all()
    )


def _seed_meetings(tree):
    from django.utils import timezone

    from twoway.meetings import agenda

    for who, unit, title in (
        ("community_secretary", "community_A1", "A1社区议事会议"),
        ("other_street_officer", "street_B", "B街道周例会"),
    ):
        type_code = "consultation" if unit.startswith("community") else "weekly"
        meeting = agenda.meeting_create(
            user=tree[who].user,
            unit=tree[unit],
            type_code=type_code,
            title=title,
            starts_at=timezone.now(),
            place="会议室",
        )
        agenda.topic_add(user=tree[who].user, meeting=meeting, title=f"{title}议题", matter="公益金使用")


def _meeting_concerns(m, person):
    return m.unit.path in person.unit.ancestor_paths or m.participants.filter(person=person).exists()


SEEDS = [_seed_appeals, _seed_resources, _seed_meetings]


def _appeal_paths(a):
    return (a.handling_unit.path, a.origin_unit.path)


def _appeal_concerns(a, person):
    return a.raised_by_id == person.pk or (person.household_id is not None and a.household_id == person.household_id)


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
    "appeals:queue": Listing(),
    "appeals:mine": Listing(),
    "appeals:overdue": Listing(),
    "appeals:new": ById(Person, lambda p: p.unit.path, lambda p: p.name, query_param="for", methods=("GET",)),
    "appeals:detail": ById(Appeal, _appeal_paths, lambda a: a.description, concerns=_appeal_concerns),
    "appeals:act": ById(
        Appeal,
        _appeal_paths,
        lambda a: a.description,
        concerns=_appeal_concerns,
        more_kwargs=lambda a: {"action": "accept"},
        methods=("POST",),
    ),
    "appeals:photo": ById(
        Photo,
        lambda p: _appeal_paths(p.appeal),
        lambda p: p.appeal.description,
        concerns=lambda p, person: _appeal_concerns(p.appeal, person),
    ),
    "appeals:decide_extension": ById(
        Extension,
        lambda x: _appeal_paths(x.appeal),
        lambda x: x.appeal.description,
        concerns=lambda x, person: _appeal_concerns(x.appeal, person),
        methods=("POST",),
    ),
    "appeals:resources": Listing(),
    "appeals:resources_new": Listing(),
    "appeals:resources_edit": ById(Resource, lambda r: r.unit.path, lambda r: r.name),
    "appeals:resources_active": ById(Resource, lambda r: r.unit.path, lambda r: r.name, methods=("POST",)),
    # Time limits and the holiday calendar are district-wide data with nothing personal in them.
    "deadlines:rules": Listing(),
    "deadlines:rule_new": Listing(),
    "deadlines:rule_edit": Listing(kwargs={"pk": 1}),
    "deadlines:rule_remove": Listing(kwargs={"pk": 1}),
    "deadlines:holidays": Listing(),
    "deadlines:holiday_remove": Listing(kwargs={"pk": 1}),
    "notices:list": Public("public notices carry no personal data (checked in tests/test_notices.py)"),
    "notices:detail": Public("public notices carry no personal data (checked in tests/test_notices.py)"),
    "meetings:list": Listing(),
    "meetings:new": Listing(),
    "meetings:detail": ById(Meeting, lambda m: m.unit.path, lambda m: m.title, concerns=_meeting_concerns),
    "meetings:act": ById(
        Meeting,
        lambda m: m.unit.path,
        lambda m: m.title,
        concerns=_meeting_concerns,
        more_kwargs=lambda m: {"action": "topic"},
        methods=("POST",),
    ),
    "notify:inbox": Listing(),
    "notify:open": ById(
        Notification,
        lambda n: (),
        lambda n: n.title,
        personal=True,
        concerns=lambda n, person: n.person_id == person.pk,
        methods=("POST",),
    ),
    "notify:read_all": Listing(),
}


def _merge_app_cases() -> None:
    import importlib
    import pkgutil

    from . import scope_cases

    for module_info in pkgutil.iter_modules(scope_cases.__path__):
        module = importlib.import_module(f"{scope_cases.__name__}.{module_info.name}")
        clash = set(CASES) & set(module.CASES)
        assert not clash, f"{module_info.name} redefines scope cases {sorted(clash)}"
        CASES.update(module.CASES)
        SEEDS.extend(getattr(module, "SEEDS", []))


_merge_app_cases()
