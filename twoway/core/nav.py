"""The menu. Each module adds its entries here as it arrives; an entry shows only to those it fits."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


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


def _staff(scope) -> bool:
    return scope.is_staff


def _auditor(scope) -> bool:
    from twoway.audit.views import can_view_audit

    return can_view_audit(scope)


def _resident(scope) -> bool:
    return scope.person is not None and not scope.is_staff


def _anyone(scope) -> bool:
    return scope.person is not None


ENTRIES: list[NavEntry] = [
    NavEntry(_("Raise an appeal"), "appeals:new", _resident, "✍", _("Tell us about a problem")),
    NavEntry(_("My appeals"), "appeals:mine", _resident, "📋", _("Follow every step and rate the outcome")),
    NavEntry(_("Appeals"), "appeals:queue", _staff, "📨", _("Accept, settle or escalate residents' appeals")),
    NavEntry(_("Resources"), "appeals:resources", _staff, "🤝", _("Mediators, advisers, volunteers and partners")),
    NavEntry(_("Public notices"), "notices:list", _anyone, "📢", _("Outcomes, votes and the use of funds")),
    NavEntry(_("Meetings"), "meetings:list", _anyone, "🗳", _("Deliberation and votes at every level")),
    NavEntry(_("Organisation"), "org:tree", _staff, "🏛", _("Streets, communities and resident groups")),
    NavEntry(_("Households"), "org:households", _staff, "🏠", _("Households by building and unit")),
    NavEntry(_("People"), "org:people", _staff, "👥", _("Residents, workers and their roles")),
    NavEntry(_("Grids"), "org:grids", _staff, "🗺", _("Governance grids and grid workers")),
    NavEntry(_("Import and export"), "org:import", _staff, "📊", _("Excel sheets in and out")),
    NavEntry(_("Time limits"), "deadlines:rules", _staff, "⏱", _("Working-day limits, yellow cards and holidays")),
    NavEntry(_("Audit log"), "audit:list", _auditor, "🔎", _("Logins, exports and unmaskings")),
    NavEntry(_("Notifications"), "notify:inbox", _anyone, "🔔", _("What happened to your appeals and work")),
]


def entries_for(scope) -> list[NavEntry]:
    return [e for e in ENTRIES if e.shows_for(scope)]
