"""Who may see and act on a station and its ledger (R-1.3 applied to R-7).

Read: staff whose area covers the station's community (the community itself, its street, the
district). Act: staff with a writing role there. A resident reads their own ledger entries and
rates them; the published catalogue is public.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from twoway.core.parse import pk_or_404
from twoway.org.models import OrgUnit
from twoway.org.scope import scope_for

from .models import Complaint, ServiceItem, ServiceRecord, Station


def visible_stations(user) -> QuerySet[Station]:
    scope = scope_for(user)
    return Station.objects.filter(scope.unit_q("community")).select_related("community", "community__parent")


def visible_records(user) -> QuerySet[ServiceRecord]:
    """Ledger entries of the stations in the user's area (a street sees all its stations')."""
    scope = scope_for(user)
    if not scope.is_staff:
        return ServiceRecord.objects.none()
    if scope.covers_everything():
        return ServiceRecord.objects.all()
    units = OrgUnit.objects.filter(scope.q("path")).values("pk")
    return ServiceRecord.objects.filter(station__community__in=units)


def resident_records(person) -> QuerySet[ServiceRecord]:
    if person is None:
        return ServiceRecord.objects.none()
    return ServiceRecord.objects.filter(resident=person)


def _check(user, path: str, write: bool) -> None:
    scope = scope_for(user)
    if not scope.covers(path):
        raise Http404
    if write and not scope.covers(path, write=True):
        raise PermissionDenied


def can_act(user, station: Station) -> bool:
    return scope_for(user).covers(station.community.path, write=True)


def station_get(user, pk, *, write: bool = False, for_update: bool = False) -> Station:
    """The station, if the user's area covers its community (404), and they may write there (403)."""
    qs = Station.objects.select_related("community")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    station = qs.filter(pk=pk_or_404(pk)).first()
    if station is None:
        raise Http404
    _check(user, station.community.path, write)
    return station


def item_get(user, pk, *, write: bool = False) -> ServiceItem:
    item = ServiceItem.objects.select_related("station__community").filter(pk=pk_or_404(pk)).first()
    if item is None:
        raise Http404
    _check(user, item.station.community.path, write)
    return item


def record_get(user, pk, *, write: bool = False, for_update: bool = False) -> ServiceRecord:
    """A ledger entry: staff of its station's area; the resident it served may read it (and rate it)."""
    qs = ServiceRecord.objects.select_related("station__community", "resident", "first_owner", "item")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    record = qs.filter(pk=pk_or_404(pk)).first()
    if record is None:
        raise Http404
    person = scope_for(user).person
    if not write and person is not None and record.resident_id == person.pk:
        return record
    _check(user, record.station.community.path, write)
    return record


def is_own(user, record: ServiceRecord) -> bool:
    person = scope_for(user).person
    return person is not None and record.resident_id == person.pk


def complaint_get(user, pk, *, write: bool = False) -> Complaint:
    complaint = Complaint.objects.select_related("station__community").filter(pk=pk_or_404(pk)).first()
    if complaint is None:
        raise Http404
    _check(user, complaint.station.community.path, write)
    return complaint


def visible_complaints(user) -> QuerySet[Complaint]:
    scope = scope_for(user)
    if not scope.is_staff:
        return Complaint.objects.none()
    return Complaint.objects.filter(scope.unit_q("station__community"))


def staff_q_for(station: Station) -> Q:
    """People who may serve at this station: a writing role on its community."""
    from twoway.org.models import WRITE_ROLES

    return Q(roles__unit=station.community, roles__kind__in=WRITE_ROLES)
