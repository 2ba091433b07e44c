from django.utils.translation import gettext_lazy as _

from twoway.core.nav import NavEntry, resident, staff

ENTRIES = [
    NavEntry(
        _("Forward work"), "forward:plans", staff, "📌", _("Plans and key projects pushed down, progress reported back")
    ),
    NavEntry(_("Policy notices"), "forward:notices", resident, "📣", _("Policies explained for residents")),
    NavEntry(
        _("Charter and convention"),
        "forward:charter",
        resident,
        "📜",
        _("Your community's autonomy charter and residents' convention"),
    ),
]
