"""Scope cases for the forward chain: plans, tasks, report photos and files, policy notices,
visits, mutual-aid groups, co-building and the communities' charters, with records seeded in
both streets."""

from tests.scope_registry import ById, Listing


def _seed_forward(tree):
    import io
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from PIL import Image

    from twoway.forward import aid, charters, cobuild, plans, publicity, tasks, visits
    from twoway.org.models import Household, Person, Role

    d = tree["district_staff"].user
    soon = timezone.localdate() + timedelta(days=30)
    plan = plans.plan_create(user=d, unit_id=tree["district"].pk, kind="project", title="区级道路整治项目")
    plans.plan_set_team(
        user=d,
        plan_id=plan.pk,
        document="方案",
        leader_id=tree["district_staff"].pk,
        member_ids=[tree["district_staff"].pk],
        command_post_id=tree["street_B"].pk,
    )
    top = tasks.task_assign(
        user=d, plan_id=plan.pk, unit_ids=[tree["street_A"].pk, tree["street_B"].pk], title="街道道路整治", due_on=soon
    )
    for t in top:
        s = t.unit.code[-1]
        parts = tasks.task_break_down(
            user=d,
            task_id=t.pk,
            unit_ids=[tree[f"community_{s}1"].pk, tree[f"community_{s}2"].pk],
            title=f"{s}社区段整治",
        )
        for part in parts:
            groups = list(part.unit.children.order_by("code"))
            g = tasks.task_break_down(
                user=d, task_id=part.pk, unit_ids=[groups[0].pk], title=f"{part.unit.name}小组段"
            )[0]
            buf = io.BytesIO()
            Image.new("RGB", (16, 16), "green").save(buf, "PNG")
            tasks.task_report(
                user=d,
                task_id=g.pk,
                text=f"{g.unit.name}已完成",
                photos=[SimpleUploadedFile("p.png", buf.getvalue())],
                files=[SimpleUploadedFile("r.pdf", b"%PDF-1.4 report")],
            )
    # A street's own plan, and a community's.
    plans.plan_create(
        user=tree["other_street_officer"].user, unit_id=tree["street_B"].pk, kind="plan", title="B街道冬季供暖计划"
    )
    plans.plan_create(
        user=tree["community_secretary"].user,
        unit_id=tree["community_A1"].pk,
        kind="work_plan",
        title="A1社区年度工作方案",
    )
    publicity.notice_publish(
        user=tree["other_street_officer"].user,
        unit_id=tree["street_B"].pk,
        title="B街道医保缴费提醒",
        body="请于月底前缴费",
        target_ids=[tree["community_B2"].pk],
    )
    publicity.notice_publish(
        user=tree["community_secretary"].user,
        unit_id=tree["community_A1"].pk,
        title="A1社区垃圾分类宣传",
        body="分类投放",
        target_ids=[tree["group_A1a"].pk],
    )
    for who, group in (("group_leader", "group_A1a"), ("other_street_officer", "group_B2b")):
        hh = Household.objects.filter(group=tree[group]).first()
        visits.visit_record(user=tree[who].user, household_id=hh.pk, kind="holiday", note=f"{tree[group].name}节日慰问")
        g = aid.aid_group_create(
            user=tree[who].user, unit_id=tree[group].pk, name=f"{tree[group].name}互助组", building=hh.building
        )
        aid.aid_activity_record(user=tree[who].user, group_id=g.pk, title="楼道清扫", at=None, tags=["volunteer"])
    # Co-building in A1 (a department head on its group, a plan declared to the department) and
    # each street's first community's convention.
    head = Person.objects.create(unit=tree["department"], name="共建局长")
    Role.objects.create(person=head, unit=tree["department"], kind="leader")
    secretary = tree["community_secretary"].user
    cobuild.member_add(user=secretary, community_id=tree["community_A1"].pk, person_id=head.pk)
    cobuild.plan_declare(
        user=secretary,
        community_id=tree["community_A1"].pk,
        department_id=tree["department"].pk,
        title="双联共建管网更新实施方案",
        document="管网更新",
    )
    for who, community in (("community_secretary", "community_A1"), ("other_street_officer", "community_B1")):
        charters.document_publish(
            user=tree[who].user,
            community_id=tree[community].pk,
            kind="convention",
            title=f"{tree[community].name}居民公约",
            text="邻里和睦",
        )


def _task_paths(t):
    return (t.unit.path,)


def _plan_paths(p):
    return (p.unit.path, *p.tasks.values_list("unit__path", flat=True))


def _notice_paths(n):
    return (n.unit.path, *n.targets.values_list("path", flat=True))


def _notice_concerns(n, person):
    if person.household_id is None or person.roles.exclude(kind="resident").exists():
        return False
    return any(t in person.unit.ancestor_paths for t in n.targets.values_list("path", flat=True))


def _models():
    from twoway.forward.models import AidGroup, Plan, PolicyNotice, ReportFile, ReportPhoto, Task

    return AidGroup, Plan, PolicyNotice, ReportFile, ReportPhoto, Task


AidGroup, Plan, PolicyNotice, ReportFile, ReportPhoto, Task = _models()

SEEDS = [_seed_forward]

CASES = {
    "forward:plans": Listing(),
    "forward:plan_new": Listing(),
    "forward:plan": ById(Plan, _plan_paths, lambda p: p.title),
    "forward:post": ById(Plan, _plan_paths, lambda p: p.title),
    "forward:plan_act": ById(
        Plan, _plan_paths, lambda p: p.title, more_kwargs=lambda p: {"action": "start"}, methods=("POST",)
    ),
    "forward:tasks": Listing(),
    "forward:task": ById(Task, _task_paths, lambda t: t.title),
    "forward:task_act": ById(
        Task, _task_paths, lambda t: t.title, more_kwargs=lambda t: {"action": "check"}, methods=("POST",)
    ),
    "forward:photo": ById(ReportPhoto, lambda p: _task_paths(p.report.task)),
    "forward:file": ById(ReportFile, lambda f: _task_paths(f.report.task)),
    "forward:tree": Listing(),
    "forward:overdue": Listing(),
    "forward:notices": Listing(),
    "forward:notice_new": Listing(),
    "forward:notice": ById(PolicyNotice, _notice_paths, lambda n: n.title, concerns=_notice_concerns),
    "forward:visits": Listing(),
    "forward:visit_new": Listing(),
    "forward:aid": Listing(),
    "forward:aid_new": Listing(),
    "forward:aid_group": ById(AidGroup, lambda g: g.unit.path, lambda g: g.name),
    "forward:cobuild": Listing(),
    "forward:charter": Listing(),
}
