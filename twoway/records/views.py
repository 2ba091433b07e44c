"""Pages for the community records. Thin: parse, call the domain modules, render."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from twoway.core.errors import DomainError
from twoway.core.pages import paginate
from twoway.core.parse import as_int
from twoway.org.models import Household, OrgUnit, Person, UnitKind
from twoway.org.scope import require_staff, scope_for, unit_get

from . import buildings, lists, party, stars, workers
from .models import (
    STAGE_ORDER,
    ConductRecord,
    ExitReason,
    Grade,
    HandoverStage,
    ListItem,
    ListKind,
    NominationKind,
    PartyArea,
    PartyBadge,
    PartyRating,
    RoundStatus,
    Route,
    ServiceSpace,
    StarCategory,
)
from .standards import area_for_households, shortfalls_for


def _date(value, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError("bad_date", _("Date: enter a date as yyyy-mm-dd."), field) from None


def _units(user, kinds) -> list[OrgUnit]:
    scope = scope_for(user)
    return list(OrgUnit.objects.filter(scope.q("path", write=True), kind__in=kinds).active().order_by("path"))


def _search_people(user, community: OrgUnit, q: str):
    q = (q or "").strip()
    if not q:
        return []
    return list(
        Person.objects.filter(unit__path__startswith=community.path, retired_at__isnull=True, name__contains=q)
        .select_related("unit")
        .order_by("name")[:20]
    )


# ---- hub ----------------------------------------------------------------------------------


@login_required
def index(request):
    scope = scope_for(request.user)
    context = {"is_staff": scope.is_staff, "person": scope.person}
    if scope.is_staff:
        context["counts"] = {
            "rounds": stars.visible_rounds(request.user).count(),
            "members": party.party_members(request.user).count(),
            "spaces": ServiceSpace.objects.filter(scope.unit_q("unit")).count(),
            "developments": buildings.visible_developments(request.user).count(),
            "workers": workers.visible_workers(request.user).filter(exited_on__isnull=True).count(),
            "items": lists.visible_items(request.user).filter(active=True).count(),
        }
    else:
        context["vote_rounds"] = stars.rep_rounds(scope.person)
        context["is_member"] = party.party_members(request.user).filter(pk=getattr(scope.person, "pk", 0)).exists()
    return render(request, "records/index.html", context)


# ---- star residents -----------------------------------------------------------------------


@login_required
def star_rounds(request):
    require_staff(request.user)
    qs = (
        stars.visible_rounds(request.user)
        .annotate(n=Count("nominations"))
        .order_by("-year", "-quarter", "community__path")
    )
    status = request.GET.get("status", "")
    if status in RoundStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "records/stars.html",
        {"page": paginate(request, qs), "status": status, "statuses": RoundStatus.choices},
    )


@login_required
def round_new(request):
    require_staff(request.user)
    communities = _units(request.user, [UnitKind.COMMUNITY])
    year, quarter = stars.quarter_of(timezone.localdate())
    data = request.POST if request.method == "POST" else {"year": year, "quarter": quarter}
    errors = {}
    if request.method == "POST":
        try:
            star_round = stars.round_open(
                user=request.user,
                community_id=data.get("community"),
                year=as_int(data.get("year"), 0),
                quarter=as_int(data.get("quarter"), 0),
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            messages.success(request, _("The selection is open for nominations."))
            return redirect("records:round", pk=star_round.pk)
    return render(
        request,
        "records/round_new.html",
        {"communities": communities, "data": data, "errors": errors, "quarters": [1, 2, 3, 4]},
    )


@login_required
def round_detail(request, pk):
    star_round = stars.round_get(request.user, pk)
    scope = scope_for(request.user)
    can_run = scope.covers(star_round.community.path, write=True)
    nominations = list(star_round.nominations.select_related("person__unit", "motion").prefetch_related("conduct"))
    voted = stars.my_ballots(scope.person, star_round)
    for n in nominations:
        n.i_voted = n.motion_id in voted
    context = {
        "round": star_round,
        "nominations": nominations,
        "can_run": can_run,
        "can_vote": star_round.status == RoundStatus.VOTING and stars.is_voter(scope.person, star_round),
        "kinds": NominationKind.choices,
        "categories": StarCategory.choices,
        "errors": {},
    }
    if star_round.status == RoundStatus.PUBLISHED:
        context["lists"] = stars.published_lists(star_round)
    if can_run and star_round.status == RoundStatus.NOMINATING:
        q = request.GET.get("q", "")
        found = _search_people(request.user, star_round.community, q)
        first, last = stars.quarter_bounds(star_round.year, star_round.quarter)
        conduct = ConductRecord.objects.filter(
            person__in=found, happened_on__gte=first.replace(year=first.year - 1), happened_on__lt=last
        )
        by_person = {}
        for c in conduct:
            by_person.setdefault(c.person_id, []).append(c)
        for p in found:
            p.conduct_records = by_person.get(p.pk, [])
        context.update(q=q, found=found, reps=list(stars.representatives(star_round.community)))
    return render(request, "records/round.html", context)


@login_required
@require_POST
def round_act(request, pk):
    star_round = stars.round_get(request.user, pk)
    action = request.POST.get("action", "")
    data = request.POST
    try:
        if action == "nominate":
            stars.nomination_add(
                user=request.user,
                round_id=star_round.pk,
                person_id=data.get("person"),
                kind=data.get("kind", ""),
                category=data.get("category", ""),
                evidence=data.get("evidence", ""),
                conduct_ids=data.getlist("conduct"),
            )
            messages.success(request, _("The resident was nominated."))
        elif action == "withdraw":
            stars.nomination_withdraw(user=request.user, round_id=star_round.pk, nomination_id=data.get("nomination"))
            messages.success(request, _("The nomination was withdrawn."))
        elif action == "start":
            stars.round_start_vote(user=request.user, round_id=star_round.pk, present_ids=data.getlist("present"))
            messages.success(request, _("Voting is open. Representatives vote on this page or at the meeting."))
        elif action == "vote":
            stars.ballot_cast(user=request.user, nomination_id=data.get("nomination"), choice=data.get("choice", ""))
            messages.success(request, _("Your ballot was counted."))
        elif action == "publish":
            stars.round_publish(user=request.user, round_id=star_round.pk)
            messages.success(request, _("The lists are published on the public page."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("records:round", pk=star_round.pk)


@login_required
def conduct(request):
    require_staff(request.user)
    scope = scope_for(request.user)
    communities = _units(request.user, [UnitKind.COMMUNITY])
    community = None
    if request.GET.get("unit") or request.POST.get("unit"):
        community = unit_get(request.user, request.GET.get("unit") or request.POST.get("unit"))
    elif len(communities) == 1:
        community = communities[0]
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            stars.conduct_record(
                user=request.user,
                person_id=data.get("person"),
                category=data.get("category", ""),
                happened_on=_date(data.get("happened_on"), "happened_on"),
                note=data.get("note", ""),
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            messages.success(request, _("The conduct record was saved."))
            return redirect(f"{request.path}?unit={community.pk if community else ''}")
    qs = ConductRecord.objects.filter(scope.unit_q("community")).select_related("person", "community")
    if community is not None:
        qs = qs.filter(community=community)
    found = _search_people(request.user, community, request.GET.get("q", "")) if community else []
    return render(
        request,
        "records/conduct.html",
        {
            "page": paginate(request, qs),
            "communities": communities,
            "community": community,
            "found": found,
            "q": request.GET.get("q", ""),
            "categories": StarCategory.choices,
            "errors": errors,
            "data": data,
            "today": timezone.localdate(),
        },
    )


def public_stars(request):
    """The public star lists: names and communities only, newest quarter first (no login)."""
    year, quarter = request.GET.get("year"), request.GET.get("quarter")
    rounds = stars.public_rounds(community_id=request.GET.get("community"), year=year, quarter=quarter)
    page = paginate(request, rounds, per_page=10)
    for r in page:
        r.lists = stars.published_lists(r)
    quarters = stars.public_rounds().values_list("year", "quarter").distinct().order_by("-year", "-quarter")[:12]
    return render(
        request,
        "records/public_stars.html",
        {"page": page, "quarters": quarters, "year": year or "", "quarter": quarter or ""},
    )


# ---- party members ------------------------------------------------------------------------


@login_required
def party_list(request):
    require_staff(request.user)
    year = timezone.localdate().year
    qs = party.party_members(request.user).order_by("unit__path", "name")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__contains=q)
    page = paginate(request, qs)
    ids = [p.pk for p in page]
    badges = dict(PartyBadge.objects.filter(member_id__in=ids).values_list("member_id", "number"))
    ratings = dict(PartyRating.objects.filter(member_id__in=ids, year=year - 1).values_list("member_id", "stars"))
    for p in page:
        p.badge = badges.get(p.pk)
        p.stars = ratings.get(p.pk)
    return render(request, "records/party.html", {"page": page, "q": q, "rating_year": year - 1})


@login_required
def party_member(request, pk):
    member = party.member_get(request.user, pk)
    scope = scope_for(request.user)
    years = {}
    records = list(party.PartyRecord.objects.filter(member=member).select_related("recorded_by"))
    for r in records:
        years.setdefault(r.happened_on.year, []).append(r)
    this_year = timezone.localdate().year
    archive = []
    for y in sorted(set(years) | {this_year}, reverse=True):
        earned, _ids = party.stars_earned(years.get(y, []))
        archive.append({"year": y, "records": years.get(y, []), "earned": earned})
    badge = PartyBadge.objects.filter(household_id=member.household_id).first() if member.household_id else None
    return render(
        request,
        "records/party_member.html",
        {
            "member": member,
            "badge": badge,
            "archive": archive,
            "ratings": PartyRating.objects.filter(member=member),
            "can_write": scope.covers(member.unit.path, write=True),
            "areas": PartyArea.choices,
            "today": timezone.localdate(),
            "this_year": this_year,
        },
    )


@login_required
@require_POST
def party_act(request, pk):
    member = party.member_get(request.user, pk, write=True)
    data, action = request.POST, request.POST.get("action", "")
    try:
        if action == "badge":
            party.badge_issue(
                user=request.user,
                member=member,
                number=data.get("number", ""),
                issued_on=_date(data.get("issued_on"), "issued_on"),
            )
            messages.success(request, _("The badge was issued."))
        elif action == "record":
            party.record_add(
                user=request.user,
                member=member,
                area=data.get("area", ""),
                happened_on=_date(data.get("happened_on"), "happened_on"),
                note=data.get("note", ""),
                negative=data.get("negative") == "1",
            )
            messages.success(request, _("The record was added to the archive."))
        elif action == "rate":
            party.rating_set(
                user=request.user,
                member=member,
                year=as_int(data.get("year"), 0),
                stars=as_int(data.get("stars"), 0),
                evidence=data.get("evidence", ""),
            )
            messages.success(request, _("The star rating was saved."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("records:party_member", pk=member.pk)


# ---- service buildings --------------------------------------------------------------------


@login_required
def building_standards(request):
    require_staff(request.user)
    scope = scope_for(request.user)
    base = OrgUnit.objects.filter(scope.q("path"), kind__in=[UnitKind.STREET, UnitKind.COMMUNITY]).active()
    if request.GET.get("unit"):
        under = unit_get(request.user, request.GET["unit"])
        base = base.filter(path__startswith=under.path)
    units = list(base.order_by("path"))
    spaces = {s.unit_id: s for s in ServiceSpace.objects.filter(unit__in=units).select_related("unit")}
    counts = dict(
        Household.objects.filter(
            group__parent__in=[u for u in units if u.kind == UnitKind.COMMUNITY], retired_at__isnull=True
        )
        .values_list("group__parent_id")
        .annotate(n=Count("pk"))
    )
    rows = []
    for unit in units:
        space = spaces.get(unit.pk)
        shortfalls = shortfalls_for(space) if space else None
        rows.append(
            {
                "unit": unit,
                "space": space,
                "shortfalls": shortfalls,
                "households_on_file": counts.get(unit.pk),
                "per_households": area_for_households(space.households) if space and unit.kind == "community" else None,
                "can_edit": scope.covers(unit.path, write=True),
            }
        )
    only_short = request.GET.get("short") == "1"
    if only_short:
        rows = [r for r in rows if r["shortfalls"] is None or r["shortfalls"]]
    summary = {
        "units": len(units),
        "recorded": sum(1 for r in rows if r["space"]),
        "short": sum(1 for r in rows if r["shortfalls"]),
    }
    return render(request, "records/buildings.html", {"rows": rows, "only_short": only_short, "summary": summary})


@login_required
def space_edit(request, pk):
    unit = unit_get(request.user, pk, write=True)
    if unit.kind not in (UnitKind.STREET, UnitKind.COMMUNITY):
        raise Http404
    space = ServiceSpace.objects.filter(unit=unit).first()
    households_on_file = Household.objects.filter(group__parent=unit, retired_at__isnull=True).count()
    if request.method == "POST":
        data = request.POST
    elif space:
        data = {
            "centre_area": space.centre_area,
            "households": space.households,
            "newly_built": "1" if space.newly_built else "",
            "regional_area": space.regional_area or "",
        }
    else:
        data = {"households": households_on_file if unit.kind == UnitKind.COMMUNITY else 0}
    errors = {}
    if request.method == "POST":
        try:
            buildings.space_set(
                user=request.user,
                unit=unit,
                centre_area=data.get("centre_area", ""),
                households=data.get("households", "") if unit.kind == UnitKind.COMMUNITY else 0,
                newly_built=data.get("newly_built") == "1",
                regional_area=data.get("regional_area", ""),
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            messages.success(request, _("The floor areas were saved."))
            return redirect("records:buildings")
    return render(
        request,
        "records/space_edit.html",
        {"unit": unit, "data": data, "errors": errors, "households_on_file": households_on_file},
    )


@login_required
def developments(request):
    require_staff(request.user)
    streets = _units(request.user, [UnitKind.STREET])
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            street = unit_get(request.user, data.get("street"), write=True) if data.get("street") else None
            if street is None:
                raise DomainError("required", _("Street: choose a street."), "street")
            community = None
            if data.get("community"):
                community = OrgUnit.objects.filter(pk=as_int(data["community"]), parent=street).first()
                if community is None:
                    raise DomainError(
                        "wrong_community", _("Community: choose a community of this street."), "community"
                    )
            development = buildings.development_create(
                user=request.user,
                street=street,
                community=community,
                name=data.get("name", ""),
                developer=data.get("developer", ""),
                households=data.get("households", ""),
                planned_area=data.get("planned_area", ""),
            )
        except (DomainError, PermissionDenied, Http404) as error:
            if isinstance(error, DomainError):
                errors[error.field or "form"] = error.message
            else:
                errors["street"] = _("Street: choose a street in your area.")
        else:
            messages.success(request, _("The development was registered at land transfer."))
            return redirect("records:development", pk=development.pk)
    qs = buildings.visible_developments(request.user)
    stage = request.GET.get("stage", "")
    if stage in STAGE_ORDER:
        qs = qs.filter(stage=stage)
    page = paginate(request, qs)
    overdue = set(buildings.overdue_checks([d.pk for d in page]).values_list("development_id", flat=True))
    for d in page:
        d.overdue = d.pk in overdue
    communities = list(OrgUnit.objects.filter(parent__in=streets, kind=UnitKind.COMMUNITY).active().order_by("path"))
    return render(
        request,
        "records/developments.html",
        {
            "page": page,
            "streets": streets,
            "communities": communities,
            "stage": stage,
            "stages": HandoverStage.choices,
            "errors": errors,
            "data": data,
        },
    )


@login_required
def development_detail(request, pk):
    development = buildings.development_get(request.user, pk)
    from .standards import development_shortfalls

    index = STAGE_ORDER.index(development.stage)
    steps = [(code, label, i < index, i == index) for i, (code, label) in enumerate(HandoverStage.choices)]
    next_stage = HandoverStage(STAGE_ORDER[index + 1]).label if index + 1 < len(STAGE_ORDER) else None
    return render(
        request,
        "records/development.html",
        {
            "d": development,
            "steps": steps,
            "next_stage": next_stage,
            "blocked": STAGE_ORDER[index + 1 : index + 2] == ["filing"] and not development.agreement_signed_on,
            "events": development.events.select_related("actor"),
            "checks": development.checks.all(),
            "shortfalls": development_shortfalls(
                planned_area=development.planned_area, households=development.households
            ),
            "needed": area_for_households(development.households),
            "can_write": scope_for(request.user).covers(development.street.path, write=True),
            "today": timezone.localdate(),
            "stage_labels": dict(HandoverStage.choices),
        },
    )


@login_required
@require_POST
def development_act(request, pk):
    development = buildings.development_get(request.user, pk)
    if not scope_for(request.user).covers(development.street.path, write=True):
        raise PermissionDenied
    data, action = request.POST, request.POST.get("action", "")
    try:
        if action == "advance":
            buildings.development_advance(
                user=request.user,
                development_id=development.pk,
                expected=data.get("expected", ""),
                note=data.get("note", ""),
            )
            messages.success(request, _("The handover moved to its next stage."))
        elif action == "agreement":
            buildings.agreement_sign(
                user=request.user,
                development_id=development.pk,
                number=data.get("agreement_number", ""),
                signed_on=_date(data.get("signed_on"), "signed_on"),
            )
            messages.success(request, _("The signed handover agreement was recorded."))
        elif action == "check":
            buildings.safety_check_record(
                user=request.user,
                development_id=development.pk,
                done_on=_date(data.get("done_on"), "done_on"),
                hazard=data.get("hazard") == "1",
                note=data.get("note", ""),
            )
            messages.success(request, _("The safety check was recorded; the next one is scheduled."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("records:development", pk=development.pk)


# ---- community workers --------------------------------------------------------------------


@login_required
def worker_list(request):
    require_staff(request.user)
    qs = workers.visible_workers(request.user)
    if request.GET.get("unit"):
        under = unit_get(request.user, request.GET["unit"])
        qs = qs.filter(unit__path__startswith=under.path)
    show = request.GET.get("show", "active")
    if show == "active":
        qs = qs.filter(exited_on__isnull=True)
    elif show == "left":
        qs = qs.filter(exited_on__isnull=False)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(post__contains=q))
    page = paginate(request, qs.prefetch_related("assessments"))
    for w in page:
        latest = sorted(w.assessments.all(), key=lambda a: -a.year)
        w.latest = latest[0] if latest else None
        w.exit_due = w.exited_on is None and w.latest is not None and w.latest.grade == Grade.INCOMPETENT
    return render(
        request,
        "records/workers.html",
        {"page": page, "show": show, "q": q, "counts": workers.counts_per_unit(request.user)},
    )


@login_required
def worker_new(request):
    require_staff(request.user)
    units = _units(request.user, [UnitKind.STREET, UnitKind.COMMUNITY])
    errors, data = {}, request.POST if request.method == "POST" else {"joined_on": timezone.localdate().isoformat()}
    unit = None
    if data.get("unit"):
        unit = next((u for u in units if str(u.pk) == str(data.get("unit"))), None)
    found = []
    if unit is not None and request.GET.get("q"):
        found = list(
            Person.objects.filter(unit__path__startswith=unit.path, name__contains=request.GET["q"].strip()).order_by(
                "name"
            )[:20]
        )
    if request.method == "POST":
        try:
            if unit is None:
                raise DomainError("required", _("Unit: choose a street or community."), "unit")
            worker = workers.worker_register(
                user=request.user,
                person_id=data.get("person"),
                unit=unit,
                post=data.get("post", ""),
                route=data.get("route", ""),
                pay_grade=data.get("pay_grade", ""),
                joined_on=_date(data.get("joined_on"), "joined_on"),
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            messages.success(request, _("The worker was added to the register."))
            return redirect("records:worker", pk=worker.pk)
    if request.method == "GET" and request.GET.get("unit"):
        unit = unit_get(request.user, request.GET["unit"])
        data = {**data, "unit": str(unit.pk)}
        if request.GET.get("q"):
            found = list(
                Person.objects.filter(
                    unit__path__startswith=unit.path, name__contains=request.GET["q"].strip()
                ).order_by("name")[:20]
            )
    return render(
        request,
        "records/worker_new.html",
        {
            "units": units,
            "unit": unit,
            "found": found,
            "q": request.GET.get("q", ""),
            "routes": Route.choices,
            "grades": list(workers.PAY_GRADES),
            "data": data,
            "errors": errors,
        },
    )


@login_required
def worker_detail(request, pk):
    worker = workers.worker_get(request.user, pk)
    return render(
        request,
        "records/worker.html",
        {
            "w": worker,
            "exit_due": workers.exit_due(worker),
            "can_write": scope_for(request.user).covers(worker.unit.path, write=True),
            "grades": Grade.choices,
            "pay_grades": list(workers.PAY_GRADES),
            "reasons": ExitReason.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def worker_act(request, pk):
    worker = workers.worker_get(request.user, pk)
    if not scope_for(request.user).covers(worker.unit.path, write=True):
        raise PermissionDenied
    data, action = request.POST, request.POST.get("action", "")
    try:
        if action == "assess":
            workers.assessment_record(
                user=request.user,
                worker_id=worker.pk,
                year=data.get("year"),
                grade=data.get("grade", ""),
                note=data.get("note", ""),
            )
            messages.success(request, _("The assessment was recorded."))
        elif action == "commend":
            workers.commendation_add(
                user=request.user,
                worker_id=worker.pk,
                title=data.get("title", ""),
                awarded_by=data.get("awarded_by", ""),
                awarded_on=_date(data.get("awarded_on"), "awarded_on"),
            )
            messages.success(request, _("The commendation was recorded."))
        elif action == "grade":
            workers.pay_grade_set(user=request.user, worker_id=worker.pk, pay_grade=data.get("pay_grade"))
            messages.success(request, _("The pay grade was changed."))
        elif action == "exit":
            workers.worker_exit(
                user=request.user,
                worker_id=worker.pk,
                exited_on=_date(data.get("exited_on"), "exited_on"),
                reason=data.get("exit_reason", ""),
                note=data.get("exit_note", ""),
            )
            messages.success(request, _("The worker's exit was recorded."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("records:worker", pk=worker.pk)


# ---- the three lists ----------------------------------------------------------------------


@login_required
def three_lists(request):
    require_staff(request.user)
    scope = scope_for(request.user)
    units = _units(request.user, [UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY])
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            unit = next((u for u in units if str(u.pk) == str(data.get("unit"))), None)
            if unit is None:
                raise DomainError("not_in_area", _("Unit: choose a unit in your area."), "unit")
            lists.item_add(
                user=request.user,
                unit=unit,
                kind=data.get("kind", ""),
                name=data.get("name", ""),
                basis=data.get("basis", ""),
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            messages.success(request, _("The item was added to the list."))
            return redirect("records:lists")
    if request.GET.get("unit"):
        unit_get(request.user, request.GET["unit"])
    items = list(lists.visible_items(request.user).order_by("kind", "name"))
    groups = [(value, label, [i for i in items if i.kind == value]) for value, label in ListKind.choices]
    for i in items:
        i.can_edit = scope.covers(i.unit.path, write=True)
    return render(
        request,
        "records/lists.html",
        {"groups": groups, "units": units, "kinds": ListKind.choices, "errors": errors, "data": data},
    )


@login_required
@require_POST
def list_item_toggle(request, pk):
    require_staff(request.user)
    item = lists.visible_items(request.user).filter(pk=as_int(pk)).first()
    if item is None:
        raise Http404
    if not scope_for(request.user).covers(item.unit.path, write=True):
        raise PermissionDenied
    try:
        lists.item_set_active(user=request.user, item_id=item.pk, active=not item.active)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("records:lists")


@login_required
def certificates(request):
    require_staff(request.user)
    communities = _units(request.user, [UnitKind.COMMUNITY])
    errors, data = {}, request.POST if request.method == "POST" else {}
    result = None
    if request.method == "POST":
        try:
            community = next((u for u in communities if str(u.pk) == str(data.get("community"))), None)
            if community is None:
                raise DomainError("not_in_area", _("Community: choose a community in your area."), "community")
            result = lists.certificate_request(
                user=request.user,
                community=community,
                name=data.get("name", ""),
                applicant=data.get("applicant", ""),
                purpose=data.get("purpose", ""),
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
    if request.GET.get("unit"):
        unit_get(request.user, request.GET["unit"])
    offered = ListItem.objects.filter(
        kind=ListKind.CERTIFICATE, active=True, unit__path__in={p for c in communities for p in c.ancestor_paths}
    ).order_by("name")
    return render(
        request,
        "records/certificates.html",
        {
            "communities": communities,
            "offered": sorted({i.name for i in offered}),
            "page": paginate(request, lists.visible_requests(request.user)),
            "errors": errors,
            "data": data,
            "result": result,
        },
    )
