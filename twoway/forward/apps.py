from django.apps import AppConfig


class ForwardConfig(AppConfig):
    name = "twoway.forward"
