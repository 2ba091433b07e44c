"""The use of community funds (§5.2.3.1 e): a topic that spends them is published as a funds
notice naming the amount, and the amount is checked when the topic is put on the agenda."""

import io

import openpyxl
import pytest
from django.urls import reverse

from twoway.core.errors import DomainError
from twoway.meetings import agenda, votes
from twoway.meetings.models import Topic
from twoway.notices.models import Notice, NoticeKind

from .test_meetings import _meeting, _members, _vote


def test_a_topic_spending_funds_is_published_as_a_funds_notice(tree, login):
    secretary = tree["community_secretary"].user
    members = _members(tree, 3)
    meeting = _meeting(tree, members)
    client = login(tree["community_secretary"])
    client.post(
        reverse("meetings:act", args=[meeting.pk, "topic"]),
        {"title": "凉亭修缮", "matter": "修缮小区凉亭", "funds": "3,200.5"},
    )
    topic = Topic.objects.get(meeting=meeting)
    assert str(topic.funds) == "3200.50"
    agenda.topic_advance(user=secretary, topic_id=topic.pk)
    agenda.topic_advance(user=secretary, topic_id=topic.pk, plan="公益金支出")
    agenda.topic_advance(user=secretary, topic_id=topic.pk)
    motion = agenda.motion_add(user=secretary, topic=topic, text="同意", effect="adopt")
    votes.motion_open(user=secretary, motion_id=motion.pk)
    _vote(tree, motion, members, ["for", "for", "for"])
    votes.motion_close(user=secretary, motion_id=motion.pk)
    agenda.topic_advance(user=secretary, topic_id=topic.pk)
    agenda.topic_advance(user=secretary, topic_id=topic.pk)
    notice = Notice.objects.get(topic=topic)
    assert notice.kind == NoticeKind.FUNDS and "使用社区资金：3200.50元" in notice.body
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("meetings:minutes_xlsx", args=[meeting.pk])).content))
    sheet = book.worksheets[2]
    row = dict(zip([c.value for c in sheet[1]], [c.value for c in sheet[2]], strict=True))
    assert row["社区资金"] == 3200.5


@pytest.mark.parametrize("bad", ["-1", "abc", "1e12", "NaN"])
def test_a_bad_amount_is_refused_and_nothing_is_added(tree, login, bad):
    meeting = _meeting(tree, [])
    with pytest.raises(DomainError) as err:
        agenda.topic_add(user=tree["community_secretary"].user, meeting=meeting, title="凉亭", matter="修缮", funds=bad)
    assert err.value.field == "funds"
    page = login(tree["community_secretary"]).post(
        reverse("meetings:act", args=[meeting.pk, "topic"]),
        {"title": "凉亭", "matter": "修缮", "funds": bad},
        follow=True,
    )
    assert "社区资金：请填写金额" in page.content.decode()
    assert not Topic.objects.exists()
