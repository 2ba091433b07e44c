import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from twoway.core.errors import DomainError
from twoway.core.pages import paginate, without_field_name
from twoway.deadlines.engine import card
from twoway.org.models import OrgUnit, UnitKind
from twoway.org.scope import person_get, require_staff, scope_for, unit_get

from . import flow, selectors
from .access import appeal_get, can_act, is_concerned
from .forms import AppealForm, RateForm
from .models import Category, Extension, ExtensionStatus, Resource, Status
from .similar import similar_open_appeals


@login_required
def new(request):
    """Raise an appeal: a resident for themself, or staff for a resident (?for=<person>)."""
    on_behalf_of = None
    if request.GET.get("for") or request.POST.get("for"):
        require_staff(request.user)
        on_behalf_of = person_get(request.user, request.GET.get("for") or request.POST.get("for"), write=True)
    form = AppealForm(
        request.POST or None,
        request.FILES or None,
        categories=selectors.category_choices(),
        initial={"idem_key": uuid.uuid4().hex},
    )
    person = on_behalf_of or scope_for(request.user).person
    if person is not None and person.household and not form.is_bound:
        form.initial["place"] = f"{person.household.building}号楼{person.household.entrance}单元"
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            appeal = flow.appeal_submit(
                user=request.user,
                category_id=d["category"],
                description=d["description"],
                place=d["place"],
                lat=d["lat"] or None,
                lng=d["lng"] or None,
                for_household=d["for_household"],
                mediation=d["mediation"],
                idem_key=d["idem_key"],
                photos=request.FILES.getlist("photos"),
                on_behalf_of=on_behalf_of,
                channel=request.POST.get("channel") or ("phone" if on_behalf_of else "app"),
            )
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, without_field_name(error.message) if field else error.message)
        else:
            messages.success(request, _("Your appeal %(number)s was received.") % {"number": appeal.number})
            return redirect("appeals:detail", pk=appeal.pk)
    return render(request, "appeals/new.html", {"form": form, "on_behalf_of": on_behalf_of})


@login_required
def mine(request):
    person = scope_for(request.user).person
    if person is None:
        raise Http404
    return render(request, "appeals/mine.html", {"page": paginate(request, selectors.resident_appeals(person))})


@login_required
def queue(request):
    require_staff(request.user)
    tab = request.GET.get("tab", "todo")
    unit = unit_get(request.user, request.GET["unit"]) if request.GET.get("unit") else None
    qs = selectors.appeal_list(
        request.user,
        tab=tab,
        q=request.GET.get("q", ""),
        category=request.GET.get("category", ""),
        card=request.GET.get("card", ""),
        unit=unit,
        mine_only=request.GET.get("scope") != "area",
    )
    page = paginate(request, qs)
    now = timezone.now()
    for appeal in page:
        appeal.card = card(now, appeal.due_at, appeal.yellow_at) if appeal.is_open else "none"
    return render(
        request,
        "appeals/queue.html",
        {
            "page": page,
            "tab": tab,
            "q": request.GET.get("q", ""),
            "unit": unit,
            "categories": Category.objects.filter(parent=None, active=True),
            "category": request.GET.get("category", ""),
            "card_filter": request.GET.get("card", ""),
            "area": request.GET.get("scope") == "area",
        },
    )


@login_required
def overdue(request):
    require_staff(request.user)
    return render(request, "appeals/overdue.html", {"page": paginate(request, selectors.overdue_below(request.user))})


@login_required
def detail(request, pk):
    appeal = appeal_get(request.user, pk)
    scope = scope_for(request.user)
    staff = scope.covers(appeal.handling_unit.path) or scope.covers(appeal.origin_unit.path)
    acting = can_act(request.user, appeal)
    context = {
        "appeal": appeal,
        "events": selectors.timeline(appeal, staff=staff),
        "staff": staff,
        "acting": acting,
        "card": card(timezone.now(), appeal.due_at, appeal.yellow_at) if appeal.is_open else "none",
        "photos": appeal.photos.all(),
        "can_rate": appeal.status == Status.RESOLVED
        and scope.person is not None
        and appeal.raised_by_id == scope.person.pk,
        "rate_form": RateForm(),
        "concerned": is_concerned(request.user, appeal),
    }
    if staff:
        context["resources"] = appeal.resources.select_related("resource")
        context["pending_extensions"] = appeal.extensions.filter(status=ExtensionStatus.PENDING)
    if acting:
        unit = appeal.handling_unit
        context["departments"] = (
            OrgUnit.objects.filter(parent=unit, kind=UnitKind.DEPARTMENT).active()
            if unit.kind == UnitKind.DISTRICT
            else []
        )
        context["similar"] = similar_open_appeals(appeal) if appeal.is_open else []
        context["unit_resources"] = Resource.objects.filter(unit__path__in=unit.ancestor_paths, active=True).order_by(
            "kind", "name"
        )
        context["can_escalate"] = unit.kind in flow.ESCALATES_TO
    return render(request, "appeals/detail.html", context)


