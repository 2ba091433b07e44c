from django.utils.translation import gettext_lazy as _

from twoway.core.nav import NavEntry, resident, staff

ENTRIES = [
    NavEntry(_("Service stations"), "station:index", staff, "🏪", _("One window, all services, and the work ledger")),
    NavEntry(_("My services"), "station:mine", resident, "🧾", _("Services at the station, and your rating")),
]
