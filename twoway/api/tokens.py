"""Issuing and revoking API access tokens. A token acts as its owner, with the owner's scope."""

import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.audit.log import AuditAction, audit_record
from twoway.core.errors import DomainError
from twoway.open311.keys import managed_districts
from twoway.open311.models import digest
from twoway.org.scope import scope_for

from .models import AccessToken

TOKEN_PREFIX = "tw_"  # noqa: S105  (a public marker, not a secret)
NAME_MAX = 100


def visible_tokens(user) -> QuerySet[AccessToken]:
    """One's own tokens; district staff also see everyone's, to revoke a lost phone's token."""
    qs = AccessToken.objects.select_related("user", "revoked_by")
    if managed_districts(user):
        return qs
    return qs.filter(user=user)


def token_get(user, pk) -> AccessToken:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    token = visible_tokens(user).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token


@transaction.atomic
def token_issue(*, user, name: str, request=None) -> tuple[AccessToken, str]:
    """Issue a token for one of the user's staff apps; returns the row and the token (shown once)."""
    if not scope_for(user).is_staff:
        raise DomainError("not_staff", _("Only staff can use API tokens."))
    name = (name or "").strip()
    if not name:
        raise DomainError("required", _("App or device: this field is required."), "name")
    if len(name) > NAME_MAX:
        raise DomainError("too_long", _("App or device: at most %(n)s characters.") % {"n": NAME_MAX}, "name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(user=user, name=name, prefix=raw[: len(TOKEN_PREFIX) + 6], digest=digest(raw))
    audit_record(
        request=request,
        user=user,
        action=AuditAction.CHANGE,
        target=f"API token {token.prefix}",
        detail={"issued": name},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, user, token_id, request=None) -> AccessToken:
    """Revoke a token at once: the app's next request is refused with 401."""
    token = token_get(user, token_id)
    token = AccessToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise DomainError("already_revoked", _("This token was already revoked."))
    token.revoked_at, token.revoked_by = timezone.now(), scope_for(user).person
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        request=request,
        user=user,
        action=AuditAction.CHANGE,
        target=f"API token {token.prefix}",
        detail={"revoked": token.name},
    )
    return token


def token_user(raw: str):
    """The active token with this value, or None."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_PREFIX):
        return None
    return AccessToken.objects.select_related("user").filter(digest=digest(raw), revoked_at__isnull=True).first()
