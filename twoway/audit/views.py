from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from twoway.core.pages import paginate
from twoway.org.models import RoleKind
from twoway.org.scope import scope_for

from .models import AuditAction, AuditEntry


def can_view_audit(scope) -> bool:
    """District auditors (an auditor role on a top-level unit) read the whole log."""
    return any(r.kind == RoleKind.AUDITOR and r.unit.parent_id is None for r in scope.roles)


@login_required
def audit_list(request):
    scope = scope_for(request.user)
    if not (request.user.is_superuser or can_view_audit(scope)):
        raise PermissionDenied
    qs = AuditEntry.objects.all()
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        qs = qs.filter(action=action)
    who = request.GET.get("who", "").strip()
    if who:
        qs = qs.filter(username__icontains=who)
    return render(
        request,
        "audit/list.html",
        {
            "page": paginate(request, qs, per_page=50),
            "action": action,
            "who": who,
            "actions": AuditAction.choices,
        },
    )
