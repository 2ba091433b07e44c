from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from twoway.audit.log import AuditAction, audit_record
from twoway.core.errors import DomainError
from twoway.core.pages import paginate, run_form_action

from . import actions
from .forms import GridForm, HouseholdForm, PersonForm, RoleForm, UnitCreateForm, UnitForm, UnitMoveForm
from .models import CHILD_KINDS, Grid, OrgUnit, Role, RoleKind, UnitKind
from .scope import (
    can_unmask,
    home_units,
    household_get,
    person_get,
    require_staff,
    scope_for,
    unit_get,
    visible_households,
    visible_people,
    visible_units,
)
from .selectors import search_households, search_people, search_units, unit_children, unit_summaries
from .validation import mask_id_number, mask_phone


@login_required
def tree(request):
    """The top of the tree this person may see, with a search over all their units."""
    require_staff(request.user)
    q = request.GET.get("q", "")
    if q:
        found = search_units(visible_units(request.user), q).select_related("parent")
        return render(request, "org/tree.html", {"q": q, "page": paginate(request, found)})
    return render(request, "org/tree.html", {"summaries": unit_summaries(home_units(request.user))})


@login_required
def unit_detail(request, pk):
    unit = unit_get(request.user, pk)
    show_retired = request.GET.get("retired") == "1"
    children = list(unit_children(unit, include_retired=show_retired))
    summaries = unit_summaries([unit, *children])
    scope = scope_for(request.user)
    context = {
        "unit": unit,
        "ancestors": unit.ancestors(),
        "summary": summaries[0],
        "children": summaries[1:],
        "show_retired": show_retired,
        "can_write": scope.covers(unit.path, write=True),
        "child_kinds": CHILD_KINDS.get(UnitKind(unit.kind), []),
        "roles": Role.objects.filter(unit=unit).select_related("person").order_by("kind", "person__name"),
    }
    if unit.kind == UnitKind.GROUP:
        context["households"] = unit.households.filter(retired_at__isnull=True).order_by(
            "building", "entrance", "room"
        )[:200]
    return render(request, "org/unit_detail.html", context)


@login_required
def unit_create(request, pk):
    parent = unit_get(request.user, pk, write=True)
    kinds = CHILD_KINDS.get(UnitKind(parent.kind), [])
    if not kinds:
        raise PermissionDenied
    form = UnitCreateForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = run_form_action(
            form,
            actions.unit_create,
            parent=parent,
            kind=d["kind"],
            name=d["name"],
            code=d["code"],
            address=d["address"],
            phone=d["phone"],
            sort=d["sort"] or 0,
        )
        if unit:
            messages.success(request, _("%(name)s was added.") % {"name": unit.name})
            return redirect("org:unit", pk=unit.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Add a unit under %(name)s") % {"name": parent.name},
            "back": parent,
        },
    )


@login_required
def unit_edit(request, pk):
    unit = unit_get(request.user, pk, write=True)
    initial = {"name": unit.name, "code": unit.code, "address": unit.address, "phone": unit.phone, "sort": unit.sort}
    form = UnitForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if run_form_action(
            form, actions.unit_update, unit=unit, name=d["name"], address=d["address"], phone=d["phone"], sort=d["sort"]
        ):
            messages.success(request, _("Saved."))
            return redirect("org:unit", pk=unit.pk)
    return render(
        request, "form_page.html", {"form": form, "title": _("Edit %(name)s") % {"name": unit.name}, "back": unit}
    )


@login_required
def unit_move(request, pk):
    unit = unit_get(request.user, pk, write=True)
    if unit.parent is None:
        raise PermissionDenied
    parent_kind = unit.parent.kind
    parents = (
        OrgUnit.objects.filter(scope_for(request.user).q("path", write=True), kind=parent_kind)
        .active()
        .exclude(pk=unit.parent_id)
        .order_by("path")
    )
    form = UnitMoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        if run_form_action(form, actions.unit_move, unit=unit, new_parent=form.cleaned_data["parent"]):
            audit_record(
                request=request,
                action=AuditAction.CHANGE,
                target=f"unit:{unit.pk}",
                detail={"move_to": form.cleaned_data["parent"].pk},
            )
            messages.success(request, _("%(name)s was moved.") % {"name": unit.name})
            return redirect("org:unit", pk=unit.pk)
    return render(
        request, "form_page.html", {"form": form, "title": _("Move %(name)s") % {"name": unit.name}, "back": unit}
    )


