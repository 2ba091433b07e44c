"""Demo data for the forward chain: a key project cascaded through the demo district (some
parts checked, some sent back, some overdue), a street's own plan, policy notices with reads,
visits to households and mutual-aid groups with their activities."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from twoway.org.models import Household, OrgUnit, Person, Role, UnitKind

from . import aid, charters, cobuild, plans, publicity, tasks
from .models import NoticeRead, Task, TaskStatus, Visit, VisitKind
from .rollup import rollup_add

NOTICES = [
    (
        "城乡居民医保缴费提醒",
        "2027年度城乡居民基本医疗保险开始缴费啦！\n缴费时间：即日起至12月31日。\n"
        "缴费方式：“爱山东”App、微信“滨州医保”公众号，或到社区党群服务中心找工作人员代缴。\n"
        "家里有老人不会操作的，请联系居民小组长上门帮忙。",
    ),
    (
        "冬季供暖安全用电用气须知",
        "天气转冷，请大家注意：\n1. 不私拉乱接电线，不在楼道给电动车充电；\n2. 用燃气后关好阀门，保持通风；\n"
        "3. 发现燃气泄漏，不开关电器，立即到室外拨打抢修电话。",
    ),
    (
        "老旧小区改造意见征集",
        "我区老旧小区改造提升工程已启动，涉及楼道粉刷、管网更新、加装照明等。\n"
        "请各位居民通过居民小组长或社区议事会提出意见建议。",
    ),
]

# Heads of the first departments, who sit on the demo community's co-building group.
HEADS = [
    ("王建国", "局长", "委员，牵头老旧小区改造"),
    ("李红梅", "局长", "委员，负责环境卫生和停车管理"),
    ("张志强", "局长", "委员，负责养老服务和困难群众救助"),
]
CHARTER = (
    "第一条 为保障居民依法自我管理、自我教育、自我服务、自我监督，制定本章程。\n"
    "第二条 居民会议是社区居民自治的最高决策机构，每年至少召开一次。\n"
    "第三条 涉及全体居民利益的重要事项，由社区议事协商会议按“六步议事法”协商，结果在社区公示栏和本平台公示。\n"
    "第四条 居民小组召开居民议事会，先行协调本小组居民的诉求；协调不成的，提交社区。\n"
    "第五条 本章程经居民会议讨论通过后施行。"
)
CONVENTION = (
    "一、爱党爱国，遵纪守法，不信谣不传谣。\n"
    "二、邻里和睦，互帮互助，关心孤寡老人和困难家庭。\n"
    "三、垃圾分类投放，不在楼道堆放杂物，不在楼道给电动车充电。\n"
    "四、文明养犬，出门拴绳，及时清理犬只粪便。\n"
    "五、有事好商量，邻里纠纷先找居民小组长和调解员。\n"
    "六、积极参加志愿服务和社区议事，争当“社区新星”。"
)

ACTIVITIES = [
    ("楼道卫生集中清扫", ["volunteer", "civility"]),
    ("帮助独居老人代买年货", ["neighbours", "implement"]),
    ("宣传医保缴费政策", ["publicity"]),
    ("劝导楼道停放电动车", ["rules", "oversight"]),
    ("邻里议事：公共区域堆物清理", ["interest", "rules"]),
]


def _user(person: Person):
    """A login for a demo person who acts in the demo history (no password: cannot log in)."""
    if person.user_id is None:
        person.user = get_user_model().objects.create_user(username=f"fwd{person.pk}", password=None)
        person.save(update_fields=["user"])
    return person.user


def _staff_user(unit: OrgUnit, kinds=("leader", "staff", "group_leader")):
    role = Role.objects.filter(unit=unit, kind__in=kinds).select_related("person").order_by("id").first()
    return _user(role.person) if role else None


@transaction.atomic
def demo_seed(*, seed: int) -> None:
    district = OrgUnit.objects.filter(kind=UnitKind.DISTRICT).order_by("id").first()
    admin = get_user_model().objects.filter(username="district_admin").first()
    if district is None or admin is None:
        return
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    streets = list(district.children.filter(kind=UnitKind.STREET).order_by("sort", "path"))

    # The key project, with its six ones, cascaded down to every resident group.
    plan = plans.plan_create(
        user=admin,
        unit_id=district.pk,
        kind="key_project",
        title="老旧小区改造提升工程",
        year=today.year,
        document="一、目标：完成辖区老旧小区楼道粉刷、管网更新、照明加装。\n二、步骤：摸底调查、方案公示、"
        "组织施工、竣工验收。\n三、保障：区住建局牵头，各街道、社区具体落实，居民小组入户动员。",
    )
    leader = Role.objects.filter(unit=district, kind="leader").select_related("person").first()
    members = [r.person_id for r in Role.objects.filter(unit__in=[district, *streets], kind__in=["leader", "staff"])]
    plans.plan_set_team(
        user=admin,
        plan_id=plan.pk,
        document=plan.document,
        leader_id=leader.person_id if leader else None,
        member_ids=members[:8],
        command_post_id=streets[0].pk if streets else None,
    )
    for i, title in enumerate(["完成摸底调查", "改造方案公示", "完成施工", "竣工验收"]):
        plans.milestone_add(user=admin, plan_id=plan.pk, title=title, due_on=today + timedelta(days=10 + 25 * i))
    plans.plan_start(user=admin, plan_id=plan.pk)
    first = plan.milestones.order_by("due_on").first()
    plans.milestone_verify(user=admin, milestone_id=first.pk)

    due = today + timedelta(days=60)
    top = tasks.task_assign(
        user=admin,
        plan_id=plan.pk,
        unit_ids=[s.pk for s in streets],
        title="街道老旧小区改造",
        detail="按区工作方案组织实施，每月报送进度。",
        due_on=due,
    )
    group_tasks = []
    for st in top:
        su = _staff_user(st.unit) or admin
        communities = list(st.unit.children.filter(kind=UnitKind.COMMUNITY).order_by("sort", "path"))
        for ct in tasks.task_break_down(
            user=su, task_id=st.pk, unit_ids=[c.pk for c in communities], title="社区改造入户动员", due_on=due
        ):
            cu = _staff_user(ct.unit) or admin
            groups = list(ct.unit.children.filter(kind=UnitKind.GROUP).order_by("sort", "path"))
            group_tasks += tasks.task_break_down(
                user=cu,
                task_id=ct.pk,
                unit_ids=[g.pk for g in groups],
                title="入户宣传改造方案，每户宣传到位",
                due_on=due - timedelta(days=20),
            )
    # Groups at different stages: checked, sent back and reported again, waiting, overdue.
    overdue_ids = []
    for n, gt in enumerate(group_tasks):
        gu = _staff_user(gt.unit, ("group_leader",))
        cu = _staff_user(gt.assigned_by) or admin
        roll = rng.random()
        if gu is None or gu.username == "group_leader":
            continue  # the demo group leader's part is left to do, broken down by household below
        if roll < 0.45:
            tasks.task_report(
                user=gu, task_id=gt.pk, text=f"{gt.unit.name}已入户宣传，发放明白纸{rng.randint(20, 60)}份。"
            )
            tasks.task_check(user=cu, task_id=gt.pk)
        elif roll < 0.55:
            tasks.task_report(user=gu, task_id=gt.pk, text="已宣传大部分住户。")
            tasks.task_return(user=cu, task_id=gt.pk, reason="还有出租户未覆盖，请补充入户记录。")
        elif roll < 0.75:
            tasks.task_report(user=gu, task_id=gt.pk, text=f"{gt.unit.name}已全部入户，附签字名单。")
        elif n % 2 == 0:
            overdue_ids.append(gt.pk)
    # Some groups are late: their parts were due a few days ago (red card), one with a 督办.
    past = now - timedelta(days=3)
    with transaction.atomic():
        late = Task.objects.filter(pk__in=overdue_ids)
        rollup_add(late, sign=-1)
        late.update(due_at=past, yellow_at=past - timedelta(days=2), created_at=now - timedelta(days=20))
        rollup_add(late.all())
    if overdue_ids:
        tasks.task_supervise(user=admin, task_id=overdue_ids[0], note="请于本周五前完成入户宣传并报送。")

    # Household parts for the demo group leader's group (每户宣传到位).
    demo_leader = get_user_model().objects.filter(username="group_leader").first()
    if demo_leader is not None:
        own = next((t for t in group_tasks if t.unit.roles.filter(person__user=demo_leader).exists()), None)
        if own is not None and own.status in (TaskStatus.ASSIGNED, TaskStatus.RETURNED):
            parts = tasks.task_break_down(user=demo_leader, task_id=own.pk, households=True, title="每户宣传到位")
            for part in parts[: len(parts) // 2]:
                tasks.task_report(user=demo_leader, task_id=part.pk, text="已上门宣传")
                tasks.task_check(user=demo_leader, task_id=part.pk)

    # A street's own plan and a community's yearly work plan.
    if streets:
        su = _staff_user(streets[0]) or admin
        winter = plans.plan_create(user=su, unit_id=streets[0].pk, kind="plan", title="冬季供暖保障专项行动")
        communities = list(streets[0].children.order_by("sort", "path"))
        tasks.task_assign(
            user=su,
            plan_id=winter.pk,
            unit_ids=[c.pk for c in communities],
            title="排查供暖不热住户",
            due_on=today + timedelta(days=14),
        )
        if communities:
            cu = _staff_user(communities[0]) or admin
            plans.plan_create(
                user=cu,
                unit_id=communities[0].pk,
                kind="work_plan",
                title=f"{today.year}年度社区工作方案",
                document="围绕党建引领、居民自治、为民服务三项重点，制定全年任务清单。",
            )

    # Policy notices pushed down, with reads by part of the residents.
    residents = list(
        Person.objects.filter(household__isnull=False, retired_at__isnull=True)
        .select_related("unit")
        .order_by("id")
        .values_list("id", "unit__path")
    )
    for i, (title, body) in enumerate(NOTICES):
        targets = [streets[i % len(streets)]] if i < 2 and streets else streets
        notice = publicity.notice_publish(
            user=admin, unit_id=district.pk, title=title, body=body, target_ids=[t.pk for t in targets]
        )
        notice.published_at = now - timedelta(days=2 + 5 * i)
        notice.save(update_fields=["published_at"])
        paths = [t.path for t in targets]
        share = rng.uniform(0.25, 0.7)
        reads = [
            NoticeRead(notice=notice, person_id=pk, at=now - timedelta(hours=rng.randint(1, 48)))
            for pk, path in residents
            if any(path.startswith(p) for p in paths) and rng.random() < share
        ]
        NoticeRead.objects.bulk_create(reads, ignore_conflicts=True)

    # Visits: a few hundred over the year, by community staff.
    staff_by_community = {
        r.unit_id: r.person_id for r in Role.objects.filter(unit__kind=UnitKind.COMMUNITY, kind__in=["leader", "staff"])
    }
    households = list(Household.objects.select_related("group").order_by("id"))
    kinds = list(VisitKind.values)
    visits = []
    for h in rng.sample(households, k=min(300, len(households))):
        by = staff_by_community.get(h.group.parent_id)
        if by is None:
            continue
        visits.append(
            Visit(
                household=h,
                unit=h.group,
                visited_by_id=by,
                at=now - timedelta(days=rng.randint(0, 300), hours=rng.randint(0, 8)),
                kind=rng.choice(kinds),
                note=rng.choice(["了解生活情况", "送去米面油", "测量血压，叮嘱按时服药", "宣传防诈骗知识", ""]),
            )
        )
    Visit.objects.bulk_create(visits)

    # Mutual-aid groups in the demo community's groups, one per building, with activities.
    if streets:
        community = streets[0].children.order_by("sort", "path").first()
        cu = _staff_user(community) or admin
        for group in community.children.order_by("sort", "path")[:4]:
            for building in sorted(set(Household.objects.filter(group=group).values_list("building", flat=True)))[:2]:
                g = aid.aid_group_create(user=cu, unit_id=group.pk, name=f"{building}号楼联动互助组", building=building)
                member = g.members.order_by("id").first()
                if member is not None:
                    g.leader = member
                    g.save(update_fields=["leader"])
                for title, tags in rng.sample(ACTIVITIES, k=3):
                    aid.aid_activity_record(
                        user=cu, group_id=g.pk, title=title, at=today - timedelta(days=rng.randint(1, 90)), tags=tags
                    )

    # Co-building (双联共建) in the demo community: three department heads on its group and a
    # plan declared to the first department. Every community's charter and convention.
    if streets:
        community = streets[0].children.order_by("sort", "path").first()
        cu = _staff_user(community) or admin
        departments = list(district.children.filter(kind=UnitKind.DEPARTMENT).order_by("sort", "path")[:3])
        for dept, (name, title, duty) in zip(departments, HEADS, strict=False):
            role = Role.objects.filter(unit=dept, kind="leader").first()
            if role is None:
                head = Person.objects.create(unit=dept, name=name)
                role = Role.objects.create(person=head, unit=dept, kind="leader", title=title)
            cobuild.member_add(user=cu, community_id=community.pk, person_id=role.person_id, duty=duty)
        if departments:
            cobuild.plan_declare(
                user=cu,
                community_id=community.pk,
                department_id=departments[0].pk,
                title=f"{community.name}老旧小区管网更新实施方案",
                document="一、范围：1号楼至6号楼供水、排水管网。\n二、分工：区住建局组织设计和施工，社区负责入户"
                "告知和协调，居民小组长组织居民议事会征求意见。\n三、时间：一个月内完成施工。",
                due_on=today + timedelta(days=30),
            )
    for community in OrgUnit.objects.filter(kind=UnitKind.COMMUNITY, retired_at__isnull=True).order_by("path"):
        cu = _staff_user(community) or admin
        charters.document_publish(
            user=cu, community_id=community.pk, kind="charter", title=f"{community.name}居民自治章程", text=CHARTER
        )
        charters.document_publish(
            user=cu, community_id=community.pk, kind="convention", title=f"{community.name}居民公约", text=CONVENTION
        )
