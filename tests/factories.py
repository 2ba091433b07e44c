"""Factories and the small fixed test tree. People are named after their roles, so a test
reads like the standard: `group_leader`, `community_secretary`, `street_officer`."""

from dataclasses import dataclass, field

import factory
from django.contrib.auth import get_user_model

from twoway.org import actions
from twoway.org.models import Household, OrgUnit, Person, Role, RoleKind, UnitKind
from twoway.org.validation import id_check_digit

PASSWORD = "Test@2026x"


def make_id_number(n: int) -> str:
    first17 = f"3716021990{(n // 100000) % 100:02d}{(n // 1000) % 100:02d}{n % 1000:03d}"[:17]
    return first17 + id_check_digit(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.Sequence(lambda n: str(1 + n // 30))
    entrance = factory.Sequence(lambda n: str(1 + (n // 10) % 3))
    room = factory.Sequence(lambda n: f"{1 + n % 6}0{1 + (n // 6) % 2}{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Faker("name", locale="zh_CN")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    id_number = factory.Sequence(make_id_number)


@dataclass
class Tree:
    """One district, two streets, two communities each, two groups each, and people."""

    units: dict[str, OrgUnit] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)

    def __getitem__(self, key):
        return self.units.get(key) or self.people[key]


def person_with_login(username: str, unit: OrgUnit, kind: str | None, household: Household | None = None) -> Person:
    user = UserFactory(username=username)
    person = PersonFactory(unit=unit, household=household, user=user, name=f"测试{username}")
    if kind:
        Role.objects.create(person=person, unit=unit, kind=kind)
    return person


def build_tree() -> Tree:
    t = Tree()
    u = t.units
    u["district"] = actions.unit_create(parent=None, kind=UnitKind.DISTRICT, name="测试区", code="D")
    u["department"] = actions.unit_create(parent=u["district"], kind=UnitKind.DEPARTMENT, name="区住建局", code="DEP")
    for s in "AB":
        u[f"street_{s}"] = actions.unit_create(
            parent=u["district"], kind=UnitKind.STREET, name=f"{s}街道", code=f"S{s}"
        )
        for c in "12":
            key = f"community_{s}{c}"
            u[key] = actions.unit_create(
                parent=u[f"street_{s}"], kind=UnitKind.COMMUNITY, name=f"{s}{c}社区", code=f"C{s}{c}"
            )
            for g in "ab":
                gk = f"group_{s}{c}{g}"
                u[gk] = actions.unit_create(
                    parent=u[key], kind=UnitKind.GROUP, name=f"{s}{c}社区{g}组", code=f"G{s}{c}{g}"
                )
                for _n in range(2):
                    h = HouseholdFactory(group=u[gk])
                    PersonFactory(unit=u[gk], household=h)
    p = t.people
    p["district_staff"] = person_with_login("district_staff", u["district"], RoleKind.STAFF)
    p["district_auditor"] = person_with_login("district_auditor", u["district"], RoleKind.AUDITOR)
    p["dept_officer"] = person_with_login("dept_officer", u["department"], RoleKind.STAFF)
    p["street_officer"] = person_with_login("street_officer", u["street_A"], RoleKind.STAFF)
    p["other_street_officer"] = person_with_login("other_street_officer", u["street_B"], RoleKind.STAFF)
    p["community_secretary"] = person_with_login("community_secretary", u["community_A1"], RoleKind.LEADER)
    p["other_community_secretary"] = person_with_login("other_community_secretary", u["community_A2"], RoleKind.LEADER)
    p["grid_worker"] = person_with_login("grid_worker", u["community_A1"], RoleKind.GRID_WORKER)
    home = Household.objects.filter(group=u["group_A1a"]).first()
    p["group_leader"] = person_with_login("group_leader", u["group_A1a"], RoleKind.GROUP_LEADER, home)
    resident_home = Household.objects.filter(group=u["group_A1a"]).last()
    p["resident"] = person_with_login("resident", u["group_A1a"], RoleKind.RESIDENT, resident_home)
    p["neighbour"] = PersonFactory(unit=u["group_A1a"], household=resident_home, name="同户家人")
    far = Household.objects.filter(group=u["group_B2b"]).first()
    p["far_resident"] = person_with_login("far_resident", u["group_B2b"], RoleKind.RESIDENT, far)
    return t
