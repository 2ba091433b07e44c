"""Write audit entries: who, when, from which address, did what."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import AuditAction, AuditEntry


def client_ip(request) -> str | None:
    if request is None:
        return None
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *, request=None, user=None, action: str, target: str = "", detail: dict | None = None, username: str = ""
) -> AuditEntry:
    """Add one audit entry. `user` defaults to the request's user."""
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    return AuditEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        username=username or (user.get_username() if user is not None and user.is_authenticated else ""),
        ip=client_ip(request),
        action=action,
        target=target[:200],
        detail=detail or {},
    )


def audit_purge(*, now=None) -> int:
    """Delete entries older than the retention period; never anything younger than 180 days."""
    days = max(180, settings.TWOWAY_AUDIT_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    # A queryset delete bypasses the model's delete(), which refuses single-row deletion.
    deleted, _by_model = AuditEntry.objects.filter(at__lt=cutoff).delete()
    return deleted


__all__ = ["AuditAction", "audit_record", "audit_purge", "client_ip"]
