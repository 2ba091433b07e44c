"""The resident feed: the star-resident lists newly published in the person's own community."""

from django.urls import reverse
from django.utils.translation import gettext as _

from twoway.core.feed import FeedItem

from .models import RoundStatus, StarRound


def items_for(person, *, limit: int) -> list[FeedItem]:
    paths = person.unit.ancestor_paths
    rounds = (
        StarRound.objects.filter(status=RoundStatus.PUBLISHED, community__path__in=paths)
        .select_related("community")
        .order_by("-published_at")[:limit]
    )
    url = reverse("records:public_stars")
    return [
        FeedItem(
            when=r.published_at,
            title=_("Star residents, %(quarter)s") % {"quarter": r.label},
            url=f"{url}?year={r.year}&quarter={r.quarter}",
            kind=_("Star residents"),
            icon="🌟",
        )
        for r in rounds
    ]
