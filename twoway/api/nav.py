from django.utils.translation import gettext_lazy as _

from twoway.core.nav import NavEntry, staff

ENTRIES = [
    NavEntry(_("API tokens"), "api:tokens", staff, "🔐", _("Tokens for your work apps, and the API documentation")),
]
