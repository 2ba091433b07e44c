"""Pages of the forward chain. Thin: parse the request, call the domain modules, render."""

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from twoway.core.errors import DomainError
from twoway.core.pages import paginate
from twoway.core.parse import as_int
from twoway.deadlines import engine
from twoway.org.models import Household, OrgUnit, Person, UnitKind
from twoway.org.scope import home_units, require_staff, scope_for, unit_get

from . import aid, charters, cobuild, plans, publicity, tasks, visits
from .access import can_check, can_report, can_run_plan, plan_get, task_get, visible_plans, visible_tasks
from .models import (
    FOUR_LINKED,
    FOUR_MUTUAL,
    AidTag,
    CoBuildMember,
    CommunityDocument,
    DocumentKind,
    PlanKind,
    PlanStatus,
    ReportFile,
    ReportPhoto,
    TaskStatus,
    VisitKind,
)
from .progress import flatten, progress_tree


def _date(value: str, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError("bad_date", _("Date: enter a date like 2026-12-31."), field) from None


def _root(request, scope):
    """The unit a page is about: ?unit= (404 outside the viewer's area), else the viewer's own."""
    if request.GET.get("unit"):
        return unit_get(request.user, request.GET["unit"])
    units = home_units(request.user)
    if units:
        return units[0]
    first = OrgUnit.objects.filter(scope.q("path")).order_by("depth", "path").first()
    if first is None:
        raise Http404
    return first


def with_cards(items, now=None):
    now = now or timezone.now()
    for t in items:
        t.card = str(engine.card(now, t.due_at, t.yellow_at)) if t.status != TaskStatus.CHECKED else "none"
    return items


# ---- plans ---------------------------------------------------------------------------------


@login_required
def plan_list(request):
    scope = require_staff(request.user)
    qs = visible_plans(request.user).select_related("unit")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(title__icontains=q)
    kind = request.GET.get("kind", "")
    if kind in PlanKind.values:
        qs = qs.filter(kind=kind)
    status = request.GET.get("status", "")
    if status in PlanStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "forward/plans.html",
        {
            "page": paginate(request, qs.order_by("-created_at", "-id")),
            "q": q,
            "kind": kind,
            "status": status,
            "kinds": PlanKind.choices,
            "statuses": PlanStatus.choices,
            "can_create": bool(scope.write_paths),
        },
    )


def _writable_units(scope, kinds):
    return OrgUnit.objects.filter(scope.q("path", write=True), kind__in=kinds).active().order_by("path")


