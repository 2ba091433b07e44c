from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:chart>.xlsx", views.export, name="export"),
    path("rankings/", views.rankings, name="rankings"),
    path("hotspots/", views.hotspots_page, name="hotspots"),
    path("reports/", views.report_list, name="reports"),
    path("reports/make/", views.report_make, name="report_make"),
    path("reports/<int:pk>.<slug:fmt>", views.report_file, name="report_file"),
    path("settings/", views.kpi_settings, name="settings"),
]
