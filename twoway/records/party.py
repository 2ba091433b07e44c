"""Party members' badges and star records (党员亮牌、星级管理, §5.1.3.1).

A badge hangs at each party-member household's door. Each member has an archive of dated
records in five areas (organisation, law and discipline, society, career, family), and a star
rating per year. The rating rule: one star for each area with at least one good record that
year and no shortcoming recorded in it; a rating may not claim more stars than the records
support, and it cites them as its evidence.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.core.errors import DomainError
from twoway.core.text import clean_text
from twoway.org.models import Person, RoleKind
from twoway.org.scope import person_get, scope_for

from .models import EVIDENCE_MAX, PartyArea, PartyBadge, PartyRating, PartyRecord


def party_members(user):
    """The party members the user may see (staff: their area; a member: themself)."""
    from django.db.models import Q

    scope = scope_for(user)
    q = scope.unit_q("unit")
    if scope.person is not None and not scope.covers(scope.person.unit.path):
        q |= Q(pk=scope.person.pk)
    return (
        Person.objects.filter(q, roles__kind=RoleKind.PARTY_MEMBER, retired_at__isnull=True)
        .distinct()
        .select_related("unit", "household")
    )


def member_get(user, pk, *, write: bool = False) -> Person:
    """A party member the user may see: staff of their area, or the member themself."""
    person = person_get(user, pk)
    scope = scope_for(user)
    if not scope.covers(person.unit.path) and (scope.person is None or scope.person.pk != person.pk):
        raise Http404
    if not person.roles.filter(kind=RoleKind.PARTY_MEMBER).exists():
        raise Http404
    if write and not scope.covers(person.unit.path, write=True):
        raise PermissionDenied
    return person


def _staff(user, member: Person) -> Person:
    scope = scope_for(user)
    if not scope.covers(member.unit.path, write=True):
        raise DomainError("not_in_area", _("Party member: you cannot keep records for this member."), "member")
    return scope.person


def stars_earned(records) -> tuple[int, list[int]]:
    """(stars, ids of the records behind them) for one member's records of one year."""
    good: dict[str, list[int]] = {}
    bad = set()
    for r in records:
        if r.negative:
            bad.add(r.area)
        else:
            good.setdefault(r.area, []).append(r.pk)
    areas = [a for a in PartyArea.values if a in good and a not in bad]
    return len(areas), [pk for a in areas for pk in good[a]]


def year_records(member: Person, year: int):
    return PartyRecord.objects.filter(
        member=member, happened_on__gte=date(year, 1, 1), happened_on__lt=date(year + 1, 1, 1)
    )


@transaction.atomic
def badge_issue(*, user, member: Person, number: str, issued_on: date | None = None) -> PartyBadge:
    """Issue the door badge of the member's household (one per household)."""
    _staff(user, member)
    if member.household_id is None:
        raise DomainError("no_household", _("Party member: the member has no household to hang a badge at."), "member")
    number = clean_text(number, field="number", label=_("Badge number"), limit=32, required=True)
    if PartyBadge.objects.filter(household_id=member.household_id).exists():
        raise DomainError("duplicate", _("Badge number: this household already has its badge."), "number")
    try:
        with transaction.atomic():
            return PartyBadge.objects.create(
                household_id=member.household_id,
                member=member,
                number=number,
                issued_on=issued_on or timezone.localdate(),
            )
    except IntegrityError:
        raise DomainError("duplicate_number", _("Badge number: this number is already in use."), "number") from None


@transaction.atomic
def record_add(
    *, user, member: Person, area: str, happened_on: date | None, note: str, negative: bool = False
) -> PartyRecord:
    """Add a dated record to the member's archive."""
    actor = _staff(user, member)
    if area not in PartyArea.values:
        raise DomainError("bad_area", _("Area: choose one of the five areas."), "area")
    note = clean_text(note, field="note", label=_("Record"), limit=500, required=True)
    if happened_on is None or happened_on > timezone.localdate():
        raise DomainError("bad_date", _("Date: enter a date that is not in the future."), "happened_on")
    return PartyRecord.objects.create(
        member=member, area=area, happened_on=happened_on, note=note, negative=negative, recorded_by=actor
    )


@transaction.atomic
def rating_set(*, user, member: Person, year: int, stars: int, evidence: str) -> PartyRating:
    """Rate a member for a year. The stars may not exceed what the year's records support."""
    actor = _staff(user, member)
    if not 2000 <= year <= timezone.localdate().year:
        raise DomainError("bad_year", _("Year: choose this year or an earlier one."), "year")
    # Lock the member's row so two raters of the same year give one rating and one clear refusal.
    Person.objects.select_for_update().filter(pk=member.pk).first()
    supported, record_ids = stars_earned(year_records(member, year))
    if not 0 <= stars <= 5:
        raise DomainError("bad_stars", _("Stars: choose from 0 to 5."), "stars")
    if stars > supported:
        raise DomainError(
            "unsupported",
            _("Stars: the records of %(year)s support at most %(n)s.") % {"year": year, "n": supported},
            "stars",
        )
    evidence = clean_text(evidence, field="evidence", label=_("Evidence"), limit=EVIDENCE_MAX, required=True)
    if PartyRating.objects.filter(member=member, year=year).exists():
        raise DomainError("duplicate", _("Year: this member has already been rated for that year."), "year")
    return PartyRating.objects.create(
        member=member, year=year, stars=stars, evidence=evidence, record_ids=record_ids, rated_by=actor
    )
