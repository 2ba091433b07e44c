"""Residents' mutual-aid groups (居民联动互助组, R-2.8, §5.1.4): formed by building or entrance,
with activity records tagged 四互相 / 四联动."""

from datetime import date

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.core.errors import DomainError
from twoway.core.parse import as_list, pk_or_404
from twoway.core.text import clean_text
from twoway.org.models import Person, UnitKind
from twoway.org.scope import scope_for, unit_get

from .models import AidActivity, AidGroup, AidTag
from .plans import actor_of

NOTE_MAX = 2000


def visible_aid_groups(user):
    scope = scope_for(user)
    if not scope.is_staff:
        return AidGroup.objects.none()
    return AidGroup.objects.filter(scope.unit_q("unit"))


def aid_group_get(user, pk, *, write: bool = False) -> AidGroup:
    from django.core.exceptions import PermissionDenied

    pk = pk_or_404(pk)
    group = AidGroup.objects.select_related("unit", "leader").filter(pk=pk).first()
    scope = scope_for(user)
    if group is None or not scope.covers(group.unit.path):
        raise Http404
    if write and not scope.covers(group.unit.path, write=True):
        raise PermissionDenied
    return group


@transaction.atomic
def aid_group_create(*, user, unit_id, name: str, building: str, entrance: str = "", leader_id=None) -> AidGroup:
    """Form a mutual-aid group for a building (or one entrance of it) in a resident group;
    its members are the residents living there."""
    unit = unit_get(user, unit_id, write=True)
    if unit.kind != UnitKind.GROUP:
        raise DomainError("not_group", _("Resident group: choose a resident group."), "unit")
    name = clean_text(name, field="name", label=_("Name"), limit=80)
    building = clean_text(building, field="building", label=_("Building"), limit=20)
    entrance = clean_text(entrance, field="entrance", label=_("Unit (entrance)"), limit=20)
    if not building:
        raise DomainError("building_required", _("Building: enter the building."), "building")
    if not name:
        name = _("Building %(b)s mutual-aid group") % {"b": building}
    residents = Person.objects.filter(
        unit=unit, household__building=building, household__retired_at__isnull=True, retired_at__isnull=True
    )
    if entrance:
        residents = residents.filter(household__entrance=entrance)
    members = list(residents)
    if not members:
        raise DomainError("no_residents", _("Building: no residents of this group live there."), "building")
    leader = None
    if leader_id:
        leader = next((m for m in members if str(m.pk) == str(leader_id)), None)
        if leader is None:
            raise DomainError("bad_leader", _("Group head: choose one of the members."), "leader")
    group = AidGroup.objects.create(unit=unit, name=name[:80], building=building, entrance=entrance, leader=leader)
    group.members.set(members)
    return group


@transaction.atomic
def aid_activity_record(*, user, group_id, title: str, at: date | None, tags, note: str = "") -> AidActivity:
    """Record an activity of a mutual-aid group, tagged with at least one of 四互相 / 四联动."""
    group = aid_group_get(user, group_id, write=True)
    actor = actor_of(user)
    title = clean_text(title, field="title", label=_("Activity"), limit=None)
    if not title:
        raise DomainError("title_required", _("Activity: say what was done."), "title")
    tags = [t for t in dict.fromkeys(as_list(tags)) if t]
    if not tags or any(t not in AidTag.values for t in tags):
        raise DomainError("tags_required", _("Tags: choose at least one of the four mutuals or four links."), "tags")
    note = clean_text(note, field="note", label=_("Note"), limit=None)
    if len(note) > NOTE_MAX:
        raise DomainError("note_long", _("Note: at most %(n)s characters.") % {"n": NOTE_MAX}, "note")
    at = at or timezone.localdate()
    if at > timezone.localdate():
        raise DomainError("future", _("Date: an activity is recorded after it took place."), "at")
    return AidActivity.objects.create(group=group, title=title[:120], at=at, tags=tags, note=note, recorded_by=actor)
