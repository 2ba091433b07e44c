"""Plans and projects (R-2.1–R-2.3): created at any level; a key project starts only with its
"六个一" complete (§5.1.1.2 a) and closes only when every milestone is verified."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from twoway.core.errors import DomainError
from twoway.core.parse import as_int, as_list
from twoway.core.text import clean_text
from twoway.org.models import Person, UnitKind
from twoway.org.scope import scope_for, unit_get

from .access import plan_get
from .models import Milestone, Plan, PlanKind, PlanStatus

TITLE_MAX = 120
YEARS = range(1900, 2101)
DOCUMENT_MAX = 20000


def _clean_document(document: str) -> str:
    document = clean_text(document, field="document", label=_("Plan document"), limit=None)
    if len(document) > DOCUMENT_MAX:
        raise DomainError(
            "document_long", _("Plan document: at most %(n)s characters.") % {"n": DOCUMENT_MAX}, "document"
        )
    return document


def actor_of(user) -> Person:
    person = scope_for(user).person
    if person is None:
        raise DomainError("no_person", _("Your login is not linked to a person record."))
    return person


def six_ones_missing(plan: Plan) -> list[str]:
    """Which of the six ones (六个一) a key project still lacks, in the standard's order, translated."""
    missing = []
    if not plan.title.strip():
        missing.append(_("one project (a title)"))
    if not plan.document.strip():
        missing.append(_("one plan document"))
    if plan.leader_id is None:
        missing.append(_("one responsible leadership member"))
    if not plan.members.exists():
        missing.append(_("one working group with its members"))
    if not plan.milestones.exists():
        missing.append(_("one timetable of dated milestones"))
    return missing


@transaction.atomic
def plan_create(
    *,
    user,
    unit_id,
    kind: str,
    title: str,
    document: str = "",
    year: int | None = None,
    leader_id=None,
    member_ids=(),
    command_post_id=None,
) -> Plan:
    """Create a plan at a unit the user may write in. A key project waits, as a draft, for its
    six ones; any other plan is under way at once."""
    actor = actor_of(user)
    unit = unit_get(user, unit_id, write=True)
    if unit.kind == UnitKind.GROUP:
        raise DomainError("group_plan", _("Unit: a resident group has no units below it to push a plan to."), "unit")
    if kind not in PlanKind.values:
        raise DomainError("bad_kind", _("Kind: choose a kind of plan."), "kind")
    title = clean_text(title, field="title", label=pgettext("heading", "Title"), limit=None)
    if not title:
        raise DomainError("title_required", _("Title: enter a title."), "title")
    if len(title) > TITLE_MAX:
        raise DomainError("title_long", _("Title: at most %(n)s characters.") % {"n": TITLE_MAX}, "title")
    plan = Plan(
        unit=unit,
        kind=kind,
        title=title,
        document=_clean_document(document),
        year=_year(year),
        created_by=actor,
    )
    plan.leader = _person_in(user, leader_id, "leader") if leader_id else None
    plan.command_post = _command_post(user, unit, command_post_id) if command_post_id else None
    if kind != PlanKind.KEY_PROJECT:
        plan.status, plan.started_at = PlanStatus.RUNNING, timezone.now()
    plan.save()
    if member_ids:
        plan.members.set([_person_in(user, pk, "members") for pk in as_list(member_ids)])
    return plan


def _year(value) -> int | None:
    if value in (None, ""):
        return None
    year = as_int(value)
    if year not in YEARS:
        raise DomainError("bad_year", _("Year: enter a year such as 2026."), "year")
    return year


def _person_in(user, pk, field: str) -> Person:
    scope = scope_for(user)
    person = Person.objects.select_related("unit").filter(pk=as_int(pk)).first()
    if person is None or not scope.covers(person.unit.path):
        raise DomainError("bad_person", _("People: choose people from your own area."), field)
    return person


def _command_post(user, unit, pk):
    street = unit_get(user, pk)
    if street.kind != UnitKind.STREET or not street.is_within(unit):
        raise DomainError(
            "bad_command_post", _("Command post: choose a street within the plan's unit."), "command_post"
        )
    return street


