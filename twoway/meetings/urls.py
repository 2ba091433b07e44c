from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("types/", views.meeting_types, name="types"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("<int:pk>/minutes.docx", views.minutes_docx, name="minutes_docx"),
    path("<int:pk>/minutes.xlsx", views.minutes_xlsx, name="minutes_xlsx"),
    path("<int:pk>/recount/", views.meeting_recount, name="recount"),
    path("<int:pk>/<slug:action>/", views.meeting_act, name="act"),
]
