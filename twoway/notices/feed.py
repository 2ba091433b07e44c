"""Public notices in a resident's feed: those on notice now for their own unit and the units above it."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.core.feed import FeedItem

from .models import Notice


def items_for(person, *, limit: int) -> list[FeedItem]:
    now = timezone.now()
    notices = Notice.objects.filter(
        unit__path__in=person.unit.ancestor_paths, publish_from__lte=now, publish_to__gt=now
    ).order_by("-publish_from", "-id")[:limit]
    return [
        FeedItem(
            when=n.publish_from,
            title=n.title,
            url=reverse("notices:detail", args=[n.pk]),
            kind=_("Public notice"),
            icon="📢",
        )
        for n in notices
    ]
