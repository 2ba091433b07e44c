from django.apps import AppConfig


class StationConfig(AppConfig):
    name = "twoway.station"
