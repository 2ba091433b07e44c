"""The resource directory pages (R-3.8): thin; the rules live in resources.py."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from twoway.audit.log import AuditAction, audit_record
from twoway.core.errors import DomainError
from twoway.core.pages import paginate, run_form_action
from twoway.org.models import OrgUnit
from twoway.org.scope import require_staff, unit_get

from . import resources
from .models import ResourceKind


class ResourceForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=OrgUnit.objects.none(), empty_label="——")
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=())
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=resources.NAME_MAX,
        help_text=gettext_lazy("For example a community's mediation studio, or a lawyer's name."),
    )
    contact = forms.CharField(
        label=gettext_lazy("Contact"),
        max_length=resources.CONTACT_MAX,
        required=False,
        help_text=gettext_lazy("A phone number, an office or a person to ask for."),
    )
    description = forms.CharField(
        label=gettext_lazy("What they help with"),
        max_length=resources.DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["kind"].choices = [("", "——"), *ResourceKind.choices]


def _posted_unit(request):
    """The unit named in the form, fetched through scope: 404 outside the area, 403 read-only."""
    unit_id = request.POST.get("unit")
    if unit_id:
        unit_get(request.user, unit_id, write=True)


def _back_to_list(request, resource=None) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    base = reverse("appeals:resources")
    if url.startswith(base) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return f"{base}?unit={resource.unit_id}" if resource is not None else base


@login_required
def resource_list(request):
    scope = require_staff(request.user)
    qs = resources.visible_resources(request.user).select_related("unit", "unit__parent")
    unit = None
    if request.GET.get("unit"):
        unit = unit_get(request.user, request.GET["unit"])
        qs = qs.filter(unit__path__startswith=unit.path)
    kind = request.GET.get("kind", "")
    if kind in ResourceKind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    state = request.GET.get("state", "")
    if state == "off":
        qs = qs.filter(active=False)
    elif state != "all":
        state = ""
        qs = qs.filter(active=True)
    q = request.GET.get("q", "").strip()
    qs = resources.search_resources(qs, q).order_by("unit__path", "kind", "name", "pk")
    page = paginate(request, qs)
    page.object_list = list(page.object_list)
    for r in page.object_list:
        r.can_write = scope.covers(r.unit.path, write=True)
    units = resources.directory_units(request.user, write=False, also=unit)
    return render(
        request,
        "appeals/resources/list.html",
        {
            "page": page,
            "q": q,
            "unit": unit,
            "units": units,
            "kind": kind,
            "kind_choices": ResourceKind.choices,
            "state": state,
            "can_add": bool(scope.write_paths),
        },
    )


def _edit(request, resource):
    initial = {}
    if resource is not None:
        initial = {
            "unit": resource.unit,
            "kind": resource.kind,
            "name": resource.name,
            "contact": resource.contact,
            "description": resource.description,
        }
    elif request.GET.get("unit"):
        initial["unit"] = unit_get(request.user, request.GET["unit"], write=True)
    if resource is None and request.GET.get("kind") in ResourceKind.values:
        initial["kind"] = request.GET["kind"]
    units = resources.directory_units(request.user, write=True, also=initial.get("unit"))
    if "unit" not in initial and units.count() == 1:
        initial["unit"] = units.first()
    if request.method == "POST":
        _posted_unit(request)
    form = ResourceForm(request.POST or None, initial=initial, units=units)
    if request.method == "POST" and form.is_valid():
        saved = run_form_action(
            form, resources.resource_save, user=request.user, resource=resource, **form.cleaned_data
        )
        if saved:
            audit_record(
                request=request,
                action=AuditAction.CHANGE,
                target=f"resource:{saved.pk}",
                detail={"saved": saved.name, "unit": saved.unit_id, "kind": saved.kind},
            )
            messages.success(request, _("%(name)s was saved in the directory.") % {"name": saved.name})
            return redirect(_back_to_list(request, saved))
    title = _("Edit %(name)s") % {"name": resource.name} if resource else _("Add a resource")
    return render(
        request,
        "appeals/resources/form.html",
        {"form": form, "title": title, "resource": resource, "back": _back_to_list(request, resource)},
    )


@login_required
def resource_new(request):
    scope = require_staff(request.user)
    if not scope.write_paths:
        raise PermissionDenied
    return _edit(request, None)


@login_required
def resource_edit(request, pk):
    return _edit(request, resources.resource_get(request.user, pk, write=True))


@login_required
@require_POST
def resource_active(request, pk):
    resource = resources.resource_get(request.user, pk, write=True)
    active = request.POST.get("active") == "1"
    try:
        resources.resource_set_active(user=request.user, resource=resource, active=active)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        audit_record(
            request=request,
            action=AuditAction.CHANGE,
            target=f"resource:{resource.pk}",
            detail={"active": active, "name": resource.name},
        )
        msg = (
            _("%(name)s is back in use.")
            if active
            else _("%(name)s is out of use: it no longer shows on appeals. Past links are kept.")
        )
        messages.success(request, msg % {"name": resource.name})
    return redirect(_back_to_list(request, resource))
