"""Opaque cursors for keyset pagination over (a time, id), newest first: a page costs the same
wherever it is, and rows added meanwhile never shift a page. A frozen list (a published
catalogue) is paged by position instead, within the version the first page came from."""

import base64
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from twoway.core.errors import DomainError

MAX_LIMIT = 100


def _bad_cursor() -> DomainError:
    return DomainError("bad_cursor", _("cursor: use the next_cursor of the previous page."), "cursor")


def _raw(cursor: str) -> str:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()


def _text(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def encode(at: datetime, pk: int) -> str:
    return _text(f"{at.isoformat()}|{pk}")


def decode(cursor: str) -> tuple[datetime, int]:
    try:
        at, pk = _raw(cursor).split("|")
        value = datetime.fromisoformat(at)
        if value.tzinfo is None:
            raise ValueError
        return value, int(pk)
    except (ValueError, UnicodeDecodeError):
        raise _bad_cursor() from None


def page(qs, *, field: str, cursor: str, limit: int):
    """One page of `qs` ordered by (field, id) descending, and the cursor of the next page."""
    if cursor:
        at, pk = decode(cursor)
        qs = qs.filter(Q(**{f"{field}__lt": at}) | Q(**{field: at, "pk__lt": pk}))
    rows = list(qs.order_by(f"-{field}", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode(getattr(rows[-1], field), rows[-1].pk) if more and rows else None)


def decode_position(cursor: str) -> tuple[int, int]:
    """(version, offset) from a cursor made by `page_frozen`."""
    try:
        tag, version, offset = _raw(cursor).split("|")
        if tag != "at":
            raise ValueError
        version, offset = int(version), int(offset)
        if version < 1 or offset < 1 or offset > 10**6:
            raise ValueError
        return version, offset
    except (ValueError, UnicodeDecodeError):
        raise _bad_cursor() from None


def page_frozen(rows: list, *, version: int, offset: int, limit: int) -> tuple[list, str | None]:
    """One page of a list that never changes once made (a published catalogue version)."""
    shown = rows[offset : offset + limit]
    more = len(rows) > offset + limit
    return shown, (_text(f"at|{version}|{offset + limit}") if more else None)
