"""Who takes part (R-4.1): invited departments attend without a vote, attendance is recorded,
and nobody outside a community sees or votes in its meetings."""

import pytest
from django.urls import reverse
from django.utils import timezone

from twoway.core.errors import DomainError
from twoway.meetings import agenda, votes
from twoway.meetings.models import Ballot, Participant, VoteReceipt

from .factories import PersonFactory, UserFactory
from .test_meetings import _meeting, _members, _to_vote, _vote


def test_an_invited_department_attends_without_a_vote(tree, login):
    secretary = tree["community_secretary"].user
    members = _members(tree, 3)
    meeting = _meeting(tree, members)
    assert list(agenda.departments_for(meeting)) == [tree["department"]]
    assert agenda.departments_invite(user=secretary, meeting=meeting, unit_ids=[str(tree["department"].pk)]) == 1
    officer = Participant.objects.get(meeting=meeting, person=tree["dept_officer"])
    assert (officer.role, officer.votes, officer.attendance) == ("invited", False, "unknown")
    agenda.attendance_set(user=secretary, meeting=meeting, person_id=officer.person_id, attendance="present")
    officer.refresh_from_db()
    assert officer.attendance == "present"
    # The officer sees the meeting they were invited to, but the ballot refuses them.
    client = login(tree["dept_officer"])
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert meeting.title in page and "受邀部门" in page
    motion = agenda.motion_add(user=secretary, topic=_to_vote(tree, meeting), text="同意")
    votes.motion_open(user=secretary, motion_id=motion.pk)
    with pytest.raises(DomainError) as err:
        votes.ballot_cast(user=tree["dept_officer"].user, motion_id=motion.pk, choice="for")
    assert err.value.code == "not_eligible"
    # Not counted among those entitled to vote either.
    _vote(tree, motion, members, ["for", "for", "against"])
    motion = votes.motion_close(user=secretary, motion_id=motion.pk)
    assert (motion.result["eligible"], motion.result["present"]) == (3, 3)


def test_only_departments_of_the_district_can_be_invited(tree):
    secretary = tree["community_secretary"].user
    meeting = _meeting(tree, _members(tree, 1))
    for bad in ([tree["community_A2"].pk], ["x"], [], [tree["department"].pk, tree["street_A"].pk]):
        with pytest.raises(DomainError) as err:
            agenda.departments_invite(user=secretary, meeting=meeting, unit_ids=bad)
        assert err.value.field == "department"
    with pytest.raises(DomainError):  # only whoever runs the meeting invites
        agenda.departments_invite(user=tree["resident"].user, meeting=meeting, unit_ids=[tree["department"].pk])
    assert not Participant.objects.filter(role="invited").exists()


def test_departments_are_invited_through_the_meeting_page(tree, login):
    meeting = _meeting(tree, _members(tree, 1))
    client = login(tree["community_secretary"])
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "区住建局" in page and 'name="department"' in page
    client.post(reverse("meetings:act", args=[meeting.pk, "departments"]), {"department": tree["department"].pk})
    assert Participant.objects.filter(meeting=meeting, person=tree["dept_officer"], role="invited").exists()
    response = client.post(
        reverse("meetings:act", args=[meeting.pk, "attendance"]),
        {"person": tree["dept_officer"].pk, "attendance": "nonsense"},
    )
    assert response.status_code == 302
    assert Participant.objects.get(meeting=meeting, person=tree["dept_officer"]).attendance == "unknown"


def test_a_member_of_another_community_cannot_see_or_vote_in_its_meetings(tree, login):
    """A2's own council member, voting in A2's meetings, tries A1's open vote by POST."""
    secretary = tree["community_secretary"].user
    members = _members(tree, 2)
    meeting = _meeting(tree, members)
    motion = agenda.motion_add(user=secretary, topic=_to_vote(tree, meeting), text="同意修缮凉亭")
    votes.motion_open(user=secretary, motion_id=motion.pk)
    stranger = PersonFactory(unit=tree["community_A2"], name="外社区委员", user=UserFactory(username="a2member"))
    own = agenda.meeting_create(
        user=tree["other_community_secretary"].user,
        unit=tree["community_A2"],
        type_code="consultation",
        title="A2社区议事会议",
        starts_at=timezone.now(),
        place="A2议事厅",
    )
    agenda.participants_add(user=tree["other_community_secretary"].user, meeting=own, people=[stranger])
    client = login(stranger)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    assert meeting.title not in client.get(reverse("meetings:list")).content.decode()
    for choice in ("for", "against"):
        response = client.post(
            reverse("meetings:act", args=[meeting.pk, "vote"]), {"motion": motion.pk, "choice": choice}
        )
        assert response.status_code in (403, 404)
    # Nor through their own meeting's address with A1's motion.
    response = client.post(reverse("meetings:act", args=[own.pk, "vote"]), {"motion": motion.pk, "choice": "for"})
    assert response.status_code == 404
    assert not VoteReceipt.objects.filter(motion=motion).exists()
    assert not Ballot.objects.filter(motion=motion).exists()
    # The secretary of the other community cannot run it either.
    other = login(tree["other_community_secretary"])
    assert other.post(reverse("meetings:act", args=[meeting.pk, "close"]), {"motion": motion.pk}).status_code == 404
    motion.refresh_from_db()
    assert motion.status == "open"


def test_a_resident_who_is_not_a_member_is_told_why_and_nothing_is_counted(tree, login):
    secretary = tree["community_secretary"].user
    meeting = _meeting(tree, _members(tree, 2))
    motion = agenda.motion_add(user=secretary, topic=_to_vote(tree, meeting), text="同意")
    votes.motion_open(user=secretary, motion_id=motion.pk)
    client = login(tree["resident"])  # sees the community's meeting, but is not on it
    response = client.post(
        reverse("meetings:act", args=[meeting.pk, "vote"]), {"motion": motion.pk, "choice": "for"}, follow=True
    )
    assert "您不是本次会议有表决权的成员" in response.content.decode()
    assert not VoteReceipt.objects.filter(motion=motion).exists()


def test_one_person_is_invited_by_name_or_phone(tree, login):
    meeting = _meeting(tree, [])
    client = login(tree["community_secretary"])
    act = reverse("meetings:act", args=[meeting.pk, "person"])
    client.post(act, {"q": tree["resident"].name})
    added = Participant.objects.get(meeting=meeting)
    assert (added.person, added.role, added.votes) == (tree["resident"], "member", True)
    PersonFactory(unit=tree["group_A1a"], name="重名", phone="13800000001")
    PersonFactory(unit=tree["group_A1a"], name="重名", phone="13800000002")
    secretary = tree["community_secretary"].user
    for query, code in (
        ("重名", "ambiguous"),
        ("", "required"),
        (tree["far_resident"].name, "no_person"),
        (tree["resident"].name, "already"),
    ):
        with pytest.raises(DomainError) as err:
            agenda.person_invite(user=secretary, meeting=meeting, query=query)
        assert (err.value.code, err.value.field) == (code, "person")
    assert agenda.person_invite(user=secretary, meeting=meeting, query="13800000002").phone == "13800000002"
    page = client.post(act, {"q": "重名"}, follow=True).content.decode()
    assert "有几个人同名" in page
    assert Participant.objects.filter(meeting=meeting).count() == 2
