"""Policy notices in a resident's feed: those pushed to their unit or any unit above it."""

from django.urls import reverse
from django.utils.translation import gettext as _

from twoway.core.feed import FeedItem

from .models import NoticeRead
from .publicity import notices_for_resident


def items_for(person, *, limit: int) -> list[FeedItem]:
    if person is None or person.household_id is None:
        return []
    notices = list(notices_for_resident(person).only("id", "title", "published_at")[:limit])
    read = set(
        NoticeRead.objects.filter(person=person, notice__in=[n.pk for n in notices]).values_list("notice_id", flat=True)
    )
    return [
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
