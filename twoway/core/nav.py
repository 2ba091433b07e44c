"""The menu. The entries below are the first modules'; any other app of ours adds its own in
`twoway/<app>/nav.py` (a list named ENTRIES), after these. An entry shows only to those it fits."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .plugins import app_modules


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    shows_for: Callable  # (scope) -> bool
    icon: str = ""
    description: str | Promise = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def staff(scope) -> bool:
    return scope.is_staff


def resident(scope) -> bool:
    return scope.person is not None and not scope.is_staff


def anyone(scope) -> bool:
    return scope.person is not None


def _auditor(scope) -> bool:
    from twoway.audit.views import can_view_audit

    return can_view_audit(scope)


ENTRIES: list[NavEntry] = [
    NavEntry(_("Raise an appeal"), "appeals:new", resident, "✍", _("Tell us about a problem")),
    NavEntry(_("My appeals"), "appeals:mine", resident, "📋", _("Follow every step and rate the outcome")),
    NavEntry(_("Appeals"), "appeals:queue", staff, "📨", _("Accept, settle or escalate residents' appeals")),
    NavEntry(_("Resources"), "appeals:resources", staff, "🤝", _("Mediators, advisers, volunteers and partners")),
    NavEntry(_("Public notices"), "notices:list", anyone, "📢", _("Outcomes, votes and the use of funds")),
    NavEntry(_("Meetings"), "meetings:list", anyone, "🗳", _("Deliberation and votes at every level")),
    NavEntry(_("Organisation"), "org:tree", staff, "🏛", _("Streets, communities and resident groups")),
    NavEntry(_("Households"), "org:households", staff, "🏠", _("Households by building and unit")),
    NavEntry(_("People"), "org:people", staff, "👥", _("Residents, workers and their roles")),
    NavEntry(_("Grids"), "org:grids", staff, "🗺", _("Governance grids and grid workers")),
    NavEntry(_("Import and export"), "org:import", staff, "📊", _("Excel sheets in and out")),
    NavEntry(_("Time limits"), "deadlines:rules", staff, "⏱", _("Working-day limits, yellow cards and holidays")),
    NavEntry(_("Audit log"), "audit:list", _auditor, "🔎", _("Logins, exports and unmaskings")),
    NavEntry(_("Notifications"), "notify:inbox", anyone, "🔔", _("What happened to your appeals and work")),
]


@cache
def all_entries() -> tuple[NavEntry, ...]:
    entries = list(ENTRIES)
    for module in app_modules("nav", exclude={"twoway.core"}):
        entries += module.ENTRIES
    return tuple(entries)


def entries_for(scope) -> list[NavEntry]:
    return [e for e in all_entries() if e.shows_for(scope)]
