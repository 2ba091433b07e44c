"""Co-building (双联共建, R-2.7, §5.1.3.2): a community's co-building group, whose members are
heads of district departments, and the implementation plans the community declares to a
department for the work that department brings down to it.

A declared plan is a plan of the community (kind `cobuild`) with one task assigned to the
department: the department reports on it and the community checks it, through the same task
functions as every other task, with the same deadlines, cards and supervision orders.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from twoway.core.errors import DomainError
from twoway.core.parse import as_int
from twoway.core.text import clean_text
from twoway.org.models import OrgUnit, Role, RoleKind, UnitKind
from twoway.org.scope import scope_for, unit_get

from .models import CoBuildMember, Plan, PlanKind, PlanStatus, Task
from .plans import actor_of
from .tasks import _create

TITLE_MAX = 120
DOCUMENT_MAX = 20000
DUTY_MAX = 120


def community_of(user, unit_id, *, write: bool = False) -> OrgUnit:
    """The community (404 outside the user's area, 403 without the right to write there)."""
    unit = unit_get(user, unit_id, write=write)
    if unit.kind != UnitKind.COMMUNITY:
        raise DomainError("not_community", _("Community: choose a community."), "unit")
    return unit


def department_heads() -> QuerySet[Role]:
    """The heads (leader role) of the district's departments that are in use."""
    return (
        Role.objects.filter(
            kind=RoleKind.LEADER,
            unit__kind=UnitKind.DEPARTMENT,
            unit__retired_at__isnull=True,
            person__retired_at__isnull=True,
        )
        .select_related("person", "unit")
        .order_by("unit__sort", "unit__path", "person__name")
    )


def members(community: OrgUnit) -> QuerySet[CoBuildMember]:
    return CoBuildMember.objects.filter(community=community, left_at__isnull=True).select_related(
        "person", "department"
    )


@transaction.atomic
def member_add(*, user, community_id, person_id, duty: str = "") -> CoBuildMember:
    """Seat the head of a district department on the community's co-building group."""
    community = community_of(user, community_id, write=True)
    actor = actor_of(user)
    role = department_heads().filter(person_id=as_int(person_id)).first()
    if role is None:
        raise DomainError("not_head", _("Member: choose the head of a district department."), "person")
    duty = clean_text(duty, field="duty", label=_("Duty in the group"), limit=DUTY_MAX)
    try:
        with transaction.atomic():
            return CoBuildMember.objects.create(
                community=community,
                person=role.person,
                department=role.unit,
                duty=duty,
                added_by=actor,
                added_at=timezone.now(),
            )
    except IntegrityError:
        raise DomainError(
            "already_member",
            _("Member: %(name)s is already on this community's group.") % {"name": role.person.name},
            "person",
        ) from None


@transaction.atomic
def member_remove(*, user, member_id) -> CoBuildMember:
    """Take a member off the group (the seat is kept in the history)."""
    member = (
        CoBuildMember.objects.select_for_update(of=("self",))
        .select_related("community", "person")
        .filter(pk=as_int(member_id))
        .first()
    )
    scope = scope_for(user)
    if member is None or not scope.covers(member.community.path):
        raise DomainError("no_member", _("No such member of the group."), "member")
    community_of(user, member.community_id, write=True)
    if member.left_at is not None:
        raise DomainError(
            "already_left", _("%(name)s has already left the group.") % {"name": member.person.name}, "member"
        )
    member.left_at = timezone.now()
    member.save(update_fields=["left_at"])
    return member


@transaction.atomic
def plan_declare(*, user, community_id, department_id, title: str, document: str, due_on: date | None = None) -> Plan:
    """The community declares an implementation plan to a department (§5.1.3.2 c): the plan,
    under way at once, and its task for the department, which is told."""
    community = community_of(user, community_id, write=True)
    actor = actor_of(user)
    department = OrgUnit.objects.filter(
        pk=as_int(department_id), kind=UnitKind.DEPARTMENT, retired_at__isnull=True
    ).first()
    if department is None:
        raise DomainError("bad_department", _("Department: choose a district department."), "department")
    title = clean_text(title, field="title", label=pgettext("heading", "Title"), limit=TITLE_MAX, required=True)
    document = clean_text(document, field="document", label=_("Implementation plan"), limit=DOCUMENT_MAX)
    if not document:
        raise DomainError(
            "document_required", _("Implementation plan: describe the work, who does what and when."), "document"
        )
    now = timezone.now()
    plan = Plan.objects.create(
        unit=community,
        kind=PlanKind.COBUILD,
        title=title,
        document=document,
        year=timezone.localdate().year,
        status=PlanStatus.RUNNING,
        created_by=actor,
        started_at=now,
    )
    _create(plan, None, [department], community, title, "", due_on, actor)
    return plan


def declared(*, community: OrgUnit | None = None, departments=None) -> QuerySet[Task]:
    """The tasks of declared plans: a community's, or those of the given departments."""
    qs = Task.objects.filter(plan__kind=PlanKind.COBUILD, parent__isnull=True).select_related(
        "plan", "unit", "assigned_by"
    )
    if community is not None:
        qs = qs.filter(plan__unit=community)
    if departments is not None:
        qs = qs.filter(unit__in=departments)
    return qs.order_by("-created_at", "-id")