@login_required
@require_POST
def unit_retire(request, pk):
    unit = unit_get(request.user, pk, write=True)
    if unit.parent is None:
        raise PermissionDenied
    restore = request.POST.get("restore") == "1"
    try:
        (actions.unit_restore if restore else actions.unit_retire)(unit=unit)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        msg = _("%(name)s is back in use.") if restore else _("%(name)s was retired. Its records are kept.")
        messages.success(request, msg % {"name": unit.name})
    return redirect("org:unit", pk=unit.pk)


# ---- households -----------------------------------------------------------------------------


def _unit_filter(request, qs, lookup):
    """Narrow a list to one unit's subtree when ?unit= names a unit the user may see."""
    unit_id = request.GET.get("unit")
    if not unit_id:
        return qs, None
    unit = unit_get(request.user, unit_id)
    return qs.filter(**{f"{lookup}__startswith": unit.path}), unit


@login_required
def households(request):
    require_staff(request.user)
    qs = visible_households(request.user).filter(retired_at__isnull=True).select_related("group", "group__parent")
    qs, unit = _unit_filter(request, qs, "group__path")
    q = request.GET.get("q", "")
    qs = search_households(qs, q).order_by("group_id", "building", "entrance", "room")
    return render(request, "org/households.html", {"page": paginate(request, qs), "q": q, "unit": unit})


def _groups_for(user, write=True):
    return (
        OrgUnit.objects.filter(scope_for(user).q("path", write=write), kind=UnitKind.GROUP)
        .active()
        .select_related("parent")
        .order_by("path")
    )


@login_required
def household_edit(request, pk=None):
    require_staff(request.user)
    household = household_get(request.user, pk, write=True) if pk else None
    initial = {}
    if household:
        initial = {
            "group": household.group,
            "building": household.building,
            "entrance": household.entrance,
            "room": household.room,
            "address": household.address,
        }
    elif request.GET.get("group"):
        initial = {"group": unit_get(request.user, request.GET["group"], write=True)}
    form = HouseholdForm(request.POST or None, initial=initial, groups=_groups_for(request.user))
    if request.method == "POST" and form.is_valid():
        saved = run_form_action(form, actions.household_save, household=household, **form.cleaned_data)
        if saved:
            messages.success(request, _("Saved."))
            return redirect("org:household", pk=saved.pk)
    title = _("Edit household") if household else _("Add a household")
    return render(request, "form_page.html", {"form": form, "title": title, "back": household})


@login_required
def household_detail(request, pk):
    household = household_get(request.user, pk)
    members = household.members.filter(retired_at__isnull=True).order_by("id")
    return render(
        request,
        "org/household_detail.html",
        {
            "household": household,
            "members": members,
            "can_write": scope_for(request.user).covers(household.group.path, write=True),
        },
    )


# ---- people ---------------------------------------------------------------------------------


@login_required
def people(request):
    require_staff(request.user)
    qs = visible_people(request.user).filter(retired_at__isnull=True).select_related("unit", "household")
    qs, unit = _unit_filter(request, qs, "unit__path")
    role = request.GET.get("role", "")
    if role in RoleKind.values:
        qs = qs.filter(roles__kind=role).distinct()
    q = request.GET.get("q", "")
    qs = search_people(qs, q).order_by("id")
    return render(
        request,
        "org/people.html",
        {
            "page": paginate(request, qs),
            "q": q,
            "unit": unit,
            "role": role,
            "role_choices": RoleKind.choices,
        },
    )


@login_required
def person_detail(request, pk):
    person = person_get(request.user, pk)
    unmasked = request.method == "POST" and request.POST.get("unmask") == "1"
    if unmasked:
        if not can_unmask(request.user, person):
            raise PermissionDenied
        audit_record(
            request=request, action=AuditAction.UNMASK, target=f"person:{person.pk}", detail={"name": person.name}
        )
    scope = scope_for(request.user)
    can_write = scope.covers(person.unit.path, write=True)
    role_form = RoleForm(units=visible_units(request.user).active()) if can_write else None
    return render(
        request,
        "org/person_detail.html",
        {
            "person": person,
            "phone": person.phone if unmasked else mask_phone(person.phone),
            "id_number": person.id_number if unmasked else mask_id_number(person.id_number),
            "unmasked": unmasked,
            "may_unmask": can_unmask(request.user, person) and not unmasked and (person.phone or person.id_number),
            "roles": person.roles.select_related("unit"),
            "can_write": can_write,
            "role_form": role_form,
        },
    )