@login_required
def plan_new(request):
    scope = require_staff(request.user)
    units = _writable_units(scope, [UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.DEPARTMENT])
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            plan = plans.plan_create(
                user=request.user,
                unit_id=data.get("unit"),
                kind=data.get("kind", ""),
                title=data.get("title", ""),
                document=data.get("document", ""),
                year=data.get("year", "").strip(),
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            messages.success(request, _("The plan was created."))
            return redirect("forward:plan", pk=plan.pk)
    return render(
        request,
        "forward/plan_new.html",
        {"units": units, "kinds": PlanKind.choices, "errors": errors, "data": data},
    )


@login_required
def plan_detail(request, pk):
    plan = plan_get(request.user, pk)
    scope = scope_for(request.user)
    running = can_run_plan(scope, plan)
    mine = visible_tasks(request.user).filter(plan=plan)
    # The top of what this viewer sees: the plan's own tasks for its runners, else the
    # highest tasks within the viewer's area.
    top = mine.filter(parent__isnull=True) if running else mine.exclude(parent__in=mine)
    top = with_cards(list(top.select_related("unit", "household").order_by("unit__path", "id")[:200]))
    context = {
        "plan": plan,
        "running": running,
        "tasks": top,
        "milestones": list(plan.milestones.all()),
        "members": list(plan.members.select_related("unit").order_by("name")),
        "show_team": scope.covers(plan.unit.path),
        "missing": plans.six_ones_missing(plan) if plan.is_key and plan.status == PlanStatus.DRAFT else [],
    }
    if running and plan.status != PlanStatus.CLOSED:
        context["child_units"] = list(plan.unit.children.filter(retired_at__isnull=True).order_by("sort", "path"))
        context["people"] = list(
            Person.objects.filter(scope.unit_q("unit"), roles__isnull=False, retired_at__isnull=True)
            .exclude(roles__kind="resident")
            .select_related("unit")
            .distinct()
            .order_by("unit__path", "name")[:300]
        )
        context["member_ids"] = {m.pk for m in context["members"]}
        context["streets"] = list(
            OrgUnit.objects.filter(path__startswith=plan.unit.path, kind=UnitKind.STREET).active().order_by("path")
        )
    return render(request, "forward/plan_detail.html", context)


@login_required
@require_POST
def plan_act(request, pk, action):
    plan = plan_get(request.user, pk, write=True)
    p, user = request.POST, request.user
    try:
        if action == "team":
            plans.plan_set_team(
                user=user,
                plan_id=plan.pk,
                document=p.get("document", ""),
                leader_id=p.get("leader") or None,
                member_ids=p.getlist("members"),
                command_post_id=p.get("command_post") or None,
            )
            messages.success(request, _("Saved."))
        elif action == "milestone":
            plans.milestone_add(
                user=user, plan_id=plan.pk, title=p.get("title", ""), due_on=_date(p.get("due_on", ""), "due_on")
            )
        elif action == "verify":
            milestone = as_int(p.get("milestone"))
            if milestone is None or not plan.milestones.filter(pk=milestone).exists():
                raise Http404
            plans.milestone_verify(user=user, milestone_id=milestone)
        elif action == "start":
            plans.plan_start(user=user, plan_id=plan.pk)
            messages.success(request, _("The project is under way."))
        elif action == "close":
            plans.plan_close(user=user, plan_id=plan.pk)
            messages.success(request, _("The plan is closed."))
        elif action == "assign":
            made = tasks.task_assign(
                user=user,
                plan_id=plan.pk,
                unit_ids=p.getlist("units"),
                title=p.get("title", ""),
                detail=p.get("detail", ""),
                due_on=_date(p.get("due_on", ""), "due_on"),
            )
            messages.success(request, _("%(n)s tasks assigned.") % {"n": len(made)})
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("forward:plan", pk=plan.pk)


# ---- tasks ---------------------------------------------------------------------------------


@login_required
def task_list(request):
    """My work: tasks my units must do, and reports waiting for my check."""
    scope = require_staff(request.user)
    base = visible_tasks(request.user).select_related("unit", "plan", "household")
    view = request.GET.get("view", "todo")
    if view == "check":
        units = OrgUnit.objects.filter(scope.q("path", write=True)).values("pk")
        qs = base.filter(status=TaskStatus.REPORTED, assigned_by__in=units)
    elif view == "all":
        qs = base
    else:
        view = "todo"
        own = [r.unit_id for r in scope.roles if r.kind != "auditor"]
        qs = base.filter(unit_id__in=own, status__in=[TaskStatus.ASSIGNED, TaskStatus.RETURNED])
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(plan__title__icontains=q))
    page = paginate(request, qs.order_by("due_at", "id"))
    with_cards(page.object_list)
    return render(request, "forward/tasks.html", {"page": page, "view": view, "q": q})


@login_required
def task_detail(request, pk):
    task = task_get(request.user, pk)
    scope = scope_for(request.user)
    reports = list(task.reports.select_related("by").prefetch_related("photos", "files"))
    subtasks = with_cards(
        list(task.subtasks.select_related("unit", "household").order_by("unit__path", "household_id"))
    )
    with_cards([task])
    reporter, checker = can_report(scope, task), can_check(scope, task)
    context = {
        "task": task,
        "reports": reports,
        "subtasks": subtasks,
        "events": task.events.select_related("actor", "unit"),
        "can_report": reporter and task.status in (TaskStatus.ASSIGNED, TaskStatus.RETURNED),
        "can_break_down": reporter
        and not task.household_id
        and task.status in (TaskStatus.ASSIGNED, TaskStatus.RETURNED)
        and task.plan.status == PlanStatus.RUNNING,
        "can_check": checker and task.status == TaskStatus.REPORTED,
        "can_supervise": checker and task.status != TaskStatus.CHECKED,
        "child_units": list(task.unit.children.filter(retired_at__isnull=True).order_by("sort", "path")),
        "is_group": task.unit.kind == UnitKind.GROUP,
        "open_parts": sum(1 for s in subtasks if s.status != TaskStatus.CHECKED),
    }
    return render(request, "forward/task_detail.html", context)


