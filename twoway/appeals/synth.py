"""Synthetic appeal histories, written straight to the tables in bulk: for the demo and for
`manage.py generate --appeals N`. Every appeal gets a full, hash-chained event history whose
replay equals its state columns, as if the flow functions had run over the months."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from twoway.org.models import STAFF_ROLES, OrgUnit, Person, Role, UnitKind

from .models import RATING_DAYS, Appeal, AppealEvent, Category, Channel, EventKind, Rating, Score, Status

TEXTS = {
    "ENV": [
        "{b}号楼楼道堆放杂物，影响通行，存在消防隐患",
        "小区垃圾桶满溢多日无人清运，气味很大",
        "{b}号楼前绿化带杂草丛生，蚊虫多",
        "楼下餐馆油烟和噪声扰民，晚上十点后仍很吵",
    ],
    "FAC": [
        "{b}号楼门前路面塌陷，老人出行不便",
        "小区东侧路灯已坏一周，夜间很黑",
        "雨后{b}号楼前积水严重，下水道堵塞",
        "冬季暖气不热，室温只有十几度",
    ],
    "PRO": [
        "{b}号楼{e}单元电梯经常停运，老人上下楼困难",
        "顶楼漏水，屋顶防水需要维修",
        "小区停车位紧张，外来车辆乱停占道",
        "物业保洁不到位，楼道长期无人打扫",
    ],
    "SAF": [
        "{b}号楼消防通道被车辆长期占用",
        "有居民在楼道里给电动车充电，很危险",
        "楼上高空抛物，砸坏了楼下车辆",
        "小区围墙破损，外来人员随意进出",
    ],
    "DIS": [
        "与楼上邻居因漏水问题产生纠纷，协商未果",
        "邻居在公共区域搭建杂物棚，影响通行",
        "家庭赡养纠纷，希望社区帮助调解",
        "与物业因收费问题产生争议",
    ],
    "SVC": [
        "希望社区开设老年食堂，方便独居老人就餐",
        "建议增加儿童课后托管服务",
        "希望组织更多文体活动，丰富居民生活",
        "残疾人出行需要无障碍坡道",
    ],
    "WEL": [
        "咨询低保申请需要什么材料",
        "医保异地报销流程不清楚，希望帮助办理",
        "失业后想参加技能培训，请社区推荐",
        "退役军人优待证办理咨询",
    ],
    "SUG": ["建议在小区增设快递柜", "建议小区增加充电桩", "建议开展垃圾分类宣传"],
}
OUTCOMES = {
    UnitKind.GROUP: [
        "居民议事会商议后，组织志愿者当日清理完毕",
        "组长协调相关住户，问题已解决",
        "经居民议事会表决，方案已实施",
    ],
    UnitKind.COMMUNITY: [
        "社区议事协商会议决定由物业限期整改，已完成",
        "社区协调物业公司维修完毕",
        "经六步议事法协商，方案实施并已公示",
    ],
    UnitKind.STREET: ["街道周例会研究，协调相关站所处理完毕", "街道城管中队已清理整治"],
    UnitKind.DISTRICT: ["区一站式联席会议决定，由区直部门牵头解决并长效管理", "区联席会议协调，问题已最终解决"],
}
PATHS = [  # (weight, levels the appeal climbs to, returned?)
    (55, 0),
    (20, 1),
    (10, 2),
    (6, 3),
    (4, -1),
]
H = timedelta(hours=1)


@dataclass
class Context:
    rng: random.Random
    categories: list[Category]
    groups: list[OrgUnit]
    residents: dict[int, list[Person]]
    handlers: dict[int, Person]
    departments: list[OrgUnit]
    parents: dict[int, OrgUnit]
    next_id: int
    next_event_id: int
    appeals: list[Appeal] = field(default_factory=list)
    events: list[AppealEvent] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)


def build_context(seed: int = 7) -> Context:
    rng = random.Random(seed)
    groups = list(OrgUnit.objects.filter(kind=UnitKind.GROUP, retired_at__isnull=True).order_by("id"))
    residents: dict[int, list[Person]] = {}
    for p in (
        Person.objects.filter(unit__in=groups).exclude(household=None).only("id", "unit_id", "household_id", "name")
    ):
        residents.setdefault(p.unit_id, []).append(p)
    handlers = {}
    for role in Role.objects.filter(kind__in=STAFF_ROLES - {"auditor"}).select_related("person").order_by("id"):
        handlers.setdefault(role.unit_id, role.person)
    units = {u.pk: u for u in OrgUnit.objects.all()}
    parents = {pk: units[u.parent_id] for pk, u in units.items() if u.parent_id}
    last = Appeal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_event = AppealEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return Context(
        rng=rng,
        categories=list(Category.objects.exclude(parent=None).select_related("parent")),
        groups=[g for g in groups if residents.get(g.pk)],
        residents=residents,
        handlers=handlers,
        departments=[u for u in units.values() if u.kind == UnitKind.DEPARTMENT],
        parents=parents,
        next_id=last + 1,
        next_event_id=last_event + 1,
    )


def _add_event(ctx: Context, appeal: Appeal, kind, at, unit, *, actor=None, to_unit=None, note=""):
    """Queue an event; its status-after and hash are filled in by `_fix_event_statuses`."""
    e = AppealEvent(
        id=ctx.next_event_id,
        appeal_id=appeal.pk,
        seq=len(appeal._events) + 1,
        kind=kind,
        actor_id=actor.pk if actor else None,
        unit_id=unit.pk,
        to_unit_id=to_unit.pk if to_unit else None,
        status=appeal.status,
        note=note,
        internal=False,
        decision_ref="",
        at=at,
    )
    ctx.next_event_id += 1
    appeal._events.append(e)
    ctx.events.append(e)


def one_appeal(ctx: Context, created: datetime, now: datetime) -> Appeal:
    rng = ctx.rng
    group = rng.choice(ctx.groups)
    resident = rng.choice(ctx.residents[group.pk])
    category = rng.choice(ctx.categories)
    text = rng.choice(TEXTS.get(category.parent.code, TEXTS["SUG"])).format(b=rng.randint(1, 30), e=rng.randint(1, 3))
    pk = ctx.next_id
    ctx.next_id += 1
    appeal = Appeal(
        id=pk,
        number=f"SQ-{timezone.localtime(created).year}-{pk:06d}",
        category=category,
        description=text,
        place="",
        raised_by_id=resident.pk,
        household_id=resident.household_id if rng.random() < 0.3 else None,
        channel=rng.choices([Channel.APP, Channel.PHONE, Channel.WALK_IN, Channel.HOTLINE], [60, 20, 15, 5])[0],
        mediation=category.parent.code == "DIS",
        origin_unit_id=group.pk,
        handling_unit_id=group.pk,
        status=Status.PENDING,
        created_at=created,
        updated_at=created,
    )
    appeal._events = []
    t = created
    _add_event(ctx, appeal, EventKind.SUBMITTED, t, group, actor=resident)
    climb = rng.choices([p[1] for p in PATHS], [p[0] for p in PATHS])[0]
    age = now - created
    unit = group
    # Recent appeals may still be on their way.
    stop_early = age < timedelta(days=10) and rng.random() < 0.5
    if climb == -1:
        t += rng.randint(2, 20) * H
        appeal.status = Status.RETURNED
        _add_event(
            ctx, appeal, EventKind.RETURNED, t, unit, actor=ctx.handlers.get(unit.pk), note="重复反映，已并入前一诉求"
        )
        appeal.closed_at = t
    else:
        for level in range(climb + 1):
            t += rng.randint(1, 20) * H
            if t > now or (stop_early and level == climb):
                break
            appeal.status = Status.ACCEPTED
            _add_event(ctx, appeal, EventKind.ACCEPTED, t, unit, actor=ctx.handlers.get(unit.pk))
            if level < climb:
                t += rng.randint(10, 80) * H
                parent = ctx.parents[unit.pk]
                appeal.status = Status.PENDING
                _add_event(
                    ctx,
                    appeal,
                    EventKind.ESCALATED,
                    t,
                    unit,
                    actor=ctx.handlers.get(unit.pk),
                    to_unit=parent,
                    note="本级无法解决，提交上级",
                )
                unit = parent
        else:
            t += rng.randint(10, 100) * H
            if t <= now:
                appeal.status = Status.RESOLVED
                outcome = rng.choice(OUTCOMES[UnitKind(unit.kind)])
                _add_event(ctx, appeal, EventKind.RESOLVED, t, unit, actor=ctx.handlers.get(unit.pk), note=outcome)
                appeal.outcome, appeal.resolved_at, appeal.resolved_unit_id = outcome, t, unit.pk
                rated_at = t + rng.randint(2, 120) * H
                if rated_at <= now and rng.random() < 0.85:
                    score = rng.choices([Score.SATISFIED, Score.BASIC, Score.UNSATISFIED], [72, 20, 8])[0]
                    ctx.ratings.append(
                        Rating(appeal_id=pk, round=0, score=score, unit_id=unit.pk, by_id=resident.pk, at=rated_at)
                    )
                    _add_event(
                        ctx, appeal, EventKind.RATED, rated_at, unit, actor=resident, note=str(Score(score).label)
                    )
                    if score == Score.UNSATISFIED:
                        appeal.status, appeal.reopen_count = Status.ACCEPTED, 1
                        _add_event(ctx, appeal, EventKind.REOPENED, rated_at, unit, actor=resident)
                    else:
                        appeal.status, appeal.closed_at = Status.CLOSED, rated_at
                        _add_event(ctx, appeal, EventKind.CLOSED, rated_at, unit, actor=resident)
                elif t + timedelta(days=RATING_DAYS) <= now:
                    closed_at = t + timedelta(days=RATING_DAYS)
                    appeal.status, appeal.closed_at = Status.CLOSED, closed_at
                    _add_event(ctx, appeal, EventKind.CLOSED, closed_at, unit, note="7日内未评价，自动办结")
    appeal.handling_unit_id = unit.pk
    if appeal.status == Status.PENDING:
        appeal.due_at = appeal._events[-1].at + timedelta(days=1)
    elif appeal.status == Status.ACCEPTED:
        appeal.due_at = appeal._events[-1].at + timedelta(days=7)
    elif appeal.status == Status.RESOLVED:
        appeal.due_at = appeal.resolved_at + timedelta(days=RATING_DAYS)
    if appeal.due_at and appeal.status != Status.RESOLVED:
        appeal.yellow_at = appeal.due_at - timedelta(days=1)
    appeal.updated_at = appeal._events[-1].at
    return appeal


def _fix_event_statuses(appeal: Appeal) -> None:
    """Recompute each event's status-after and hash in order, so the chain and replay agree."""
    status = Status.PENDING
    prev = ""
    after = {
        EventKind.SUBMITTED: Status.PENDING,
        EventKind.ACCEPTED: Status.ACCEPTED,
        EventKind.ESCALATED: Status.PENDING,
        EventKind.RETURNED: Status.RETURNED,
        EventKind.RESOLVED: Status.RESOLVED,
        EventKind.REOPENED: Status.ACCEPTED,
        EventKind.CLOSED: Status.CLOSED,
    }
    for e in appeal._events:
        status = after.get(e.kind, status)
        e.status, e.prev_hash = status, prev
        e.hash = e.compute_hash()
        prev = e.hash


def generate(*, count: int, days: int = 365, seed: int = 7, batch: int = 5000, now=None, progress=None) -> int:
    """Add `count` appeals spread over the last `days` days, with histories and ratings."""
    ctx = build_context(seed)
    if not ctx.groups:
        return 0
    now = now or timezone.now()
    start = now - timedelta(days=days)
    made = 0
    while made < count:
        n = min(batch, count - made)
        stamps = sorted(start + timedelta(seconds=ctx.rng.uniform(0, days * 86400)) for _ in range(n))
        ctx.appeals, ctx.events, ctx.ratings = [], [], []
        for created in stamps:
            appeal = one_appeal(ctx, created, now)
            _fix_event_statuses(appeal)
            ctx.appeals.append(appeal)
        with transaction.atomic():
            Appeal.objects.bulk_create(ctx.appeals, batch_size=2000)
            AppealEvent.objects.bulk_create(ctx.events, batch_size=5000)
            Rating.objects.bulk_create(ctx.ratings, batch_size=5000)
        made += n
        if progress:
            progress(made)
    _reset_sequences()
    return made


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    sql = connection.ops.sequence_reset_sql(no_style(), [Appeal, AppealEvent, Rating])
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)
