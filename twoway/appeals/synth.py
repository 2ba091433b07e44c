"""Synthetic appeal histories, written straight to the tables in bulk: for the demo and for
`manage.py generate --appeals N`. Every appeal gets a full, hash-chained event history whose
replay equals its state columns, as if the flow functions had run over the months.

Rows are built as plain tuples, not model instances, so a million appeals (about six million
events) load in minutes. On PostgreSQL each batch is streamed with binary COPY by a background
thread while the next batch is built, all in one transaction whose foreign keys are checked once
at the end (`_keys_checked_at_the_end`); elsewhere (SQLite) each batch is written with
bulk_create in a transaction of its own. Each event's hash is AppealEvent.compute_hash()
(the previous hash and the JSON of `content()`) written out for speed, and every batch is
checked against the model's own method before it is written, so a generated chain verifies
exactly as one written by the flow functions. Memory stays bounded: a batch being built and,
on PostgreSQL, the one being written.
"""

import hashlib
import json
import random
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from itertools import accumulate

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

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
# (choices, cumulative weights)
CHANNELS = (["app", "phone", "walk_in", "hotline"], list(accumulate([60, 20, 15, 5])))
SCORES = (["satisfied", "basic", "unsatisfied"], list(accumulate([72, 20, 8])))
CLIMBS, CLIMB_WEIGHTS = [p[1] for p in PATHS], list(accumulate(p[0] for p in PATHS))
assert set(CHANNELS[0]) <= set(Channel.values) and set(SCORES[0]) == set(Score.values)
H = timedelta(hours=1)
DAY = timedelta(days=1)
RATING_WINDOW = timedelta(days=RATING_DAYS)

# The columns written, in order. Columns left out are NULL (lat, lng, proxy, merged_into,
# duplicate_of) or filled by the database (the ids of events and ratings).
APPEAL_COLUMNS = (
    "id",
    "number",
    "category_id",
    "description",
    "place",
    "raised_by_id",
    "household_id",
    "channel",
    "mediation",
    "origin_unit_id",
    "handling_unit_id",
    "status",
    "due_at",
    "yellow_at",
    "extension_days",
    "reopen_count",
    "outcome",
    "resolved_at",
    "resolved_unit_id",
    "closed_at",
    "idem_key",
    "created_at",
    "updated_at",
)
EVENT_COLUMNS = (
    "appeal_id",
    "seq",
    "kind",
    "actor_id",
    "unit_id",
    "to_unit_id",
    "status",
    "note",
    "internal",
    "decision_ref",
    "at",
    "prev_hash",
    "hash",
)
RATING_COLUMNS = ("appeal_id", "round", "score", "comment", "unit_id", "by_id", "at")


# Plain strings for the values written many million times.
SUBMITTED, ACCEPTED, RETURNED, ESCALATED = "submitted", "accepted", "returned", "escalated"
RESOLVED, RATED, REOPENED, CLOSED = "resolved", "rated", "reopened", "closed"
PENDING = "pending"
assert {SUBMITTED, ACCEPTED, RETURNED, ESCALATED, RESOLVED, RATED, REOPENED, CLOSED} <= set(EventKind.values)
assert {PENDING, ACCEPTED, RETURNED, RESOLVED, CLOSED} <= set(Status.values)


class _Json(dict):
    """JSON strings of the few texts that recur in notes, encoded once."""

    def __missing__(self, text):
        value = self[text] = json.dumps(text, ensure_ascii=False)
        return value


_JSON = _Json()


def _chain_hash(prev: str, appeal, seq, kind, actor, unit, to_unit, status, note, at) -> str:
    """`AppealEvent.compute_hash()` of an event with these values (not internal, no decision).

    The same bytes as json.dumps(content(), ensure_ascii=False, sort_keys=True), written out
    for speed; `generate` checks it against the model's own method on every batch.
    """
    payload = (
        f'{{"actor": {"null" if actor is None else actor}, "appeal": {appeal}, "at": "{at.isoformat()}", '
        f'"decision": "", "internal": false, "kind": "{kind}", "note": {_JSON[note]}, "seq": {seq}, '
        f'"status": "{status}", "to_unit": {"null" if to_unit is None else to_unit}, "unit": {unit}}}'
    )
    return hashlib.sha256((prev + payload).encode()).hexdigest()


@dataclass
class Context:
    rng: random.Random
    categories: list[tuple[int, str]]  # (sub-category id, top-level code)
    groups: list[int]
    residents: dict[int, list[tuple[int, int]]]  # group id: [(person id, household id)]
    handlers: dict[int, int]  # unit id: the person id who picks appeals up there
    parents: dict[int, int]
    kinds: dict[int, str]
    score_notes: dict[str, str]
    tz: tzinfo
    next_id: int


