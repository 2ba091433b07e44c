"""Service buildings (Annex A, C): each unit's centre and the standards it meets, and the
handover of community service rooms in each residential development.

Handover stages, in order: land transfer → synchronous design and construction → completion
filing → handover and registration → supervision of use. The handover agreement
(《城市社区工作服务用房移交协议》) is signed at any point before filing; completion filing is
refused while it is not signed (A.4.2). Under supervision the street checks the rooms for
hazards on a schedule (A.6.3): every SAFETY_CHECK_DAYS days, the next check due from the last.
"""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.core.errors import DomainError
from twoway.core.parse import as_int, pk_or_404
from twoway.core.text import clean_text
from twoway.org.models import OrgUnit, UnitKind
from twoway.org.scope import scope_for

from .models import STAGE_ORDER, Development, HandoverEvent, HandoverStage, SafetyCheck, ServiceSpace

SAFETY_CHECK_DAYS = 90
HOUSEHOLDS_MAX = 1_000_000


def _area_label(field: str) -> str:
    labels = {
        "centre_area": _("Centre floor area"),
        "regional_area": _("Regional centre floor area"),
        "planned_area": _("Planned service room area"),
    }
    return labels.get(field, field)


def parse_area(value, field: str) -> Decimal:
    label = _area_label(field)
    try:
        area = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(
            "bad_area", _("%(field)s: enter a floor area in square metres.") % {"field": label}, field
        ) from None
    if not area.is_finite() or area < 0 or area >= Decimal("10000000"):
        raise DomainError("bad_area", _("%(field)s: enter a floor area in square metres.") % {"field": label}, field)
    return area.quantize(Decimal("0.01"))


def _households(value, *, least: int, message: str) -> int:
    households = as_int(value)
    if households is None or not least <= households <= HOUSEHOLDS_MAX:
        raise DomainError("bad_households", message, "households")
    return households


@transaction.atomic
def space_set(*, user, unit: OrgUnit, centre_area, households, newly_built: bool, regional_area=None) -> ServiceSpace:
    """Record a street's or community's centre floor area and the households it serves."""
    if not scope_for(user).covers(unit.path, write=True):
        raise DomainError("not_in_area", _("Unit: you cannot change this unit's records."), "unit")
    if unit.kind not in (UnitKind.STREET, UnitKind.COMMUNITY):
        raise DomainError("wrong_kind", _("Unit: floor areas are kept for streets and communities."), "unit")
    area = parse_area(centre_area, "centre_area")
    regional = None if regional_area in (None, "") else parse_area(regional_area, "regional_area")
    households = _households(households, least=0, message=_("Households served: enter a whole number."))
    space, _created = ServiceSpace.objects.select_for_update().get_or_create(
        unit=unit, defaults={"centre_area": area, "households": households}
    )
    space.centre_area, space.households = area, households
    space.newly_built, space.regional_area = bool(newly_built), regional
    space.save()
    return space


# ---- developments and their handover ------------------------------------------------------


def visible_developments(user):
    """Developments of the streets in the user's area, and those placed in their communities."""
    scope = scope_for(user)
    if scope.covers_everything():
        return Development.objects.select_related("street", "community")
    return Development.objects.filter(scope.unit_q("street") | scope.unit_q("community")).select_related(
        "street", "community"
    )


def development_get(user, pk) -> Development:
    pk = pk_or_404(pk)
    development = visible_developments(user).filter(pk=pk).first()
    if development is None:
        raise Http404
    return development


def _for_update(user, pk) -> tuple[Development, object]:
    development = (
        Development.objects.select_for_update(of=("self",)).select_related("street").filter(pk=as_int(pk)).first()
    )
    if development is None:
        raise DomainError("unknown", _("No such development."))
    scope = scope_for(user)
    if not scope.covers(development.street.path, write=True):
        raise DomainError("not_in_area", _("Street: you cannot act for this street."), "street")
    return development, scope.person


