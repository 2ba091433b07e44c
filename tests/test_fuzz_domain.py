"""Fuzzing the domain functions: every function a view or the API calls to change state is fed
what a POST or a JSON body can carry (text of any length and content, control characters
included; ids that are huge, negative or not numbers; lists of those; None; nothing), with a
valid acting person. The only outcomes allowed are success or a refusal the pages know how to
show (DomainError, or Django's ValidationError / PermissionDenied / Http404 where a function
raises them by design), and a refused call leaves every table as it was.

Each function is first called with arguments known to succeed, and then with each text among
them swapped for one with NUL, one with an escape sequence and one of 100,001 characters, so the
checks deep inside are reached whatever the random examples hit. Each call runs in a savepoint
that is rolled back, so the calls do not see each other's writes. Hypothesis is derandomized:
CI sees the same examples every run; TWOWAY_FUZZ_EXAMPLES raises their number for a deeper run.
"""

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from twoway.core import cache
from twoway.core.errors import DomainError

REFUSALS = (DomainError, ValidationError, PermissionDenied, Http404)
# More for a deeper run by hand: TWOWAY_FUZZ_EXAMPLES=500 pytest tests/test_fuzz_domain.py
MAX_EXAMPLES = int(os.environ.get("TWOWAY_FUZZ_EXAMPLES", "30"))
SHANGHAI = ZoneInfo("Asia/Shanghai")

# ---- what a request can carry ---------------------------------------------------------------

# Just past the limits the project uses, so a missing check meets a column that is too short.
LONG = st.builds(
    lambda char, n: char * n,
    st.sampled_from(["字", "a", " ", "\x00", "\n", "é"]),
    st.sampled_from([21, 33, 51, 65, 101, 121, 201, 301, 501, 1001, 2001, 4001, 5001, 10001, 20001, 100_001]),
)
ODD = st.sampled_from(
    [
        "a\x00b",
        "\x00",
        "\x1b[31m",
        "\x0b\x0c",
        "<script>alert(1)</script>",
        "'; DROP TABLE org_orgunit; --",
        "\u202e\u200b",
        "\r\n",
        "0",
        "-1",
        "9" * 30,
        "１２",
        "NaN",
        "Infinity",
        "1e999999",
        "None",
    ]
)
TEXT = st.one_of(st.none(), st.just(""), st.just("   "), st.text(max_size=40), LONG, ODD)
HUGE = st.integers(min_value=-(2**80), max_value=2**80)
JUNK_ID = st.one_of(
    st.none(),
    st.just(""),
    HUGE,
    HUGE.map(str),
    st.sampled_from([0, -1, 2**63 - 1, 2**63, -(2**63) - 1, "1e3", " 1 ", "1.0", "0x1", "NaN", "-0", "１", "1\x00"]),
    st.text(max_size=12),
)
DATES = st.one_of(st.none(), st.dates())
DATETIMES = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(SHANGHAI)),
)
NUMBERS_AS_TEXT = st.one_of(TEXT, HUGE, st.decimals(allow_nan=True, allow_infinity=True), st.floats())


def ids(*valid) -> st.SearchStrategy:
    """An id field: one of the valid ids (as int or text), or anything else a request can carry."""
    valid = [v for v in valid if v is not None]
    if not valid:
        return JUNK_ID
    return st.one_of(st.sampled_from(valid), st.sampled_from(valid).map(str), JUNK_ID)


def id_lists(*valid) -> st.SearchStrategy:
    return st.one_of(st.lists(ids(*valid), max_size=6), ids(*valid))


def choice(*valid) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(list(valid)), TEXT)


def some(*objects) -> st.SearchStrategy:
    return st.sampled_from(list(objects))


# ---- the harness ----------------------------------------------------------------------------


@dataclass
class Ctx:
    fixed: dict  # arguments that stay as they are (the acting user, a record passed as an object)
    watch: list = field(default_factory=list)  # records a refused call must leave unchanged
    args: dict = field(default_factory=dict)  # name -> strategy, for the arguments a request fills
    valid: dict | None = None  # arguments that succeed; each text in it is then swapped for a bad one


class _Undo(Exception):
    """Raised to roll an example's savepoint back."""


def _tables() -> list[str]:
    names = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in ("sessions", "contenttypes", "admin"):
            continue
        if model._meta.managed and not model._meta.proxy:
            names.add(model._meta.db_table)
    return sorted(names)


def _counts() -> tuple:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {qn(t)})" for t in _tables()))  # noqa: S608
        return tuple(cursor.fetchone())


def _state(watch) -> list:
    return [type(o).objects.filter(pk=o.pk).values().first() for o in watch]


def _forget_scopes(fixed) -> None:
    user = fixed.get("user")
    if user is not None:
        user.__dict__.pop("_twoway_scope", None)


def _short(value) -> str:
    """A value for the failure report: long text by its start and length."""
    if isinstance(value, str) and len(value) > 60:
        return f"{value[:12]!r}…({len(value)} chars)"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return repr(value)


def _attempt(fn, ctx: Ctx, kwargs: dict) -> bool:
    """Call fn in a savepoint that is then rolled back. True on success, False on a refusal
    that changed nothing; anything else fails the test."""
    try:
        with transaction.atomic():
            _forget_scopes(ctx.fixed)
            before, watched = _counts(), _state(ctx.watch)
            try:
                fn(**ctx.fixed, **kwargs)
                succeeded = True
            except REFUSALS:
                assert _counts() == before, "a refused call added or removed rows"
                assert _state(ctx.watch) == watched, "a refused call changed a record"
                succeeded = False
            raise _Undo
    except _Undo:
        return succeeded
    finally:
        cache.clear()  # process-wide copies may hold rows of the rolled-back savepoint


# Every text a request fills is also tried, with the other arguments valid, as these; every
# number as the others.
BAD_TEXTS = ("a\x00b", "\x1b[2J", "字" * 100_001)
BAD_NUMBERS = (-1, 2**31, 2**70)


def _bad_for(value) -> tuple:
    return BAD_TEXTS if isinstance(value, str) else BAD_NUMBERS


def probe(fn, ctx: Ctx) -> None:
    """The valid arguments succeed; each text or number among them (also inside a dict) swapped
    for a bad one gives success or a clean refusal."""
    assert _attempt(fn, ctx, ctx.valid), "the valid arguments were refused: the set-up is wrong"
    for name, value in ctx.valid.items():
        variants = []
        if isinstance(value, str | int) and not isinstance(value, bool):
            variants = [(name, {**ctx.valid, name: bad}, bad) for bad in _bad_for(value)]
        elif isinstance(value, dict):
            variants = [
                (f"{name}[{key!r}]", {**ctx.valid, name: {**value, key: bad}}, bad)
                for key, inner in value.items()
                if isinstance(inner, str | int) and not isinstance(inner, bool)
                for bad in _bad_for(inner)
            ]
        for label, kwargs, bad in variants:
            try:
                _attempt(fn, ctx, kwargs)
            except Exception as error:
                error.add_note(f"with {label}={_short(bad)} and the other arguments valid")
                raise


def fuzz(fn, ctx: Ctx, max_examples: int = MAX_EXAMPLES) -> None:
    """Call fn(**ctx.fixed, **drawn) for drawn arguments; fail on anything but success or a
    refusal, and on a refusal that changed a row."""

    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(**ctx.args)
    def run(**drawn):
        note("arguments: " + ", ".join(f"{k}={_short(v)}" for k, v in drawn.items()))
        _attempt(fn, ctx, drawn)

    run()


CASES: dict[str, tuple] = {}


def case(name):
    """Register a setup function (tree -> (function, Ctx)) under a test id."""

    def register(setup):
        CASES[name] = setup
        return setup

    return register


# ---- shared set-ups -------------------------------------------------------------------------


def _category():
    from twoway.appeals.models import Category

    return Category.objects.filter(active=True, parent__isnull=False).order_by("pk").first()


def _appeal(tree, up_to="pending", description="楼道灯坏了"):
    """An appeal of the resident in group A1a, taken as far as `up_to`."""
    from twoway.appeals import flow

    appeal = flow.appeal_submit(user=tree["resident"].user, category_id=_category().pk, description=description)
    if up_to == "pending":
        return appeal
    flow.appeal_accept(user=tree["group_leader"].user, appeal_id=appeal.pk)
    if up_to == "accepted":
        return appeal
    if up_to == "resolved":
        return flow.appeal_resolve(user=tree["group_leader"].user, appeal_id=appeal.pk, outcome="已修好")
    chain = [("group_leader", "community_secretary"), ("community_secretary", "street_officer")]
    chain.append(("street_officer", "district_staff"))
    for lower, upper in chain:
        flow.appeal_escalate(user=tree[lower].user, appeal_id=appeal.pk, reason="本级无法解决")
        flow.appeal_accept(user=tree[upper].user, appeal_id=appeal.pk)
    if up_to == "district":
        return appeal
    flow.appeal_assign(user=tree["district_staff"].user, appeal_id=appeal.pk, department_id=tree["department"].pk)
    flow.appeal_accept(user=tree["dept_officer"].user, appeal_id=appeal.pk)
    return appeal  # accepted at the department