def build_context(seed: int = 7) -> Context:
    groups = list(
        OrgUnit.objects.filter(kind=UnitKind.GROUP, retired_at__isnull=True).order_by("id").values_list("pk", flat=True)
    )
    residents: dict[int, list[tuple[int, int]]] = {}
    people = (
        Person.objects.filter(unit__in=groups)
        .exclude(household=None)
        .order_by("id")
        .values_list("pk", "unit_id", "household_id")
    )
    for pk, unit_id, household_id in people.iterator(chunk_size=20_000):
        residents.setdefault(unit_id, []).append((pk, household_id))
    handlers: dict[int, int] = {}
    for unit_id, person_id in (
        Role.objects.filter(kind__in=STAFF_ROLES - {"auditor"}).order_by("id").values_list("unit_id", "person_id")
    ):
        handlers.setdefault(unit_id, person_id)
    units = list(OrgUnit.objects.values_list("pk", "parent_id", "kind"))
    # Notes the system writes into the record are in the official language, as in flow._record.
    with translation.override(settings.LANGUAGE_CODE):
        score_notes = {s.value: str(s.label) for s in Score}
    last = Appeal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return Context(
        rng=random.Random(seed),
        categories=[(c.pk, c.parent.code) for c in Category.objects.exclude(parent=None).select_related("parent")],
        groups=[g for g in groups if residents.get(g)],
        residents=residents,
        handlers=handlers,
        parents={pk: parent for pk, parent, _kind in units if parent},
        kinds={pk: kind for pk, _parent, kind in units},
        score_notes=score_notes,
        tz=timezone.get_default_timezone(),
        next_id=last + 1,
    )


def one_appeal(ctx: Context, created: datetime, now: datetime, events: list, ratings: list) -> tuple:
    """One appeal's row; its events and rating are appended to `events` and `ratings`."""
    rng = ctx.rng
    handlers = ctx.handlers
    group = rng.choice(ctx.groups)
    resident, household = rng.choice(ctx.residents[group])
    category, top = rng.choice(ctx.categories)
    text = rng.choice(TEXTS.get(top, TEXTS["SUG"])).format(b=rng.randint(1, 30), e=rng.randint(1, 3))
    pk = ctx.next_id
    ctx.next_id += 1
    household_id = household if rng.random() < 0.3 else None
    channel = rng.choices(CHANNELS[0], cum_weights=CHANNELS[1])[0]
    # (kind, status after, time, unit, actor, to unit, note), in order.
    trail: list[tuple] = []
    status = PENDING
    outcome, resolved_at, resolved_unit, closed_at, reopen_count = "", None, None, None, 0
    t = created
    trail.append((SUBMITTED, status, t, group, resident, None, ""))
    climb = rng.choices(CLIMBS, cum_weights=CLIMB_WEIGHTS)[0]
    unit = group
    # Recent appeals may still be on their way.
    stop_early = now - created < timedelta(days=10) and rng.random() < 0.5
    if climb == -1:
        t += rng.randint(2, 20) * H
        status = RETURNED
        trail.append((RETURNED, status, t, unit, handlers.get(unit), None, "重复反映，已并入前一诉求"))
        closed_at = t
    else:
        for level in range(climb + 1):
            t += rng.randint(1, 20) * H
            if t > now or (stop_early and level == climb):
                break
            status = ACCEPTED
            trail.append((ACCEPTED, status, t, unit, handlers.get(unit), None, ""))
            if level < climb:
                t += rng.randint(10, 80) * H
                parent = ctx.parents[unit]
                status = PENDING
                trail.append((ESCALATED, status, t, unit, handlers.get(unit), parent, "本级无法解决，提交上级"))
                unit = parent
        else:
            t += rng.randint(10, 100) * H
            if t <= now:
                status = RESOLVED
                outcome = rng.choice(OUTCOMES[ctx.kinds[unit]])
                trail.append((RESOLVED, status, t, unit, handlers.get(unit), None, outcome))
                resolved_at, resolved_unit = t, unit
                rated_at = t + rng.randint(2, 120) * H
                if rated_at <= now and rng.random() < 0.85:
                    score = rng.choices(SCORES[0], cum_weights=SCORES[1])[0]
                    ratings.append((pk, 0, score, "", unit, resident, rated_at))
                    trail.append((RATED, status, rated_at, unit, resident, None, ctx.score_notes[score]))
                    if score == Score.UNSATISFIED:
                        status, reopen_count = ACCEPTED, 1
                        trail.append((REOPENED, status, rated_at, unit, resident, None, ""))
                    else:
                        status, closed_at = CLOSED, rated_at
                        trail.append((CLOSED, status, rated_at, unit, resident, None, ""))
                elif t + RATING_WINDOW <= now:
                    status, closed_at = CLOSED, t + RATING_WINDOW
                    trail.append((CLOSED, status, closed_at, unit, None, None, "7日内未评价，自动办结"))
    last_at = trail[-1][2]
    due_at = yellow_at = None
    if status == PENDING:
        due_at = last_at + DAY
    elif status == ACCEPTED:
        due_at = last_at + 7 * DAY
    elif status == RESOLVED:
        due_at = resolved_at + RATING_WINDOW
    if due_at and status != RESOLVED:
        yellow_at = due_at - DAY
    prev = ""
    for seq, (kind, after, at, at_unit, actor, to_unit, note) in enumerate(trail, start=1):
        digest = _chain_hash(prev, pk, seq, kind, actor, at_unit, to_unit, after, note, at)
        events.append((pk, seq, kind, actor, at_unit, to_unit, after, note, False, "", at, prev, digest))
        prev = digest
    return (
        pk,
        f"SQ-{created.astimezone(ctx.tz).year}-{pk:06d}",
        category,
        text,
        "",
        resident,
        household_id,
        channel,
        top == "DIS",
        group,
        unit,
        status,
        due_at,
        yellow_at,
        0,
        reopen_count,
        outcome,
        resolved_at,
        resolved_unit,
        closed_at,
        "",
        created,
        last_at,
    )


