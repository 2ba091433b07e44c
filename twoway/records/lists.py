"""The three lists (三张清单, Annex F): the community's work items, the certificates it may issue
and the assessments it takes part in. An entry belongs to a unit and holds for every community
under it (the district's lists hold everywhere). A certificate not on the list is refused, and
the refusal cites the rule; refusals are kept, so the street can see what residents ask for."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from twoway.core.errors import DomainError
from twoway.core.parse import as_int
from twoway.core.text import clean_text
from twoway.org.models import OrgUnit, UnitKind
from twoway.org.scope import scope_for

from .models import CertificateRequest, ListItem, ListKind

REFUSAL_RULE = "DB 3716/T 69—2024 附录F「三张清单」"


def items_for(community: OrgUnit, kind: str | None = None):
    """The entries in force for a community: its own and those of the units above it."""
    qs = ListItem.objects.filter(unit__path__in=community.ancestor_paths, active=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("unit")


def visible_items(user):
    """Entries of units the user works in, and of the units above them (which hold there too)."""
    scope = scope_for(user)
    paths = set()
    for path in scope.read_paths:
        paths |= {path[: i + 9] for i in range(0, len(path), 9)}
    from django.db.models import Q

    return ListItem.objects.filter(Q(unit__path__in=paths) | scope.unit_q("unit")).select_related("unit")


@transaction.atomic
def item_add(*, user, unit: OrgUnit, kind: str, name: str, basis: str) -> ListItem:
    """Put an entry on one of a unit's lists."""
    if not scope_for(user).covers(unit.path, write=True):
        raise DomainError("not_in_area", _("Unit: you cannot change this unit's lists."), "unit")
    if unit.kind not in (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY):
        raise DomainError("wrong_kind", _("Unit: lists are kept by the district, streets and communities."), "unit")
    if kind not in ListKind.values:
        raise DomainError("bad_kind", _("List: choose one of the three lists."), "kind")
    name = clean_text(name, field="name", label=_("Item"), limit=200, required=True)
    basis = clean_text(basis, field="basis", label=_("Basis"), limit=300)
    if not basis:
        raise DomainError("required", _("Basis: name the law, policy or document behind it."), "basis")
    try:
        with transaction.atomic():
            return ListItem.objects.create(unit=unit, kind=kind, name=name, basis=basis)
    except IntegrityError:
        raise DomainError("duplicate", _("Item: already on this list."), "name") from None


@transaction.atomic
def item_set_active(*, user, item_id, active: bool) -> ListItem:
    """Put an entry out of force (or back in force); it stays on record."""
    item = ListItem.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=as_int(item_id)).first()
    if item is None or not scope_for(user).covers(item.unit.path, write=True):
        raise DomainError("not_in_area", _("Unit: you cannot change this unit's lists."), "unit")
    item.active = active
    item.save(update_fields=["active"])
    return item


@transaction.atomic
def certificate_request(
    *, user, community: OrgUnit, name: str, applicant: str, purpose: str = ""
) -> CertificateRequest:
    """Handle a request for a certificate: issued if it is on the community's list, otherwise
    refused with the rule cited. Both outcomes are recorded."""
    scope = scope_for(user)
    if community.kind != UnitKind.COMMUNITY or not scope.covers(community.path, write=True):
        raise DomainError("not_in_area", _("Community: choose a community in your area."), "community")
    name = clean_text(name, field="name", label=_("Certificate"), limit=200, required=True)
    applicant = clean_text(applicant, field="applicant", label=_("Applicant"), limit=50, required=True)
    purpose = clean_text(purpose, field="purpose", label=_("Purpose"), limit=300)
    item = items_for(community, ListKind.CERTIFICATE).filter(name=name).first()
    if item is None:
        reason = _(
            "Refused: “%(name)s” is not on the list of certificates the community may issue. "
            "Under %(rule)s a community issues only the certificates on its list; "
            "please ask the department responsible."
        ) % {"name": name, "rule": REFUSAL_RULE}
    else:
        reason = _("Issued under: %(basis)s") % {"basis": item.basis}
    return CertificateRequest.objects.create(
        community=community,
        name=name,
        item=item,
        applicant=applicant,
        purpose=purpose,
        issued=item is not None,
        reason=reason[:500],
        handled_by=scope.person,
    )


def visible_requests(user):
    scope = scope_for(user)
    return CertificateRequest.objects.filter(scope.unit_q("community")).select_related("community")
