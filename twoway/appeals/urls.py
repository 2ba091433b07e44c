from django.urls import path

from . import views, views_resources

app_name = "appeals"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("overdue/", views.overdue, name="overdue"),
    path("resources/", views_resources.resource_list, name="resources"),
    path("resources/new/", views_resources.resource_new, name="resources_new"),
    path("resources/<int:pk>/edit/", views_resources.resource_edit, name="resources_edit"),
    path("resources/<int:pk>/active/", views_resources.resource_active, name="resources_active"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("extensions/<int:pk>/decide/", views.decide_extension, name="decide_extension"),
]
