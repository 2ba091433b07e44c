"""Notifications: a unit's staff are found when the message is written, once each, and the
outside backends hear of every message only after the transaction commits."""

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from twoway.notify import send
from twoway.notify.models import Notification
from twoway.org.models import Role, RoleKind

SENT = []


class RecordingBackend(send.Backend):
    def send(self, person, title, body, link):
        SENT.append((person.name, title))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_and_people_in_one_insert_and_backends_after_commit(tree, settings):
    settings.TWOWAY_NOTIFY_BACKENDS = ["tests.test_notify.RecordingBackend"]
    SENT.clear()
    community = tree.units["community_A1"]
    secretary, grid_worker = tree["community_secretary"], tree["grid_worker"]
    # A second staff role at the same unit must not bring a second message.
    Role.objects.create(person=secretary, unit=community, kind=RoleKind.STAFF)
    auditor = tree["neighbour"]
    Role.objects.create(person=auditor, unit=community, kind=RoleKind.AUDITOR)
    staff = send.StaffOf(community.pk, (RoleKind.LEADER, RoleKind.STAFF, RoleKind.GRID_WORKER))

    from django.db import connection

    with transaction.atomic():
        with CaptureQueriesContext(connection) as ctx:
            send.notify_many(
                [(staff, "新诉求待签收", "楼道堆物", "/a/1/"), ([tree["resident"]], "已收到", "", "/a/1/")]
            )
        assert len([q for q in ctx.captured_queries if "notify_notification" in q["sql"]]) == 1
        assert SENT == [], "backends wait for the commit"
    rows = sorted(Notification.objects.values_list("person__name", "title"))
    assert rows == sorted(
        [(secretary.name, "新诉求待签收"), (grid_worker.name, "新诉求待签收"), (tree["resident"].name, "已收到")]
    )
    assert sorted(SENT) == rows


@pytest.mark.django_db
def test_a_failing_gateway_does_not_undo_the_message(tree, settings, django_capture_on_commit_callbacks):
    settings.TWOWAY_NOTIFY_BACKENDS = ["tests.test_notify.BrokenBackend"]
    with django_capture_on_commit_callbacks(execute=True):
        send.notify(people=[tree["resident"]], title="测试", body="", link="")
    assert Notification.objects.filter(person=tree["resident"], title="测试").exists()


class BrokenBackend(send.Backend):
    def send(self, person, title, body, link):
        raise ConnectionError("gateway down")
