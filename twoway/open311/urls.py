from django.urls import path, re_path

from . import views, views_keys

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(rf"^discovery{FMT}", views.discovery, name="discovery"),
    re_path(rf"^services{FMT}", views.services, name="services"),
    re_path(rf"^services/(?P<code>[^/]+?){FMT}", views.service_definition, name="service_definition"),
    re_path(rf"^requests{FMT}", views.requests_, name="requests"),
    re_path(rf"^requests/(?P<request_id>[^/]+?){FMT}", views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token_id>[^/]+?){FMT}", views.token, name="token"),
    path("keys/", views_keys.key_list, name="keys"),
    path("keys/<int:pk>/revoke/", views_keys.key_revoke, name="key_revoke"),
]
