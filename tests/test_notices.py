"""Public notices (公示): a topic's outcome and votes, published for 7 days, no personal data."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from twoway.notices.models import Notice

from .test_meetings import _meeting, _members, _to_vote, _vote


def _published(tree):
    from twoway.meetings import agenda, votes

    secretary = tree["community_secretary"].user
    members = _members(tree, 3)
    meeting = _meeting(tree, members)
    topic = _to_vote(tree, meeting, matter="使用社区公益金2000元修缮凉亭")
    motion = agenda.motion_add(user=secretary, topic=topic, text="同意使用公益金", effect="adopt")
    votes.motion_open(user=secretary, motion_id=motion.pk)
    _vote(tree, motion, members, ["for", "for", "against"])
    votes.motion_close(user=secretary, motion_id=motion.pk)
    agenda.topic_advance(user=secretary, topic_id=topic.pk)  # → implement
    agenda.topic_advance(user=secretary, topic_id=topic.pk)  # → publish: the notice goes out
    return Notice.objects.get(topic=topic), members


def test_reaching_the_publish_step_publishes_the_outcome_with_counts(tree):
    notice, _members_ = _published(tree)
    assert notice.unit == tree["community_A1"]
    assert "赞成2，反对1，弃权0" in notice.body and "通过" in notice.body
    assert notice.publish_to - notice.publish_from == timedelta(days=7)
    assert notice.hash == notice.compute_hash()


def test_a_notice_carries_no_personal_data_and_needs_no_login(tree, client):
    notice, members = _published(tree)
    page = client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert notice.title in page and notice.hash in page
    for person in [*members, tree["community_secretary"], tree["resident"]]:
        assert person.name not in page
        assert person.phone not in page


def test_after_seven_days_it_moves_to_the_archive(tree, client):
    notice, _m = _published(tree)
    current = client.get(reverse("notices:list")).content.decode()
    assert notice.title in current
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert notice.title not in client.get(reverse("notices:list")).content.decode()
        assert notice.title in client.get(reverse("notices:list"), {"archive": "1"}).content.decode()


def test_an_altered_notice_no_longer_matches_its_fingerprint(tree, client):
    notice, _m = _published(tree)
    Notice.objects.filter(pk=notice.pk).update(body="改过的内容")
    page = client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert "text-bg-danger" in page
