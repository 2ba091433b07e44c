"""The read replica, for real: a private PostgreSQL primary and a hot standby made from it with
`pg_basebackup -R`, the project pointed at both (DATABASE_URL, DATABASE_REPLICA_URL).

Replay on the standby is paused, and another server's write (a plain connection, as another
app server would make) renames two units on the primary: from then on the standby answers with
the old names, the primary with the new. So a page that shows the old name read the standby,
and one that shows the new name read the primary; no query counting needed to tell them apart.

The project runs in a child process (its settings come from the environment); it reports what
it saw as JSON, and the checks are here.
"""

import json
import subprocess
import sys
import time

import pytest

from tests.pgcluster import ROOT, database_from_template, django_env, migrated_clusters, postgres_wanted

DB = "twoway_h_replica_run"
NEW_COMMUNITY = "RENAMED-ON-PRIMARY"
NEW_DISTRICT = "DISTRICT-RENAMED-ON-PRIMARY"

pytestmark = pytest.mark.skipif(
    not postgres_wanted(),
    reason="the replica test needs PostgreSQL: run the suite with DATABASE_URL=postgres://… (SQLite has no replicas)",
)


@pytest.fixture(scope="module")
def seen(request):
    """Run the scenario against a fresh copy of the migrated database on the private primary,
    read through its standby."""
    primary, standby = migrated_clusters(request.config)
    database_from_template(primary, DB)
    env = django_env(DATABASE_URL=primary.url(DB), DATABASE_REPLICA_URL=standby.url(DB))
    child = subprocess.run(
        [sys.executable, "-c", "from tests.test_replica import scenario; scenario()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-4000:]
    return json.loads(child.stdout.strip().splitlines()[-1])


def test_the_standby_is_a_read_only_copy_in_recovery(seen):
    assert seen["standby_in_recovery"] is True
    assert seen["primary_in_recovery"] is False
    assert "read-only" in seen["write_straight_to_standby"]


def test_the_dashboard_reads_from_the_standby(seen):
    page = seen["dashboard"]
    assert page["status"] == 200
    # Replay is paused: only the standby still has the old name, only the primary the new one.
    assert page["has_old_name"] and not page["has_new_name"]
    assert seen["name_on_primary"] == NEW_COMMUNITY
    assert page["replica_queries"] > 0


def test_the_public_page_reads_from_the_standby(seen):
    assert seen["public"]["status"] == 200
    assert seen["public"]["has_old_name"] and not seen["public"]["has_new_name"]


def test_other_pages_read_from_the_primary(seen):
    # The unit list is not a dashboard: it shows what the primary holds.
    assert seen["unit_page"]["status"] == 200
    assert seen["unit_page"]["has_new_name"]
    assert seen["unit_page"]["replica_queries"] == 0


def test_a_login_made_after_the_pause_is_not_looked_up_on_the_standby(seen):
    # The session row exists only on the primary: the dashboard still knew who asked (200, not
    # a redirect to the login page).
    assert seen["dashboard"]["status"] == 200


def test_a_write_in_a_dashboard_goes_to_the_primary(seen):
    export = seen["export"]
    assert export["status"] == 200
    assert export["audit_rows_on_primary"] == export["audit_rows_before"] + 1


def test_writes_inside_replica_reads_land_on_the_primary(seen):
    assert seen["orm_write"]["error"] == ""
    assert seen["orm_write"]["on_primary"] == "written-in-replica-reads"


def test_a_write_then_a_read_in_the_same_request_sees_the_write(seen):
    assert seen["orm_write"]["read_back"] == "written-in-replica-reads"
    assert seen["orm_write"]["read_from"] == "default"
    assert seen["raw_write"]["read_back"] == "written-by-raw-sql"
    assert seen["raw_write"]["read_from"] == "default"


def test_reads_inside_a_transaction_stay_on_the_primary(seen):
    assert seen["in_transaction"]["read_from"] == "default"


def test_the_next_request_reads_the_standby_again(seen):
    assert seen["next_request"]["read_from"] == "replica"
    assert seen["next_request"]["name"] == "B2社区"


def test_the_report_builder_reads_from_the_standby_and_files_on_the_primary(seen):
    report = seen["report"]
    assert report["replica_queries"] > 0
    assert report["saved_on_primary"] is True


def test_once_the_standby_has_the_write_reads_go_back_to_it(seen):
    caught = seen["after_resume"]
    assert caught["read_from"] == "replica"
    assert caught["read_back"] == "written-after-resume"


# ---- the child process -----------------------------------------------------------------------


def scenario() -> None:  # noqa: C901 - one story, told in order
    import django

    django.setup()
    import psycopg
    from django.conf import settings
    from django.core.signals import request_started
    from django.db import connections, router, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.factories import build_tree
    from twoway.audit.models import AuditEntry
    from twoway.core import dbrouter
    from twoway.org.models import OrgUnit
    from twoway.supervision import facts, reports
    from twoway.supervision.models import Report

    out: dict = {}
    primary, replica = connections["default"], connections["replica"]

    def one(conn, sql, params=()):
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def new_request():
        request_started.send(sender=None)

    def caught_up() -> bool:
        lsn = one(primary, "SELECT pg_current_wal_lsn()::text")
        return bool(one(replica, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]))

    def wait(predicate, what, timeout=20.0):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(what)
            time.sleep(0.05)

    tree = build_tree()
    staff = tree["district_staff"].user
    community = tree["community_B2"]
    district = tree["district"]
    out["standby_in_recovery"] = one(replica, "SELECT pg_is_in_recovery()")
    out["primary_in_recovery"] = one(primary, "SELECT pg_is_in_recovery()")
    try:
        with replica.cursor() as cursor:
            cursor.execute("UPDATE org_orgunit SET name = 'x' WHERE id = %s", [community.pk])
        out["write_straight_to_standby"] = "accepted"
    except Exception as error:  # the standby must refuse it
        out["write_straight_to_standby"] = str(error)

    facts.facts_refresh()  # the dashboards' rollup, as the scheduled refresh keeps it
    wait(caught_up, "the standby to replay the tree")
    one(replica, "SELECT pg_wal_replay_pause()::text")
    wait(lambda: one(replica, "SELECT pg_get_wal_replay_pause_state()") == "paused", "replay to pause")

    # Another app server renames two units on the primary; the paused standby keeps the old names.
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True) as c:
        c.execute("UPDATE org_orgunit SET name = %s WHERE id = %s", [NEW_COMMUNITY, community.pk])
        c.execute("UPDATE org_orgunit SET name = %s WHERE id = %s", [NEW_DISTRICT, district.pk])
    out["name_on_primary"] = OrgUnit.objects.get(pk=community.pk).name  # outside replica_reads

    client = Client()
    client.force_login(staff)  # the session row is on the primary only

    def page(path):
        with CaptureQueriesContext(replica) as on_replica:
            response = client.get(path)
        html = response.content.decode()
        return response, html, len(on_replica.captured_queries)

    response, html, n = page(f"/supervision/?unit={district.pk}")
    out["dashboard"] = {
        "status": response.status_code,
        "has_old_name": "B2社区" in html,
        "has_new_name": NEW_COMMUNITY in html,
        "replica_queries": n,
    }
    client, staff_client = Client(), client  # the public page: nobody logged in
    response, html, n = page("/public/")
    out["public"] = {
        "status": response.status_code,
        "has_old_name": "测试区" in html,
        "has_new_name": NEW_DISTRICT in html,
    }
    client = staff_client
    response, html, n = page(f"/org/units/{tree['street_B'].pk}/")
    out["unit_page"] = {"status": response.status_code, "has_new_name": NEW_COMMUNITY in html, "replica_queries": n}

    before = AuditEntry.objects.count()
    response = client.get(f"/supervision/export/ranking.xlsx?unit={district.pk}")
    out["export"] = {
        "status": response.status_code,
        "audit_rows_before": before,
        "audit_rows_on_primary": AuditEntry.objects.using("default").count(),
    }

    # A request that writes through the ORM, then reads, inside replica_reads.
    new_request()
    out["orm_write"] = {"error": ""}
    with dbrouter.replica_reads():
        try:
            OrgUnit.objects.filter(pk=community.pk).update(name="written-in-replica-reads")
        except Exception as error:
            out["orm_write"]["error"] = str(error)
        out["orm_write"]["read_from"] = router.db_for_read(OrgUnit)
        out["orm_write"]["read_back"] = OrgUnit.objects.get(pk=community.pk).name
    out["orm_write"]["on_primary"] = one(primary, "SELECT name FROM org_orgunit WHERE id = %s", [community.pk])

    # The same with raw SQL, which the router never sees.
    new_request()
    with dbrouter.replica_reads():
        with primary.cursor() as cursor:
            cursor.execute("UPDATE org_orgunit SET name = 'written-by-raw-sql' WHERE id = %s", [community.pk])
        out["raw_write"] = {
            "read_from": router.db_for_read(OrgUnit),
            "read_back": OrgUnit.objects.get(pk=community.pk).name,
        }

    new_request()
    with transaction.atomic(), dbrouter.replica_reads():
        out["in_transaction"] = {"read_from": router.db_for_read(OrgUnit)}

    new_request()
    with dbrouter.replica_reads():
        out["next_request"] = {
            "read_from": router.db_for_read(OrgUnit),
            "name": OrgUnit.objects.get(pk=community.pk).name,
        }

    new_request()
    with CaptureQueriesContext(replica) as on_replica:
        report = reports.report_make(unit=tree["street_B"], kind="weekly", day=date_today(), pdf=False)
    out["report"] = {
        "replica_queries": len(on_replica.captured_queries),
        "saved_on_primary": Report.objects.using("default").filter(pk=report.pk).exists(),
    }

    # Replay resumes: once the standby has a request's write, its reads go there again.
    one(replica, "SELECT pg_wal_replay_resume()::text")
    new_request()
    with dbrouter.replica_reads():
        OrgUnit.objects.filter(pk=community.pk).update(name="written-after-resume")
        wait(dbrouter.use_replica, "the standby to replay the request's write")
        out["after_resume"] = {
            "read_from": router.db_for_read(OrgUnit),
            "read_back": OrgUnit.objects.get(pk=community.pk).name,
        }
    print(json.dumps(out, ensure_ascii=False))


def date_today():
    from django.utils import timezone

    return timezone.localdate()
