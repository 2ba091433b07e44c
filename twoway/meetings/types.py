"""The voting rules of each meeting type (R-4.2), changed by district staff only, never while a
vote of that type is open, and each change written to the audit log."""

from django.db import transaction
from django.utils.translation import gettext as _

from twoway.audit.log import audit_record
from twoway.audit.models import AuditAction
from twoway.core.errors import DomainError
from twoway.core.parse import as_int
from twoway.org.models import OrgUnit
from twoway.org.scope import scope_for

from .models import MeetingType, Motion, MotionStatus
from .rules import Base, Majority


def may_set_rules(user) -> bool:
    """District-wide staff with write access set the rules for every level."""
    scope = scope_for(user)
    roots = OrgUnit.objects.filter(parent=None).values_list("path", flat=True)
    return bool(roots) and all(scope.covers(path, write=True) for path in roots)


@transaction.atomic
def meeting_type_update(*, user, type_id, quorum_percent, majority: str, base: str, secret: bool) -> MeetingType:
    """Set a meeting type's quorum, majority, counting base and ballot secrecy."""
    if not may_set_rules(user):
        raise DomainError("not_district", _("Only district staff can change the voting rules."))
    mtype = MeetingType.objects.select_for_update().filter(pk=as_int(type_id)).first()
    if mtype is None:
        raise DomainError("unknown_type", _("No such meeting type."))
    try:
        quorum = int(str(quorum_percent).strip())
    except (TypeError, ValueError):
        quorum = -1
    if not 1 <= quorum <= 100:
        raise DomainError("bad_quorum", _("Quorum: enter a percentage from 1 to 100."), "quorum_percent")
    if majority not in [m.value for m in Majority]:
        raise DomainError("bad_majority", _("Majority: choose more than half or two thirds."), "majority")
    if base not in [b.value for b in Base]:
        raise DomainError("bad_base", _("Counted on: choose ballots cast or members entitled to vote."), "base")
    if Motion.objects.filter(topic__meeting__type=mtype, status=MotionStatus.OPEN).exists():
        raise DomainError("vote_open", _("A vote of this meeting type is open: change the rules after it closes."))
    before = {"quorum": mtype.quorum_percent, "majority": mtype.majority, "base": mtype.base, "secret": mtype.secret}
    mtype.quorum_percent, mtype.majority, mtype.base, mtype.secret = quorum, majority, base, bool(secret)
    mtype.save(update_fields=["quorum_percent", "majority", "base", "secret"])
    after = {"quorum": quorum, "majority": majority, "base": base, "secret": bool(secret)}
    audit_record(
        user=user,
        action=AuditAction.CHANGE,
        target=f"meeting type {mtype.code}",
        detail={"before": before, "after": after},
    )
    return mtype
