from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from twoway.appeals.selectors import work_counts
from twoway.org.scope import home_units, scope_for
from twoway.org.selectors import unit_summaries

from .feed import feed_for
from .nav import entries_for


@login_required
def home(request):
    """The landing page for a person's role: their units and work, or a resident's own page."""
    scope = scope_for(request.user)
    if not scope.is_staff:
        return render(request, "core/home_resident.html", {"person": scope.person, "feed": feed_for(scope.person)})
    units = home_units(request.user)
    return render(
        request,
        "core/home_staff.html",
        {
            "person": scope.person,
            "summaries": unit_summaries(units),
            "entries": entries_for(scope),
            "appeal_counts": work_counts(request.user),
        },
    )


@require_POST
def elder_mode(request):
    """Switch elder mode (长辈模式) on or off, remembered in a cookie and on the user."""
    on = request.POST.get("on") == "1"
    if request.user.is_authenticated and request.user.elder_mode != on:
        request.user.elder_mode = on
        request.user.save(update_fields=["elder_mode"])
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie("elder", "1" if on else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
