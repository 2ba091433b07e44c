"""Tell people what happened: always in the app, and through pluggable SMS or e-mail backends.

The backends are named in TWOWAY_NOTIFY_BACKENDS; the default only logs. A real SMS gateway
is a subclass of `Backend` with `send(person, title, body, link)`, added to that list.

A message goes to a list of people, or to `StaffOf(unit_id, kinds)`: whoever holds one of
those roles at that unit when the message is written. The latter is resolved inside the
INSERT itself, so telling a unit's staff costs no extra query.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import BODY_MAX, Notification

log = logging.getLogger("twoway.notify")


@dataclass(frozen=True)
class StaffOf:
    """The people holding one of `kinds` of role at the unit `unit_id`."""

    unit_id: int
    kinds: tuple[str, ...]

    def people(self):
        from twoway.org.models import Person

        return Person.objects.filter(roles__unit_id=self.unit_id, roles__kind__in=self.kinds).distinct()


class Backend:
    """An outside channel (SMS, e-mail). Subclasses implement `send`."""

    def send(self, person, title: str, body: str, link: str) -> None:
        raise NotImplementedError

    def send_to_staff(self, staff: StaffOf, title: str, body: str, link: str) -> None:
        for person in staff.people():
            self.send(person, title, body, link)


class LogBackend(Backend):
    """Writes each message to the log instead of sending it."""

    def send(self, person, title: str, body: str, link: str) -> None:
        log.info("notify %s (%s): %s", person.pk, person.phone[-4:] if person.phone else "-", title)

    def send_to_staff(self, staff: StaffOf, title: str, body: str, link: str) -> None:
        log.info("notify staff %s of unit %s: %s", "/".join(staff.kinds), staff.unit_id, title)


def _backends():
    names = getattr(settings, "TWOWAY_NOTIFY_BACKENDS", ["twoway.notify.send.LogBackend"])
    return [import_string(name)() for name in names]


def notify(*, people, title: str, body: str = "", link: str = "") -> None:
    """Store a notification for each person and hand it to the outside backends after commit."""
    notify_many([(people, title, body, link)])


def notify_many(messages) -> None:
    """Several messages, each `(people, title, body, link)` where `people` is a list of Person
    or a `StaffOf`, stored in one INSERT."""
    direct, staff = [], []
    for people, title, body, link in messages:
        title, body = title[:200], (body or "")[:BODY_MAX]
        if isinstance(people, StaffOf):
            staff.append((people, title, body, link))
        else:
            direct.extend((p, title, body, link) for p in dict.fromkeys(people) if p is not None)
    if not direct and not staff:
        return
    if staff:
        _insert_select(direct, staff)
    else:
        Notification.objects.bulk_create(
            [Notification(person=p, title=title, body=body, link=link) for p, title, body, link in direct]
        )

    def _send():
        for backend in _backends():
            for target, title, body, link in [*direct, *staff]:
                try:
                    if isinstance(target, StaffOf):
                        backend.send_to_staff(target, title, body, link)
                    else:
                        backend.send(target, title, body, link)
                except Exception:  # a failing gateway must not undo the work that triggered it
                    log.exception("notification backend %s failed", type(backend).__name__)

    transaction.on_commit(_send)


def _insert_select(direct, staff) -> None:
    """INSERT … SELECT: one row per staff member found by role, plus one per person named."""
    from twoway.org.models import Role

    table = connection.ops.quote_name(Notification._meta.db_table)
    roles = connection.ops.quote_name(Role._meta.db_table)
    now = timezone.now()
    parts, params = [], []
    for group, title, body, link in staff:
        marks = ", ".join(["%s"] * len(group.kinds))
        parts.append(f"SELECT DISTINCT person_id, %s, %s, %s, %s FROM {roles} WHERE unit_id = %s AND kind IN ({marks})")  # noqa: S608
        params += [title, body, link, now, group.unit_id, *group.kinds]
    for person, title, body, link in direct:
        parts.append("SELECT %s, %s, %s, %s, %s")
        params += [person.pk, title, body, link, now]
    union = " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (person_id, title, body, link, created_at) {union}", params)  # noqa: S608
