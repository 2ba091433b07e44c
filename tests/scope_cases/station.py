"""Scope cases for the convenience service station (R-7): stations, catalogue items, ledger
entries and complaints in both streets, so every station URL has foreign records to attack."""

from tests.scope_registry import ById, Listing, Public
from twoway.org.models import OrgUnit
from twoway.station.models import Complaint, ServiceItem, ServiceRecord, Station


def _seed_station(tree):
    from twoway.station import services

    for who, community, resident in (
        ("community_secretary", "community_A1", "resident"),
        ("other_community_secretary", "community_A2", None),
    ):
        station = services.station_ensure(community=tree[community])
        services.catalogue_publish(user=tree[who].user, station_id=station.pk)
        item = station.items.get(code="P03")
        record = services.record_accept(
            user=tree[who].user,
            station_id=station.pk,
            item_id=item.pk,
            resident_id=tree[resident].pk if resident else None,
            resident_name="" if resident else f"{tree[community].name}来访居民",
        )
        services.complaint_add(user=tree[who].user, station_id=station.pk, kind="complaint", text="窗口没人")
        services.rota_set(user=tree[who].user, station_id=station.pk, weekday=0, role="A", person_id=tree[who].pk)
        assert record.pk
    # A station in the other street, with a walk-in resident's entry there.
    from twoway.org.models import Role

    far = tree["far_resident"]
    b2 = tree["community_B2"]
    Role.objects.get_or_create(person=tree["other_street_officer"], unit=b2, kind="staff")
    station = services.station_ensure(community=b2)
    officer = tree["other_street_officer"].user
    officer._twoway_scope = None
    del officer._twoway_scope
    services.record_accept(
        user=officer, station_id=station.pk, item_id=station.items.get(code="D01").pk, resident_id=far.pk
    )
    services.complaint_add(user=officer, station_id=station.pk, kind="suggestion", text="周六开门")
    Role.objects.filter(person=tree["other_street_officer"], unit=b2, kind="staff").delete()


def _station_path(s):
    return s.community.path


def _record_path(r):
    return r.station.community.path


def _own(r, person):
    return r.resident_id == person.pk


SEEDS = [_seed_station]

_station = {"path_of": _station_path, "text_of": lambda s: s.name}
_record = {"path_of": _record_path, "text_of": lambda r: r.number}

CASES = {
    "station:public_catalogue": Public("the published catalogue and work contacts only (tests/test_station_public.py)"),
    "station:index": Listing(),
    "station:ledger": Listing(),
    "station:ledger_export": Listing(xlsx=True),
    "station:totals": Listing(),
    "station:mine": Listing(),
    "station:setup": ById(OrgUnit, lambda u: u.path, lambda u: u.name, methods=("POST",)),
    "station:detail": ById(Station, **_station),
    "station:catalogue": ById(Station, **_station),
    "station:item_new": ById(Station, **_station),
    "station:publish": ById(Station, **_station, methods=("POST",)),
    "station:accept": ById(Station, **_station),
    "station:kiosk": ById(Station, **_station),
    "station:complaints": ById(Station, **_station),
    "station:rota": ById(Station, **_station),
    "station:item_edit": ById(ServiceItem, lambda i: i.station.community.path, lambda i: i.station.name),
    "station:item_withdraw": ById(
        ServiceItem, lambda i: i.station.community.path, lambda i: i.station.name, methods=("POST",)
    ),
    "station:record": ById(ServiceRecord, **_record, concerns=_own),
    "station:rate": ById(ServiceRecord, **_record, concerns=_own),
    "station:checklist": ById(ServiceRecord, **_record),
    "station:kiosk_rate": ById(ServiceRecord, **_record),
    "station:record_act": ById(
        ServiceRecord, **_record, more_kwargs=lambda r: {"action": "complete"}, methods=("POST",)
    ),
    "station:complaint": ById(Complaint, lambda c: c.station.community.path, lambda c: c.text),
}
