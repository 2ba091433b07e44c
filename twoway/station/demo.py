"""Demo data: a station for every demo community with the standard catalogue published, an A/B
rota, four months of ledger entries (window, home visits, out of hours; handed off and back;
rated on phones and at the desk), and a few complaints and suggestions with their replies."""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from twoway.deadlines import engine
from twoway.org.models import OrgUnit, Person, RoleKind, UnitKind

from . import services
from .models import (
    CatalogueVersion,
    Complaint,
    ItemKind,
    Mode,
    RatingChannel,
    RecordEvent,
    RecordStatus,
    RotaEntry,
    Satisfaction,
    ServiceRecord,
    Station,
)

DAYS = 120
PER_STATION = (35, 60)
RESULTS_DIRECT = ["已当场办结，证明已交居民本人。", "已当场办理完毕，凭证已打印。", "已为居民登记，告知后续事项。"]
RESULTS_PROXY = [
    "部门已审核通过，结果已电话告知居民。",
    "已办好，证件已送到居民手中。",
    "材料审核通过，待遇下月起发放。",
]
COMPLAINTS = [
    (
        "complaint",
        "上午十点来办事，窗口没人，等了二十分钟。",
        "经核实，当班A角外出走访，B角未及时补位。已重申AB角补位要求。",
        "已向您致歉，今后窗口保证有人。",
    ),
    (
        "suggestion",
        "建议服务站周六也开门，上班族平时来不了。",
        "已纳入错时延时服务安排。",
        "从下月起每周六上午开放，欢迎前来。",
    ),
    ("suggestion", "办事指南字太小，老年人看不清。", "已重新印制大字版指南。", "大字版已放在服务台，随时可取。"),
    (
        "complaint",
        "代办的医保报销超过时限还没消息。",
        "已催办区医疗保障局，并电话告知进度。",
        "已办结，报销款已到账，向您致歉。",
    ),
]


def _staff(community: OrgUnit) -> list[Person]:
    return list(
        Person.objects.filter(
            roles__unit=community, roles__kind__in=[RoleKind.LEADER, RoleKind.STAFF, RoleKind.GRID_WORKER]
        )
        .distinct()
        .order_by("pk")
    )


def _working_time(rng: random.Random, day, cal) -> datetime | None:
    if not cal.is_working_day(day):
        return None
    hour = rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17])
    return timezone.make_aware(datetime.combine(day, time(hour, rng.randrange(0, 60))))


@transaction.atomic
def demo_seed(*, seed: int) -> None:
    rng = random.Random(seed + 8)
    now = timezone.now()
    cal = engine.calendar()
    User = get_user_model()
    resident_login = Person.objects.filter(user__in=User.objects.filter(username="resident")).first()
    for community in OrgUnit.objects.filter(kind=UnitKind.COMMUNITY, retired_at__isnull=True).order_by("path"):
        station = services.station_ensure(community=community)
        staff = _staff(community)
        if not staff or station.records.exists():
            continue
        station.phone = station.phone or f"0543-33{rng.randrange(10000, 99999)}"
        station.complaint_phone = "0543-12345"
        station.address = station.address or f"{community.name}党群服务中心一楼"
        station.save()
        items = list(station.items.filter(retired_at__isnull=True))
        # Publish the catalogue as version 1, by the community's leader.
        CatalogueVersion.objects.create(
            station=station,
            number=1,
            items=[i.snapshot() for i in items],
            direct_count=sum(1 for i in items if i.kind == ItemKind.DIRECT),
            proxy_count=sum(1 for i in items if i.kind == ItemKind.PROXY),
            note="首次公示",
            published_by=staff[0],
            published_at=now - timedelta(days=DAYS + 5),
        )
        Station.objects.filter(pk=station.pk).update(published_version=1, catalogue_changed=False)
        for weekday in range(5):
            RotaEntry.objects.create(
                station=station, weekday=weekday, role="A", person=staff[weekday % len(staff)], work_phone=station.phone
            )
            RotaEntry.objects.create(
                station=station,
                weekday=weekday,
                role="B",
                person=staff[(weekday + 1) % len(staff)],
                work_phone=station.phone,
            )
        residents = list(
            Person.objects.filter(unit__path__startswith=community.path, household__isnull=False).order_by("pk")[:300]
        )
        if not residents:
            continue
        _seed_ledger(rng, station, items, staff, residents, now, cal, resident_login)
        for kind, text, handling, reply in rng.sample(COMPLAINTS, 2):
            at = now - timedelta(days=rng.randrange(3, DAYS))
            Complaint.objects.create(
                station=station,
                kind=kind,
                text=text,
                by_name=rng.choice(residents).name[:1] + "先生",
                about_station=kind == "complaint",
                received_at=at,
                received_by=staff[0],
                handling=handling,
                reply=reply,
                replied_at=at + timedelta(days=2),
            )