def generate(*, count: int, days: int = 365, seed: int = 7, batch: int = 10_000, now=None, progress=None) -> int:
    """Add `count` appeals spread evenly over the last `days` days, with histories and ratings.

    Appeals are numbered in the order they were raised, as on a live server. On PostgreSQL the
    whole load is one transaction (see `_keys_checked_at_the_end`); elsewhere each batch is one.
    """
    ctx = build_context(seed)
    if not ctx.groups:
        return 0
    now = now or timezone.now()
    span = days * 86400
    start = now - timedelta(seconds=span)
    made = 0
    with _writer() as write:
        while made < count:
            n = min(batch, count - made)
            # This batch's share of the time range, so raising time follows the numbering.
            lo, hi = span * made / count, span * (made + n) / count
            stamps = sorted(start + timedelta(seconds=ctx.rng.uniform(lo, hi)) for _ in range(n))
            appeals: list[tuple] = []
            events: list[tuple] = []
            ratings: list[tuple] = []
            for created in stamps:
                appeals.append(one_appeal(ctx, created, now, events, ratings))
            _check_hashes(events[::97])
            write((appeals, events, ratings))
            made += n
            if progress:
                progress(made)
    _reset_sequences()
    return made


def _check_hashes(rows: list[tuple]) -> None:
    """The written-out hash must equal the model's: refuse to write a chain that would not verify."""
    for row in rows:
        event = AppealEvent(**dict(zip(EVENT_COLUMNS, row, strict=True)))
        if event.compute_hash() != event.hash:
            raise RuntimeError("synth._chain_hash no longer matches AppealEvent.compute_hash(); update it")


TABLES = ((Appeal, APPEAL_COLUMNS), (AppealEvent, EVENT_COLUMNS), (Rating, RATING_COLUMNS))


@contextmanager
def _writer():
    """A function that stores one batch (appeals, events, ratings). On PostgreSQL it streams the
    batch with binary COPY in a background thread, so the next batch is built meanwhile;
    elsewhere it uses bulk_create, one transaction per batch."""
    if connection.vendor != "postgresql":

        def write(batch):
            with transaction.atomic():
                for (model, columns), rows in zip(TABLES, batch, strict=True):
                    objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
                    model.objects.bulk_create(objs, batch_size=2000)

        yield write
        return
    with _keys_checked_at_the_end([model for model, _columns in TABLES]):
        statements = [_copy_statement(model, columns) for model, columns in TABLES]
        # The psycopg connection under Django's, in the same transaction; only one thread uses
        # it at a time: the main thread waits for the previous batch before handing on the next.
        raw = connection.connection
        pending = None
        with ThreadPoolExecutor(max_workers=1) as pool:  # leaving waits for the thread

            def write(batch):
                nonlocal pending
                if pending is not None:
                    pending.result()
                pending = pool.submit(_copy_batch, raw, statements, batch)

            yield write
            if pending is not None:
                pending.result()


def _copy_statement(model, columns: tuple[str, ...]) -> tuple[str, list[int]]:
    """The COPY statement for these columns, and their types (binary COPY needs exact types)."""
    qn = connection.ops.quote_name
    table = model._meta.db_table
    by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
    names = [by_attname[c] for c in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
            [qn(table)],
        )
        oids = dict(cursor.fetchall())
    sql = f"COPY {qn(table)} ({', '.join(qn(n) for n in names)}) FROM STDIN (FORMAT BINARY)"
    return sql, [oids[n] for n in names]


def _copy_batch(raw, statements, batch) -> None:
    with raw.cursor() as cursor:
        for (sql, types), rows in zip(statements, batch, strict=True):
            if not rows:
                continue
            with cursor.copy(sql) as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)


@contextmanager
def _keys_checked_at_the_end(models):
    """Drop the tables' foreign keys for the load and add them back, unchanged, at the end of the
    same transaction (PostgreSQL). PostgreSQL then checks every row once per key in one join,
    instead of one lookup per row and key at commit (two thirds of the load's time otherwise).
    If anything fails, the transaction rolls back, keys included. The tables are locked
    against other writers and readers meanwhile: this is for loading benchmark data."""
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
            [[qn(m._meta.db_table) for m in models]],
        )
        keys = cursor.fetchall()
        # Run the checks still pending in this transaction now, or ALTER TABLE would refuse
        # (this matters when the caller's transaction already wrote rows, as in tests).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
        yield
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")
        # Back to Django's default: its foreign keys are all DEFERRABLE INITIALLY DEFERRED.
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    sql = connection.ops.sequence_reset_sql(no_style(), [Appeal, AppealEvent, Rating])
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)
