"""What makes appeals hold up at a million: the bulk generator (COPY on PostgreSQL, bulk_create
elsewhere), the staff queue that pages from the index, and a submission written in one go."""

from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.appeal_helpers import raise_appeal
from twoway.appeals import synth
from twoway.appeals.access import visible_appeals
from twoway.appeals.history import chain_breaks
from twoway.appeals.models import Appeal, AppealEvent, Status
from twoway.appeals.selectors import TABS, appeal_list
from twoway.notify.models import Notification
from twoway.org.models import OrgUnit
from twoway.org.scope import scope_for

# ---- the generator ----------------------------------------------------------------------------


def test_generated_appeals_are_numbered_in_the_order_they_were_raised(tree):
    now = timezone.now()
    assert synth.generate(count=120, days=60, seed=8, batch=25, now=now) == 120
    rows = list(Appeal.objects.order_by("pk").values_list("pk", "number", "created_at"))
    stamps = [created for _pk, _number, created in rows]
    assert stamps == sorted(stamps)
    assert now - timedelta(days=60) <= stamps[0] and stamps[-1] <= now
    for pk, number, created in rows:
        assert number == f"SQ-{timezone.localtime(created).year}-{pk:06d}"


def test_a_load_whose_hashes_would_not_verify_writes_nothing(tree, monkeypatch):
    monkeypatch.setattr(synth, "_chain_hash", lambda prev, *values: "0" * 64)
    with pytest.raises(RuntimeError, match="compute_hash"):
        synth.generate(count=30, days=30, seed=9)
    assert not Appeal.objects.exists() and not AppealEvent.objects.exists()


def _foreign_keys():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid::regclass::text LIKE 'appeals_%' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def test_a_load_on_postgresql_puts_every_foreign_key_back(tree):
    if connection.vendor != "postgresql":
        pytest.skip("the keys are dropped and added back only on PostgreSQL")
    before = _foreign_keys()
    assert len(before) > 10
    synth.generate(count=40, days=30, seed=10)
    assert _foreign_keys() == before
    event = AppealEvent.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # Django's keys are checked at commit
        AppealEvent.objects.filter(pk=event.pk).update(actor_id=10**9)


# ---- the staff queue --------------------------------------------------------------------------


def _expected(user, tab):
    """The queue as first written: what the user may see, handled by a unit of their area."""
    scope = scope_for(user)
    qs = visible_appeals(user)
    if not scope.covers_everything():
        qs = qs.filter(handling_unit__in=OrgUnit.objects.filter(scope.q("path")).values("pk"))
    if tab in TABS:
        qs = qs.filter(status__in=TABS[tab])
    return list(qs.order_by("-created_at", "-id").values_list("pk", flat=True))


@pytest.mark.parametrize("who", ["group_leader", "community_secretary", "street_officer", "district_staff"])
def test_every_queue_page_holds_what_one_plain_query_would(tree, who):
    synth.generate(count=160, days=90, seed=12)
    user = tree[who].user
    for tab in ("todo", "doing", "done", "all"):
        expected = _expected(user, tab)
        paginator = Paginator(appeal_list(user, tab=tab), 7)
        assert paginator.count == len(expected)
        got = [a.pk for n in paginator.page_range for a in paginator.page(n)]
        assert got == expected, (who, tab)
    assert len(_expected(user, "all")) > 7


def test_a_later_queue_page_takes_its_ids_first_then_only_its_rows(tree):
    synth.generate(count=80, days=60, seed=13)
    user = tree["community_secretary"].user
    with CaptureQueriesContext(connection) as ctx:
        page = list(Paginator(appeal_list(user, tab="all"), 5).page(3))
    selects = [q["sql"] for q in ctx.captured_queries if 'FROM "appeals_appeal"' in q["sql"]]
    ids, rows = selects[-2:]
    assert ids.startswith('SELECT "appeals_appeal"."id" AS "pk" FROM') and "OFFSET 10" in ids
    assert "appeals_category" in rows and "OFFSET" not in rows
    assert len(page) == 5


def test_the_area_queue_still_adds_what_came_from_the_area(tree):
    synth.generate(count=80, days=60, seed=14)
    user = tree["community_secretary"].user
    area = list(appeal_list(user, tab="all", mine_only=False).values_list("pk", flat=True))
    assert area == list(visible_appeals(user).order_by("-created_at", "-id").values_list("pk", flat=True))
    assert len(area) > len(_expected(user, "all"))


# ---- a submission -----------------------------------------------------------------------------


def test_a_submission_is_numbered_chained_and_told_in_one_go(tree):
    with CaptureQueriesContext(connection) as ctx:
        appeal = raise_appeal(tree)
    appeal.refresh_from_db()
    assert appeal.number == f"SQ-{timezone.localtime(appeal.created_at).year}-{appeal.pk:06d}"
    assert appeal.status == Status.PENDING
    updates = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "appeals_appeal"')]
    # PostgreSQL hands out the id first, so the number goes in with the row.
    assert len(updates) == (0 if connection.vendor == "postgresql" else 1)
    events = list(appeal.events.order_by("seq"))
    assert [(e.seq, e.prev_hash) for e in events] == [(1, "")] and chain_breaks(events) == []
    told = Notification.objects.filter(title__contains=appeal.number)
    assert told.filter(person=tree["resident"]).count() == 1
    assert told.filter(person=tree["group_leader"]).exists()
