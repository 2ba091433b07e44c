"""Deliberation (R-4): the six steps, ballots and their rules, and a meeting settling appeals."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from twoway.appeals import flow
from twoway.appeals.models import Status
from twoway.core.errors import DomainError
from twoway.meetings import agenda, votes
from twoway.meetings.models import Ballot, MeetingType, Motion, VoteReceipt

from .appeal_helpers import raise_appeal
from .factories import PersonFactory, build_tree


def _members(tree, n):
    return [PersonFactory(unit=tree["community_A1"], name=f"委员{i}") for i in range(n)]


def _meeting(tree, members, *, present=None):
    secretary = tree["community_secretary"].user
    meeting = agenda.meeting_create(
        user=secretary,
        unit=tree["community_A1"],
        type_code="consultation",
        title="十二月议事协商会议",
        starts_at=timezone.now() + timedelta(days=1),
        place="社区议事厅",
    )
    agenda.participants_add(user=secretary, meeting=meeting, people=members)
    for p in members[: len(members) if present is None else present]:
        agenda.attendance_set(user=secretary, meeting=meeting, person_id=p.pk, attendance="present")
    return meeting


def _to_vote(tree, meeting, *, appeals=(), matter="使用社区公益金修缮凉亭"):
    secretary = tree["community_secretary"].user
    topic = agenda.topic_add(
        user=secretary, meeting=meeting, title="议题", appeal_ids=[a.pk for a in appeals], matter=matter
    )
    agenda.topic_advance(user=secretary, topic_id=topic.pk)  # collect → fix
    agenda.topic_advance(user=secretary, topic_id=topic.pk, plan="方案：物业限期清理")  # fix → draft
    agenda.topic_advance(user=secretary, topic_id=topic.pk)  # draft → deliberate
    return topic


def _vote(tree, motion, members, choices):
    for person, choice in zip(members, choices, strict=False):
        if person.user is None:
            from .factories import UserFactory

            person.user = UserFactory(username=f"m{person.pk}")
            person.save(update_fields=["user"])
        votes.ballot_cast(user=person.user, motion_id=motion.pk, choice=choice)


def test_a_step_cannot_be_skipped(tree):
    meeting = _meeting(tree, _members(tree, 3))
    secretary = tree["community_secretary"].user
    topic = agenda.topic_add(user=secretary, meeting=meeting, title="凉亭", matter="修缮凉亭")
    agenda.topic_advance(user=secretary, topic_id=topic.pk)
    with pytest.raises(DomainError) as err:  # no plan drafted
        agenda.topic_advance(user=secretary, topic_id=topic.pk)
        agenda.topic_advance(user=secretary, topic_id=topic.pk)
    assert err.value.code == "no_plan"
    topic.refresh_from_db()
    assert topic.step_code == "draft"
    agenda.topic_advance(user=secretary, topic_id=topic.pk, plan="方案")
    with pytest.raises(DomainError) as err:  # the vote is not done
        agenda.topic_advance(user=secretary, topic_id=topic.pk)
    assert err.value.code == "vote_not_done"


def test_quorum_not_met_gives_no_result(tree):
    members = _members(tree, 6)
    meeting = _meeting(tree, members, present=2)
    motion = agenda.motion_add(user=tree["community_secretary"].user, topic=_to_vote(tree, meeting), text="同意")
    votes.motion_open(user=tree["community_secretary"].user, motion_id=motion.pk)
    _vote(tree, motion, members[:2], ["for", "for"])
    motion = votes.motion_close(user=tree["community_secretary"].user, motion_id=motion.pk)
    assert motion.passed is None and motion.result["quorum_met"] is False


def test_a_tie_fails(tree):
    members = _members(tree, 4)
    meeting = _meeting(tree, members)
    motion = agenda.motion_add(user=tree["community_secretary"].user, topic=_to_vote(tree, meeting), text="同意")
    votes.motion_open(user=tree["community_secretary"].user, motion_id=motion.pk)
    _vote(tree, motion, members, ["for", "for", "against", "against"])
    assert votes.motion_close(user=tree["community_secretary"].user, motion_id=motion.pk).passed is False


def test_late_duplicate_and_ineligible_ballots_are_refused(tree):
    members = _members(tree, 3)
    meeting = _meeting(tree, members, present=2)
    secretary = tree["community_secretary"].user
    motion = agenda.motion_add(user=secretary, topic=_to_vote(tree, meeting), text="同意")
    with pytest.raises(DomainError) as err:
        _vote(tree, motion, members[:1], ["for"])
    assert err.value.code == "not_open"
    votes.motion_open(user=secretary, motion_id=motion.pk)
    _vote(tree, motion, members[:1], ["for"])
    with pytest.raises(DomainError) as err:
        _vote(tree, motion, members[:1], ["against"])
    assert err.value.code == "duplicate"
    with pytest.raises(DomainError) as err:  # absent
        _vote(tree, motion, members[2:], ["for"])
    assert err.value.code == "not_present"
    with pytest.raises(DomainError) as err:  # not a participant at all
        votes.ballot_cast(user=tree["far_resident"].user, motion_id=motion.pk, choice="for")
    assert err.value.code == "not_eligible"
    votes.motion_close(user=secretary, motion_id=motion.pk)
    with pytest.raises(DomainError) as err:
        _vote(tree, motion, members[1:2], ["for"])
    assert err.value.code == "late"
    assert Ballot.objects.filter(motion=motion).count() == 1


def test_a_secret_ballot_does_not_record_who_chose_what(tree):
    MeetingType.objects.filter(code="consultation").update(secret=True)
    members = _members(tree, 3)
    meeting = _meeting(tree, members)
    motion = agenda.motion_add(user=tree["community_secretary"].user, topic=_to_vote(tree, meeting), text="同意")
    votes.motion_open(user=tree["community_secretary"].user, motion_id=motion.pk)
    _vote(tree, motion, members, ["for", "against", "for"])
    assert set(Ballot.objects.values_list("voter", flat=True)) == {None}
    assert VoteReceipt.objects.filter(motion=motion).count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_ballots_from_one_person_count_once(tree):
    members = _members(tree, 2)
    meeting = _meeting(tree, members)
    motion = agenda.motion_add(user=tree["community_secretary"].user, topic=_to_vote(tree, meeting), text="同意")
    votes.motion_open(user=tree["community_secretary"].user, motion_id=motion.pk)
    _vote(tree, motion, [], [])
    voter = members[0]
    from .factories import UserFactory

    voter.user = UserFactory(username="racer")
    voter.save(update_fields=["user"])
    results, barrier = [], threading.Barrier(2)

    def cast(choice):
        try:
            barrier.wait()
            votes.ballot_cast(user=voter.user, motion_id=motion.pk, choice=choice)
            results.append("ok")
        except DomainError as error:
            results.append(error.code)
        except Exception as error:
            results.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(c,)) for c in ("for", "against")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    assert Ballot.objects.filter(motion=motion).count() == 1


def test_a_consultation_meeting_settles_two_appeals(tree):
    """Two appeals, one topic through the six steps: one resolved, the other escalated."""
    t = tree
    secretary = t["community_secretary"].user
    appeals = []
    for who, text in (("resident", "楼道杂物堆放"), ("group_leader", "楼道杂物影响通行")):
        a = raise_appeal(t, who=who, description=text)
        flow.appeal_accept(user=t["group_leader"].user, appeal_id=a.pk)
        flow.appeal_escalate(user=t["group_leader"].user, appeal_id=a.pk, reason="提交社区议事")
        flow.appeal_accept(user=secretary, appeal_id=a.pk)
        appeals.append(a)
    members = _members(t, 5)
    meeting = _meeting(t, members)
    topic = _to_vote(t, meeting, appeals=appeals, matter="")
    assert topic.appeals.count() == 2
    resolve = agenda.motion_add(
        user=secretary, topic=topic, text="物业三日内清理楼道", effect="resolve", appeal_ids=[appeals[0].pk]
    )
    escalate = agenda.motion_add(
        user=secretary, topic=topic, text="消防通道改造报街道", effect="escalate", appeal_ids=[appeals[1].pk]
    )
    for motion in (resolve, escalate):
        votes.motion_open(user=secretary, motion_id=motion.pk)
        _vote(t, motion, members, ["for", "for", "for", "against", "abstain"])
        votes.motion_close(user=secretary, motion_id=motion.pk)
    for a in appeals:
        a.refresh_from_db()
    assert appeals[0].status == Status.RESOLVED and appeals[0].outcome == "方案：物业限期清理"
    assert (appeals[1].status, appeals[1].handling_unit) == (Status.PENDING, t["street_A"])
    assert "议事协商会议" in appeals[0].events.get(kind="resolved").decision_ref
    assert appeals[1].events.filter(kind="on_agenda").exists()
    agenda.topic_advance(user=secretary, topic_id=topic.pk)  # deliberate → implement
    agenda.topic_advance(user=secretary, topic_id=topic.pk)  # implement → publish
    topic.refresh_from_db()
    assert topic.step_code == "publish"
    assert all(votes.motion_recount(m) for m in Motion.objects.all())


class TestStoredResultEqualsRecount(HypothesisTestCase):
    """Property: whatever the ballots and attendance, the stored result equals a recount."""

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        size=st.integers(1, 7),
        data=st.data(),
        majority=st.sampled_from(["simple", "two_thirds"]),
        base=st.sampled_from(["cast", "eligible"]),
    )
    def test_stored_result_equals_recount(self, size, data, majority, base):
        tree = build_tree()
        MeetingType.objects.filter(code="consultation").update(majority=majority, base=base)
        members = _members(tree, size)
        present = data.draw(st.integers(0, size))
        meeting = _meeting(tree, members, present=present)
        motion = agenda.motion_add(user=tree["community_secretary"].user, topic=_to_vote(tree, meeting), text="表决")
        votes.motion_open(user=tree["community_secretary"].user, motion_id=motion.pk)
        voters = data.draw(st.integers(0, present))
        choices = data.draw(st.lists(st.sampled_from(["for", "against", "abstain"]), min_size=voters, max_size=voters))
        _vote(tree, motion, members[:voters], choices)
        motion = votes.motion_close(user=tree["community_secretary"].user, motion_id=motion.pk)
        assert votes.motion_recount(motion)
        assert motion.result["votes_for"] == choices.count("for")
        # Tampering with a ballot is caught by the recount.
        if choices:
            Ballot.objects.filter(motion=motion).update(choice="for" if choices[0] != "for" else "against")
            assert not votes.motion_recount(motion)