def _refresh(obj):
    obj.refresh_from_db()
    return obj


# ---- org ------------------------------------------------------------------------------------


def _units(tree):
    from twoway.org.models import OrgUnit

    return list(OrgUnit.objects.order_by("path"))


@case("org.unit_create")
def _(tree):
    from twoway.org import actions
    from twoway.org.models import UnitKind

    units = _units(tree)
    return actions.unit_create, Ctx(
        valid={
            "parent": tree["community_A1"],
            "kind": "group",
            "name": "新小组",
            "code": "",
            "sort": 0,
            "address": "",
            "phone": "",
        },
        fixed={},
        args={
            "parent": some(None, *units),
            "kind": choice(*UnitKind.values),
            "name": TEXT,
            "code": TEXT,
            "sort": st.one_of(st.none(), HUGE),
            "address": TEXT,
            "phone": TEXT,
        },
    )


@case("org.unit_rename")
def _(tree):
    from twoway.org import actions

    unit = tree["community_A1"]
    return actions.unit_rename, Ctx(valid={"name": "新名字"}, fixed={"unit": unit}, watch=[unit], args={"name": TEXT})


@case("org.unit_update")
def _(tree):
    from twoway.org import actions

    unit = tree["community_A1"]
    return actions.unit_update, Ctx(
        valid={"name": "新名字", "address": "黄河五路", "phone": "", "sort": 1},
        fixed={"unit": unit},
        watch=[unit],
        args={"name": TEXT, "address": TEXT, "phone": TEXT, "sort": st.one_of(st.none(), HUGE)},
    )


@case("org.unit_move")
def _(tree):
    from twoway.org import actions

    units = _units(tree)
    return actions.unit_move, Ctx(
        valid={"unit": tree["community_A1"], "new_parent": tree["street_B"]},
        fixed={},
        watch=units,
        args={"unit": some(*units), "new_parent": some(*units)},
    )


@case("org.unit_retire_restore")
def _(tree):
    from twoway.org import actions

    units = _units(tree)
    tree["group_B2b"].retired_at = timezone.now()
    tree["group_B2b"].save(update_fields=["retired_at"])

    def retire_or_restore(*, unit, restore):
        return (actions.unit_restore if restore else actions.unit_retire)(unit=unit)

    return retire_or_restore, Ctx(
        valid={"unit": tree["group_B2b"], "restore": True},
        fixed={},
        watch=units,
        args={"unit": some(*units), "restore": st.booleans()},
    )


@case("org.household_save")
def _(tree):
    from twoway.org import actions
    from twoway.org.models import Household

    home = Household.objects.filter(group=tree["group_A1a"]).first()
    return actions.household_save, Ctx(
        valid={
            "household": None,
            "group": tree["group_A1a"],
            "building": "9",
            "entrance": "1",
            "room": "901",
            "address": "",
        },
        fixed={},
        watch=[home],
        args={
            "household": some(None, home),
            "group": some(*_units(tree)),
            "building": TEXT,
            "entrance": TEXT,
            "room": TEXT,
            "address": TEXT,
        },
    )


@case("org.person_save")
def _(tree):
    from twoway.org import actions
    from twoway.org.models import Gender, Household

    person = tree["neighbour"]
    return actions.person_save, Ctx(
        valid={
            "person": None,
            "unit": tree["group_A1a"],
            "household": None,
            "name": "张三",
            "phone": "",
            "id_number": "",
            "gender": "",
            "birth_date": None,
            "relation": "",
        },
        fixed={},
        watch=[person],
        args={
            "person": some(None, person),
            "unit": some(*_units(tree)),
            "household": some(None, *Household.objects.all()[:3]),
            "name": TEXT,
            "phone": st.one_of(TEXT, st.just("13800000000")),
            "id_number": st.one_of(TEXT, st.just(tree["resident"].id_number)),
            "gender": choice(*Gender.values),
            "birth_date": DATES,
            "relation": TEXT,
        },
    )


@case("org.role_assign")
def _(tree):
    from twoway.org import actions
    from twoway.org.models import RoleKind

    return actions.role_assign, Ctx(
        valid={"person": tree["neighbour"], "unit": tree["group_A1a"], "kind": "resident_rep", "title": "居民代表"},
        fixed={},
        args={
            "person": some(tree["neighbour"], tree["resident"]),
            "unit": some(*_units(tree)),
            "kind": choice(*RoleKind.values),
            "title": TEXT,
        },
    )


@case("org.grid_save")
def _(tree):
    from twoway.org import actions

    units = _units(tree)
    return actions.grid_save, Ctx(
        valid={"street": tree["street_A"], "name": "第一网格", "units": [tree["community_A1"]]},
        fixed={"grid": None},
        args={"street": some(tree["street_A"], tree["street_B"]), "name": TEXT, "units": st.lists(some(*units))},
    )


# ---- appeals --------------------------------------------------------------------------------


@case("appeals.appeal_submit")
def _(tree):
    from twoway.appeals import flow

    return flow.appeal_submit, Ctx(
        valid={
            "category_id": _category().pk,
            "description": "楼道灯坏了",
            "place": "3号楼",
            "lat": None,
            "lng": None,
            "for_household": False,
            "mediation": False,
            "idem_key": "k1",
            "channel": "app",
        },
        fixed={"user": tree["resident"].user},
        args={
            "category_id": ids(_category().pk),
            "description": TEXT,
            "place": TEXT,
            "lat": NUMBERS_AS_TEXT,
            "lng": NUMBERS_AS_TEXT,
            "for_household": st.booleans(),
            "mediation": st.booleans(),
            "idem_key": TEXT,
            "channel": choice("app", "phone", "walk_in"),
        },
    )


@case("appeals.appeal_submit_on_behalf")
def _(tree):
    from twoway.appeals import flow

    return flow.appeal_submit, Ctx(
        valid={"category_id": _category().pk, "on_behalf_of": tree["resident"], "channel": "phone", "idem_key": ""},
        fixed={"user": tree["community_secretary"].user, "description": "代居民反映：路灯不亮"},
        args={
            "category_id": ids(_category().pk),
            "on_behalf_of": some(tree["resident"], tree["far_resident"], tree["neighbour"]),
            "channel": choice("phone", "walk_in", "visit"),
            "idem_key": TEXT,
        },
    )


def _appeal_case(tree, fn_name, up_to, who, valid, **args):
    from twoway.appeals import flow

    appeal = _appeal(tree, up_to)
    other = _appeal(tree, "pending", "另一件诉求")
    return getattr(flow, fn_name), Ctx(
        fixed={"user": tree[who].user},
        watch=[appeal, other],
        args={"appeal_id": ids(appeal.pk, other.pk), **args},
        valid={"appeal_id": appeal.pk, **valid},
    )


@case("appeals.appeal_accept")
def _(tree):
    return _appeal_case(tree, "appeal_accept", "pending", "group_leader", {})


@case("appeals.appeal_return")
def _(tree):
    dup = _appeal(tree, "pending", "重复")
    return _appeal_case(
        tree,
        "appeal_return",
        "pending",
        "group_leader",
        {"reason": "重复提交", "duplicate_of_number": dup.number},
        reason=TEXT,
        duplicate_of_number=st.one_of(TEXT, st.just(dup.number)),
    )


@case("appeals.appeal_note")
def _(tree):
    return _appeal_case(
        tree,
        "appeal_note",
        "accepted",
        "group_leader",
        {"note": "已联系物业", "internal": False},
        note=TEXT,
        internal=st.booleans(),
    )


@case("appeals.appeal_resolve")
def _(tree):
    return _appeal_case(
        tree,
        "appeal_resolve",
        "accepted",
        "group_leader",
        {"outcome": "已修好", "decision_ref": "议事会"},
        outcome=TEXT,
        decision_ref=TEXT,
    )


@case("appeals.appeal_escalate")
def _(tree):
    return _appeal_case(
        tree,
        "appeal_escalate",
        "accepted",
        "group_leader",
        {"reason": "需社区协调", "decision_ref": ""},
        reason=TEXT,
        decision_ref=TEXT,
    )


@case("appeals.appeal_assign")
def _(tree):
    return _appeal_case(
        tree,
        "appeal_assign",
        "district",
        "district_staff",
        {"department_id": tree["department"].pk, "note": "请办理"},
        department_id=ids(tree["department"].pk),
        note=TEXT,
    )


@case("appeals.appeal_answer")
def _(tree):
    return _appeal_case(tree, "appeal_answer", "department", "dept_officer", {"answer": "已维修"}, answer=TEXT)


@case("appeals.appeal_rate")
def _(tree):
    return _appeal_case(
        tree,
        "appeal_rate",
        "resolved",
        "resident",
        {"score": "satisfied", "comment": "满意"},
        score=choice("satisfied", "basic", "unsatisfied"),
        comment=TEXT,
    )


