"""The org pages as staff use them: forms refuse bad input and say which field is wrong."""

from django.urls import reverse

from twoway.audit.models import AuditAction, AuditEntry
from twoway.org.models import OrgUnit, Person, Role, RoleKind


def test_adding_a_group_through_the_form(tree, login):
    client = login(tree["community_secretary"])
    url = reverse("org:unit_add", args=[tree["community_A1"].pk])
    response = client.post(url, {"kind": "group", "name": "第九居民小组", "code": "", "sort": 0})
    group = OrgUnit.objects.get(name="第九居民小组")
    assert response.status_code == 302 and response["Location"] == reverse("org:unit", args=[group.pk])
    assert group.parent == tree["community_A1"]


def test_empty_name_shows_an_error_and_creates_nothing(tree, login):
    client = login(tree["community_secretary"])
    before = OrgUnit.objects.count()
    response = client.post(reverse("org:unit_add", args=[tree["community_A1"].pk]), {"kind": "group", "name": ""})
    assert response.status_code == 200
    assert "名称" in response.content.decode()  # the field is named, in Chinese
    assert OrgUnit.objects.count() == before


def test_a_secretary_cannot_add_a_street(tree, login):
    client = login(tree["community_secretary"])
    response = client.post(reverse("org:unit_add", args=[tree["community_A1"].pk]), {"kind": "street", "name": "x"})
    assert response.status_code == 200
    assert not OrgUnit.objects.filter(name="x").exists()


def test_people_list_masks_phone_numbers(tree, login):
    client = login(tree["community_secretary"])
    resident = tree["resident"]
    body = client.get(reverse("org:people"), {"q": resident.name}).content.decode()
    assert resident.phone not in body
    assert resident.phone[:3] + "****" + resident.phone[-4:] in body


def test_people_search_by_last_digits_of_phone(tree, login):
    client = login(tree["street_officer"])
    resident = tree["resident"]
    page = client.get(reverse("org:people"), {"q": resident.phone[-4:]}).context["page"]
    assert resident in list(page)


def test_unmasking_shows_full_numbers_and_is_logged(tree, login):
    client = login(tree["community_secretary"])  # a leader may unmask
    resident = tree["resident"]
    url = reverse("org:person", args=[resident.pk])
    masked = client.get(url).content.decode()
    assert resident.id_number not in masked and resident.id_number[:3] in masked
    full = client.post(url, {"unmask": "1"}).content.decode()
    assert resident.id_number in full and resident.phone in full
    entry = AuditEntry.objects.get(action=AuditAction.UNMASK)
    assert entry.username == "community_secretary" and entry.target == f"person:{resident.pk}"


def test_a_group_leader_may_not_unmask(tree, login):
    client = login(tree["group_leader"])
    resident = tree["resident"]
    url = reverse("org:person", args=[resident.pk])
    assert client.post(url, {"unmask": "1"}).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.UNMASK).exists()


def test_a_resident_sees_their_own_full_numbers(tree, login):
    client = login(tree["resident"])
    me = tree["resident"]
    body = client.post(reverse("org:person", args=[me.pk]), {"unmask": "1"}).content.decode()
    assert me.phone in body


def test_giving_and_taking_a_role(tree, login):
    client = login(tree["community_secretary"])
    person = Person.objects.filter(unit=tree["group_A1b"], user=None).first()
    client.post(
        reverse("org:role_add", args=[person.pk]), {"unit": tree["group_A1b"].pk, "kind": RoleKind.RESIDENT_REP}
    )
    role = Role.objects.get(person=person, kind=RoleKind.RESIDENT_REP)
    client.post(reverse("org:role_remove", args=[person.pk, role.pk]))
    assert not Role.objects.filter(pk=role.pk).exists()


def test_a_role_cannot_be_given_on_a_unit_outside_ones_area(tree, login):
    client = login(tree["community_secretary"])
    person = Person.objects.filter(unit=tree["group_A1b"], user=None).first()
    client.post(reverse("org:role_add", args=[person.pk]), {"unit": tree["street_A"].pk, "kind": RoleKind.LEADER})
    assert not Role.objects.filter(person=person, unit=tree["street_A"]).exists()


def test_lists_are_paginated(tree, login):
    client = login(tree["district_staff"])
    page = client.get(reverse("org:people")).context["page"]
    assert page.paginator.per_page == 25
    assert page.paginator.count == Person.objects.count()
    assert client.get(reverse("org:people"), {"page": "9999"}).status_code == 200


def test_household_search_by_building_unit_room(tree, login):
    from twoway.org.models import Household

    client = login(tree["community_secretary"])
    target = Household.objects.filter(group=tree["group_A1a"]).first()
    text = f"{target.building}-{target.entrance}-{target.room}"
    page = client.get(reverse("org:households"), {"q": text}).context["page"]
    assert list(page) == [target]
    chinese = f"{target.building}号楼{target.entrance}单元{target.room}室"
    assert list(client.get(reverse("org:households"), {"q": chinese}).context["page"]) == [target]


def test_household_search_by_member_name(tree, login):
    client = login(tree["community_secretary"])
    resident = tree["resident"]
    page = client.get(reverse("org:households"), {"q": resident.name}).context["page"]
    assert [h.pk for h in page] == [resident.household_id]


def test_list_pages_use_a_fixed_number_of_queries(tree, login, django_assert_max_num_queries):
    """No query per row: the count stays the same whether a page shows 2 or 25 rows."""
    client = login(tree["district_staff"])
    for name in ("org:people", "org:households", "org:tree", "home"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(name)).status_code == 200


def test_unit_page_queries_do_not_grow_with_its_children(tree, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from twoway.org import actions

    client = login(tree["district_staff"])
    url = reverse("org:unit", args=[tree["community_A1"].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(5):
        actions.unit_create(parent=tree["community_A1"], kind="group", name=f"新增{n}组")
    with CaptureQueriesContext(connection) as after:
        assert "新增4组" in client.get(url).content.decode()
    assert len(after) == len(before)


def test_editing_a_unit_saves_its_details_and_refuses_a_bad_phone(tree, login):
    client = login(tree["street_officer"])
    unit = tree["community_A1"]
    url = reverse("org:unit_edit", args=[unit.pk])
    client.post(url, {"name": "A1社区（新）", "address": "黄河五路1号", "phone": "0543-3161234", "sort": 2})
    unit.refresh_from_db()
    assert (unit.name, unit.address, unit.phone, unit.sort) == ("A1社区（新）", "黄河五路1号", "0543-3161234", 2)
    response = client.post(url, {"name": "改名", "address": "", "phone": "12345", "sort": 0})
    assert response.status_code == 200
    unit.refresh_from_db()
    assert unit.name == "A1社区（新）"  # nothing half-written