def _seed_ledger(rng, station, items, staff, residents, now, cal, resident_login) -> None:
    direct = [i for i in items if i.kind == ItemKind.DIRECT]
    proxy = [i for i in items if i.kind == ItemKind.PROXY]
    records, events = [], []
    count = rng.randrange(*PER_STATION)
    for n in range(count):
        received = None
        while received is None:
            received = _working_time(rng, (now - timedelta(days=rng.randrange(0, DAYS))).date(), cal)
            if received and received > now:
                received = None
        item = rng.choice(direct if rng.random() < 0.5 else proxy)
        mode = rng.choices([Mode.WINDOW, Mode.DOOR, Mode.OUT_OF_HOURS, Mode.ONLINE], [78, 10, 8, 4])[0]
        if mode == Mode.OUT_OF_HOURS:
            received = min(received.replace(hour=rng.choice([18, 19, 12]), minute=rng.randrange(0, 60)), now)
        person = rng.choice(residents)
        owner = rng.choice(staff)
        due, yellow = services._deadline(received, item.time_limit_days, cal)
        r = ServiceRecord(
            station=station,
            number=f"BM{timezone.localtime(received):%Y%m}{station.pk:03d}{n:03d}",
            item=item,
            item_name=item.name,
            item_version=item.version,
            kind=item.kind,
            mode=mode,
            resident=person,
            resident_name=person.name,
            resident_phone=person.phone,
            first_owner=owner,
            booked_for=received if mode in (Mode.DOOR, Mode.OUT_OF_HOURS) else None,
            place=person.household.label if mode == Mode.DOOR and person.household_id else "",
            received_at=received,
            status=RecordStatus.ACCEPTED,
            due_at=due,
            yellow_at=yellow,
        )
        steps = [("accepted", owner, "", received)]
        span = (due - received).total_seconds()
        late = rng.random() < 0.08
        finish = received + timedelta(seconds=span * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.05, 0.9)))
        if item.kind == ItemKind.DIRECT:
            finish = received + timedelta(minutes=rng.randrange(5, 40))
        if finish < now:
            if item.kind == ItemKind.PROXY:
                r.handed_to, r.handed_at = item.handler, received + (finish - received) * 0.1
                r.returned_at = received + (finish - received) * 0.9
                steps += [("handed_off", owner, item.handler, r.handed_at), ("returned", owner, "", r.returned_at)]
            r.status, r.done_at, r.done_by = RecordStatus.DONE, finish, owner
            r.result = rng.choice(RESULTS_DIRECT if item.kind == ItemKind.DIRECT else RESULTS_PROXY)
            steps.append(("done", owner, r.result, finish))
            if rng.random() < 0.88:
                r.satisfaction = rng.choices(
                    [Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.UNSATISFIED], [76, 20, 4]
                )[0]
                r.rating_channel = rng.choice([RatingChannel.KIOSK, RatingChannel.PHONE])
                r.rated_at = finish + timedelta(minutes=rng.randrange(1, 600))
                steps.append(("rated", None, r.get_satisfaction_display(), r.rated_at))
        elif item.kind == ItemKind.PROXY and rng.random() < 0.7:
            r.status, r.handed_to, r.handed_at = RecordStatus.HANDED_OFF, item.handler, received + timedelta(hours=3)
            steps.append(("handed_off", owner, item.handler, r.handed_at))
        records.append((r, steps))
    # One completed service, not yet rated, for the demo resident's own phone.
    if resident_login is not None and resident_login.unit.path.startswith(station.community.path):
        item = proxy[0]
        received = now - timedelta(days=6)
        owner = staff[0]
        due, yellow = services._deadline(received, item.time_limit_days, cal)
        r = ServiceRecord(
            station=station,
            number=f"BM{timezone.localtime(received):%Y%m}{station.pk:03d}999",
            item=item,
            item_name=item.name,
            item_version=item.version,
            kind=item.kind,
            resident=resident_login,
            resident_name=resident_login.name,
            resident_phone=resident_login.phone,
            first_owner=owner,
            received_at=received,
            status=RecordStatus.DONE,
            due_at=due,
            yellow_at=yellow,
            handed_to=item.handler,
            handed_at=received + timedelta(hours=2),
            returned_at=now - timedelta(days=1),
            done_at=now - timedelta(hours=20),
            done_by=owner,
            result=RESULTS_PROXY[0],
        )
        records.append((r, [("accepted", owner, "", received), ("done", owner, r.result, r.done_at)]))
    ServiceRecord.objects.bulk_create([r for r, _s in records])
    saved = {r.number: r.pk for r in ServiceRecord.objects.filter(station=station)}
    for r, steps in records:
        for kind, actor, note, at in steps:
            events.append(RecordEvent(record_id=saved[r.number], kind=kind, actor=actor, note=note[:300], at=at))
    RecordEvent.objects.bulk_create(events)
