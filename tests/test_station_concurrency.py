"""Two people at the desk act on the same ledger entry at once: one succeeds, the other is told
it was already handled, and the ledger holds one completion and one rating."""

import threading

import pytest
from django.db import connection

from twoway.core.errors import DomainError
from twoway.station import services
from twoway.station.models import RecordEvent


def _race(calls):
    results = []
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            call()
            results.append("ok")
        except DomainError as error:
            results.append(error.code)
        except Exception as error:  # SQLite may refuse the second writer as busy
            results.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_staff_completing_at_once_give_one_completion_and_one_rating(tree):
    station = services.station_ensure(community=tree["community_A1"])
    record = services.record_accept(
        user=tree["community_secretary"].user,
        station_id=station.pk,
        item_id=station.items.get(code="D01").pk,
        resident_id=tree["resident"].pk,
    )
    results = _race(
        [
            lambda who=who: services.record_complete(user=tree[who].user, record_id=record.pk, result=f"{who}办结")
            for who in ("community_secretary", "grid_worker")
        ]
    )
    assert results.count("ok") == 1, results
    assert RecordEvent.objects.filter(record=record, kind="done").count() == 1
    results = _race(
        [
            lambda: services.record_rate(
                user=tree["resident"].user, record_id=record.pk, satisfaction="satisfied", channel="phone"
            ),
            lambda: services.record_rate(
                user=tree["grid_worker"].user, record_id=record.pk, satisfaction="basic", channel="kiosk"
            ),
        ]
    )
    assert results.count("ok") == 1, results
    assert RecordEvent.objects.filter(record=record, kind="rated").count() == 1
