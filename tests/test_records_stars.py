"""Star residents (§5.1.3.3): a quarterly vote from nomination to the published list, the
rules on nominations, and the public page (a name and a community, nothing more)."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import person_with_login
from twoway.core.errors import DomainError
from twoway.meetings.models import Meeting, Motion, MotionStatus
from twoway.meetings.votes import motion_recount
from twoway.org.models import Person, RoleKind
from twoway.records import stars
from twoway.records.models import Nomination, RoundStatus, StarCategory, StarRound


@pytest.fixture
def reps(tree):
    """Three resident representatives of community A1, with logins."""
    return [
        person_with_login(f"rep{i}", tree[group], RoleKind.RESIDENT_REP)
        for i, group in enumerate(["group_A1a", "group_A1a", "group_A1b"])
    ]


def _residents(tree, group):
    return list(Person.objects.filter(unit=tree[group], user__isnull=True).order_by("pk"))


def test_quarterly_vote_from_nomination_to_published_list(tree, reps, login, client):
    secretary = login(tree["community_secretary"])
    community = tree["community_A1"]
    # Open this quarter's selection through the page.
    response = secretary.post(reverse("records:round_new"), {"community": community.pk, "year": 2026, "quarter": 3})
    star_round = StarRound.objects.get(community=community, year=2026, quarter=3)
    assert response.status_code == 302
    a, b, c = _residents(tree, "group_A1a")[0], _residents(tree, "group_A1b")[0], _residents(tree, "group_A1b")[1]
    # A daily conduct record serves as evidence.
    conduct = stars.conduct_record(
        user=tree["community_secretary"].user, person_id=a.pk, category="elders", happened_on=date(2026, 7, 2),
        note="每天给独居老人送饭",
    )  # fmt: skip
    act = reverse("records:round_act", args=[star_round.pk])
    secretary.post(act, {"action": "nominate", "person": a.pk, "kind": "single", "category": "elders",
                         "conduct": [conduct.pk]})  # fmt: skip
    secretary.post(act, {"action": "nominate", "person": b.pk, "kind": "comprehensive", "evidence": "多年热心公益"})
    secretary.post(act, {"action": "nominate", "person": c.pk, "kind": "single", "category": "environment",
                         "evidence": "清理楼道杂物"})  # fmt: skip
    assert star_round.nominations.count() == 3
    assert Nomination.objects.get(person=a).evidence == "每天给独居老人送饭"

    # The vote: two of the three representatives are present.
    secretary.post(act, {"action": "start", "present": [reps[0].pk, reps[1].pk]})
    star_round.refresh_from_db()
    assert star_round.status == RoundStatus.VOTING
    meeting = Meeting.objects.get(pk=star_round.meeting_id)
    assert meeting.unit == community and meeting.participants.count() == 3
    assert Motion.objects.filter(topic__meeting=meeting, status=MotionStatus.OPEN).count() == 3

    noms = {n.person_id: n for n in star_round.nominations.all()}
    ballots = {reps[0]: {a: "for", b: "for", c: "against"}, reps[1]: {a: "for", b: "against", c: "against"}}
    for rep, choices in ballots.items():
        voter = login(rep)
        assert voter.get(reverse("records:round", args=[star_round.pk])).status_code == 200
        for person, choice in choices.items():
            voter.post(act, {"action": "vote", "nomination": noms[person.pk].pk, "choice": choice})
    # The absent representative cannot vote, and nobody votes twice.
    with pytest.raises(DomainError) as absent:
        stars.ballot_cast(user=reps[2].user, nomination_id=noms[a.pk].pk, choice="for")
    assert absent.value.code == "not_present"
    with pytest.raises(DomainError):
        stars.ballot_cast(user=reps[0].user, nomination_id=noms[a.pk].pk, choice="against")

    secretary = login(tree["community_secretary"])
    secretary.post(act, {"action": "publish"})
    star_round.refresh_from_db()
    assert star_round.status == RoundStatus.PUBLISHED and star_round.published_at
    # Simple majority of the ballots cast: 2 of 2 elect, 1 of 2 does not.
    assert {n.person_id: n.elected for n in star_round.nominations.all()} == {a.pk: True, b.pk: False, c.pk: False}
    assert all(motion_recount(n.motion) for n in star_round.nominations.all())
    lists = stars.published_lists(star_round)
    assert lists["comprehensive"] == []
    assert [(str(label), names) for label, names in lists["single"]] == [(str(StarCategory.ELDERS.label), [a.name])]

    # The public page shows it without a login.
    client.logout()
    page = client.get(reverse("records:public_stars"))
    assert page.status_code == 200
    body = page.content.decode()
    assert a.name in body and community.name in body
    assert b.name not in body and c.name not in body


def test_public_page_shows_only_names_and_communities(tree, reps, client):
    user = tree["community_secretary"].user
    star_round = stars.round_open(user=user, community_id=tree["community_A1"].pk, year=2026, quarter=2)
    person = _residents(tree, "group_A1a")[0]
    person.phone, person.id_number, person.birth_date = "13912345678", "371602199001011234", date(1990, 1, 1)
    person.save()
    evidence = "在小区门口扶起摔倒的老人并送医"
    stars.nomination_add(
        user=user, round_id=star_round.pk, person_id=person.pk, kind="single", category="bravery", evidence=evidence
    )
    stars.round_start_vote(user=user, round_id=star_round.pk, present_ids=[r.pk for r in reps])
    nomination = star_round.nominations.get()
    for rep in reps:
        stars.ballot_cast(user=rep.user, nomination_id=nomination.pk, choice="for")
    stars.round_publish(user=user, round_id=star_round.pk)

    body = client.get(reverse("records:public_stars"), {"year": 2026, "quarter": 2}).content.decode()
    assert person.name in body and "A1社区" in body
    household = person.household
    for private in (
        person.phone,
        person.phone[-4:] + "</",
        person.id_number,
        "1990-01-01",
        evidence,
        household.room,
        tree["group_A1a"].name,
        *(r.name for r in reps),
        tree["community_secretary"].name,
    ):
        assert private not in body, private


def test_public_page_keeps_the_history_by_quarter(tree, reps, client):
    user = tree["community_secretary"].user
    people = _residents(tree, "group_A1a")
    for quarter, person in ((1, people[0]), (2, people[1])):
        star_round = stars.round_open(user=user, community_id=tree["community_A1"].pk, year=2026, quarter=quarter)
        stars.nomination_add(
            user=user, round_id=star_round.pk, person_id=person.pk, kind="comprehensive", evidence="热心"
        )
        stars.round_start_vote(user=user, round_id=star_round.pk, present_ids=[r.pk for r in reps])
        for rep in reps:
            stars.ballot_cast(user=rep.user, nomination_id=star_round.nominations.get().pk, choice="for")
        stars.round_publish(user=user, round_id=star_round.pk)
    q1 = client.get(reverse("records:public_stars"), {"year": 2026, "quarter": 1}).content.decode()
    assert people[0].name in q1 and people[1].name not in q1
    latest = client.get(reverse("records:public_stars")).content.decode()
    assert latest.index(people[1].name) < latest.index(people[0].name)  # newest quarter first


def test_nomination_rules(tree, reps):
    user = tree["community_secretary"].user
    star_round = stars.round_open(user=user, community_id=tree["community_A1"].pk, year=2026, quarter=4)
    person = _residents(tree, "group_A1a")[0]
    far = _residents(tree, "group_B2b")[0]

    def nominate(**kw):
        args = {"user": user, "round_id": star_round.pk, "person_id": person.pk, "kind": "single",
                "category": "honesty", "evidence": "拾金不昧"}  # fmt: skip
        return stars.nomination_add(**{**args, **kw})

    for kwargs, field in (
        ({"evidence": "  "}, "evidence"),
        ({"category": "nonsense"}, "category"),
        ({"kind": "gold"}, "kind"),
        ({"person_id": far.pk}, "person"),
    ):
        with pytest.raises(DomainError) as error:
            nominate(**kwargs)
        assert error.value.field == field
    nominate()
    with pytest.raises(DomainError) as duplicate:
        nominate()
    assert duplicate.value.code == "duplicate"
    nominate(category="volunteering")  # another category is another list
    # The other community's secretary cannot nominate here; a quarter is opened once.
    with pytest.raises(DomainError):
        nominate(user=tree["other_community_secretary"].user, category="law")
    with pytest.raises(DomainError) as again:
        stars.round_open(user=user, community_id=tree["community_A1"].pk, year=2026, quarter=4)
    assert again.value.field == "quarter"
    # Once the vote starts, nominations close.
    stars.round_start_vote(user=user, round_id=star_round.pk, present_ids=[reps[0].pk])
    with pytest.raises(DomainError) as closed:
        nominate(category="law")
    assert closed.value.code == "closed"
    with pytest.raises(DomainError):
        stars.round_start_vote(user=user, round_id=star_round.pk, present_ids=[])


def test_no_vote_without_nominations_or_representatives(tree):
    user = tree["other_community_secretary"].user
    star_round = stars.round_open(user=user, community_id=tree["community_A2"].pk, year=2026, quarter=1)
    with pytest.raises(DomainError) as empty:
        stars.round_start_vote(user=user, round_id=star_round.pk, present_ids=[])
    assert empty.value.code == "no_nominations"
    person = Person.objects.filter(unit=tree["group_A2a"]).first()
    stars.nomination_add(
        user=user, round_id=star_round.pk, person_id=person.pk, kind="comprehensive", evidence="热心公益"
    )
    with pytest.raises(DomainError) as no_reps:
        stars.round_start_vote(user=user, round_id=star_round.pk, present_ids=[])
    assert no_reps.value.code == "no_reps"
    assert not Meeting.objects.exists()  # nothing half-written


def test_quarter_helpers():
    assert stars.quarter_of(date(2026, 3, 31)) == (2026, 1)
    assert stars.quarter_of(date(2026, 4, 1)) == (2026, 2)
    assert stars.quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2027, 1, 1))
    assert stars.quarter_bounds(2026, 1) == (date(2026, 1, 1), date(2026, 4, 1))


def test_published_lists_reach_the_residents_feed(tree, reps):
    from twoway.records.feed import items_for

    user = tree["community_secretary"].user
    star_round = stars.round_open(user=user, community_id=tree["community_A1"].pk, year=2026, quarter=1)
    person = _residents(tree, "group_A1a")[0]
    stars.nomination_add(user=user, round_id=star_round.pk, person_id=person.pk, kind="comprehensive", evidence="热心")
    assert items_for(tree["resident"], limit=5) == []  # not before it is published
    stars.round_start_vote(user=user, round_id=star_round.pk, present_ids=[r.pk for r in reps])
    stars.round_publish(user=user, round_id=star_round.pk)
    items = items_for(tree["resident"], limit=5)
    assert len(items) == 1 and "year=2026&quarter=1" in items[0].url
    assert items_for(tree["far_resident"], limit=5) == []  # another community's list
