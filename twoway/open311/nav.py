from django.utils.translation import gettext_lazy as _

from twoway.core.nav import NavEntry


def _district_writer(scope) -> bool:
    from twoway.org.models import WRITE_ROLES, UnitKind

    return any(r.kind in WRITE_ROLES and r.unit.kind == UnitKind.DISTRICT for r in scope.roles)


ENTRIES = [
    NavEntry(
        _("Open311 client keys"),
        "open311:keys",
        _district_writer,
        "🔑",
        _("Keys for the 12345 hotline and other systems that raise appeals"),
    ),
]
