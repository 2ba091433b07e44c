"""Opaque cursors for keyset pagination over (a time, id), newest first: a page costs the same
wherever it is, and rows added meanwhile never shift a page."""

import base64
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from twoway.core.errors import DomainError

MAX_LIMIT = 100


def encode(at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, pk = raw.split("|")
        value = datetime.fromisoformat(at)
        if value.tzinfo is None:
            raise ValueError
        return value, int(pk)
    except (ValueError, UnicodeDecodeError):
        raise DomainError("bad_cursor", _("cursor: use the next_cursor of the previous page."), "cursor") from None


def page(qs, *, field: str, cursor: str, limit: int):
    """One page of `qs` ordered by (field, id) descending, and the cursor of the next page."""
    if cursor:
        at, pk = decode(cursor)
        qs = qs.filter(Q(**{f"{field}__lt": at}) | Q(**{field: at, "pk__lt": pk}))
    rows = list(qs.order_by(f"-{field}", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode(getattr(rows[-1], field), rows[-1].pk) if more and rows else None)
