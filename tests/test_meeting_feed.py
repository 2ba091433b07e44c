"""What residents see (R-4): upcoming meetings of their group and community, and those they are
invited to; notices on notice for their unit and the units above it."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from twoway.core.feed import feed_for
from twoway.meetings import agenda
from twoway.meetings.feed import items_for as meeting_items
from twoway.notices.feed import items_for as notice_items
from twoway.notices.models import Notice


def _call(tree, who, unit, title, *, days=2, type_code="consultation"):
    return agenda.meeting_create(
        user=tree[who].user,
        unit=tree[unit],
        type_code=type_code,
        title=title,
        starts_at=timezone.now() + timedelta(days=days),
        place="议事厅",
    )


def test_a_resident_sees_upcoming_meetings_of_their_group_and_community(tree):
    _call(tree, "community_secretary", "community_A1", "本社区下周议事会")
    _call(tree, "group_leader", "group_A1a", "本组居民议事会", type_code="residents_council")
    _call(tree, "community_secretary", "community_A1", "上周的议事会", days=-7)
    _call(tree, "other_community_secretary", "community_A2", "隔壁社区议事会")
    _call(tree, "street_officer", "street_A", "街道周例会", type_code="weekly")
    titles = [item.title for item in meeting_items(tree["resident"], limit=10)]
    assert titles == ["议事协商会议：本社区下周议事会", "居民议事会：本组居民议事会"]  # soonest first
    assert meeting_items(tree["far_resident"], limit=10) == []


def test_an_invited_person_sees_the_meeting_wherever_it_is(tree):
    meeting = _call(tree, "street_officer", "street_A", "街道周例会", type_code="weekly")
    agenda.participants_add(user=tree["street_officer"].user, meeting=meeting, people=[tree["resident"]])
    items = meeting_items(tree["resident"], limit=10)
    assert [i.title for i in items] == ["周例会：街道周例会"] and items[0].url.endswith(f"/meetings/{meeting.pk}/")


def test_notices_for_the_unit_and_above_while_on_notice(tree):
    now = timezone.now()
    for unit, title in (("community_A1", "社区公示"), ("street_A", "街道公示"), ("community_A2", "隔壁公示")):
        n = Notice(unit=tree[unit], title=title, body="内容", publish_from=now, publish_to=now + timedelta(days=7))
        n.hash = n.compute_hash()
        n.save()
    assert {i.title for i in notice_items(tree["resident"], limit=10)} == {"社区公示", "街道公示"}
    assert notice_items(tree["far_resident"], limit=10) == []
    # Both sources reach the home page's feed, together.
    _call(tree, "community_secretary", "community_A1", "本社区下周议事会")
    kinds = {i.kind for i in feed_for(tree["resident"], limit=10)}
    assert {"会议", "公示"} <= kinds
    with time_machine.travel(now + timedelta(days=8)):  # archived notices leave the feed
        assert notice_items(tree["resident"], limit=10) == []
