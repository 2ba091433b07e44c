from django.utils.translation import gettext_lazy as _

from twoway.core.nav import NavEntry, anyone, staff

ENTRIES = [
    NavEntry(
        _("Community records"),
        "records:index",
        staff,
        "⭐",
        _("Star residents, party members, service rooms, workers and the three lists"),
    ),
    NavEntry(_("Star residents"), "records:public_stars", anyone, "🌟", _("This quarter's star-resident lists")),
]