ACTIONS = {
    "accept": lambda u, a, p: flow.appeal_accept(user=u, appeal_id=a),
    "return": lambda u, a, p: flow.appeal_return(
        user=u, appeal_id=a, reason=p.get("reason", ""), duplicate_of_number=p.get("duplicate_of", "")
    ),
    "note": lambda u, a, p: flow.appeal_note(
        user=u, appeal_id=a, note=p.get("note", ""), internal=p.get("internal") == "1"
    ),
    "resolve": lambda u, a, p: flow.appeal_resolve(
        user=u, appeal_id=a, outcome=p.get("outcome", ""), decision_ref=p.get("decision_ref", "")
    ),
    "escalate": lambda u, a, p: flow.appeal_escalate(
        user=u, appeal_id=a, reason=p.get("reason", ""), decision_ref=p.get("decision_ref", "")
    ),
    "assign": lambda u, a, p: flow.appeal_assign(
        user=u, appeal_id=a, department_id=p.get("department"), note=p.get("note", "")
    ),
    "answer": lambda u, a, p: flow.appeal_answer(user=u, appeal_id=a, answer=p.get("answer", "")),
    "supervise": lambda u, a, p: flow.appeal_supervise(user=u, appeal_id=a, note=p.get("note", "")),
    "extension": lambda u, a, p: flow.appeal_request_extension(
        user=u, appeal_id=a, days=p.get("days"), reason=p.get("reason", "")
    ),
    "merge": lambda u, a, p: flow.appeal_merge(user=u, target_id=a, other_ids=p.getlist("others")),
    "resource": lambda u, a, p: flow.appeal_link_resource(
        user=u, appeal_id=a, resource_id=p.get("resource"), part=p.get("part", "")
    ),
    "rate": lambda u, a, p: flow.appeal_rate(
        user=u, appeal_id=a, score=p.get("score", ""), comment=p.get("comment", "")
    ),
}
DONE = {
    "accept": _("Accepted."),
    "return": _("Returned."),
    "note": _("Note added."),
    "resolve": _("Resolved."),
    "escalate": _("Escalated."),
    "assign": _("Assigned."),
    "answer": _("Answer sent to the district."),
    "supervise": _("Supervision order issued."),
    "extension": _("Extension requested."),
    "merge": _("Merged."),
    "resource": _("Resource linked."),
    "rate": _("Thank you for your rating."),
}


@login_required
@require_POST
def act(request, pk, action):
    """One POST endpoint per transition; the rule lives in flow, which checks scope and state."""
    if action not in ACTIONS:
        raise Http404
    try:
        ACTIONS[action](request.user, pk, request.POST)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, str(DONE[action]))
    return redirect("appeals:detail", pk=pk)


@login_required
@require_POST
def decide_extension(request, pk):
    # The flow answers 404 for an unknown extension or one outside the person's area.
    try:
        extension = flow.appeal_decide_extension(
            user=request.user, extension_id=pk, approve=request.POST.get("approve") == "1"
        )
    except DomainError as error:
        if error.code == "not_above":
            raise PermissionDenied from None
        messages.error(request, error.message)
        extension = Extension.objects.get(pk=pk)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("appeals:detail", pk=extension.appeal_id)


@login_required
def photo(request, pk):
    """An appeal photo, only for those who may see the appeal."""
    from django.http import FileResponse

    from .models import Photo

    item = Photo.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    appeal_get(request.user, item.appeal_id)
    return FileResponse(item.image.open("rb"), content_type="image/jpeg")
