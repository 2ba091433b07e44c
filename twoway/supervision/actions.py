"""Writes of the supervision module: the district's KPI settings."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from twoway.audit.log import audit_record
from twoway.core.errors import DomainError
from twoway.core.text import clean_text
from twoway.org.scope import scope_for

from .models import KpiSettings

FIELDS = {
    "w_response": lambda: _("Weight of the response rate"),
    "w_resolve": lambda: _("Weight of the resolution rate"),
    "w_satisfaction": lambda: _("Weight of the satisfaction rate"),
    "basic_factor": lambda: _("Factor for “basically satisfied”"),
}


def _decimal(value, field) -> Decimal:
    label = FIELDS[field]()
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(
            "not_a_number", _("%(field)s: enter a number such as 0.4.") % {"field": label}, field
        ) from None
    if not number.is_finite() or number < 0 or number > 1:
        raise DomainError("out_of_range", _("%(field)s: enter a number from 0 to 1.") % {"field": label}, field)
    if number != number.quantize(Decimal("0.01")):
        raise DomainError("too_precise", _("%(field)s: at most two decimal places.") % {"field": label}, field)
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def kpi_settings_change(*, user, w_response, w_resolve, w_satisfaction, basic_factor, note: str = "") -> KpiSettings:
    """The district sets new KPI weights and the 基本满意 factor; the old version stays as history."""
    scope = scope_for(user)
    if not scope.covers_everything(write=True):
        raise DomainError("district_only", _("Only district staff can change the KPI settings."))
    values = {
        "w_response": _decimal(w_response, "w_response"),
        "w_resolve": _decimal(w_resolve, "w_resolve"),
        "w_satisfaction": _decimal(w_satisfaction, "w_satisfaction"),
        "basic_factor": _decimal(basic_factor, "basic_factor"),
    }
    if values["w_response"] + values["w_resolve"] + values["w_satisfaction"] != 1:
        raise DomainError(
            "weights_sum",
            _("Weights: the three weights must add up to 1 (now %(sum)s).")
            % {"sum": values["w_response"] + values["w_resolve"] + values["w_satisfaction"]},
            "w_response",
        )
    note = clean_text(note, field="note", label=_("Reason for the change"), limit=300)
    # One change at a time: lock the newest version so two officers do not both "replace" it.
    list(KpiSettings.objects.select_for_update().order_by("-changed_at", "-id")[:1])
    row = KpiSettings.objects.create(**values, note=note, changed_by=scope.person)
    audit_record(
        user=user,
        action="kpi_settings_change",
        target=f"KpiSettings#{row.pk}",
        detail={k: str(v) for k, v in values.items()},
    )
    return row
