"""The project's URLs plus one deliberately unscoped page, for the scope test's self-check."""

from django.http import HttpResponse
from django.urls import path

from twoway.org.models import Person
from twoway.urls import urlpatterns as project_urlpatterns


def everyone(request):
    return HttpResponse(", ".join(Person.objects.values_list("name", flat=True)))


urlpatterns = [*project_urlpatterns, path("everyone/", everyone, name="everyone")]
