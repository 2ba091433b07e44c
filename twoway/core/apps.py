from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "twoway.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import dbrouter

        dbrouter.connect_signals()
