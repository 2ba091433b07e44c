"""Managing the tree: add, rename, move and retire units; households and people."""

import pytest

from twoway.core.errors import DomainError
from twoway.org import actions
from twoway.org.models import Household, OrgUnit, Person, UnitKind


def test_new_unit_path_extends_its_parent(tree):
    group = actions.unit_create(parent=tree["community_A1"], kind=UnitKind.GROUP, name="新建小组")
    assert group.path.startswith(tree["community_A1"].path)
    assert group.depth == tree["community_A1"].depth + 1
    assert list(group.ancestors()) == [tree["district"], tree["street_A"], tree["community_A1"]]


@pytest.mark.parametrize(
    ("parent_key", "kind"),
    [
        ("district", UnitKind.GROUP),
        ("street_A", UnitKind.STREET),
        ("group_A1a", UnitKind.GROUP),
        ("community_A1", UnitKind.COMMUNITY),
    ],
)
def test_a_unit_must_fit_the_level_below_its_parent(tree, parent_key, kind):
    before = OrgUnit.objects.count()
    with pytest.raises(DomainError) as err:
        actions.unit_create(parent=tree[parent_key], kind=kind, name="错层级")
    assert err.value.field == "kind"
    assert OrgUnit.objects.count() == before


def test_empty_name_is_refused_and_names_the_field(tree):
    with pytest.raises(DomainError) as err:
        actions.unit_create(parent=tree["community_A1"], kind=UnitKind.GROUP, name="   ")
    assert err.value.field == "name"


def test_moving_a_community_moves_its_whole_subtree(tree):
    community, target = tree["community_A1"], tree["street_B"]
    group_ids = list(community.children.values_list("pk", flat=True))
    actions.unit_move(unit=community, new_parent=target)
    community.refresh_from_db()
    assert community.parent == target and community.path.startswith(target.path)
    for group in OrgUnit.objects.filter(pk__in=group_ids):
        assert group.path.startswith(community.path)
        assert group.depth == 3
    # People follow: the street B officer now sees the community's residents.
    assert Person.objects.filter(unit__path__startswith=target.path, unit__parent=community).exists()


def test_a_unit_cannot_move_under_itself_or_to_the_wrong_level(tree):
    with pytest.raises(DomainError):
        actions.unit_move(unit=tree["street_A"], new_parent=tree["community_A1"])
    with pytest.raises(DomainError):
        actions.unit_move(unit=tree["group_A1a"], new_parent=tree["street_B"])


def test_retiring_keeps_the_unit_and_its_records(tree):
    group = tree["group_A2b"]
    households = Household.objects.filter(group=group).count()
    with pytest.raises(DomainError) as err:
        actions.unit_retire(unit=tree["community_A2"])  # still has active groups
    assert err.value.code == "has_active_children"
    actions.unit_retire(unit=group)
    group.refresh_from_db()
    assert group.is_retired
    assert OrgUnit.objects.filter(pk=group.pk).exists()
    assert Household.objects.filter(group=group).count() == households
    with pytest.raises(DomainError):
        actions.unit_create(parent=group, kind=UnitKind.GROUP, name="x")
    actions.unit_restore(unit=group)
    group.refresh_from_db()
    assert not group.is_retired


def test_a_unit_that_records_refer_to_cannot_be_deleted(tree):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        tree["group_A1a"].delete()


def test_household_place_is_unique_within_a_group(tree):
    group = tree["group_A1a"]
    actions.household_save(group=group, building="9", entrance="1", room="101")
    with pytest.raises(DomainError) as err:
        actions.household_save(group=group, building="9", entrance="1", room="101")
    assert err.value.field == "room"


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12345"), ("id_number", "371602199001011234"), ("id_number", "abc")],
)
def test_bad_phone_or_id_number_is_refused(tree, field, value):
    household = Household.objects.filter(group=tree["group_A1a"]).first()
    kwargs = {"phone": "", "id_number": "", field: value}
    with pytest.raises(DomainError) as err:
        actions.person_save(unit=household.group, household=household, name="张三", **kwargs)
    assert err.value.field == field


def test_an_id_number_belongs_to_one_person(tree):
    existing = tree["resident"]
    household = Household.objects.filter(group=tree["group_A1b"]).first()
    with pytest.raises(DomainError) as err:
        actions.person_save(
            unit=household.group, household=household, name="李四", id_number=existing.id_number.lower()
        )
    assert err.value.code == "id_number_taken"


def test_a_residents_unit_follows_their_household(tree):
    household = Household.objects.filter(group=tree["group_B1a"]).first()
    person = actions.person_save(unit=tree["district"], household=household, name="王五", phone="13900001111")
    assert person.unit == tree["group_B1a"]