@login_required
def person_edit(request, pk=None):
    require_staff(request.user)
    person = person_get(request.user, pk, write=True) if pk else None
    households_qs = visible_households(request.user).filter(retired_at__isnull=True)
    households_qs = households_qs.filter(group__in=_groups_for(request.user)).select_related("group")
    units = OrgUnit.objects.filter(scope_for(request.user).q("path", write=True)).active()
    initial = {}
    if person:
        initial = {
            f: getattr(person, f)
            for f in ("name", "household", "unit", "gender", "birth_date", "phone", "id_number", "relation")
        }
    elif request.GET.get("household"):
        initial["household"] = household_get(request.user, request.GET["household"], write=True)
    form = PersonForm(request.POST or None, initial=initial, households=households_qs, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_form_action(
            form,
            actions.person_save,
            person=person,
            unit=d["unit"] or (d["household"] and d["household"].group),
            household=d["household"],
            name=d["name"],
            phone=d["phone"],
            id_number=d["id_number"],
            gender=d["gender"],
            birth_date=d["birth_date"],
            relation=d["relation"],
        )
        if saved:
            messages.success(request, _("Saved."))
            return redirect("org:person", pk=saved.pk)
    title = _("Edit %(name)s") % {"name": person.name} if person else _("Add a person")
    return render(request, "form_page.html", {"form": form, "title": title, "back": person})


@login_required
@require_POST
def role_add(request, pk):
    person = person_get(request.user, pk, write=True)
    form = RoleForm(request.POST, units=OrgUnit.objects.filter(scope_for(request.user).q("path", write=True)).active())
    if form.is_valid():
        actions.role_assign(person=person, **form.cleaned_data)
        audit_record(
            request=request,
            action=AuditAction.CHANGE,
            target=f"person:{person.pk}",
            detail={"role_added": form.cleaned_data["kind"], "unit": form.cleaned_data["unit"].pk},
        )
        messages.success(request, _("Role added."))
    else:
        messages.error(
            request,
            _("Role: %(errors)s") % {"errors": "; ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
    return redirect("org:person", pk=person.pk)


@login_required
@require_POST
def role_remove(request, pk, role_pk):
    person = person_get(request.user, pk, write=True)
    role = person.roles.select_related("unit").filter(pk=role_pk).first()
    if role is None or not scope_for(request.user).covers(role.unit.path, write=True):
        raise PermissionDenied
    actions.role_remove(role=role)
    audit_record(
        request=request,
        action=AuditAction.CHANGE,
        target=f"person:{person.pk}",
        detail={"role_removed": role.kind, "unit": role.unit_id},
    )
    messages.success(request, _("Role removed."))
    return redirect("org:person", pk=person.pk)


# ---- grids ----------------------------------------------------------------------------------


@login_required
def grids(request):
    scope = require_staff(request.user)
    qs = (
        Grid.objects.filter(scope.q("street__path") | scope.q("units__path"))
        .distinct()
        .select_related("street")
        .prefetch_related("units", "workers")
        .order_by("street__path", "name")
    )
    return render(request, "org/grids.html", {"page": paginate(request, qs)})


@login_required
def grid_edit(request, pk=None):
    scope = require_staff(request.user)
    grid = None
    if pk:
        grid = Grid.objects.select_related("street").filter(pk=pk).first()
        if grid is None or not scope.covers(grid.street.path):
            raise Http404
        if not scope.covers(grid.street.path, write=True):
            raise PermissionDenied
    streets = OrgUnit.objects.filter(scope.q("path", write=True), kind=UnitKind.STREET).active()
    units = (
        OrgUnit.objects.filter(scope.q("path", write=True), kind__in=[UnitKind.COMMUNITY, UnitKind.GROUP])
        .active()
        .order_by("path")
    )
    initial = {"street": grid.street, "name": grid.name, "units": list(grid.units.all())} if grid else {}
    form = GridForm(request.POST or None, initial=initial, streets=streets, units=units)
    if request.method == "POST" and form.is_valid():
        if run_form_action(form, actions.grid_save, grid=grid, **form.cleaned_data):
            messages.success(request, _("Saved."))
            return redirect("org:grids")
    return render(request, "form_page.html", {"form": form, "title": _("Edit grid") if grid else _("Add a grid")})
