from django.urls import path

from . import views

app_name = "records"
urlpatterns = [
    path("", views.index, name="index"),
    path("stars/", views.star_rounds, name="stars"),
    path("stars/new/", views.round_new, name="round_new"),
    path("stars/<int:pk>/", views.round_detail, name="round"),
    path("stars/<int:pk>/act/", views.round_act, name="round_act"),
    path("stars/conduct/", views.conduct, name="conduct"),
    path("stars/public/", views.public_stars, name="public_stars"),
    path("party/", views.party_list, name="party"),
    path("party/<int:pk>/", views.party_member, name="party_member"),
    path("party/<int:pk>/act/", views.party_act, name="party_act"),
    path("buildings/", views.building_standards, name="buildings"),
    path("buildings/<int:pk>/edit/", views.space_edit, name="space_edit"),
    path("developments/", views.developments, name="developments"),
    path("developments/<int:pk>/", views.development_detail, name="development"),
    path("developments/<int:pk>/act/", views.development_act, name="development_act"),
    path("workers/", views.worker_list, name="workers"),
    path("workers/new/", views.worker_new, name="worker_new"),
    path("workers/<int:pk>/", views.worker_detail, name="worker"),
    path("workers/<int:pk>/act/", views.worker_act, name="worker_act"),
    path("lists/", views.three_lists, name="lists"),
    path("lists/<int:pk>/toggle/", views.list_item_toggle, name="list_item_toggle"),
    path("lists/certificates/", views.certificates, name="certificates"),
]
