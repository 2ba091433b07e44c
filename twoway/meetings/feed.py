"""Upcoming meetings in a resident's feed: those they are invited to, and those of their own
resident group and community."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.core.feed import FeedItem
from twoway.org.models import UnitKind

from .models import Meeting, MeetingStatus, Participant


def items_for(person, *, limit: int) -> list[FeedItem]:
    # Their own resident group and community: the group and community among their units' chain.
    concerns = Q(unit__path__in=person.unit.ancestor_paths, unit__kind__in=(UnitKind.GROUP, UnitKind.COMMUNITY))
    invited = Q(pk__in=Participant.objects.filter(person=person).values("meeting_id"))
    meetings = (
        Meeting.objects.filter(concerns | invited, starts_at__gte=timezone.now())
        .exclude(status=MeetingStatus.CLOSED)
        .select_related("type")
        .order_by("starts_at")[:limit]
    )
    return [
        FeedItem(
            when=m.starts_at,
            title=f"{m.type.name}：{m.title}",
            url=reverse("meetings:detail", args=[m.pk]),
            kind=_("Meeting"),
            icon="🗳",
        )
        for m in meetings
    ]
