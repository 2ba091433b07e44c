"""Who may see and act on an appeal (R-1.3 applied to R-3).

Read: the residents concerned (who raised it, their household, those whose appeals were
merged into it) and staff whose area covers the handling unit or the resident group it came
from. Act: staff with a writing role whose area covers the handling unit.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from twoway.core.parse import pk_or_404
from twoway.org.models import OrgUnit
from twoway.org.scope import scope_for

from .models import Appeal


def concerned_ids(person) -> list[int]:
    """The appeals a resident is concerned by: their own, those their own were merged into, and
    their household's. Each part is read from its own index and the parts are joined by UNION;
    an OR of them (across the merged appeals' join) makes the database scan the whole table."""
    own = Appeal.objects.filter(raised_by=person).order_by()
    parts = [own.values_list("pk", flat=True), own.filter(merged_into__isnull=False).values_list("merged_into_id")]
    if person.household_id:
        parts.append(Appeal.objects.filter(household_id=person.household_id).order_by().values_list("pk"))
    return [row if isinstance(row, int) else row[0] for row in parts[0].union(*parts[1:])]


def concerned_q(person) -> Q:
    """The appeals a resident is concerned by, as a filter on listed ids (see concerned_ids)."""
    return Q(pk__in=concerned_ids(person))


def visible_appeals(user) -> QuerySet[Appeal]:
    scope = scope_for(user)
    if scope.covers_everything():
        return Appeal.objects.all()
    # Ids are listed rather than given as subqueries, so the database can OR three index scans.
    q = Q(pk__in=[])
    if scope.is_staff:
        units = list(OrgUnit.objects.filter(scope.q("path")).order_by().values_list("pk", flat=True))
        q |= Q(handling_unit_id__in=units) | Q(origin_unit_id__in=units)
    if scope.person is not None:
        q |= concerned_q(scope.person)
    return Appeal.objects.filter(q)


def can_read(user, appeal: Appeal) -> bool:
    scope = scope_for(user)
    if scope.covers(appeal.handling_unit.path) or scope.covers(appeal.origin_unit.path):
        return True
    return is_concerned(user, appeal)


def is_concerned(user, appeal: Appeal) -> bool:
    person = scope_for(user).person
    if person is None:
        return False
    if appeal.raised_by_id == person.pk or (person.household_id and appeal.household_id == person.household_id):
        return True
    return appeal.merged.filter(raised_by=person).exists()


def can_act(user, appeal: Appeal) -> bool:
    return scope_for(user).covers(appeal.handling_unit.path, write=True)


def appeal_get(user, pk, *, act: bool = False, for_update: bool = False) -> Appeal:
    """The appeal, if the user may see it (404 otherwise) and act on it with act=True (403)."""
    pk = pk_or_404(pk)
    qs = Appeal.objects.select_related("handling_unit", "origin_unit", "category", "raised_by")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    appeal = qs.filter(pk=pk).first()
    if appeal is None or not can_read(user, appeal):
        raise Http404
    if act and not can_act(user, appeal):
        raise PermissionDenied
    return appeal