@case("appeals.appeal_merge")
def _(tree):
    from twoway.appeals import flow

    target = _appeal(tree, "accepted")
    others = [_appeal(tree, "pending", f"相似诉求{i}") for i in range(2)]
    pks = [target.pk, *[o.pk for o in others]]
    return flow.appeal_merge, Ctx(
        valid={"target_id": target.pk, "other_ids": [others[0].pk]},
        fixed={"user": tree["group_leader"].user},
        watch=[target, *others],
        args={"target_id": ids(*pks), "other_ids": id_lists(*pks)},
    )


@case("appeals.appeal_supervise")
def _(tree):
    return _appeal_case(tree, "appeal_supervise", "accepted", "community_secretary", {"note": "三日内办结"}, note=TEXT)


@case("appeals.appeal_request_extension")
def _(tree):
    return _appeal_case(
        tree,
        "appeal_request_extension",
        "accepted",
        "group_leader",
        {"days": "3", "reason": "等材料"},
        days=st.one_of(ids(1, 3, 10), NUMBERS_AS_TEXT),
        reason=TEXT,
    )


@case("appeals.appeal_decide_extension")
def _(tree):
    from twoway.appeals import flow

    appeal = _appeal(tree, "accepted")
    ext = flow.appeal_request_extension(user=tree["group_leader"].user, appeal_id=appeal.pk, days=2, reason="等材料")
    return flow.appeal_decide_extension, Ctx(
        valid={"extension_id": ext.pk, "approve": True},
        fixed={"user": tree["community_secretary"].user},
        watch=[appeal, ext],
        args={"extension_id": ids(ext.pk), "approve": st.booleans()},
    )


@case("appeals.appeal_link_resource")
def _(tree):
    from twoway.appeals.models import Resource

    resource = Resource.objects.create(unit=tree["community_A1"], kind="mediator", name="老娘舅调解室")
    return _appeal_case(
        tree,
        "appeal_link_resource",
        "accepted",
        "group_leader",
        {"resource_id": resource.pk, "part": "调解邻里纠纷"},
        resource_id=ids(resource.pk),
        part=TEXT,
    )


# ---- meetings -------------------------------------------------------------------------------


def _meeting(tree, *, step="collect", motion_status=None):
    """A consultation meeting of community A1 with the resident present as a voting member, a
    topic at `step`, and (with motion_status) a motion in that state."""
    from twoway.appeals import flow
    from twoway.meetings import agenda

    user = tree["community_secretary"].user
    meeting = agenda.meeting_create(
        user=user,
        unit=tree["community_A1"],
        type_code="consultation",
        title="议事协商会议",
        starts_at=timezone.now(),
        place="会议室",
    )
    agenda.participants_add(user=user, meeting=meeting, people=[tree["resident"], tree["group_leader"]])
    agenda.attendance_set(user=user, meeting=meeting, person_id=tree["resident"].pk, attendance="present")
    appeal = _appeal(tree, "accepted")
    flow.appeal_escalate(user=tree["group_leader"].user, appeal_id=appeal.pk, reason="提交议事")
    flow.appeal_accept(user=user, appeal_id=appeal.pk)
    topic = agenda.topic_add(user=user, meeting=meeting, title="凉亭修缮", matter="凉亭漏雨", appeal_ids=[appeal.pk])
    steps = meeting.type.steps
    motion = None
    while steps[topic.step] != step:
        if steps[topic.step] == "deliberate" and motion_status:
            motion = _motion(tree, topic, motion_status)
        topic = agenda.topic_advance(user=user, topic_id=topic.pk, plan="修缮方案")
    if motion_status and motion is None:
        motion = _motion(tree, topic, motion_status)
    return meeting, topic, motion, appeal


def _motion(tree, topic, status):
    from twoway.meetings import agenda, votes

    user = tree["community_secretary"].user
    motion = agenda.motion_add(user=user, topic=topic, text="同意修缮凉亭", effect="resolve")
    if status in ("open", "closed"):
        votes.motion_open(user=user, motion_id=motion.pk)
    if status == "closed":
        votes.ballot_cast(user=tree["resident"].user, motion_id=motion.pk, choice="for")
        votes.motion_close(user=user, motion_id=motion.pk)
    return _refresh(motion)


@case("meetings.meeting_create")
def _(tree):
    from twoway.meetings import agenda

    return agenda.meeting_create, Ctx(
        valid={
            "unit": tree["community_A1"],
            "type_code": "consultation",
            "title": "议事协商会议",
            "starts_at": timezone.now(),
            "place": "会议室",
            "online_link": "",
            "urgent": False,
        },
        fixed={"user": tree["community_secretary"].user},
        args={
            "unit": some(tree["community_A1"], tree["group_A1a"], tree["community_B1"]),
            "type_code": choice("consultation", "residents_council", "weekly"),
            "title": TEXT,
            "starts_at": DATETIMES,
            "place": TEXT,
            "online_link": TEXT,
            "urgent": st.booleans(),
        },
    )


@case("meetings.participants_add")
def _(tree):
    from twoway.meetings import agenda
    from twoway.meetings.models import ParticipantRole

    meeting, *_rest = _meeting(tree)
    return agenda.participants_add, Ctx(
        valid={"people": [tree["neighbour"]], "role": "member", "votes": True},
        fixed={"user": tree["community_secretary"].user, "meeting": meeting},
        args={
            "people": st.lists(some(tree["neighbour"], tree["grid_worker"], tree["resident"]), max_size=3),
            "role": choice(*ParticipantRole.values),
            "votes": st.booleans(),
        },
    )


@case("meetings.person_invite")
def _(tree):
    from twoway.meetings import agenda

    meeting, *_rest = _meeting(tree)
    return agenda.person_invite, Ctx(
        valid={"query": tree["grid_worker"].phone},
        fixed={"user": tree["community_secretary"].user, "meeting": meeting},
        args={"query": st.one_of(TEXT, st.just(tree["neighbour"].name), st.just(tree["grid_worker"].phone))},
    )


@case("meetings.departments_invite")
def _(tree):
    from twoway.meetings import agenda

    meeting, *_rest = _meeting(tree)
    return agenda.departments_invite, Ctx(
        valid={"unit_ids": [str(tree["department"].pk)]},
        fixed={"user": tree["community_secretary"].user, "meeting": meeting},
        args={"unit_ids": id_lists(tree["department"].pk, tree["street_A"].pk)},
    )


@case("meetings.minutes_save")
def _(tree):
    from twoway.meetings import agenda

    meeting, *_rest = _meeting(tree)
    return agenda.minutes_save, Ctx(
        valid={"meeting_id": str(meeting.pk), "text": "会议纪要"},
        fixed={"user": tree["community_secretary"].user},
        watch=[meeting],
        args={"meeting_id": ids(meeting.pk), "text": TEXT},
    )


@case("meetings.attendance_set")
def _(tree):
    from twoway.meetings import agenda
    from twoway.meetings.models import Attendance

    meeting, *_rest = _meeting(tree)
    return agenda.attendance_set, Ctx(
        valid={"person_id": str(tree["group_leader"].pk), "attendance": "present"},
        fixed={"user": tree["community_secretary"].user, "meeting": meeting},
        watch=list(meeting.participants.all()),
        args={"person_id": ids(tree["resident"].pk, tree["group_leader"].pk), "attendance": choice(*Attendance.values)},
    )


@case("meetings.topic_add")
def _(tree):
    from twoway.meetings import agenda

    meeting, _topic, _motion, appeal = _meeting(tree)
    other = _appeal(tree, "accepted", "另一件")
    return agenda.topic_add, Ctx(
        valid={"title": "新议题", "appeal_ids": [], "matter": "健身器材维修", "funds": "3200"},
        fixed={"user": tree["community_secretary"].user, "meeting": meeting},
        args={
            "title": TEXT,
            "appeal_ids": id_lists(appeal.pk, other.pk),
            "matter": TEXT,
            "funds": st.one_of(NUMBERS_AS_TEXT, st.just("3,200.50")),
        },
    )


@case("meetings.topic_advance")
def _(tree):
    from twoway.meetings import agenda

    _meeting_, topic, *_rest = _meeting(tree, step="draft")
    return agenda.topic_advance, Ctx(
        valid={"topic_id": str(topic.pk), "plan": "修缮方案"},
        fixed={"user": tree["community_secretary"].user},
        watch=[topic],
        args={"topic_id": ids(topic.pk), "plan": TEXT},
    )


@case("meetings.motion_add")
def _(tree):
    from twoway.meetings import agenda
    from twoway.meetings.models import MotionEffect

    _meeting_, topic, _motion, appeal = _meeting(tree, step="deliberate")
    return agenda.motion_add, Ctx(
        valid={"text": "同意修缮", "effect": "none", "appeal_ids": []},
        fixed={"user": tree["community_secretary"].user, "topic": topic},
        args={"text": TEXT, "effect": choice(*MotionEffect.values), "appeal_ids": id_lists(appeal.pk)},
    )