@login_required
@require_POST
def task_act(request, pk, action):
    task = task_get(request.user, pk)
    p, user = request.POST, request.user
    try:
        if action == "report":
            tasks.task_report(
                user=user,
                task_id=task.pk,
                text=p.get("text", ""),
                photos=request.FILES.getlist("photos"),
                files=request.FILES.getlist("files"),
            )
            messages.success(request, _("Your report was sent for checking."))
        elif action == "check":
            tasks.task_check(user=user, task_id=task.pk)
            messages.success(request, _("Checked: the task is done."))
        elif action == "return":
            tasks.task_return(user=user, task_id=task.pk, reason=p.get("reason", ""))
            messages.success(request, _("The task was sent back."))
        elif action == "supervise":
            tasks.task_supervise(user=user, task_id=task.pk, note=p.get("note", ""))
            messages.success(request, _("The supervision order was issued."))
        elif action == "break_down":
            made = tasks.task_break_down(
                user=user,
                task_id=task.pk,
                unit_ids=p.getlist("units"),
                households=p.get("households") == "1",
                title=p.get("title", ""),
                detail=p.get("detail", ""),
                due_on=_date(p.get("due_on", ""), "due_on"),
            )
            messages.success(request, _("%(n)s tasks assigned.") % {"n": len(made)})
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("forward:task", pk=task.pk)


@login_required
def report_photo(request, pk):
    item = ReportPhoto.objects.filter(pk=pk).select_related("report").first()
    if item is None:
        raise Http404
    task_get(request.user, item.report.task_id)
    return FileResponse(item.image.open("rb"), content_type="image/jpeg")


@login_required
def report_file(request, pk):
    item = ReportFile.objects.filter(pk=pk).select_related("report").first()
    if item is None:
        raise Http404
    task_get(request.user, item.report.task_id)
    # Always a download, never shown in the browser: the content is not ours to trust.
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.name, content_type="application/octet-stream"
    )


# ---- progress ------------------------------------------------------------------------------


@login_required
def tree(request):
    """Progress rolled up at every unit, two levels at a time; a unit's name opens its own tree."""
    scope = require_staff(request.user)
    root = _root(request, scope)
    plan_id = request.GET.get("plan") or None
    plan = plan_get(request.user, plan_id) if plan_id else None
    node = progress_tree(root, plan_id=plan.pk if plan else None)
    # Departments take part only when something was assigned to them.
    rows = [r for r in flatten(node) if r.total or r.unit.kind != UnitKind.DEPARTMENT]
    return render(
        request,
        "forward/tree.html",
        {
            "root": node,
            "rows": rows[1:],
            "plan": plan,
            # Only what the choice needs: a plan's document can run to 20,000 characters.
            "plans": visible_plans(request.user)
            .filter(status=PlanStatus.RUNNING)
            .order_by("-id")
            .only("pk", "title")[:50],
            "up": root.parent if root.parent_id and scope.covers(root.parent.path) else None,
        },
    )


@login_required
def overdue(request):
    """Each level's overdue list: open tasks past their deadline, oldest first."""
    scope = require_staff(request.user)
    qs = visible_tasks(request.user).filter(due_at__lt=timezone.now()).exclude(status=TaskStatus.CHECKED)
    if request.GET.get("unit"):
        unit = unit_get(request.user, request.GET["unit"])
        qs = qs.filter(unit__path__startswith=unit.path)
    level = request.GET.get("level", "")
    if level in UnitKind.values:
        qs = qs.filter(unit__kind=level)
    page = paginate(request, qs.select_related("unit", "plan", "household", "assigned_by").order_by("due_at", "id"))
    with_cards(page.object_list)
    levels = [(k, v) for k, v in UnitKind.choices if k != UnitKind.DISTRICT]
    return render(request, "forward/overdue.html", {"page": page, "level": level, "levels": levels, "scope": scope})


@login_required
def command_post(request, pk):
    """A special command post's board (专项指挥部): the project's tasks within its street."""
    plan = plan_get(request.user, pk)
    if plan.command_post is None:
        raise Http404
    scope = scope_for(request.user)
    street = plan.command_post
    if not (scope.covers(street.path) or scope.covers(plan.unit.path)):
        raise Http404
    qs = visible_tasks(request.user).filter(plan=plan, unit__path__startswith=street.path)
    items = with_cards(list(qs.select_related("unit", "household").order_by("due_at", "id")[:300]))
    root = street if scope.covers(street.path) else None
    node = progress_tree(root, plan_id=plan.pk, depth=1) if root else None
    columns = [
        (_("To do"), [t for t in items if t.status in (TaskStatus.ASSIGNED, TaskStatus.RETURNED)]),
        (_("Waiting for check"), [t for t in items if t.status == TaskStatus.REPORTED]),
        (_("Done"), [t for t in items if t.status == TaskStatus.CHECKED]),
    ]
    return render(request, "forward/post.html", {"plan": plan, "street": street, "columns": columns, "node": node})


