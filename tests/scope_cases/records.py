"""Scope cases for the community records: star rounds, party members, service buildings,
developments, workers and the three lists, with records seeded in both streets."""

from datetime import date

from django.utils import timezone

from tests.scope_registry import ById, Listing, Public
from twoway.org.models import OrgUnit, Person, Role, RoleKind
from twoway.records.models import CommunityWorker, Development, ListItem, StarRound


def seed_records(tree):
    from twoway.records import buildings, lists, party, stars, workers

    today = timezone.localdate()
    for who, community, group in (
        ("community_secretary", "community_A1", "group_A1b"),
        ("other_street_officer", "community_B2", "group_B2a"),
    ):
        user = tree[who].user
        star_round = stars.round_open(user=user, community_id=tree[community].pk, year=today.year, quarter=1)
        nominee = Person.objects.filter(unit=tree[group]).first()
        stars.conduct_record(user=user, person_id=nominee.pk, category="elders", happened_on=today, note="照顾孤寡老人")
        stars.nomination_add(
            user=user,
            round_id=star_round.pk,
            person_id=nominee.pk,
            kind="single",
            category="elders",
            evidence="常年照顾",
        )
        Role.objects.get_or_create(person=nominee, unit=tree[group], kind=RoleKind.PARTY_MEMBER)
        party.record_add(user=user, member=nominee, area="society", happened_on=today, note="参加志愿服务")
        party.badge_issue(user=user, member=nominee, number=f"DY-{nominee.pk}")
        buildings.space_set(user=user, unit=tree[community], centre_area="280", households=120, newly_built=False)
        workers.worker_register(
            user=user, person_id=nominee.pk, unit=tree[community], post="社区专职工作者", route="recruitment",
            pay_grade=5, joined_on=date(2020, 3, 1),
        )  # fmt: skip
        lists.item_add(user=user, unit=tree[community], kind="certificate", name="居住证明", basis="社区工作事项清单")
        lists.certificate_request(user=user, community=tree[community], name="无犯罪记录证明", applicant="申请人甲")
    for who, street, community in (
        ("street_officer", "street_A", "community_A1"),
        ("other_street_officer", "street_B", "community_B1"),
    ):
        buildings.development_create(
            user=tree[who].user,
            street=tree[street],
            community=tree[community],
            name=f"{tree[community].name}锦绣花园",
            developer="滨州置业有限公司",
            households=300,
            planned_area="90",
        )
    lists.item_add(
        user=tree["district_staff"].user, unit=tree["district"], kind="work", name="人口信息采集", basis="区民政局文件"
    )


SEEDS = [seed_records]


def _person_path(p):
    return p.unit.path


CASES = {
    "records:index": Listing(),
    "records:stars": Listing(),
    "records:round_new": Listing(),
    "records:round": ById(StarRound, lambda r: r.community.path, lambda r: r.community.name),
    "records:round_act": ById(StarRound, lambda r: r.community.path, lambda r: r.community.name, methods=("POST",)),
    "records:conduct": Listing(),
    "records:public_stars": Public(
        "the published star lists: a name and a community only (checked in tests/test_records_stars.py)"
    ),
    "records:party": Listing(),
    "records:party_member": ById(Person, _person_path, lambda p: p.name, concerns=lambda p, viewer: p.pk == viewer.pk),
    "records:party_act": ById(
        Person, _person_path, lambda p: p.name, concerns=lambda p, viewer: p.pk == viewer.pk, methods=("POST",)
    ),
    "records:buildings": Listing(),
    "records:space_edit": ById(OrgUnit, lambda u: u.path, lambda u: u.name),
    "records:developments": Listing(),
    "records:development": ById(
        Development, lambda d: (d.street.path, d.community.path if d.community else d.street.path), lambda d: d.name
    ),
    "records:development_act": ById(
        Development,
        lambda d: (d.street.path, d.community.path if d.community else d.street.path),
        lambda d: d.name,
        methods=("POST",),
    ),
    "records:workers": Listing(),
    "records:worker_new": Listing(),
    "records:worker": ById(CommunityWorker, lambda w: w.unit.path, lambda w: w.person.name),
    "records:worker_act": ById(CommunityWorker, lambda w: w.unit.path, lambda w: w.person.name, methods=("POST",)),
    "records:lists": Listing(),
    # An entry of a unit above holds below it too, so it is readable there (403 on a write).
    "records:list_item_toggle": ById(
        ListItem, lambda i: (i.unit.path,), lambda i: f"{i.name}#{i.pk}", methods=("POST",)
    ),
    "records:certificates": Listing(),
}
