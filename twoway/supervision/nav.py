from django.utils.translation import gettext_lazy as _

from twoway.core.nav import NavEntry, anyone, staff

ENTRIES = [
    NavEntry(_("Dashboard"), "supervision:dashboard", staff, "📈", _("KPIs, the five-level funnel and rankings")),
    NavEntry(_("Periodic reports"), "supervision:reports", staff, "🗂", _("Weekly and monthly reports, .xlsx and PDF")),
    NavEntry(_("Public figures"), "public:home", anyone, "🏅", _("This month's figures, open to everyone")),
]
