from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from twoway.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("prefs/elder/", core_views.elder_mode, name="elder_mode"),
    path("healthz", core_views.healthz, name="healthz"),
    path("org/", include("twoway.org.urls")),
    path("audit/", include("twoway.audit.urls")),
    path("appeals/", include("twoway.appeals.urls")),
    path("notifications/", include("twoway.notify.urls")),
    path("meetings/", include("twoway.meetings.urls")),
    path("notices/", include("twoway.notices.urls")),
    path("deadlines/", include("twoway.deadlines.urls")),
    path("forward/", include("twoway.forward.urls")),
    path("station/", include("twoway.station.urls")),
    path("records/", include("twoway.records.urls")),
    path("supervision/", include("twoway.supervision.urls")),
    path("public/", include("twoway.supervision.public_urls")),
    path("open311/v2/", include("twoway.open311.urls")),
    path("api/v1/", include("twoway.api.urls")),
]
