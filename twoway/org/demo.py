"""A realistic demo district: 滨城区 with three streets, their communities, groups, households
and residents, generated with Faker (zh_CN) and a fixed seed so every run is the same."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from faker import Faker

from . import actions
from .models import Grid, Household, OrgUnit, Person, Role, RoleKind, UnitKind
from .validation import id_check_digit

DEMO_PASSWORD = "Demo@2026"  # noqa: S105  (printed for the demo on purpose)
DISTRICT = ("滨城区", "371602")
STREETS = {
    "市中街道": ["黄河五路社区", "渤海七路社区", "新立河社区", "北镇社区"],
    "市东街道": ["东城社区", "梧桐社区", "滨河社区"],
    "彭李街道": ["彭李社区", "黄河八路社区", "新城社区", "渤海十八路社区"],
}
DEPARTMENTS = [
    "区住房和城乡建设局",
    "区城市管理局",
    "区民政局",
    "区人力资源和社会保障局",
    "区卫生健康局",
    "区市场监督管理局",
    "区生态环境分局",
    "区教育和体育局",
    "区司法局",
    "区公安分局",
]
ADVISOR_TITLES = ["党员代表", "居民代表", "乡贤代表", "社会组织代表", "人大代表", "政协委员"]
RELATIONS = ["户主", "配偶", "子女", "父母", "孙子女", "其他"]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    unit: str


def _id_number(rng: random.Random, birth: date, gender: str, region: str) -> str:
    seq = rng.randint(0, 99) * 10 + (rng.choice([1, 3, 5, 7, 9]) if gender == "M" else rng.choice([0, 2, 4, 6, 8]))
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


class DemoBuilder:
    def __init__(self, seed: int = 2024):
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.used_ids: set[str] = set()

    def person_fields(self, *, adult: bool = True) -> dict:
        rng, fake = self.rng, self.fake
        gender = rng.choice("MF")
        age = rng.randint(18, 88) if adult else rng.randint(1, 17)
        birth = date(2026, 1, 1) - timedelta(days=age * 365 + rng.randint(0, 364))
        id_number = _id_number(rng, birth, gender, DISTRICT[1])
        while id_number in self.used_ids:
            id_number = _id_number(rng, birth, gender, DISTRICT[1])
        self.used_ids.add(id_number)
        name = fake.name_male() if gender == "M" else fake.name_female()
        phone = fake.phone_number() if adult else ""
        return {"name": name, "gender": gender, "birth_date": birth, "id_number": id_number, "phone": phone}

    def populate_group(self, group: OrgUnit, first_building: int, households: int) -> tuple[list[Person], int]:
        """Households by building, entrance, floor and door in one resident group, with their
        members. Returns the group's people and the number of buildings it took."""
        rng = self.rng
        per_building = 3 * 6 * 2  # entrances × floors × doors
        new_households = []
        for i in range(households):
            b = first_building + i // per_building
            k = i % per_building
            entrance, floor, door = 1 + k % 3, 1 + (k // 3) % 6, 1 + k // 18
            new_households.append(
                Household(
                    group=group,
                    building=str(b),
                    entrance=str(entrance),
                    room=f"{floor}0{door}",
                    address=f"{group.parent.name}{b}号楼{entrance}单元{floor}0{door}室",
                )
            )
        Household.objects.bulk_create(new_households, batch_size=1000)
        saved = list(Household.objects.filter(group=group).order_by("id"))
        people = []
        for household in saved:
            size = rng.choices([1, 2, 3, 4, 5], weights=[15, 35, 25, 18, 7])[0]
            for k in range(size):
                fields = self.person_fields(adult=k < 2 or rng.random() < 0.6)
                people.append(Person(unit=group, household=household, relation=RELATIONS[min(k, 5)], **fields))
        Person.objects.bulk_create(people, batch_size=1000)
        buildings = max(1, -(-households // per_building))
        return list(Person.objects.filter(unit=group).order_by("id")), buildings

    def staff(self, unit: OrgUnit, kind: str, title: str = "") -> Person:
        person = Person.objects.create(unit=unit, **self.person_fields())
        Role.objects.create(person=person, unit=unit, kind=kind, title=title)
        return person


def _login(person: Person, username: str) -> None:
    User = get_user_model()
    user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
    person.user = user
    person.save(update_fields=["user"])


@transaction.atomic
def build_demo(*, seed: int = 2024, households_per_group: tuple[int, int] = (10, 40)) -> list[DemoLogin]:
    """Build the demo district from nothing and return one login per role."""
    b = DemoBuilder(seed)
    rng = b.rng
    district = actions.unit_create(
        parent=None,
        kind=UnitKind.DISTRICT,
        name=DISTRICT[0],
        code=DISTRICT[1],
        address="滨州市滨城区黄河五路",
        phone="0543-3161234",
    )
    logins: list[DemoLogin] = []

    admin = b.staff(district, RoleKind.STAFF, "区社会工作部")
    _login(admin, "district_admin")
    logins.append(DemoLogin("district_admin", "区级管理员 / District staff", district.name))
    b.staff(district, RoleKind.LEADER, "区委副书记")
    auditor = b.staff(district, RoleKind.AUDITOR, "区委巡察办")
    _login(auditor, "district_auditor")
    logins.append(DemoLogin("district_auditor", "区级审计员 / District auditor", district.name))

    for i, name in enumerate(DEPARTMENTS, start=1):
        dept = actions.unit_create(
            parent=district, kind=UnitKind.DEPARTMENT, name=name, code=f"{DISTRICT[1]}D{i:02d}", sort=i
        )
        officer = b.staff(dept, RoleKind.STAFF, "科员")
        if i == 1:
            _login(officer, "dept_officer")
            logins.append(DemoLogin("dept_officer", "区直部门工作人员 / Department officer", dept.name))

    building_no = 1
    for s, (street_name, communities) in enumerate(STREETS.items(), start=1):
        street = actions.unit_create(
            parent=district, kind=UnitKind.STREET, name=street_name, code=f"{DISTRICT[1]}{s:03d}", sort=s
        )
        b.staff(street, RoleKind.LEADER, "党工委书记")
        officer = b.staff(street, RoleKind.STAFF, "社区治理办")
        if s == 1:
            _login(officer, "street_officer")
            logins.append(DemoLogin("street_officer", "街道工作人员 / Street officer", street.name))
        for c, community_name in enumerate(communities, start=1):
            community = actions.unit_create(
                parent=street, kind=UnitKind.COMMUNITY, name=community_name, code=f"{street.code}{c:03d}", sort=c
            )
            secretary = b.staff(community, RoleKind.LEADER, "党组织书记、居委会主任")
            b.staff(community, RoleKind.STAFF, "社区工作者")
            first = s == 1 and c == 1
            if first:
                _login(secretary, "community_secretary")
                logins.append(DemoLogin("community_secretary", "社区书记 / Community secretary", community.name))
            groups = []
            for g in range(1, rng.randint(4, 8) + 1):
                group = actions.unit_create(
                    parent=community,
                    kind=UnitKind.GROUP,
                    name=f"第{g}居民小组",
                    code=f"{community.code}{g:02d}",
                    sort=g,
                )
                members, used = b.populate_group(group, building_no, rng.randint(*households_per_group))
                group.address = f"{building_no}号楼" if used == 1 else f"{building_no}-{building_no + used - 1}号楼"
                group.save(update_fields=["address"])
                building_no += used
                groups.append(group)
                leader = members[0]
                Role.objects.create(person=leader, unit=group, kind=RoleKind.GROUP_LEADER, title="居民小组长")
                for rep in rng.sample(members[1:], k=min(2, len(members) - 1)):
                    Role.objects.create(person=rep, unit=group, kind=RoleKind.RESIDENT_REP, title="居民代表")
                adults = [m for m in members if m.phone]
                for pm in rng.sample(adults, k=max(1, len(adults) // 12)):
                    Role.objects.get_or_create(person=pm, unit=group, kind=RoleKind.PARTY_MEMBER)
                if first and g == 1:
                    _login(leader, "group_leader")
                    logins.append(
                        DemoLogin("group_leader", "居民小组长 / Resident group leader", f"{community.name}{group.name}")
                    )
                    resident = next(m for m in members[1:] if m.phone and m.household_id != leader.household_id)
                    _login(resident, "resident")
                    logins.append(DemoLogin("resident", "居民 / Resident", f"{community.name}{group.name}"))
            # The advisory group (议事顾问团, 两代表一委员) of each community.
            for title in ADVISOR_TITLES:
                b.staff(community, RoleKind.ADVISOR, title)
            # Grids: the street draws one or two grids over each community's groups.
            half = (len(groups) + 1) // 2
            for n, chunk in enumerate([groups[:half], groups[half:]], start=1):
                if not chunk:
                    continue
                grid = Grid.objects.create(street=street, name=f"{community_name}第{n}网格")
                grid.units.set(chunk)
                worker = b.staff(community, RoleKind.GRID_WORKER, "专职网格员")
                grid.workers.add(worker)
                if first and n == 1:
                    _login(worker, "grid_worker")
                    logins.append(DemoLogin("grid_worker", "网格员 / Grid worker", grid.name))
    return logins
