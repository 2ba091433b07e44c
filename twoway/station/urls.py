from django.urls import path

from . import views

app_name = "station"
urlpatterns = [
    path("", views.index, name="index"),
    path("public/", views.public_catalogue, name="public_catalogue"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
    path("totals/", views.totals, name="totals"),
    path("mine/", views.mine, name="mine"),
    path("setup/<int:pk>/", views.setup, name="setup"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/catalogue/", views.catalogue, name="catalogue"),
    path("<int:pk>/items/new/", views.item_new, name="item_new"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/kiosk/", views.kiosk, name="kiosk"),
    path("<int:pk>/complaints/", views.complaints, name="complaints"),
    path("<int:pk>/rota/", views.rota, name="rota"),
    path("items/<int:pk>/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/withdraw/", views.item_withdraw, name="item_withdraw"),
    path("records/<int:pk>/", views.record, name="record"),
    path("records/<int:pk>/checklist/", views.checklist, name="checklist"),
    path("records/<int:pk>/rate/", views.rate, name="rate"),
    path("records/<int:pk>/kiosk/", views.kiosk_rate, name="kiosk_rate"),
    path("records/<int:pk>/do/<slug:action>/", views.record_act, name="record_act"),
    path("complaints/<int:pk>/", views.complaint, name="complaint"),
]