@case("meetings.motion_open")
def _(tree):
    from twoway.meetings import votes

    _m, _t, motion, _a = _meeting(tree, step="deliberate", motion_status="draft")
    return votes.motion_open, Ctx(
        valid={"motion_id": str(motion.pk)},
        fixed={"user": tree["community_secretary"].user},
        watch=[motion],
        args={"motion_id": ids(motion.pk)},
    )


@case("meetings.ballot_cast")
def _(tree):
    from twoway.meetings import votes

    _m, _t, motion, _a = _meeting(tree, step="deliberate", motion_status="open")
    return votes.ballot_cast, Ctx(
        valid={"motion_id": str(motion.pk), "choice": "for"},
        fixed={"user": tree["resident"].user},
        watch=[motion],
        args={"motion_id": ids(motion.pk), "choice": choice("for", "against", "abstain")},
    )


@case("meetings.motion_close")
def _(tree):
    from twoway.meetings import votes

    _m, _t, motion, appeal = _meeting(tree, step="deliberate", motion_status="open")
    votes.ballot_cast(user=tree["resident"].user, motion_id=motion.pk, choice="for")
    return votes.motion_close, Ctx(
        valid={"motion_id": str(motion.pk)},
        fixed={"user": tree["community_secretary"].user},
        watch=[motion, appeal],
        args={"motion_id": ids(motion.pk)},
    )


@case("meetings.meeting_type_update")
def _(tree):
    from twoway.meetings import types
    from twoway.meetings.models import MeetingType

    mtypes = list(MeetingType.objects.all())
    return types.meeting_type_update, Ctx(
        valid={
            "type_id": str(mtypes[0].pk),
            "quorum_percent": "50",
            "majority": "simple",
            "base": "cast",
            "secret": False,
        },
        fixed={"user": tree["district_staff"].user},
        watch=mtypes,
        args={
            "type_id": ids(*[t.pk for t in mtypes]),
            "quorum_percent": st.one_of(ids(50, 67), NUMBERS_AS_TEXT),
            "majority": choice("simple", "two_thirds"),
            "base": choice("cast", "eligible"),
            "secret": st.booleans(),
        },
    )


# ---- notices --------------------------------------------------------------------------------


@case("notices.notice_for_topic")
def _(tree):
    from twoway.notices.publish import notice_for_topic

    _m, topic, _motion, _a = _meeting(tree, step="implement", motion_status="closed")
    return notice_for_topic, Ctx(
        valid={"days": None}, fixed={"topic": topic}, args={"days": st.one_of(st.none(), st.integers(1, 366))}
    )


# ---- station --------------------------------------------------------------------------------


def _station(tree):
    from twoway.station import services

    station = services.station_ensure(community=tree["community_A1"])
    services.catalogue_publish(user=tree["community_secretary"].user, station_id=station.pk)
    return station


def _record(tree, station, *, code="D01", booked=False, up_to="accepted"):
    from twoway.station import services

    user = tree["community_secretary"].user
    record = services.record_accept(
        user=user,
        station_id=station.pk,
        item_id=station.items.get(code=code).pk,
        resident_id=tree["resident"].pk,
        mode="door" if booked else "window",
        booked_for=timezone.now() + timedelta(days=2) if booked else None,
    )
    if up_to in ("handed_off", "returned"):
        services.record_hand_off(user=user, record_id=record.pk)
    if up_to == "returned":
        services.record_back(user=user, record_id=record.pk)
    if up_to == "done":
        services.record_complete(user=user, record_id=record.pk, result="已办结")
    return _refresh(record)


@case("station.item_save")
def _(tree):
    from twoway.station import services
    from twoway.station.models import ItemKind

    station = _station(tree)
    item = station.items.order_by("pk").first()
    data = st.fixed_dictionaries(
        {
            "code": st.one_of(TEXT, st.just("X01"), st.just(item.code)),
            "kind": choice(*ItemKind.values),
            "area": TEXT,
            "name": st.one_of(TEXT, st.just("新事项")),
            "conditions": st.one_of(TEXT, st.just("本社区居民")),
            "materials": st.one_of(TEXT, st.just("身份证")),
            "time_limit_days": st.one_of(ids(0, 5, 60), NUMBERS_AS_TEXT),
            "fee": st.one_of(TEXT, st.just("免费")),
            "handler": st.one_of(TEXT, st.just("社区")),
            "guide": st.one_of(TEXT, st.just("带身份证来")),
            "sort": st.one_of(ids(1), NUMBERS_AS_TEXT),
        }
    )
    return services.item_save, Ctx(
        valid={
            "station_id": str(station.pk),
            "item_id": None,
            "data": {
                "code": "X01",
                "kind": "direct",
                "area": "",
                "name": "新事项",
                "conditions": "本社区居民",
                "materials": "身份证",
                "time_limit_days": 5,
                "fee": "免费",
                "handler": "社区",
                "guide": "带身份证来",
                "sort": 1,
            },
        },
        fixed={"user": tree["community_secretary"].user},
        watch=[item, station],
        args={"station_id": ids(station.pk), "item_id": st.one_of(st.none(), ids(item.pk)), "data": data},
    )


@case("station.item_withdraw")
def _(tree):
    from twoway.station import services

    station = _station(tree)
    item = station.items.order_by("pk").first()
    return services.item_withdraw, Ctx(
        valid={"item_id": str(item.pk), "withdraw": True},
        fixed={"user": tree["community_secretary"].user},
        watch=[item],
        args={"item_id": ids(item.pk), "withdraw": st.booleans()},
    )


@case("station.catalogue_publish")
def _(tree):
    from twoway.station import services

    station = _station(tree)
    return services.catalogue_publish, Ctx(
        valid={"station_id": str(station.pk), "note": "新增事项"},
        fixed={"user": tree["community_secretary"].user},
        watch=[station],
        args={"station_id": ids(station.pk), "note": TEXT},
    )


@case("station.record_accept")
def _(tree):
    from twoway.station import services
    from twoway.station.models import Mode

    station = _station(tree)
    items = list(station.items.values_list("pk", flat=True)[:3])
    return services.record_accept, Ctx(
        valid={
            "station_id": str(station.pk),
            "item_id": str(items[0]),
            "resident_id": None,
            "resident_name": "来访居民",
            "resident_phone": "13800000000",
            "mode": "window",
            "first_owner_id": None,
            "booked_for": None,
            "place": "",
            "note": "带了材料",
            "idem_key": "k1",
        },
        fixed={"user": tree["community_secretary"].user},
        args={
            "station_id": ids(station.pk),
            "item_id": ids(*items),
            "resident_id": ids(tree["resident"].pk, tree["far_resident"].pk),
            "resident_name": TEXT,
            "resident_phone": TEXT,
            "mode": choice(*Mode.values),
            "first_owner_id": ids(tree["community_secretary"].pk, tree["resident"].pk),
            "booked_for": DATETIMES,
            "place": TEXT,
            "note": TEXT,
            "idem_key": TEXT,
        },
    )


def _record_case(
    tree, fn_name, valid, *, code="D01", booked=False, up_to="accepted", who="community_secretary", **args
):
    from twoway.station import services

    station = _station(tree)
    record = _record(tree, station, code=code, booked=booked, up_to=up_to)
    return getattr(services, fn_name), Ctx(
        fixed={"user": tree[who].user},
        watch=[record],
        args={"record_id": ids(record.pk), **args},
        valid={"record_id": record.pk, **valid},
    )


@case("station.record_start")
def _(tree):
    return _record_case(tree, "record_start", {}, booked=True)


@case("station.record_hand_off")
def _(tree):
    return _record_case(tree, "record_hand_off", {"to": "区医保局", "note": "材料已交"}, code="P03", to=TEXT, note=TEXT)


@case("station.record_back")
def _(tree):
    return _record_case(tree, "record_back", {"note": "已办回"}, code="P03", up_to="handed_off", note=TEXT)


@case("station.record_complete")
def _(tree):
    return _record_case(tree, "record_complete", {"result": "已办结"}, result=TEXT)


@case("station.record_cancel")
def _(tree):
    return _record_case(tree, "record_cancel", {"reason": "居民撤回"}, reason=TEXT)


@case("station.record_rate")
def _(tree):
    return _record_case(
        tree,
        "record_rate",
        {"satisfaction": "satisfied", "comment": "很好", "channel": "phone"},
        up_to="done",
        who="resident",
        satisfaction=choice("satisfied", "basic", "unsatisfied"),
        comment=TEXT,
        channel=choice("phone", "kiosk"),
    )


@case("station.checklist_send")
def _(tree):
    return _record_case(tree, "checklist_send", {})


