"""Reads for meeting pages: which meetings a person may see, and who may be invited."""

from django.db.models import Q, QuerySet
from django.http import Http404

from twoway.core.parse import pk_or_404
from twoway.org.models import OrgUnit, Person, Role
from twoway.org.scope import scope_for

from .models import Meeting, Participant


def visible_meetings(user) -> QuerySet[Meeting]:
    """Staff see their area's meetings; residents their own group's, community's and street's,
    and any meeting they take part in."""
    scope = scope_for(user)
    q = Q(pk__in=[])
    if scope.is_staff:
        q |= Q(unit__in=OrgUnit.objects.filter(scope.q("path")).values("pk"))
    person = scope.person
    if person is not None:
        q |= Q(unit__path__in=person.unit.ancestor_paths) | Q(
            pk__in=Participant.objects.filter(person=person).values("meeting_id")
        )
    return Meeting.objects.filter(q).select_related("type", "unit", "convener")


def meeting_get(user, pk) -> Meeting:
    pk = pk_or_404(pk)
    meeting = visible_meetings(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def can_run(user, meeting: Meeting) -> bool:
    scope = scope_for(user)
    return scope.covers(meeting.unit.path, write=True) or (
        scope.person is not None and scope.person.pk == meeting.convener_id
    )


ROLE_GROUPS = {
    "advisors": ("advisor",),
    "reps": ("resident_rep",),
    "leaders": ("leader", "group_leader"),
    "party": ("party_member",),
}


def people_by_role(meeting: Meeting, group: str) -> QuerySet[Person]:
    """People holding roles of one group in the meeting's unit and the units below it."""
    kinds = ROLE_GROUPS.get(group, ())
    roles = Role.objects.filter(kind__in=kinds, unit__path__startswith=meeting.unit.path)
    return Person.objects.filter(pk__in=roles.values("person_id"))


def parties_concerned(meeting: Meeting) -> QuerySet[Person]:
    from twoway.appeals.models import Appeal

    appeals = Appeal.objects.filter(topics__meeting=meeting)
    return Person.objects.filter(pk__in=appeals.values("raised_by_id"))
