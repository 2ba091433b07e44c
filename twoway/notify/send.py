"""Tell people what happened: always in the app, and through pluggable SMS or e-mail backends.

The backends are named in TWOWAY_NOTIFY_BACKENDS; the default only logs. A real SMS gateway
is a class with `send(person, title, body, link)` added to that list.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from .models import Notification

log = logging.getLogger("twoway.notify")


class LogBackend:
    """Writes each message to the log instead of sending it."""

    def send(self, person, title: str, body: str, link: str) -> None:
        log.info("notify %s (%s): %s", person.pk, person.phone[-4:] if person.phone else "-", title)


def _backends():
    names = getattr(settings, "TWOWAY_NOTIFY_BACKENDS", ["twoway.notify.send.LogBackend"])
    return [import_string(name)() for name in names]


def notify(*, people, title: str, body: str = "", link: str = "") -> list[Notification]:
    """Store a notification for each person and hand it to the outside backends after commit."""
    people = [p for p in dict.fromkeys(people) if p is not None]
    rows = Notification.objects.bulk_create(
        [Notification(person=p, title=title[:200], body=body, link=link) for p in people]
    )

    def _send():
        for backend in _backends():
            for p in people:
                try:
                    backend.send(p, title, body, link)
                except Exception:  # a failing gateway must not undo the work that triggered it
                    log.exception("notification backend %s failed", type(backend).__name__)

    transaction.on_commit(_send)
    return rows