@transaction.atomic
def plan_set_team(*, user, plan_id, document: str, leader_id=None, member_ids=(), command_post_id=None) -> Plan:
    """Set a plan's document, responsible leader, working group and command post."""
    plan = plan_get(user, plan_id, write=True, for_update=True)
    if plan.status == PlanStatus.CLOSED:
        raise DomainError("plan_closed", _("This plan is closed."))
    plan.document = _clean_document(document)
    plan.leader = _person_in(user, leader_id, "leader") if leader_id else None
    plan.command_post = _command_post(user, plan.unit, command_post_id) if command_post_id else None
    plan.save(update_fields=["document", "leader", "command_post"])
    plan.members.set([_person_in(user, pk, "members") for pk in as_list(member_ids) if pk])
    return plan


@transaction.atomic
def milestone_add(*, user, plan_id, title: str, due_on: date | None) -> Milestone:
    """Add a dated milestone to a plan's timetable."""
    plan = plan_get(user, plan_id, write=True, for_update=True)
    if plan.status == PlanStatus.CLOSED:
        raise DomainError("plan_closed", _("This plan is closed."))
    title = clean_text(title, field="title", label=_("Milestone"), limit=None)
    if not title:
        raise DomainError("title_required", _("Milestone: enter what is to be reached."), "title")
    if due_on is None:
        raise DomainError("date_required", _("Due on: enter a date."), "due_on")
    return Milestone.objects.create(plan=plan, title=title[:120], due_on=due_on)


@transaction.atomic
def milestone_verify(*, user, milestone_id) -> Milestone:
    """Mark a milestone reached (verified by the plan's own level)."""
    milestone = Milestone.objects.select_for_update().filter(pk=as_int(milestone_id)).first()
    if milestone is None:
        raise DomainError("no_milestone", _("Milestone: no such milestone."), "milestone")
    plan = plan_get(user, milestone.plan_id, write=True)
    if plan.status != PlanStatus.RUNNING:
        raise DomainError("not_running", _("Milestones are verified while the plan is under way."))
    if milestone.verified_at is not None:
        raise DomainError("already_verified", _("This milestone was already verified."))
    milestone.verified_at, milestone.verified_by = timezone.now(), actor_of(user)
    milestone.save(update_fields=["verified_at", "verified_by"])
    return milestone


@transaction.atomic
def plan_start(*, user, plan_id) -> Plan:
    """Start a key project. Refused, naming what is missing, until all six ones are in place."""
    plan = plan_get(user, plan_id, write=True, for_update=True)
    if plan.status != PlanStatus.DRAFT:
        raise DomainError("already_started", _("This plan is already under way."))
    missing = six_ones_missing(plan)
    if missing:
        raise DomainError(
            "six_ones_missing",
            _("This key project cannot start yet. Missing: %(missing)s.") % {"missing": _("; ").join(missing)},
        )
    plan.status, plan.started_at = PlanStatus.RUNNING, timezone.now()
    plan.save(update_fields=["status", "started_at"])
    return plan


@transaction.atomic
def plan_close(*, user, plan_id) -> Plan:
    """Close a plan: every milestone verified and every task checked (followed through to the end)."""
    plan = plan_get(user, plan_id, write=True, for_update=True)
    if plan.status != PlanStatus.RUNNING:
        raise DomainError("not_running", _("Only a plan under way can be closed."))
    open_milestones = plan.milestones.filter(verified_at__isnull=True).count()
    if open_milestones:
        raise DomainError(
            "milestones_open",
            _("It cannot close yet: %(n)s milestones are not verified.") % {"n": open_milestones},
        )
    from .models import TaskStatus

    open_tasks = plan.tasks.exclude(status=TaskStatus.CHECKED).count()
    if open_tasks:
        raise DomainError("tasks_open", _("It cannot close yet: %(n)s tasks are not checked.") % {"n": open_tasks})
    plan.status, plan.closed_at = PlanStatus.CLOSED, timezone.now()
    plan.save(update_fields=["status", "closed_at"])
    return plan