# ---- policy notices ------------------------------------------------------------------------


@login_required
def notice_list(request):
    scope = scope_for(request.user)
    qs = publicity.visible_notices(request.user).select_related("unit")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(title__icontains=q)
    if scope.is_staff and request.GET.get("unit"):
        unit = unit_get(request.user, request.GET["unit"])
        qs = qs.filter(Q(unit=unit) | Q(targets=unit)).distinct()
    read = set()
    if not scope.is_staff and scope.person:
        read = set(publicity.NoticeRead.objects.filter(person=scope.person).values_list("notice_id", flat=True))
    page = paginate(request, qs.order_by("-published_at", "-id"))
    for n in page.object_list:
        n.is_read = n.pk in read
    return render(
        request,
        "forward/notices.html",
        {"page": page, "q": q, "staff": scope.is_staff, "can_publish": bool(scope.write_paths)},
    )


@login_required
def notice_new(request):
    scope = require_staff(request.user)
    units = _writable_units(scope, [UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.DEPARTMENT])
    targets = list(
        OrgUnit.objects.filter(
            scope.q("path", write=True), kind__in=[UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.GROUP]
        )
        .active()
        .order_by("path")[:500]
    )
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            notice = publicity.notice_publish(
                user=request.user,
                unit_id=data.get("unit"),
                title=data.get("title", ""),
                body=data.get("body", ""),
                target_ids=data.getlist("targets"),
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            messages.success(request, _("The notice was published to the residents of the chosen units."))
            return redirect("forward:notice", pk=notice.pk)
    chosen = set(data.getlist("targets")) if data else set()
    return render(
        request,
        "forward/notice_new.html",
        {"units": units, "targets": targets, "errors": errors, "data": data, "chosen": chosen},
    )


@login_required
def notice_detail(request, pk):
    notice = publicity.notice_get(request.user, pk)
    scope = scope_for(request.user)
    context = {"notice": notice, "staff": scope.is_staff}
    if scope.is_staff:
        root = _root(request, scope) if request.GET.get("unit") else None
        if root is None:
            root = notice.unit if scope.covers(notice.unit.path) else _root(request, scope)
        context["root"] = root
        context["reach"] = publicity.notice_reach(notice, root)
        context["targets"] = [t for t in notice.targets.order_by("path") if scope.covers(t.path)]
    else:
        publicity.notice_open(person=scope.person, notice=notice)
    return render(request, "forward/notice_detail.html", context)


# ---- visits --------------------------------------------------------------------------------


@login_required
def visit_list(request):
    scope = require_staff(request.user)
    root = _root(request, scope)
    qs = visits.visible_visits(request.user).filter(unit__path__startswith=root.path)
    kind = request.GET.get("kind", "")
    if kind in VisitKind.values:
        qs = qs.filter(kind=kind)
    page = paginate(
        request, qs.select_related("household", "unit", "unit__parent", "visited_by").order_by("-at", "-id")
    )
    year_start = timezone.localtime().replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return render(
        request,
        "forward/visits.html",
        {
            "page": page,
            "root": root,
            "kind": kind,
            "kinds": VisitKind.choices,
            "counts": [
                (u, c["total"], [c[k] for k in VisitKind.values])
                for u, c in visits.visit_counts(root, since=year_start)
            ],
            "can_record": bool(scope.write_paths),
        },
    )


@login_required
def visit_new(request):
    scope = require_staff(request.user)
    errors, data = {}, request.POST if request.method == "POST" else {}
    q = request.GET.get("q", "").strip()
    households = Household.objects.none()
    if q:
        households = (
            Household.objects.filter(scope.unit_q("group", write=True), retired_at__isnull=True)
            .filter(Q(address__icontains=q) | Q(building=q) | Q(members__name__icontains=q))
            .select_related("group", "group__parent")
            .distinct()[:30]
        )
    if request.method == "POST":
        try:
            at = _date(data.get("at", ""), "at")
            visits.visit_record(
                user=request.user,
                household_id=data.get("household"),
                kind=data.get("kind", ""),
                at=timezone.make_aware(datetime.combine(at, datetime.min.time()).replace(hour=10)) if at else None,
                note=data.get("note", ""),
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            messages.success(request, _("The visit was recorded."))
            return redirect("forward:visits")
        if data.get("household"):
            households = (
                Household.objects.filter(pk=data.get("household"))
                .filter(scope.unit_q("group", write=True))
                .select_related("group", "group__parent")
            )
    return render(
        request,
        "forward/visit_new.html",
        {"households": households, "q": q, "kinds": VisitKind.choices, "errors": errors, "data": data},
    )


# ---- mutual-aid groups ---------------------------------------------------------------------


@login_required
def aid_list(request):
    scope = require_staff(request.user)
    root = _root(request, scope)
    qs = aid.visible_aid_groups(request.user).filter(unit__path__startswith=root.path)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(building=q))
    qs = qs.select_related("unit", "unit__parent", "leader").annotate(
        n_members=Count("members", distinct=True), n_activities=Count("activities", distinct=True)
    )
    return render(
        request,
        "forward/aid.html",
        {
            "page": paginate(request, qs.order_by("unit__path", "building", "entrance")),
            "root": root,
            "q": q,
            "can_create": bool(scope.write_paths),
        },
    )


@login_required
def aid_new(request):
    scope = require_staff(request.user)
    groups = _writable_units(scope, [UnitKind.GROUP]).select_related("parent")[:500]
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            group = aid.aid_group_create(
                user=request.user,
                unit_id=data.get("unit"),
                name=data.get("name", ""),
                building=data.get("building", ""),
                entrance=data.get("entrance", ""),
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            messages.success(request, _("The mutual-aid group was formed."))
            return redirect("forward:aid_group", pk=group.pk)
    return render(request, "forward/aid_new.html", {"groups": groups, "errors": errors, "data": data})


@login_required
def aid_group(request, pk):
    group = aid.aid_group_get(request.user, pk)
    scope = scope_for(request.user)
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            aid.aid_activity_record(
                user=request.user,
                group_id=group.pk,
                title=data.get("title", ""),
                at=_date(data.get("at", ""), "at"),
                tags=data.getlist("tags"),
                note=data.get("note", ""),
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
        except PermissionDenied:
            raise
        else:
            messages.success(request, _("The activity was recorded."))
            return redirect("forward:aid_group", pk=group.pk)
    labels = dict(AidTag.choices)
    activities = list(group.activities.all()[:100])
    for a in activities:
        a.tag_labels = [labels.get(t, t) for t in a.tags]
    return render(
        request,
        "forward/aid_group.html",
        {
            "group": group,
            "members": group.members.select_related("household").order_by("household__entrance", "household__room"),
            "activities": activities,
            "mutual": [(t, labels[t]) for t in FOUR_MUTUAL],
            "linked": [(t, labels[t]) for t in FOUR_LINKED],
            "can_record": scope.covers(group.unit.path, write=True),
            "errors": errors,
            "data": data,
            "chosen": set(data.getlist("tags")) if data else set(),
        },
    )


# ---- co-building (双联共建) and the community's charter and convention ------------------------


def _communities_below(root: OrgUnit):
    """The communities in use in `root`'s area."""
    return OrgUnit.objects.filter(
        kind=UnitKind.COMMUNITY, path__startswith=root.path, retired_at__isnull=True
    ).select_related("parent")


@login_required
def cobuild_page(request):
    """A community's co-building group and the plans it declared to departments; for a
    department, the plans declared to it; for a street or the district, its communities."""
    scope = require_staff(request.user)
    root = _root(request, scope)
    here = f"{reverse('forward:cobuild')}?unit={root.pk}"
    context = {"root": root, "errors": {}, "data": {}}
    if request.method == "POST":
        if root.kind != UnitKind.COMMUNITY:
            raise Http404
        data, action = request.POST, request.POST.get("action", "")
        context["data"] = data
        try:
            if action == "add":
                member = cobuild.member_add(
                    user=request.user, community_id=root.pk, person_id=data.get("person"), duty=data.get("duty", "")
                )
                messages.success(request, _("%(name)s joined the group.") % {"name": member.person.name})
            elif action == "remove":
                member = cobuild.member_remove(user=request.user, member_id=data.get("member"))
                messages.success(request, _("%(name)s left the group.") % {"name": member.person.name})
            elif action == "declare":
                plan = cobuild.plan_declare(
                    user=request.user,
                    community_id=root.pk,
                    department_id=data.get("department"),
                    title=data.get("title", ""),
                    document=data.get("document", ""),
                    due_on=_date(data.get("due_on", ""), "due_on"),
                )
                messages.success(request, _("The implementation plan was declared: %(title)s.") % {"title": plan.title})
            else:
                raise Http404
        except DomainError as error:
            context["errors"] = {error.field or "form": error.message}
            context["action"] = action
        else:
            return redirect(here)
    if root.kind == UnitKind.COMMUNITY:
        seated = list(cobuild.members(root))
        taken = {m.person_id for m in seated}
        context.update(
            members=seated,
            heads=[r for r in cobuild.department_heads() if r.person_id not in taken],
            departments=OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT, retired_at__isnull=True).order_by(
                "sort", "path"
            ),
            declared=with_cards(list(cobuild.declared(community=root)[:100])),
            can_write=scope.covers(root.path, write=True),
        )
    elif root.kind == UnitKind.DEPARTMENT:
        context.update(
            declared=with_cards(list(cobuild.declared(departments=[root])[:100])),
            seats=CoBuildMember.objects.filter(department=root, left_at__isnull=True)
            .select_related("community", "person")
            .order_by("community__path"),
        )
    else:
        communities = _communities_below(root).order_by("path")
        page = paginate(request, communities)
        ids = [c.pk for c in page]
        seats = dict(
            CoBuildMember.objects.filter(community__in=ids, left_at__isnull=True)
            .values_list("community")
            .annotate(n=Count("id"))
        )
        plans_of = dict(
            cobuild.declared().filter(plan__unit__in=ids).order_by().values_list("plan__unit").annotate(n=Count("id"))
        )
        for c in page:
            c.n_members, c.n_declared = seats.get(c.pk, 0), plans_of.get(c.pk, 0)
        context["page"] = page
    return render(request, "forward/cobuild.html", context)


@login_required
def charter_page(request):
    """Residents: their community's charter and convention in force. Staff: a community's,
    with its versions and, where they may write, a form to publish a new version."""
    scope = scope_for(request.user)
    if not scope.is_staff:
        community = charters.community_of_resident(scope.person)
        docs = charters.in_force(community) if community else []
        return render(request, "forward/charter.html", {"community": community, "docs": docs, "resident": True})
    root = _root(request, scope)
    context = {"root": root, "errors": {}, "data": {}}
    if root.kind != UnitKind.COMMUNITY:
        if request.method == "POST":
            raise Http404
        page = paginate(request, _communities_below(root).order_by("path"))
        kinds = {}
        for community_id, kind in CommunityDocument.objects.filter(community__in=[c.pk for c in page]).values_list(
            "community", "kind"
        ):
            kinds.setdefault(community_id, set()).add(kind)
        for c in page:
            c.has_charter = DocumentKind.CHARTER in kinds.get(c.pk, ())
            c.has_convention = DocumentKind.CONVENTION in kinds.get(c.pk, ())
        context["page"] = page
        return render(request, "forward/charter.html", context)
    if request.method == "POST":
        data = request.POST
        try:
            doc = charters.document_publish(
                user=request.user,
                community_id=root.pk,
                kind=data.get("kind", ""),
                title=data.get("title", ""),
                text=data.get("text", ""),
            )
        except DomainError as error:
            context.update(errors={error.field or "form": error.message}, data=data, kind=data.get("kind", ""))
        else:
            messages.success(
                request,
                _("Version %(n)s of %(kind)s is published to the residents.")
                % {"n": doc.version, "kind": doc.get_kind_display()},
            )
            return redirect(f"{reverse('forward:charter')}?unit={root.pk}")
    docs = charters.in_force(root)
    current = {d.kind: d for d in docs}
    context.update(
        docs=docs,
        forms=[(k, label, current.get(k)) for k, label in DocumentKind.choices],
        history=CommunityDocument.objects.filter(community=root).select_related("published_by")[:50],
        can_write=scope.covers(root.path, write=True),
    )
    return render(request, "forward/charter.html", context)
