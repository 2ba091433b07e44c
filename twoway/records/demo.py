"""Demo records: star-resident rounds voted through meetings, party members' badges, records and
stars, centre floor areas (some short of the standards), developments at every handover stage,
the community workers' register and the three lists."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from twoway.org.models import OrgUnit, Person, Role, RoleKind, UnitKind

from . import buildings, lists, party, stars
from .models import (
    Assessment,
    Commendation,
    CommunityWorker,
    ConductRecord,
    Grade,
    PartyArea,
    PartyBadge,
    PartyRating,
    PartyRecord,
    ServiceSpace,
    StarCategory,
)

CONDUCT = {
    "patriotic": ["组织邻居观看国庆升旗直播", "为社区老党员讲述红色故事"],
    "law": ["主动劝阻楼道内违规充电", "协助调解邻里纠纷并宣讲民法典"],
    "dedication": ["坚守岗位三十年获单位表彰", "下班后义务为居民维修电器"],
    "honesty": ["拾到钱包交还失主", "经营小店多年诚信无投诉"],
    "bravery": ["在小区门口扶起摔倒老人并送医", "协助扑灭电动车起火"],
    "elders": ["每天为独居老人送饭", "照顾瘫痪在床的婆婆十余年"],
    "children": ["辅导楼里孩子暑假作业", "家庭教育经验在社区分享会交流"],
    "neighbours": ["帮邻居照看孩子接送上学", "为行动不便的邻居代购生活用品"],
    "volunteering": ["参加社区志愿服务队累计200小时", "疫苗接种点引导志愿者"],
    "environment": ["每周清理楼道杂物", "带头垃圾分类并劝导邻居"],
}
PARTY_NOTES = {
    "organisation": ["按时参加主题党日活动", "按时足额缴纳党费"],
    "discipline": ["带头遵守居民公约", "参加廉政警示教育"],
    "society": ["参加社区志愿服务", "认领楼道长岗位"],
    "career": ["获单位先进工作者称号", "岗位建功表现突出"],
    "family": ["家庭和睦获评文明家庭", "赡养老人尽心尽责"],
}
WORK_ITEMS = [
    ("人口信息采集与更新", "《滨城区社区工作事项清单》第1项"),
    ("社区议事协商组织", "《滨城区社区工作事项清单》第4项"),
    ("特殊困难群体走访慰问", "《滨城区社区工作事项清单》第9项"),
    ("社区矛盾纠纷排查调解", "《滨城区社区工作事项清单》第12项"),
    ("居民公约宣传和执行", "《滨城区社区工作事项清单》第15项"),
    ("社区党群服务中心日常管理", "《滨城区社区工作事项清单》第18项"),
]
CERTIFICATES = [
    ("居住证明", "《滨城区社区出具证明事项清单》第1项"),
    ("家庭经济困难情况证明", "《滨城区社区出具证明事项清单》第2项"),
    ("未再婚证明（抚恤金领取）", "《滨城区社区出具证明事项清单》第3项"),
    ("见义勇为事迹证明", "《滨城区社区出具证明事项清单》第4项"),
    ("养犬登记情况证明", "《滨城区社区出具证明事项清单》第5项"),
]
ASSESSMENTS = [
    ("全国文明城市创建测评", "滨州市文明办文件"),
    ("平安社区评估", "滨城区委政法委文件"),
    ("绿色社区创建评价", "滨城区住建局文件"),
    ("社区党组织星级评定", "滨城区委组织部文件"),
]
REFUSED = ["亲属关系证明", "无犯罪记录证明", "出生时间证明", "房屋产权证明"]
DEVELOPMENTS = [
    ("黄河五路·锦绣华府", "山东鲁北置业有限公司", 620, "190", "supervision", True),
    ("渤海七路·滨湖雅苑", "滨州城建房地产开发有限公司", 480, "150", "handover", True),
    ("梧桐·悦澜湾", "滨州恒信置业有限公司", 900, "240", "construction", False),
    ("新城·书香名邸", "山东黄河置业有限公司", 350, "105", "filing", True),
    ("彭李·御景园", "滨州鑫源房地产有限公司", 760, "230", "land", False),
]


def _user_for(person: Person):
    """The demo acts through the domain functions, which act as a user: give a person one."""
    if person.user_id is None:
        person.user = get_user_model().objects.create_user(username=f"records{person.pk}", password=None)
        person.save(update_fields=["user"])
    return person.user


def _leader(unit: OrgUnit) -> Person | None:
    role = Role.objects.filter(unit=unit, kind=RoleKind.LEADER).select_related("person").first()
    return role.person if role else None


@transaction.atomic
def demo_seed(*, seed: int) -> None:
    rng = random.Random(seed)
    today = timezone.localdate()
    district = OrgUnit.objects.filter(kind=UnitKind.DISTRICT).order_by("path").first()
    if district is None or ServiceSpace.objects.exists():
        return
    admin = _leader(district) or Role.objects.filter(unit=district, kind=RoleKind.STAFF).first().person
    admin_user = _user_for(admin)
    streets = list(OrgUnit.objects.filter(kind=UnitKind.STREET, path__startswith=district.path).order_by("path"))
    communities = list(OrgUnit.objects.filter(kind=UnitKind.COMMUNITY, path__startswith=district.path).order_by("path"))

    _lists(admin_user, district, communities, rng)
    _spaces(admin_user, streets, communities, rng)
    _developments(streets, communities, today)
    _workers(communities, streets, rng, today)
    _party(communities, rng, today)
    _stars(communities, rng, today)


def _lists(user, district, communities, rng):
    for kind, entries in (("work", WORK_ITEMS), ("certificate", CERTIFICATES), ("assessment", ASSESSMENTS)):
        for name, basis in entries:
            lists.item_add(user=user, unit=district, kind=kind, name=name, basis=basis)
    for community in communities[:4]:
        leader = _leader(community)
        if leader is None:
            continue
        lead_user = _user_for(leader)
        for _ in range(6):
            name = rng.choice([c[0] for c in CERTIFICATES] + REFUSED)
            applicant = Person.objects.filter(unit__parent=community).order_by("?").first()
            lists.certificate_request(
                user=lead_user, community=community, name=name, applicant=applicant.name if applicant else "居民"
            )


def _spaces(user, streets, communities, rng):
    for street in streets:
        buildings.space_set(
            user=user, unit=street, centre_area=rng.choice(["1200", "1050", "860"]), households=0, newly_built=False
        )
    for i, community in enumerate(communities):
        # The demo keeps only a sample of each community's households; a real one serves thousands.
        households = rng.randint(900, 2600)
        area = Decimal(rng.choice([280, 320, 360, 420, 520, 650]))
        buildings.space_set(
            user=user,
            unit=community,
            centre_area=area,
            households=households,
            newly_built=i % 5 == 4,
            regional_area=Decimal(rng.choice([480, 560])) if i % 4 == 0 else None,
        )


def _developments(streets, communities, today):
    from .models import STAGE_ORDER, SafetyCheck

    for n, (name, developer, households, area, stage, signed) in enumerate(DEVELOPMENTS):
        street = streets[n % len(streets)]
        officer = Role.objects.filter(unit=street, kind=RoleKind.STAFF).select_related("person").first().person
        user = _user_for(officer)
        community = next((c for c in communities if c.parent_id == street.pk), None)
        dev = buildings.development_create(
            user=user,
            street=street,
            community=community,
            name=name,
            developer=developer,
            households=households,
            planned_area=area,
        )
        if signed:
            buildings.agreement_sign(
                user=user,
                development_id=dev.pk,
                number=f"BCYF-{today.year - 1}-{n + 1:03d}",
                signed_on=today - timedelta(400),
            )
        for current in STAGE_ORDER[: STAGE_ORDER.index(stage)]:
            buildings.development_advance(user=user, development_id=dev.pk, expected=current, note="")
        if stage == "supervision":
            # Supervised for a while: one check done, the next one overdue.
            first = SafetyCheck.objects.get(development=dev, done_on__isnull=True)
            first.due_on = today - timedelta(100)
            first.save(update_fields=["due_on"])
            buildings.safety_check_record(
                user=user,
                development_id=dev.pk,
                done_on=today - timedelta(95),
                hazard=True,
                note="消防通道被杂物占用，已整改",
            )


def _workers(communities, streets, rng, today):
    posts = {
        RoleKind.LEADER: "党组织书记、居委会主任",
        RoleKind.STAFF: "社区专职工作者",
        RoleKind.GRID_WORKER: "专职网格员",
    }
    rows = []
    for unit in communities + streets:
        for role in Role.objects.filter(unit=unit, kind__in=list(posts)).select_related("person"):
            joined = date(rng.randint(2012, 2023), rng.randint(1, 12), 1)
            rows.append(
                CommunityWorker(
                    person=role.person,
                    unit=unit,
                    post=posts[role.kind],
                    route="election" if role.kind == RoleKind.LEADER else "recruitment",
                    pay_grade=rng.randint(8, 16) if role.kind == RoleKind.LEADER else rng.randint(1, 10),
                    joined_on=joined,
                )
            )
    CommunityWorker.objects.bulk_create(rows)
    grades = [Grade.EXCELLENT, Grade.COMPETENT, Grade.COMPETENT, Grade.COMPETENT, Grade.BASIC]
    assessments, commendations = [], []
    for worker in CommunityWorker.objects.all():
        for year in (today.year - 2, today.year - 1):
            if year >= worker.joined_on.year:
                assessments.append(Assessment(worker=worker, year=year, grade=rng.choice(grades)))
        if rng.random() < 0.2:
            commendations.append(
                Commendation(
                    worker=worker,
                    awarded_on=date(today.year - 1, 12, 20),
                    title=rng.choice(["优秀社区工作者", "优秀网格员", "优秀共产党员"]),
                    awarded_by=rng.choice(["滨城区民政局", "滨城区委组织部", "街道党工委"]),
                )
            )
    Assessment.objects.bulk_create(assessments)
    Commendation.objects.bulk_create(commendations)
    # One assessed as incompetent last year (exit due), one who has left.
    ws = list(CommunityWorker.objects.filter(route="recruitment").order_by("pk")[:2])
    if len(ws) == 2:
        Assessment.objects.filter(worker=ws[0], year=today.year - 1).update(grade=Grade.INCOMPETENT)
        ws[1].exited_on, ws[1].exit_reason, ws[1].exit_note = today - timedelta(60), "resignation", "考取公务员"
        ws[1].save(update_fields=["exited_on", "exit_reason", "exit_note"])


def _party(communities, rng, today):
    members = list(
        Person.objects.filter(roles__kind=RoleKind.PARTY_MEMBER, household__isnull=False).distinct().order_by("pk")
    )
    leaders = {c.pk: _leader(c) for c in communities}
    badges, records, seen = [], [], set()
    for m in members:
        if m.household_id not in seen:
            seen.add(m.household_id)
            badges.append(
                PartyBadge(household_id=m.household_id, member=m, number=f"DY{m.pk:06d}", issued_on=date(2024, 7, 1))
            )
        recorder = leaders.get(m.unit.parent_id) or m
        for year in (today.year - 1, today.year):
            for area in rng.sample(PartyArea.values, k=rng.randint(2, 5)):
                records.append(
                    PartyRecord(
                        member=m,
                        area=area,
                        happened_on=date(
                            year, rng.randint(1, today.month if year == today.year else 12), rng.randint(1, 28)
                        ),
                        note=rng.choice(PARTY_NOTES[area]),
                        negative=rng.random() < 0.05,
                        recorded_by=recorder,
                    )
                )
    PartyBadge.objects.bulk_create(badges)
    PartyRecord.objects.bulk_create(records)
    by_member: dict[int, list] = {}
    for r in PartyRecord.objects.filter(happened_on__year=today.year - 1).only("pk", "member_id", "area", "negative"):
        by_member.setdefault(r.member_id, []).append(r)
    ratings = []
    for m in members:
        earned, ids = party.stars_earned(by_member.get(m.pk, []))
        ratings.append(
            PartyRating(
                member=m,
                year=today.year - 1,
                stars=earned,
                evidence="年度党员星级评定，依据五个方面纪实记录",
                record_ids=ids,
                rated_by=leaders.get(m.unit.parent_id) or m,
            )
        )
    PartyRating.objects.bulk_create(ratings)


def _stars(communities, rng, today):
    year, quarter = stars.quarter_of(today)
    past = [(year, quarter - 1) if quarter > 1 else (year - 1, 4)]
    past.insert(0, (past[0][0], past[0][1] - 1) if past[0][1] > 1 else (past[0][0] - 1, 4))
    conduct = []
    for community in communities:
        leader = _leader(community)
        residents = list(
            Person.objects.filter(unit__parent=community, household__isnull=False, user__isnull=True)[:400]
        )
        if leader is None or len(residents) < 10:
            continue
        for _ in range(14):
            category = rng.choice(StarCategory.values)
            conduct.append(
                ConductRecord(
                    person=rng.choice(residents),
                    community=community,
                    category=category,
                    happened_on=today - timedelta(rng.randint(1, 200)),
                    note=rng.choice(CONDUCT[category]),
                    recorded_by=leader,
                )
            )
    ConductRecord.objects.bulk_create(conduct)
    for i, community in enumerate(communities):
        leader = _leader(community)
        reps = list(stars.representatives(community))
        residents = list(
            Person.objects.filter(unit__parent=community, household__isnull=False, user__isnull=True)[:400]
        )
        # Votes go through the meetings app ballot by ballot: a few communities keep the demo fast.
        if i >= 3 or leader is None or len(reps) < 3 or len(residents) < 10:
            continue
        user = _user_for(leader)
        rounds = past if i == 0 else past[1:]
        for y, q in rounds:
            _voted_round(user, community, y, q, reps, rng.sample(residents, 5), rng)
        if i == 0:
            current = stars.round_open(user=user, community_id=community.pk, year=year, quarter=quarter)
            for person in rng.sample(residents, 4):
                category = rng.choice(StarCategory.values)
                stars.nomination_add(
                    user=user, round_id=current.pk, person_id=person.pk, kind="single", category=category,
                    evidence=rng.choice(CONDUCT[category]),
                )  # fmt: skip


def _voted_round(user, community, year, quarter, reps, nominees, rng):
    star_round = stars.round_open(user=user, community_id=community.pk, year=year, quarter=quarter)
    for n, person in enumerate(nominees):
        if n < 2:
            stars.nomination_add(
                user=user, round_id=star_round.pk, person_id=person.pk, kind="comprehensive",
                evidence="热心社区公益，多次参与志愿服务和邻里互助",
            )  # fmt: skip
        else:
            category = rng.choice(StarCategory.values)
            stars.nomination_add(
                user=user, round_id=star_round.pk, person_id=person.pk, kind="single", category=category,
                evidence=rng.choice(CONDUCT[category]),
            )  # fmt: skip
    _first, last = stars.quarter_bounds(year, quarter)
    present = [r.pk for r in reps[: max(2, len(reps) * 2 // 3)]]  # a quorum, not everyone
    stars.round_start_vote(
        user=user,
        round_id=star_round.pk,
        present_ids=present,
        starts_at=stars.as_datetime(last - timedelta(days=5)),
        place="社区党群服务中心议事厅",
    )
    for rep in reps:
        if rep.pk not in present:
            continue
        rep_user = _user_for(rep)
        for nomination in star_round.nominations.all():
            choice = "for" if rng.random() < 0.75 else rng.choice(["against", "abstain"])
            stars.ballot_cast(user=rep_user, nomination_id=nomination.pk, choice=choice)
    stars.round_publish(user=user, round_id=star_round.pk)
    published = timezone.make_aware(timezone.datetime.combine(last - timedelta(days=3), timezone.datetime.min.time()))
    type(star_round).objects.filter(pk=star_round.pk).update(published_at=published)
