"""The API tokens page: staff issue a token for each of their apps and revoke it; district
staff also see everyone's tokens, to revoke one for a lost phone."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from twoway.core.errors import DomainError
from twoway.core.pages import paginate, run_form_action
from twoway.open311.keys import managed_districts
from twoway.org.scope import require_staff

from . import tokens


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("App or device"),
        max_length=tokens.NAME_MAX,
        help_text=gettext_lazy("For example “grid worker app on my phone”."),
    )


@login_required
def token_list(request):
    require_staff(request.user)
    form, new_token = TokenForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        issued = run_form_action(form, tokens.token_issue, user=request.user, request=request, **form.cleaned_data)
        if issued is not None:
            _row, new_token = issued
            form = TokenForm()
    qs = tokens.visible_tokens(request.user)
    page = paginate(request, qs)
    return render(
        request,
        "api/tokens.html",
        {"form": form, "page": page, "new_token": new_token, "all_tokens": bool(managed_districts(request.user))},
    )


@login_required
@require_POST
def token_revoke(request, pk):
    token = tokens.token_get(request.user, pk)
    try:
        tokens.token_revoke(user=request.user, token_id=token.pk, request=request)
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The token for “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api:tokens")