@case("station.complaint_add")
def _(tree):
    from twoway.station import services

    station = _station(tree)
    return services.complaint_add, Ctx(
        valid={
            "station_id": str(station.pk),
            "kind": "complaint",
            "text": "窗口没人",
            "by_name": "王女士",
            "contact": "13800000000",
            "about_station": True,
        },
        fixed={"user": tree["community_secretary"].user},
        args={
            "station_id": ids(station.pk),
            "kind": choice("complaint", "suggestion"),
            "text": TEXT,
            "by_name": TEXT,
            "contact": TEXT,
            "about_station": st.booleans(),
        },
    )


@case("station.complaint_reply")
def _(tree):
    from twoway.station import services

    station = _station(tree)
    user = tree["community_secretary"].user
    complaint = services.complaint_add(user=user, station_id=station.pk, kind="complaint", text="窗口没人")
    return services.complaint_reply, Ctx(
        valid={"complaint_id": str(complaint.pk), "handling": "已调整排班", "reply": "已电话答复"},
        fixed={"user": user},
        watch=[complaint],
        args={"complaint_id": ids(complaint.pk), "handling": TEXT, "reply": TEXT},
    )


@case("station.rota_set")
def _(tree):
    from twoway.station import services

    station = _station(tree)
    return services.rota_set, Ctx(
        valid={
            "station_id": str(station.pk),
            "weekday": "1",
            "role": "A",
            "person_id": str(tree["community_secretary"].pk),
            "work_phone": "0543-3160000",
        },
        fixed={"user": tree["community_secretary"].user},
        args={
            "station_id": ids(station.pk),
            "weekday": st.one_of(ids(0, 6), NUMBERS_AS_TEXT),
            "role": choice("A", "B"),
            "person_id": ids(tree["community_secretary"].pk, tree["resident"].pk),
            "work_phone": TEXT,
        },
    )


@case("station.rota_clear")
def _(tree):
    from twoway.station import services

    station = _station(tree)
    user = tree["community_secretary"].user
    services.rota_set(user=user, station_id=station.pk, weekday=1, role="A", person_id=tree["community_secretary"].pk)
    return services.rota_clear, Ctx(
        valid={"station_id": str(station.pk), "weekday": "1", "role": "A"},
        fixed={"user": user},
        args={"station_id": ids(station.pk), "weekday": st.one_of(ids(1), NUMBERS_AS_TEXT), "role": choice("A", "B")},
    )


# ---- records --------------------------------------------------------------------------------


def _nominee(tree):
    from twoway.org.models import Person

    return Person.objects.filter(unit=tree["group_A1b"]).order_by("pk").first()


def _round(tree, *, voting=False):
    from twoway.org.models import Role, RoleKind
    from twoway.records import stars

    user = tree["community_secretary"].user
    today = timezone.localdate()
    star_round = stars.round_open(user=user, community_id=tree["community_A1"].pk, year=today.year, quarter=1)
    nominee = _nominee(tree)
    record = stars.conduct_record(
        user=user, person_id=nominee.pk, category="elders", happened_on=today, note="照顾老人"
    )
    nomination = stars.nomination_add(
        user=user, round_id=star_round.pk, person_id=nominee.pk, kind="single", category="elders", evidence="常年照顾"
    )
    if voting:
        Role.objects.create(person=tree["resident"], unit=tree["group_A1a"], kind=RoleKind.RESIDENT_REP)
        tree["community_secretary"].user.__dict__.pop("_twoway_scope", None)
        stars.round_start_vote(user=user, round_id=star_round.pk, present_ids=[tree["resident"].pk])
    return _refresh(star_round), nominee, record, _refresh(nomination)


@case("records.conduct_record")
def _(tree):
    from twoway.records import stars
    from twoway.records.models import StarCategory

    return stars.conduct_record, Ctx(
        valid={
            "person_id": str(_nominee(tree).pk),
            "category": "elders",
            "happened_on": timezone.localdate(),
            "note": "照顾老人",
        },
        fixed={"user": tree["community_secretary"].user},
        args={
            "person_id": ids(_nominee(tree).pk, tree["far_resident"].pk),
            "category": choice(*StarCategory.values),
            "happened_on": DATES,
            "note": TEXT,
        },
    )


@case("records.round_open")
def _(tree):
    from twoway.records import stars

    return stars.round_open, Ctx(
        valid={"community_id": str(tree["community_A1"].pk), "year": timezone.localdate().year, "quarter": 2},
        fixed={"user": tree["community_secretary"].user},
        args={
            "community_id": ids(tree["community_A1"].pk, tree["community_B1"].pk),
            "year": st.one_of(st.integers(1999, 2101), HUGE),
            "quarter": st.one_of(st.integers(0, 5), HUGE),
        },
    )


@case("records.nomination_add")
def _(tree):
    from twoway.records import stars
    from twoway.records.models import NominationKind, StarCategory

    star_round, nominee, record, _n = _round(tree)
    return stars.nomination_add, Ctx(
        valid={
            "round_id": str(star_round.pk),
            "person_id": str(tree["resident"].pk),
            "kind": "comprehensive",
            "category": "",
            "evidence": "热心公益",
            "conduct_ids": [],
        },
        fixed={"user": tree["community_secretary"].user},
        watch=[star_round],
        args={
            "round_id": ids(star_round.pk),
            "person_id": ids(nominee.pk, tree["resident"].pk),
            "kind": choice(*NominationKind.values),
            "category": choice(*StarCategory.values),
            "evidence": TEXT,
            "conduct_ids": id_lists(record.pk),
        },
    )


@case("records.nomination_withdraw")
def _(tree):
    from twoway.records import stars

    star_round, _p, _r, nomination = _round(tree)
    return stars.nomination_withdraw, Ctx(
        valid={"round_id": str(star_round.pk), "nomination_id": str(nomination.pk)},
        fixed={"user": tree["community_secretary"].user},
        args={"round_id": ids(star_round.pk), "nomination_id": ids(nomination.pk)},
    )


@case("records.round_start_vote")
def _(tree):
    from twoway.org.models import Role, RoleKind
    from twoway.records import stars

    star_round, *_rest = _round(tree)
    Role.objects.create(person=tree["resident"], unit=tree["group_A1a"], kind=RoleKind.RESIDENT_REP)
    return stars.round_start_vote, Ctx(
        valid={
            "round_id": str(star_round.pk),
            "present_ids": [str(tree["resident"].pk)],
            "starts_at": None,
            "place": "议事厅",
        },
        fixed={"user": tree["community_secretary"].user},
        watch=[star_round],
        args={
            "round_id": ids(star_round.pk),
            "present_ids": id_lists(tree["resident"].pk),
            "starts_at": DATETIMES,
            "place": TEXT,
        },
    )


@case("records.ballot_cast")
def _(tree):
    from twoway.records import stars

    _round_, _p, _r, nomination = _round(tree, voting=True)
    return stars.ballot_cast, Ctx(
        valid={"nomination_id": str(nomination.pk), "choice": "for"},
        fixed={"user": tree["resident"].user},
        args={"nomination_id": ids(nomination.pk), "choice": choice("for", "against", "abstain")},
    )


@case("records.round_publish")
def _(tree):
    from twoway.records import stars

    star_round, *_rest = _round(tree, voting=True)
    return stars.round_publish, Ctx(
        valid={"round_id": str(star_round.pk)},
        fixed={"user": tree["community_secretary"].user},
        watch=[star_round],
        args={"round_id": ids(star_round.pk)},
    )


def _party_member(tree):
    from twoway.org.models import Role, RoleKind

    member = tree["group_leader"]
    Role.objects.create(person=member, unit=tree["group_A1a"], kind=RoleKind.PARTY_MEMBER)
    return member


@case("records.badge_issue")
def _(tree):
    from twoway.records import party

    return party.badge_issue, Ctx(
        valid={"number": "DY-001", "issued_on": None},
        fixed={"user": tree["community_secretary"].user, "member": _party_member(tree)},
        args={"number": TEXT, "issued_on": DATES},
    )


@case("records.party_record_add")
def _(tree):
    from twoway.records import party
    from twoway.records.models import PartyArea

    return party.record_add, Ctx(
        valid={"area": "society", "happened_on": timezone.localdate(), "note": "参加志愿服务", "negative": False},
        fixed={"user": tree["community_secretary"].user, "member": _party_member(tree)},
        args={"area": choice(*PartyArea.values), "happened_on": DATES, "note": TEXT, "negative": st.booleans()},
    )


@case("records.rating_set")
def _(tree):
    from twoway.records import party

    member = _party_member(tree)
    user = tree["community_secretary"].user
    for area in ("organisation", "society"):
        party.record_add(user=user, member=member, area=area, happened_on=timezone.localdate(), note="表现好")
    return party.rating_set, Ctx(
        valid={"year": timezone.localdate().year, "stars": 2, "evidence": "两方面表现突出"},
        fixed={"user": user, "member": member},
        args={
            "year": st.one_of(st.just(timezone.localdate().year), HUGE),
            "stars": st.one_of(st.integers(-1, 6), HUGE),
            "evidence": TEXT,
        },
    )


