"""The resident's feed: services the station completed for them that wait for their rating."""

from django.urls import reverse
from django.utils.translation import gettext as _

from twoway.core.feed import FeedItem

from .models import RecordStatus, ServiceRecord


def items_for(person, *, limit: int) -> list[FeedItem]:
    rows = ServiceRecord.objects.filter(resident=person, status=RecordStatus.DONE, satisfaction="").order_by(
        "-done_at"
    )[:limit]
    return [
        FeedItem(
            when=r.done_at,
            title=_("Please rate: %(item)s") % {"item": r.item_name},
            url=reverse("station:rate", args=[r.pk]),
            kind=_("Service station"),
            icon="🧾",
            unread=True,
        )
        for r in rows
    ]