@transaction.atomic
def development_create(
    *, user, street: OrgUnit, name: str, developer: str, households, planned_area, community: OrgUnit | None = None
) -> Development:
    """Register a residential development at land transfer, with its planned service rooms."""
    scope = scope_for(user)
    if street.kind != UnitKind.STREET or not scope.covers(street.path, write=True):
        raise DomainError("not_in_area", _("Street: choose a street in your area."), "street")
    if community is not None and community.parent_id != street.pk:
        raise DomainError("wrong_community", _("Community: choose a community of this street."), "community")
    name = clean_text(name, field="name", label=_("Development"), limit=200, required=True)
    developer = clean_text(developer, field="developer", label=_("Developer"), limit=200, required=True)
    households = _households(households, least=1, message=_("Planned households: enter a whole number above 0."))
    area = parse_area(planned_area, "planned_area")
    development = Development.objects.create(
        street=street,
        community=community,
        name=name,
        developer=developer,
        households=households,
        planned_area=area,
    )
    HandoverEvent.objects.create(development=development, kind=HandoverStage.LAND, actor=scope.person, note=name)
    return development


@transaction.atomic
def agreement_sign(*, user, development_id, number: str, signed_on: date | None) -> Development:
    """Record the signed handover agreement (A.2.2)."""
    development, actor = _for_update(user, development_id)
    if development.agreement_signed_on:
        raise DomainError("already_signed", _("The handover agreement is already recorded."))
    number = clean_text(number, field="agreement_number", label=_("Agreement number"), limit=64, required=True)
    if signed_on is None or signed_on > timezone.localdate():
        raise DomainError("bad_date", _("Date: enter a date that is not in the future."), "signed_on")
    development.agreement_number, development.agreement_signed_on = number, signed_on
    development.save(update_fields=["agreement_number", "agreement_signed_on"])
    HandoverEvent.objects.create(development=development, kind="agreement", actor=actor, note=number)
    return development


@transaction.atomic
def development_advance(*, user, development_id, expected: str, note: str = "") -> Development:
    """Move the handover to its next stage. `expected` is the stage the user saw, so two people
    acting at once give one success and one clear answer."""
    development, actor = _for_update(user, development_id)
    note = clean_text(note, field="note", label=_("Note"), limit=500)
    if development.stage != expected:
        raise DomainError("stale", _("The handover has already moved on: reload the page."))
    index = STAGE_ORDER.index(development.stage)
    if index + 1 >= len(STAGE_ORDER):
        raise DomainError("last_stage", _("The handover has reached its last stage."))
    target = STAGE_ORDER[index + 1]
    if target == HandoverStage.FILING and not development.agreement_signed_on:
        raise DomainError(
            "no_agreement",
            _(
                "Completion filing is refused: no handover agreement has been signed with the street "
                "(DB 3716/T 69—2024, A.4.2)."
            ),
        )
    development.stage = target
    development.save(update_fields=["stage"])
    HandoverEvent.objects.create(development=development, kind=target, actor=actor, note=note)
    if target == HandoverStage.SUPERVISION:
        SafetyCheck.objects.create(development=development, due_on=timezone.localdate() + timedelta(SAFETY_CHECK_DAYS))
    return development


@transaction.atomic
def safety_check_record(*, user, development_id, done_on: date | None, hazard: bool, note: str) -> SafetyCheck:
    """Record the due safety check and schedule the next one."""
    development, actor = _for_update(user, development_id)
    if development.stage != HandoverStage.SUPERVISION:
        raise DomainError("not_supervised", _("Safety checks start once the rooms are under supervision of use."))
    check = development.checks.select_for_update().filter(done_on__isnull=True).order_by("due_on").first()
    if check is None:
        check = SafetyCheck(development=development, due_on=timezone.localdate())
    if done_on is None or done_on > timezone.localdate():
        raise DomainError("bad_date", _("Date: enter a date that is not in the future."), "done_on")
    note = clean_text(note, field="note", label=_("Findings"), limit=500)
    if hazard and not note:
        raise DomainError("required", _("Findings: describe the hazard found."), "note")
    check.done_on, check.hazard, check.note = done_on, hazard, note
    check.save()
    SafetyCheck.objects.create(development=development, due_on=done_on + timedelta(SAFETY_CHECK_DAYS))
    HandoverEvent.objects.create(development=development, kind="check", actor=actor, note=note)
    return check


def overdue_checks(developments, today: date | None = None):
    today = today or timezone.localdate()
    return SafetyCheck.objects.filter(development__in=developments, done_on__isnull=True, due_on__lt=today)