@case("records.space_set")
def _(tree):
    from twoway.records import buildings

    return buildings.space_set, Ctx(
        valid={"centre_area": "320", "households": "800", "newly_built": False, "regional_area": ""},
        fixed={"user": tree["community_secretary"].user, "unit": tree["community_A1"]},
        args={
            "centre_area": NUMBERS_AS_TEXT,
            "households": st.one_of(ids(120), NUMBERS_AS_TEXT),
            "newly_built": st.booleans(),
            "regional_area": NUMBERS_AS_TEXT,
        },
    )


def _development(tree, stage=None):
    from twoway.records import buildings
    from twoway.records.models import HandoverStage

    user = tree["street_officer"].user
    development = buildings.development_create(
        user=user, street=tree["street_A"], name="锦绣花园", developer="滨州置业", households=300, planned_area="90"
    )
    if stage == HandoverStage.SUPERVISION:
        buildings.agreement_sign(
            user=user, development_id=development.pk, number="XY-1", signed_on=timezone.localdate()
        )
        while development.stage != stage:
            development = buildings.development_advance(
                user=user, development_id=development.pk, expected=development.stage
            )
    return _refresh(development)


@case("records.development_create")
def _(tree):
    from twoway.records import buildings

    return buildings.development_create, Ctx(
        valid={
            "name": "锦绣花园",
            "developer": "滨州置业",
            "households": "300",
            "planned_area": "90",
            "community": None,
        },
        fixed={"user": tree["street_officer"].user, "street": tree["street_A"]},
        args={
            "name": TEXT,
            "developer": TEXT,
            "households": st.one_of(ids(300), NUMBERS_AS_TEXT),
            "planned_area": NUMBERS_AS_TEXT,
            "community": some(None, tree["community_A1"], tree["community_B1"]),
        },
    )


@case("records.agreement_sign")
def _(tree):
    from twoway.records import buildings

    development = _development(tree)
    return buildings.agreement_sign, Ctx(
        valid={"development_id": str(development.pk), "number": "XY-1", "signed_on": timezone.localdate()},
        fixed={"user": tree["street_officer"].user},
        watch=[development],
        args={"development_id": ids(development.pk), "number": TEXT, "signed_on": DATES},
    )


@case("records.development_advance")
def _(tree):
    from twoway.records import buildings
    from twoway.records.models import HandoverStage

    development = _development(tree)
    return buildings.development_advance, Ctx(
        valid={"development_id": str(development.pk), "expected": "land", "note": "开工"},
        fixed={"user": tree["street_officer"].user},
        watch=[development],
        args={"development_id": ids(development.pk), "expected": choice(*HandoverStage.values), "note": TEXT},
    )


@case("records.safety_check_record")
def _(tree):
    from twoway.records import buildings

    development = _development(tree, stage="supervision")
    return buildings.safety_check_record, Ctx(
        valid={
            "development_id": str(development.pk),
            "done_on": timezone.localdate(),
            "hazard": True,
            "note": "消防通道堵塞",
        },
        fixed={"user": tree["street_officer"].user},
        watch=[development, *development.checks.all()],
        args={"development_id": ids(development.pk), "done_on": DATES, "hazard": st.booleans(), "note": TEXT},
    )


def _worker(tree):
    from datetime import date as d

    from twoway.records import workers

    return workers.worker_register(
        user=tree["community_secretary"].user,
        person_id=tree["grid_worker"].pk,
        unit=tree["community_A1"],
        post="网格员",
        route="recruitment",
        pay_grade=5,
        joined_on=d(2020, 3, 1),
    )


@case("records.worker_register")
def _(tree):
    from twoway.records import workers
    from twoway.records.models import Route

    return workers.worker_register, Ctx(
        valid={
            "person_id": str(tree["grid_worker"].pk),
            "post": "网格员",
            "route": "recruitment",
            "pay_grade": "5",
            "joined_on": date(2020, 3, 1),
        },
        fixed={"user": tree["community_secretary"].user, "unit": tree["community_A1"]},
        args={
            "person_id": ids(tree["grid_worker"].pk, tree["far_resident"].pk),
            "post": TEXT,
            "route": choice(*Route.values),
            "pay_grade": st.one_of(ids(1, 18), NUMBERS_AS_TEXT),
            "joined_on": DATES,
        },
    )


def _worker_case(tree, fn_name, valid, **args):
    from twoway.records import workers

    worker = _worker(tree)
    return getattr(workers, fn_name), Ctx(
        fixed={"user": tree["community_secretary"].user},
        watch=[worker],
        args={"worker_id": ids(worker.pk), **args},
        valid={"worker_id": worker.pk, **valid},
    )


@case("records.pay_grade_set")
def _(tree):
    return _worker_case(tree, "pay_grade_set", {"pay_grade": "6"}, pay_grade=st.one_of(ids(1, 18), NUMBERS_AS_TEXT))


@case("records.assessment_record")
def _(tree):
    from twoway.records.models import Grade

    return _worker_case(
        tree,
        "assessment_record",
        {"year": "2021", "grade": "competent", "note": "称职"},
        year=st.one_of(ids(2021, timezone.localdate().year), NUMBERS_AS_TEXT),
        grade=choice(*Grade.values),
        note=TEXT,
    )


@case("records.commendation_add")
def _(tree):
    return _worker_case(
        tree,
        "commendation_add",
        {"title": "优秀社区工作者", "awarded_by": "区民政局", "awarded_on": timezone.localdate()},
        title=TEXT,
        awarded_by=TEXT,
        awarded_on=DATES,
    )


@case("records.worker_exit")
def _(tree):
    from twoway.records.models import ExitReason

    return _worker_case(
        tree,
        "worker_exit",
        {"exited_on": timezone.localdate(), "reason": "other", "note": "调往街道"},
        exited_on=DATES,
        reason=choice(*ExitReason.values),
        note=TEXT,
    )


@case("records.list_item_add")
def _(tree):
    from twoway.records import lists
    from twoway.records.models import ListKind

    return lists.item_add, Ctx(
        valid={"unit": tree["community_A1"], "kind": "work", "name": "人口信息采集", "basis": "区民政局文件"},
        fixed={"user": tree["community_secretary"].user},
        args={
            "unit": some(tree["community_A1"], tree["group_A1a"], tree["community_B1"]),
            "kind": choice(*ListKind.values),
            "name": TEXT,
            "basis": TEXT,
        },
    )


@case("records.list_item_set_active")
def _(tree):
    from twoway.records import lists

    user = tree["community_secretary"].user
    item = lists.item_add(user=user, unit=tree["community_A1"], kind="certificate", name="居住证明", basis="清单")
    return lists.item_set_active, Ctx(
        valid={"item_id": str(item.pk), "active": False},
        fixed={"user": user},
        watch=[item],
        args={"item_id": ids(item.pk), "active": st.booleans()},
    )


@case("records.certificate_request")
def _(tree):
    from twoway.records import lists

    user = tree["community_secretary"].user
    lists.item_add(user=user, unit=tree["community_A1"], kind="certificate", name="居住证明", basis="清单")
    return lists.certificate_request, Ctx(
        valid={"community": tree["community_A1"], "name": "居住证明", "applicant": "张三", "purpose": "办理入学"},
        fixed={"user": user},
        args={
            "community": some(tree["community_A1"], tree["community_B1"]),
            "name": st.one_of(TEXT, st.just("居住证明")),
            "applicant": TEXT,
            "purpose": TEXT,
        },
    )


# ---- forward --------------------------------------------------------------------------------


def _plan(tree, *, kind="project", running=True):
    from twoway.forward import plans

    user = tree["district_staff"].user
    plan = plans.plan_create(user=user, unit_id=tree["district"].pk, kind=kind, title="道路整治")
    if kind == "key_project" and running:
        plans.plan_set_team(
            user=user,
            plan_id=plan.pk,
            document="方案",
            leader_id=tree["district_staff"].pk,
            member_ids=[tree["district_staff"].pk],
        )
        plans.milestone_add(user=user, plan_id=plan.pk, title="开工", due_on=timezone.localdate() + timedelta(days=9))
        plans.plan_start(user=user, plan_id=plan.pk)
    return _refresh(plan)


@case("forward.plan_create")
def _(tree):
    from twoway.forward import plans
    from twoway.forward.models import PlanKind

    return plans.plan_create, Ctx(
        valid={
            "unit_id": str(tree["district"].pk),
            "kind": "plan",
            "title": "冬季供暖计划",
            "document": "方案全文",
            "year": 2026,
            "leader_id": None,
            "member_ids": [],
            "command_post_id": None,
        },
        fixed={"user": tree["district_staff"].user},
        args={
            "unit_id": ids(tree["district"].pk, tree["group_A1a"].pk),
            "kind": choice(*PlanKind.values),
            "title": TEXT,
            "document": TEXT,
            "year": st.one_of(st.none(), HUGE, st.integers(1990, 2100)),
            "leader_id": ids(tree["district_staff"].pk),
            "member_ids": id_lists(tree["district_staff"].pk, tree["street_officer"].pk),
            "command_post_id": ids(tree["street_A"].pk, tree["community_A1"].pk),
        },
    )


