from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from twoway.core.pages import paginate
from twoway.org.scope import scope_for

from .models import Notification


def _mine(request):
    person = scope_for(request.user).person
    if person is None:
        raise Http404
    return Notification.objects.filter(person=person)


@login_required
def inbox(request):
    """The notification centre: newest first, unread marked."""
    return render(request, "notify/inbox.html", {"page": paginate(request, _mine(request))})


@login_required
@require_POST
def open_one(request, pk):
    """Mark one notification read and follow its link."""
    note = _mine(request).filter(pk=pk).first()
    if note is None:
        raise Http404
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    target = note.link if url_has_allowed_host_and_scheme(note.link, allowed_hosts={request.get_host()}) else ""
    return redirect(target or "notify:inbox")


@login_required
@require_POST
def read_all(request):
    _mine(request).filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notify:inbox")


def unread_count(person) -> int:
    return Notification.objects.filter(person=person, read_at__isnull=True).count() if person else 0
