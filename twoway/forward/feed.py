"""A resident's feed: policy notices pushed to their unit or any unit above it, and their
community's charter and convention when a version is published."""

from django.urls import reverse
from django.utils.translation import gettext as _

from twoway.core.feed import FeedItem

from .charters import community_of_resident, in_force
from .models import NoticeRead
from .publicity import notices_for_resident


def items_for(person, *, limit: int) -> list[FeedItem]:
    if person is None or person.household_id is None:
        return []
    notices = list(notices_for_resident(person).only("id", "title", "published_at")[:limit])
    read = set(
        NoticeRead.objects.filter(person=person, notice__in=[n.pk for n in notices]).values_list("notice_id", flat=True)
    )
    items = [
        FeedItem(
            when=n.published_at,
            title=n.title,
            url=reverse("forward:notice", args=[n.pk]),
            kind=_("Policy notice"),
            icon="📣",
            unread=n.pk not in read,
        )
        for n in notices
    ]
    community = community_of_resident(person)
    if community is not None:
        items += [
            FeedItem(
                when=d.published_at, title=d.title, url=reverse("forward:charter"), kind=d.get_kind_display(), icon="📜"
            )
            for d in in_force(community)
        ]
    return items
