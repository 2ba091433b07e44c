"""The Open311 client keys page: district staff issue a key per client application and revoke it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from twoway.core.errors import DomainError
from twoway.core.pages import paginate, run_form_action

from . import keys
from .models import KEY_CHANNELS


class KeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Client application"),
        max_length=keys.NAME_MAX,
        help_text=gettext_lazy("For example the city's 12345 hotline system, or a resident app."),
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel recorded on its appeals"), choices=())
    rate_per_minute = forms.IntegerField(
        label=gettext_lazy("Requests per minute"), initial=60, min_value=1, max_value=keys.MAX_RATE
    )
    read_all = forms.BooleanField(
        label=gettext_lazy("May read every request in the district (otherwise only its own)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from twoway.appeals.models import Channel

        self.fields["channel"].choices = [(c, Channel(c).label) for c in KEY_CHANNELS]


@login_required
def key_list(request):
    if not keys.managed_districts(request.user):
        raise PermissionDenied
    form, new_key = KeyForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        issued = run_form_action(form, keys.client_key_issue, user=request.user, request=request, **form.cleaned_data)
        if issued is not None:
            key, new_key = issued
            form = KeyForm()
    page = paginate(request, keys.visible_keys(request.user))
    return render(request, "open311/keys.html", {"form": form, "page": page, "new_key": new_key})


@login_required
@require_POST
def key_revoke(request, pk):
    key = keys.key_get(request.user, pk)
    try:
        keys.client_key_revoke(user=request.user, key_id=key.pk, request=request)
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The key for “%(name)s” was revoked.") % {"name": key.name})
    return redirect("open311:keys")
