"""A resident's feed: what is coming up or new around them (meetings, notices, policy notices, …).

Any app of ours may add to it with `twoway/<app>/feed.py` defining
`items_for(person, *, limit: int) -> list[FeedItem]`; the home page shows the newest items
from all of them together. Each app decides what its residents may see; the feed only merges.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from .plugins import app_modules


@dataclass(frozen=True)
class FeedItem:
    when: datetime  # when it happens (a meeting) or appeared (a notice)
    title: str
    url: str
    kind: str  # a short translated label, e.g. "Meeting", "Public notice"
    icon: str = ""
    unread: bool = False


@cache
def _sources() -> tuple:
    return tuple(module.items_for for module in app_modules("feed", exclude={"twoway.core"}))


def feed_for(person, *, limit: int = 8) -> list[FeedItem]:
    """The newest `limit` items for this person from every source, newest first."""
    if person is None:
        return []
    items: list[FeedItem] = []
    for items_for in _sources():
        items.extend(items_for(person, limit=limit))
    items.sort(key=lambda item: item.when, reverse=True)
    return items[:limit]
