from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "twoway.records"
