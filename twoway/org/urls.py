from django.urls import path

from . import views, views_excel

app_name = "org"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/add/", views.unit_create, name="unit_add"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("units/<int:pk>/retire/", views.unit_retire, name="unit_retire"),
    path("households/", views.households, name="households"),
    path("households/new/", views.household_edit, name="household_new"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_edit, name="person_new"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/roles/", views.role_add, name="role_add"),
    path("people/<int:pk>/roles/<int:role_pk>/remove/", views.role_remove, name="role_remove"),
    path("grids/", views.grids, name="grids"),
    path("grids/new/", views.grid_edit, name="grid_new"),
    path("grids/<int:pk>/edit/", views.grid_edit, name="grid_edit"),
    path("import/", views_excel.import_page, name="import"),
    path("import/template/<slug:kind>.xlsx", views_excel.import_template, name="import_template"),
    path("export/<slug:kind>.xlsx", views_excel.export, name="export"),
]
