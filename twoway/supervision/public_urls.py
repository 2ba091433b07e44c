from django.urls import path

from . import public

app_name = "public"
urlpatterns = [
    path("", public.home, name="home"),
    path("community/<int:pk>/", public.community, name="community"),
]