@case("forward.plan_set_team")
def _(tree):
    from twoway.forward import plans

    plan = _plan(tree, kind="key_project", running=False)
    return plans.plan_set_team, Ctx(
        valid={
            "plan_id": str(plan.pk),
            "document": "方案",
            "leader_id": str(tree["district_staff"].pk),
            "member_ids": [str(tree["district_staff"].pk)],
            "command_post_id": str(tree["street_A"].pk),
        },
        fixed={"user": tree["district_staff"].user},
        watch=[plan],
        args={
            "plan_id": ids(plan.pk),
            "document": TEXT,
            "leader_id": ids(tree["district_staff"].pk),
            "member_ids": id_lists(tree["district_staff"].pk, tree["street_officer"].pk),
            "command_post_id": ids(tree["street_A"].pk, tree["community_A1"].pk),
        },
    )


@case("forward.milestone_add")
def _(tree):
    from twoway.forward import plans

    plan = _plan(tree)
    return plans.milestone_add, Ctx(
        valid={"plan_id": str(plan.pk), "title": "开工", "due_on": timezone.localdate() + timedelta(days=9)},
        fixed={"user": tree["district_staff"].user},
        args={"plan_id": ids(plan.pk), "title": TEXT, "due_on": DATES},
    )


@case("forward.milestone_verify")
def _(tree):
    from twoway.forward import plans

    plan = _plan(tree)
    milestone = plans.milestone_add(
        user=tree["district_staff"].user, plan_id=plan.pk, title="开工", due_on=timezone.localdate()
    )
    return plans.milestone_verify, Ctx(
        valid={"milestone_id": str(milestone.pk)},
        fixed={"user": tree["district_staff"].user},
        watch=[milestone],
        args={"milestone_id": ids(milestone.pk)},
    )


@case("forward.plan_start_close")
def _(tree):
    from twoway.forward import plans

    draft, running = _plan(tree, kind="key_project", running=False), _plan(tree)

    def start_or_close(*, user, plan_id, close):
        return (plans.plan_close if close else plans.plan_start)(user=user, plan_id=plan_id)

    return start_or_close, Ctx(
        valid={"plan_id": str(running.pk), "close": True},
        fixed={"user": tree["district_staff"].user},
        watch=[draft, running],
        args={"plan_id": ids(draft.pk, running.pk), "close": st.booleans()},
    )


def _task(tree, *, reported=False):
    from twoway.forward import tasks

    plan = _plan(tree)
    user = tree["district_staff"].user
    task = tasks.task_assign(user=user, plan_id=plan.pk, unit_ids=[tree["street_A"].pk], title="街道整治")[0]
    if reported:
        tasks.task_report(user=tree["street_officer"].user, task_id=task.pk, text="已完成")
    return plan, _refresh(task)


@case("forward.task_assign")
def _(tree):
    from twoway.forward import tasks

    plan = _plan(tree)
    return tasks.task_assign, Ctx(
        valid={
            "plan_id": str(plan.pk),
            "unit_ids": [str(tree["street_A"].pk)],
            "title": "道路整治",
            "detail": "每周上报",
            "due_on": None,
        },
        fixed={"user": tree["district_staff"].user},
        args={
            "plan_id": ids(plan.pk),
            "unit_ids": id_lists(tree["street_A"].pk, tree["street_B"].pk, tree["community_A1"].pk),
            "title": TEXT,
            "detail": TEXT,
            "due_on": DATES,
        },
    )


@case("forward.task_break_down")
def _(tree):
    from twoway.forward import tasks

    _plan_, task = _task(tree)
    return tasks.task_break_down, Ctx(
        valid={
            "task_id": str(task.pk),
            "unit_ids": [str(tree["community_A1"].pk)],
            "households": False,
            "title": "社区段",
            "detail": "",
            "due_on": None,
        },
        fixed={"user": tree["street_officer"].user},
        watch=[task],
        args={
            "task_id": ids(task.pk),
            "unit_ids": id_lists(tree["community_A1"].pk, tree["community_B1"].pk),
            "households": st.booleans(),
            "title": TEXT,
            "detail": TEXT,
            "due_on": DATES,
        },
    )


@case("forward.task_report")
def _(tree):
    from twoway.forward import tasks

    _plan_, task = _task(tree)
    return tasks.task_report, Ctx(
        valid={"task_id": str(task.pk), "text": "已完成"},
        fixed={"user": tree["street_officer"].user},
        watch=[task],
        args={"task_id": ids(task.pk), "text": TEXT},
    )


@case("forward.task_check_return_supervise")
def _(tree):
    from twoway.forward import tasks

    _plan_, task = _task(tree, reported=True)

    def act(*, user, task_id, action, text):
        if action == "check":
            return tasks.task_check(user=user, task_id=task_id)
        if action == "return":
            return tasks.task_return(user=user, task_id=task_id, reason=text)
        return tasks.task_supervise(user=user, task_id=task_id, note=text)

    return act, Ctx(
        valid={"task_id": str(task.pk), "action": "return", "text": "请补照片"},
        fixed={"user": tree["district_staff"].user},
        watch=[task],
        args={"task_id": ids(task.pk), "action": some("check", "return", "supervise"), "text": TEXT},
    )


@case("forward.notice_publish")
def _(tree):
    from twoway.forward import publicity

    return publicity.notice_publish, Ctx(
        valid={
            "unit_id": str(tree["community_A1"].pk),
            "title": "垃圾分类",
            "body": "分类投放",
            "target_ids": [str(tree["group_A1a"].pk)],
        },
        fixed={"user": tree["community_secretary"].user},
        args={
            "unit_id": ids(tree["community_A1"].pk, tree["community_B1"].pk),
            "title": TEXT,
            "body": TEXT,
            "target_ids": id_lists(tree["group_A1a"].pk, tree["group_B1a"].pk),
        },
    )


@case("forward.visit_record")
def _(tree):
    from twoway.forward import visits
    from twoway.forward.models import VisitKind

    return visits.visit_record, Ctx(
        valid={"household_id": str(tree["resident"].household_id), "kind": "holiday", "at": None, "note": "节日慰问"},
        fixed={"user": tree["community_secretary"].user},
        args={
            "household_id": ids(tree["resident"].household_id, tree["far_resident"].household_id),
            "kind": choice(*VisitKind.values),
            "at": DATETIMES,
            "note": TEXT,
        },
    )


@case("forward.aid_group_create")
def _(tree):
    from twoway.forward import aid

    home = tree["resident"].household
    return aid.aid_group_create, Ctx(
        valid={
            "unit_id": str(tree["group_A1a"].pk),
            "name": "互助组",
            "building": home.building,
            "entrance": "",
            "leader_id": None,
        },
        fixed={"user": tree["community_secretary"].user},
        args={
            "unit_id": ids(tree["group_A1a"].pk, tree["community_A1"].pk),
            "name": TEXT,
            "building": st.one_of(TEXT, st.just(home.building)),
            "entrance": st.one_of(TEXT, st.just(home.entrance)),
            "leader_id": ids(tree["resident"].pk, tree["far_resident"].pk),
        },
    )


@case("forward.aid_activity_record")
def _(tree):
    from twoway.forward import aid
    from twoway.forward.models import AidTag

    user = tree["community_secretary"].user
    group = aid.aid_group_create(
        user=user, unit_id=tree["group_A1a"].pk, name="互助组", building=tree["resident"].household.building
    )
    return aid.aid_activity_record, Ctx(
        valid={"group_id": str(group.pk), "title": "楼道清扫", "at": None, "tags": ["publicity"], "note": "全体参加"},
        fixed={"user": user},
        args={
            "group_id": ids(group.pk),
            "title": TEXT,
            "at": DATES,
            "tags": st.one_of(st.lists(choice(*AidTag.values), max_size=3), TEXT),
            "note": TEXT,
        },
    )


def _department_head(tree):
    from twoway.org.models import Person, Role

    head = Person.objects.create(unit=tree["department"], name="共建局长")
    Role.objects.create(person=head, unit=tree["department"], kind="leader")
    return head


@case("forward.cobuild_member_add")
def _(tree):
    from twoway.forward import cobuild

    head = _department_head(tree)
    return cobuild.member_add, Ctx(
        valid={"community_id": str(tree["community_A1"].pk), "person_id": str(head.pk), "duty": "委员"},
        fixed={"user": tree["community_secretary"].user},
        args={
            "community_id": ids(tree["community_A1"].pk, tree["group_A1a"].pk, tree["community_B1"].pk),
            "person_id": ids(head.pk, tree["dept_officer"].pk),
            "duty": TEXT,
        },
    )


