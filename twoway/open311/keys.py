"""Issuing and revoking Open311 client keys: district staff only, every change audited."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.appeals.models import Channel
from twoway.audit.log import AuditAction, audit_record
from twoway.core.errors import DomainError
from twoway.org.models import WRITE_ROLES, OrgUnit, UnitKind
from twoway.org.scope import scope_for

from .models import KEY_CHANNELS, ClientKey, digest

KEY_PREFIX = "o311_"
NAME_MAX = 100
MAX_RATE = 6000


def managed_districts(user) -> list[OrgUnit]:
    """The districts whose client keys this user manages: those where they hold a writing role."""
    scope = scope_for(user)
    if user.is_superuser:
        return list(OrgUnit.objects.filter(kind=UnitKind.DISTRICT, parent=None))
    return sorted(
        {r.unit for r in scope.roles if r.kind in WRITE_ROLES and r.unit.kind == UnitKind.DISTRICT},
        key=lambda u: u.path,
    )


def visible_keys(user):
    return ClientKey.objects.filter(district__in=[d.pk for d in managed_districts(user)]).select_related(
        "district", "operator", "issued_by", "revoked_by"
    )


def key_get(user, pk) -> ClientKey:
    from django.http import Http404

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    key = visible_keys(user).filter(pk=pk).first()
    if key is None:
        raise Http404
    return key


@transaction.atomic
def client_key_issue(
    *, user, name: str, channel: str = Channel.OPEN311, read_all: bool = False, rate_per_minute=60, request=None
) -> tuple[ClientKey, str]:
    """Issue a key for one client application; returns the key row and the key itself (shown once)."""
    districts = managed_districts(user)
    person = scope_for(user).person
    if not districts or person is None:
        raise DomainError("not_district", _("Only district staff issue Open311 client keys."))
    name = (name or "").strip()
    if not name:
        raise DomainError("required", _("Client application: this field is required."), "name")
    if len(name) > NAME_MAX:
        raise DomainError("too_long", _("Client application: at most %(n)s characters.") % {"n": NAME_MAX}, "name")
    if channel not in KEY_CHANNELS:
        raise DomainError("bad_channel", _("Channel: choose one from the list."), "channel")
    try:
        rate = int(rate_per_minute)
    except (TypeError, ValueError):
        rate = 0
    if not 1 <= rate <= MAX_RATE:
        raise DomainError(
            "bad_rate",
            _("Requests per minute: enter a number from 1 to %(n)s.") % {"n": MAX_RATE},
            "rate_per_minute",
        )
    raw = KEY_PREFIX + secrets.token_urlsafe(24)
    key = ClientKey.objects.create(
        name=name,
        district=districts[0],
        operator=person,
        channel=channel,
        read_all=bool(read_all),
        rate_per_minute=rate,
        prefix=raw[: len(KEY_PREFIX) + 6],
        digest=digest(raw),
        issued_by=person,
    )
    audit_record(
        request=request,
        user=user,
        action=AuditAction.CHANGE,
        target=f"Open311 key {key.prefix}",
        detail={"issued": name, "channel": channel},
    )
    return key, raw


@transaction.atomic
def client_key_revoke(*, user, key_id, request=None) -> ClientKey:
    """Revoke a key at once: the client's next request is refused with 403."""
    key = key_get(user, key_id)
    key = ClientKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        raise DomainError("already_revoked", _("This key was already revoked."))
    key.revoked_at, key.revoked_by = timezone.now(), scope_for(user).person
    key.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        request=request,
        user=user,
        action=AuditAction.CHANGE,
        target=f"Open311 key {key.prefix}",
        detail={"revoked": key.name},
    )
    return key


def key_for(raw: str) -> ClientKey | None:
    """The active key with this value, or None."""
    raw = (raw or "").strip()
    if not raw:
        return None
    return (
        ClientKey.objects.select_related("district", "operator__user")
        .filter(digest=digest(raw), revoked_at__isnull=True)
        .first()
    )
