"""Party members' badges and star records (§5.1.3.1): one badge per household, records in five
areas, a yearly rating no higher than its records support, an archive per member."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from twoway.core.errors import DomainError
from twoway.org.models import Person, Role, RoleKind
from twoway.records import party
from twoway.records.models import PartyBadge, PartyRating


@pytest.fixture
def member(tree):
    person = Person.objects.filter(unit=tree["group_A1b"]).first()
    Role.objects.create(person=person, unit=tree["group_A1b"], kind=RoleKind.PARTY_MEMBER)
    return person


def test_one_badge_per_household(tree, member):
    user = tree["community_secretary"].user
    badge = party.badge_issue(user=user, member=member, number="DY-001")
    assert badge.household_id == member.household_id
    housemate = Person.objects.create(unit=member.unit, household=member.household, name="同户党员")
    Role.objects.create(person=housemate, unit=member.unit, kind=RoleKind.PARTY_MEMBER)
    with pytest.raises(DomainError) as error:
        party.badge_issue(user=user, member=housemate, number="DY-002")
    assert error.value.field == "number"
    other = Person.objects.filter(unit=tree["group_A1a"], user__isnull=True).exclude(household=member.household).first()
    with pytest.raises(DomainError) as used:
        party.badge_issue(user=user, member=other, number="DY-001")
    assert used.value.code == "duplicate_number"
    assert PartyBadge.objects.count() == 1


def test_stars_follow_the_five_areas(tree, member):
    user = tree["community_secretary"].user
    for area, negative in (("organisation", False), ("society", False), ("family", False), ("family", True)):
        party.record_add(
            user=user, member=member, area=area, happened_on=date(2025, 5, 1), note="记录", negative=negative
        )
    party.record_add(user=user, member=member, area="career", happened_on=date(2024, 5, 1), note="往年")
    earned, ids = party.stars_earned(party.year_records(member, 2025))
    assert earned == 2  # family has a shortcoming; career's record is from another year
    with pytest.raises(DomainError) as error:
        party.rating_set(user=user, member=member, year=2025, stars=3, evidence="年度评定")
    assert error.value.field == "stars" and "2" in error.value.message
    rating = party.rating_set(user=user, member=member, year=2025, stars=2, evidence="年度评定")
    assert sorted(rating.record_ids) == sorted(ids) and len(ids) == 2
    with pytest.raises(DomainError) as again:
        party.rating_set(user=user, member=member, year=2025, stars=1, evidence="重评")
    assert again.value.code == "duplicate"
    with pytest.raises(DomainError):
        party.rating_set(user=user, member=member, year=2024, stars=1, evidence="")


def test_records_are_validated_and_scoped(tree, member):
    with pytest.raises(DomainError) as area:
        party.record_add(
            user=tree["community_secretary"].user, member=member, area="x", happened_on=timezone.localdate(), note="a"
        )
    assert area.value.field == "area"
    with pytest.raises(DomainError):
        party.record_add(user=tree["other_community_secretary"].user, member=member, area="society",
                         happened_on=timezone.localdate(), note="越界")  # fmt: skip


def test_archive_page_for_staff_and_for_the_member(tree, member, login):
    from tests.factories import UserFactory

    user = tree["community_secretary"].user
    party.record_add(user=user, member=member, area="career", happened_on=timezone.localdate(), note="岗位建功")
    client = login(tree["community_secretary"])
    page = client.get(reverse("records:party_member", args=[member.pk]))
    assert page.status_code == 200 and "岗位建功" in page.content.decode()
    assert member.name in client.get(reverse("records:party")).content.decode()
    member.user = UserFactory(username="member")
    member.save()
    own = login(member)
    assert own.get(reverse("records:party_member", args=[member.pk])).status_code == 200
    assert own.post(reverse("records:party_act", args=[member.pk]), {"action": "rate"}).status_code == 403
    other = login(tree["other_community_secretary"])
    assert other.get(reverse("records:party_member", args=[member.pk])).status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_raters_at_once_give_one_rating(tree, member):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the row lock is exercised on PostgreSQL")
    user = tree["community_secretary"].user
    party.record_add(user=user, member=member, area="society", happened_on=timezone.localdate(), note="志愿")
    results = []

    def rate():
        try:
            party.rating_set(user=user, member=member, year=timezone.localdate().year, stars=1, evidence="评定")
            results.append("ok")
        except DomainError as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["duplicate", "ok"]
    assert PartyRating.objects.filter(member=member).count() == 1