@case("forward.cobuild_member_remove")
def _(tree):
    from twoway.forward import cobuild

    user = tree["community_secretary"].user
    member = cobuild.member_add(user=user, community_id=tree["community_A1"].pk, person_id=_department_head(tree).pk)
    return cobuild.member_remove, Ctx(
        valid={"member_id": str(member.pk)}, fixed={"user": user}, args={"member_id": ids(member.pk)}
    )


@case("forward.cobuild_plan_declare")
def _(tree):
    from twoway.forward import cobuild

    return cobuild.plan_declare, Ctx(
        valid={
            "community_id": str(tree["community_A1"].pk),
            "department_id": str(tree["department"].pk),
            "title": "管网更新实施方案",
            "document": "住建局施工，社区入户告知",
            "due_on": None,
        },
        fixed={"user": tree["community_secretary"].user},
        args={
            "community_id": ids(tree["community_A1"].pk, tree["street_A"].pk),
            "department_id": ids(tree["department"].pk, tree["street_A"].pk),
            "title": TEXT,
            "document": TEXT,
            "due_on": DATES,
        },
    )


@case("forward.charter_publish")
def _(tree):
    from twoway.forward import charters
    from twoway.forward.models import DocumentKind

    return charters.document_publish, Ctx(
        valid={
            "community_id": str(tree["community_A1"].pk),
            "kind": "convention",
            "title": "居民公约",
            "text": "邻里和睦",
        },
        fixed={"user": tree["community_secretary"].user},
        args={
            "community_id": ids(tree["community_A1"].pk, tree["community_B1"].pk),
            "kind": st.one_of(choice(*DocumentKind.values), TEXT),
            "title": TEXT,
            "text": TEXT,
        },
    )


# ---- deadlines ------------------------------------------------------------------------------


@case("deadlines.holiday_add")
def _(tree):
    from twoway.deadlines.views import holiday_add

    return holiday_add, Ctx(
        valid={"start": date(2031, 1, 1), "until": None, "is_workday": False, "name": "元旦"},
        fixed={},
        args={
            "start": st.dates(min_value=date(1900, 1, 1), max_value=date(9998, 1, 1)),
            "until": DATES,
            "is_workday": st.booleans(),
            "name": TEXT,
        },
    )


@case("deadlines.save_rule")
def _(tree):
    from twoway.deadlines import engine
    from twoway.deadlines.models import TimeLimitRule

    rules = list(TimeLimitRule.objects.order_by("pk")[:3])

    def save(*, rule, level, stage, category_code, working_days, yellow_before):
        """New numbers for a rule (the edit page), or a new rule (the new-rule page)."""
        if rule is None:
            rule = TimeLimitRule(level=level, stage=stage, category_code=category_code)
        else:
            rule = TimeLimitRule.objects.get(pk=rule.pk)
        rule.working_days, rule.yellow_before = working_days, yellow_before
        return engine.save_rule(rule=rule)

    return save, Ctx(
        valid={
            "rule": None,
            "level": "community",
            "stage": "settle",
            "category_code": _category().code,
            "working_days": 5,
            "yellow_before": 1,
        },
        fixed={},
        watch=list(TimeLimitRule.objects.all()),
        args={
            "rule": some(None, *rules),
            "level": choice("group", "community", "street", "district", "department"),
            "stage": choice("accept", "settle", "task"),
            "category_code": st.one_of(st.just(""), TEXT),
            "working_days": st.one_of(st.integers(-3, 70), HUGE),
            "yellow_before": st.one_of(st.integers(-3, 70), HUGE),
        },
    )


# ---- supervision ----------------------------------------------------------------------------


@case("supervision.kpi_settings_change")
def _(tree):
    from twoway.supervision import actions

    weight = st.one_of(NUMBERS_AS_TEXT, st.sampled_from(["0.4", "0.3", "0.30", Decimal("0.3")]))
    return actions.kpi_settings_change, Ctx(
        fixed={"user": tree["district_staff"].user},
        args={
            "w_response": weight,
            "w_resolve": weight,
            "w_satisfaction": weight,
            "basic_factor": weight,
            "note": TEXT,
        },
    )


# ---- the test -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_domain_function_refuses_bad_input_cleanly(tree, name, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fn, ctx = CASES[name](tree)
    if ctx.valid is not None:
        probe(fn, ctx)
    fuzz(fn, ctx)


# ---- the defects the fuzzing found, each as the person meets it -----------------------------


def _refusal(call) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value


def test_a_unit_of_an_unknown_kind_is_refused_on_the_kind_field(tree):
    from twoway.org import actions
    from twoway.org.models import OrgUnit

    before = OrgUnit.objects.count()
    error = _refusal(lambda: actions.unit_create(parent=tree["district"], kind="village", name="新村"))
    assert error.field == "kind" and OrgUnit.objects.count() == before


@pytest.mark.parametrize("milestone_id", [None, "", "abc", "9" * 30, 2**70, "1.5"])
def test_verifying_a_milestone_by_an_odd_id_names_the_milestone(tree, milestone_id):
    from twoway.forward import plans

    error = _refusal(lambda: plans.milestone_verify(user=tree["district_staff"].user, milestone_id=milestone_id))
    assert error.field == "milestone"


@pytest.mark.parametrize("bad_id", ["abc", "1; DROP TABLE x", "9" * 30, None, "１x"])
def test_meeting_steps_with_ids_that_are_not_numbers_answer_no_such_record(tree, bad_id):
    from twoway.meetings import agenda, votes

    user = tree["community_secretary"].user
    for call, code in (
        (lambda: votes.motion_open(user=user, motion_id=bad_id), "unknown_motion"),
        (lambda: votes.motion_close(user=user, motion_id=bad_id), "unknown_motion"),
        (lambda: votes.ballot_cast(user=tree["resident"].user, motion_id=bad_id, choice="for"), "unknown_motion"),
        (lambda: agenda.topic_advance(user=user, topic_id=bad_id), "unknown_topic"),
        (lambda: agenda.minutes_save(user=user, meeting_id=bad_id, text="纪要"), "unknown_meeting"),
    ):
        assert _refusal(call).code == code


def test_control_characters_are_refused_by_field_name_in_the_users_language(tree):
    from django.utils import translation

    from twoway.appeals import flow
    from twoway.appeals.models import AppealEvent

    appeal = _appeal(tree, "accepted")
    events = AppealEvent.objects.count()
    messages = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            error = _refusal(
                lambda: flow.appeal_note(user=tree["group_leader"].user, appeal_id=appeal.pk, note="灯\x00坏了")
            )
        assert error.field == "note" and error.code == "control_characters"
        messages[language] = error.message
    assert messages["en"] == "Note: remove the control characters in it (such as NUL)."
    assert messages["zh-hans"].startswith("备注：") and "NUL" in messages["zh-hans"]
    assert AppealEvent.objects.count() == events


def test_inviting_by_a_search_with_control_characters_invites_nobody(tree):
    from twoway.meetings import agenda
    from twoway.meetings.models import Participant
    from twoway.org.models import Person

    Person.objects.create(unit=tree["group_A1a"], name="无电话居民", phone="")
    meeting, *_rest = _meeting(tree)
    before = Participant.objects.filter(meeting=meeting).count()
    for query in ("\x00", "\x1b", "张" * 51):
        error = _refusal(
            lambda q=query: agenda.person_invite(user=tree["community_secretary"].user, meeting=meeting, query=q)
        )
        assert error.code == "no_person"
    assert Participant.objects.filter(meeting=meeting).count() == before


def test_a_topic_whose_notice_would_be_too_long_is_not_published(tree):
    from twoway.meetings import agenda, votes
    from twoway.meetings.models import MATTER_MAX, PLAN_MAX
    from twoway.notices.models import BODY_MAX, Notice

    user = tree["community_secretary"].user
    _meeting_, topic, _motion_, _appeal_ = _meeting(tree, step="draft")
    topic.matter = "事" * MATTER_MAX
    topic.save(update_fields=["matter"])
    topic = agenda.topic_advance(user=user, topic_id=topic.pk, plan="方" * PLAN_MAX)  # to the vote
    for _n in range(20):  # each motion's text and counts go into the notice
        motion = agenda.motion_add(user=user, topic=topic, text="议" * 500)
        votes.motion_open(user=user, motion_id=motion.pk)
        votes.motion_close(user=user, motion_id=motion.pk)
    topic = agenda.topic_advance(user=user, topic_id=topic.pk)  # implement
    error = _refusal(lambda: agenda.topic_advance(user=user, topic_id=topic.pk))  # publish
    assert error.code == "notice_too_long" and f"{BODY_MAX}" in error.message
    assert not Notice.objects.filter(topic=topic).exists() and _refresh(topic).step == topic.step


def test_kpi_settings_refuse_a_note_with_control_characters(tree):
    from twoway.supervision import actions

    _refusal(
        lambda: actions.kpi_settings_change(
            user=tree["district_staff"].user,
            w_response="0.4",
            w_resolve="0.3",
            w_satisfaction="0.3",
            basic_factor="0.6",
            note="调整\x00",
        )
    )
