from django.urls import path

from . import views

app_name = "forward"
urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/board/", views.command_post, name="post"),
    path("plans/<int:pk>/<slug:action>/", views.plan_act, name="plan_act"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/<slug:action>/", views.task_act, name="task_act"),
    path("photos/<int:pk>/", views.report_photo, name="photo"),
    path("files/<int:pk>/", views.report_file, name="file"),
    path("tree/", views.tree, name="tree"),
    path("overdue/", views.overdue, name="overdue"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("aid/", views.aid_list, name="aid"),
    path("aid/new/", views.aid_new, name="aid_new"),
    path("aid/<int:pk>/", views.aid_group, name="aid_group"),
    path("cobuild/", views.cobuild_page, name="cobuild"),
    path("charter/", views.charter_page, name="charter"),
]
