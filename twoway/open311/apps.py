from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "twoway.open311"
