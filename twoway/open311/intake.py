"""POST requests: an Open311 client raises an appeal on a resident's behalf.

The resident is the registered resident with the phone number the client sends (a name, when
sent, picks between members of one household sharing a phone). The appeal itself is created by
`appeals.flow.appeal_submit`, as the key's operator, with the key's channel.
"""

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from twoway.appeals.flow import appeal_submit
from twoway.appeals.models import Appeal, Category
from twoway.core.errors import DomainError
from twoway.org.models import Person, UnitKind

from .mapping import YES_NO
from .models import ClientKey, RequestToken

ATTRIBUTE_CODES = ("building", "unit", "household", "dispute")


def find_resident(*, key: ClientKey, phone: str, name: str = "") -> Person:
    phone = (phone or "").strip()
    if not phone:
        raise DomainError("required", _("phone: the resident's phone number is required."), "phone")
    people = list(
        Person.objects.filter(
            phone=phone,
            retired_at__isnull=True,
            unit__kind=UnitKind.GROUP,
            unit__path__startswith=key.district.path,
        )
        .select_related("unit")
        .order_by("id")
    )
    if not people:
        raise DomainError(
            "unknown_resident", _("phone: no resident of this district is registered with this number."), "phone"
        )
    named = [p for p in people if name and p.name == name]
    return (named or people)[0]


def _attribute(attributes: dict, code: str) -> str:
    return (attributes.get(code) or "").strip()


def _yes(attributes: dict, code: str) -> bool:
    value = _attribute(attributes, code).lower()
    if value and value not in YES_NO:
        raise DomainError("bad_attribute", _("attribute[%(code)s]: answer yes or no.") % {"code": code}, code)
    return value == "yes"


def place_text(address: str, attributes: dict) -> str:
    parts = [(address or "").strip()]
    building, unit = _attribute(attributes, "building"), _attribute(attributes, "unit")
    if building:
        parts.append(_("Building %(n)s") % {"n": building})
    if unit:
        parts.append(_("Unit %(n)s") % {"n": unit})
    return " ".join(p for p in parts if p)


@transaction.atomic
def request_create(
    *,
    key: ClientKey,
    service_code: str,
    description: str,
    phone: str,
    name: str = "",
    lat=None,
    lng=None,
    address: str = "",
    address_id: str = "",
    media_url: str = "",
    attributes: dict | None = None,
    idem_key: str = "",
) -> tuple[Appeal, RequestToken]:
    """Create the appeal for one POST requests and the token the client may look it up by."""
    attributes = attributes or {}
    category = Category.objects.filter(code=service_code, active=True, parent__isnull=False).first()
    if category is None:
        raise DomainError("unknown_service", _("service_code: no service has this code."), "service_code")
    if lat in (None, "") and lng in (None, "") and not (address or "").strip() and not (address_id or "").strip():
        raise DomainError(
            "no_location", _("lat/long: give a location as lat and long, address_string or address_id."), "lat"
        )
    resident = find_resident(key=key, phone=phone, name=name)
    place = place_text(address or address_id, attributes)
    description = (description or "").strip()
    if media_url.strip():
        description = f"{description}\n{_('Photo')}: {media_url.strip()}" if description else ""
    appeal = appeal_submit(
        user=key.operator.user,
        on_behalf_of=resident,
        category_id=category.pk,
        description=description,
        place=place[:100],
        lat=lat,
        lng=lng,
        for_household=_yes(attributes, "household"),
        mediation=_yes(attributes, "dispute"),
        idem_key=f"o311-{key.pk}-{idem_key}"[:64] if idem_key else "",
        channel=key.channel,
    )
    token = RequestToken.objects.filter(appeal=appeal, key=key).first()
    if token is None:
        token = RequestToken.objects.create(token=secrets.token_hex(16), appeal=appeal, key=key)
    return appeal, token
