"""The project's URLs plus one bare view, for benchmarks only (see bench/settings.py).

The bare view is the baseline of bench/appeals.py: a POST through the same middleware (session,
CSRF, auth) that does one INSERT into `bench_bare`, a table the benchmark creates and drops.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from twoway.urls import urlpatterns as project_urlpatterns


@require_POST
def bare_insert(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_bare (note) VALUES (%s)", [request.POST.get("note", "")[:200]])
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare_insert, name="bench_bare"), *project_urlpatterns]
