"""The public catalogue page (事项清单公示, B.1.5; contacts, B.1.2): no login, the published
version only, and no personal data."""

from django.urls import reverse

from twoway.org.models import Person
from twoway.station import services


def test_the_public_page_shows_the_published_catalogue_without_login(tree, client):
    user = tree["community_secretary"].user
    station = services.station_ensure(community=tree["community_A1"])
    unpublished = services.station_ensure(community=tree["community_A2"])
    services.catalogue_publish(user=user, station_id=station.pk)
    index = client.get(reverse("station:public_catalogue")).content.decode()
    assert station.name in index and unpublished.name not in index
    body = client.get(reverse("station:public_catalogue"), {"station": station.pk}).content.decode()
    assert "党员组织关系转接（转出）" in body and "带上身份证来服务站" in body
    # A change shows only once it is published.
    item = station.items.get(code="D01")
    data = {f: getattr(item, f) for f in services.ITEM_FIELDS}
    services.item_save(user=user, station_id=station.pk, item_id=item.pk, data={**data, "name": "居住情况证明"})
    body = client.get(reverse("station:public_catalogue"), {"station": station.pk}).content.decode()
    assert "居住情况证明" not in body and "居住证明开具" in body
    services.catalogue_publish(user=user, station_id=station.pk)
    body = client.get(reverse("station:public_catalogue"), {"station": station.pk}).content.decode()
    assert "居住情况证明" in body
    assert client.get(reverse("station:public_catalogue"), {"station": unpublished.pk}).status_code == 404
    assert client.get(reverse("station:public_catalogue"), {"station": "x"}).status_code == 404


def test_the_public_page_shows_no_personal_data(tree, client):
    user = tree["community_secretary"].user
    station = services.station_ensure(community=tree["community_A1"])
    services.catalogue_publish(user=user, station_id=station.pk)
    services.rota_set(
        user=user,
        station_id=station.pk,
        weekday=0,
        role="A",
        person_id=tree["grid_worker"].pk,
        work_phone="0543-3330001",
    )
    for code in ("D01", "P03"):
        record = services.record_accept(
            user=user, station_id=station.pk, item_id=station.items.get(code=code).pk, resident_id=tree["resident"].pk
        )
    services.complaint_add(user=user, station_id=station.pk, kind="complaint", text="窗口没人", by_name="投诉的张女士")
    pages = [
        client.get(reverse("station:public_catalogue")).content.decode(),
        client.get(reverse("station:public_catalogue"), {"station": station.pk}).content.decode(),
        client.get(reverse("station:public_catalogue"), {"station": station.pk, "q": "证明"}).content.decode(),
    ]
    # The published work contact is there on purpose (B.1.2); nothing about any resident is.
    assert "测试grid_worker" in pages[1] and "0543-3330001" in pages[1]
    for person in Person.objects.exclude(pk=tree["grid_worker"].pk):
        for body in pages:
            assert person.name not in body
            if person.phone:
                assert person.phone not in body and person.phone[-4:] + "<" not in body
            if person.id_number:
                assert person.id_number not in body
    for body in pages:
        assert record.number not in body and "投诉的张女士" not in body and "窗口没人" not in body
        assert tree["grid_worker"].phone not in body  # only the work phone given for the rota
