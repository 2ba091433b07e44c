"""Community workers (社区工作者, Annex D, E): a register with each worker's route in, pay grade,
yearly assessment, commendations and exit with its reason; counts per unit.

Pay grades follow the "three posts, eighteen grades" (三岗十八级) scale: 1 to 18. A worker
assessed as incompetent (不称职) for a year is due to leave (Annex D, exit); the register shows
it until the exit is recorded.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.core.errors import DomainError
from twoway.core.parse import as_int, pk_or_404
from twoway.core.text import clean_text
from twoway.org.models import OrgUnit, Person, UnitKind
from twoway.org.scope import scope_for

from .models import Assessment, Commendation, CommunityWorker, ExitReason, Grade, Route

PAY_GRADES = range(1, 19)


def visible_workers(user):
    scope = scope_for(user)
    return CommunityWorker.objects.filter(scope.unit_q("unit")).select_related("person", "unit")


def worker_get(user, pk) -> CommunityWorker:
    pk = pk_or_404(pk)
    worker = visible_workers(user).filter(pk=pk).first()
    if worker is None:
        raise Http404
    return worker


def _check_write(user, unit: OrgUnit) -> None:
    if not scope_for(user).covers(unit.path, write=True):
        raise DomainError("not_in_area", _("Unit: you cannot keep records for this unit."), "unit")


def _grade(value) -> int:
    grade = as_int(value)
    if grade not in PAY_GRADES:
        raise DomainError("bad_grade", _("Pay grade: choose a grade from 1 to 18."), "pay_grade")
    return grade


@transaction.atomic
def worker_register(
    *, user, person_id, unit: OrgUnit, post: str, route: str, pay_grade, joined_on: date | None
) -> CommunityWorker:
    """Put a person on the register of a street or community's workers."""
    _check_write(user, unit)
    if unit.kind not in (UnitKind.STREET, UnitKind.COMMUNITY):
        raise DomainError("wrong_kind", _("Unit: community workers serve a street or a community."), "unit")
    person = Person.objects.filter(pk=as_int(person_id), unit__path__startswith=unit.path).first()
    if person is None:
        raise DomainError("not_here", _("Person: choose a person of this unit."), "person")
    if route not in Route.values:
        raise DomainError("bad_route", _("Route in: choose election or recruitment."), "route")
    post = clean_text(post, field="post", label=_("Post"), limit=100, required=True)
    if joined_on is None or joined_on > timezone.localdate():
        raise DomainError("bad_date", _("Date: enter a date that is not in the future."), "joined_on")
    try:
        with transaction.atomic():
            return CommunityWorker.objects.create(
                person=person, unit=unit, post=post, route=route, pay_grade=_grade(pay_grade), joined_on=joined_on
            )
    except IntegrityError:
        raise DomainError("duplicate", _("Person: already on the register in a post."), "person") from None


def _for_update(user, worker_id) -> CommunityWorker:
    worker = (
        CommunityWorker.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=as_int(worker_id))
        .first()
    )
    if worker is None:
        raise DomainError("unknown", _("No such worker."))
    _check_write(user, worker.unit)
    return worker


@transaction.atomic
def pay_grade_set(*, user, worker_id, pay_grade) -> CommunityWorker:
    worker = _for_update(user, worker_id)
    if worker.exited_on:
        raise DomainError("left", _("This worker has left."))
    worker.pay_grade = _grade(pay_grade)
    worker.save(update_fields=["pay_grade"])
    return worker


@transaction.atomic
def assessment_record(*, user, worker_id, year, grade: str, note: str = "") -> Assessment:
    """Record the yearly assessment (one per year)."""
    worker = _for_update(user, worker_id)
    year = as_int(year, 0)
    if not worker.joined_on.year <= year <= timezone.localdate().year:
        raise DomainError("bad_year", _("Year: choose a year the worker served in."), "year")
    if grade not in Grade.values:
        raise DomainError("bad_grade", _("Grade: choose one of the four grades."), "grade")
    note = clean_text(note, field="note", label=_("Note"), limit=500)
    if worker.assessments.filter(year=year).exists():
        raise DomainError("duplicate", _("Year: this year's assessment is already recorded."), "year")
    return Assessment.objects.create(worker=worker, year=year, grade=grade, note=note)


@transaction.atomic
def commendation_add(*, user, worker_id, title: str, awarded_by: str, awarded_on: date | None) -> Commendation:
    worker = _for_update(user, worker_id)
    title = clean_text(title, field="title", label=_("Commendation"), limit=200, required=True)
    awarded_by = clean_text(awarded_by, field="awarded_by", label=_("Awarded by"), limit=100, required=True)
    if awarded_on is None or awarded_on > timezone.localdate():
        raise DomainError("bad_date", _("Date: enter a date that is not in the future."), "awarded_on")
    return Commendation.objects.create(worker=worker, title=title, awarded_by=awarded_by, awarded_on=awarded_on)


@transaction.atomic
def worker_exit(*, user, worker_id, exited_on: date | None, reason: str, note: str = "") -> CommunityWorker:
    """Record that a worker left, and why. Once only."""
    worker = _for_update(user, worker_id)
    if worker.exited_on:
        raise DomainError("left", _("This worker has left."))
    if reason not in ExitReason.values:
        raise DomainError("bad_reason", _("Reason for leaving: choose a reason."), "exit_reason")
    note = clean_text(note, field="exit_note", label=_("Note on leaving"), limit=500)
    if reason == ExitReason.OTHER and not note:
        raise DomainError("required", _("Note on leaving: say why."), "exit_note")
    if exited_on is None or exited_on > timezone.localdate() or exited_on < worker.joined_on:
        raise DomainError("bad_date", _("Date: between joining and today."), "exited_on")
    worker.exited_on, worker.exit_reason, worker.exit_note = exited_on, reason, note
    worker.save(update_fields=["exited_on", "exit_reason", "exit_note"])
    return worker


def exit_due(worker: CommunityWorker) -> bool:
    """Assessed as incompetent in the latest assessed year, and still in post."""
    latest = worker.assessments.order_by("-year").first()
    return worker.exited_on is None and latest is not None and latest.grade == Grade.INCOMPETENT


def counts_per_unit(user) -> list[dict]:
    """Active workers per unit, by route, for the units in the user's area that have any."""
    rows = (
        visible_workers(user)
        .values("unit_id", "unit__name", "unit__path")
        .annotate(
            active=Count("pk", filter=Q(exited_on__isnull=True)),
            elected=Count("pk", filter=Q(exited_on__isnull=True, route=Route.ELECTION)),
            recruited=Count("pk", filter=Q(exited_on__isnull=True, route=Route.RECRUITMENT)),
            left=Count("pk", filter=Q(exited_on__isnull=False)),
        )
        .order_by("unit__path")
    )
    return list(rows)
