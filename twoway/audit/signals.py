from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .log import AuditAction, audit_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(request=request, user=user, action=AuditAction.LOGIN)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(request=request, user=user, action=AuditAction.LOGOUT)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit_record(request=request, action=AuditAction.LOGIN_FAILED, username=str(credentials.get("username", ""))[:150])
