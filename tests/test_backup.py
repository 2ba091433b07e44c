"""Backup and restore: a backup restored into an empty database has the same rows, and the
same appeals, events and notices to the byte (row counts and checksums), on SQLite and on
PostgreSQL; bad files and non-empty targets are refused."""

import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from twoway.appeals.history import chain_breaks
from twoway.appeals.models import Appeal, AppealEvent
from twoway.appeals.synth import generate
from twoway.notices.models import Notice
from twoway.ops.backup import BackupError, backup_create, backup_restore, manifest_path
from twoway.ops.integrity import Target, fingerprint, raw_cursor

from .conftest import restore_migration_data

# pg_dump reads from its own connection, so the rows must be committed: transactional tests.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _migration_rows(transactional_db):
    """A transactional test's flush removes the data migrations' rows: put them back."""
    restore_migration_data()
    yield
    restore_migration_data()


def _records(tree):
    generate(count=60, days=60, seed=11)
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    notice = Notice(
        unit=tree["community_A1"],
        title="公益金使用公示",
        body="修缮凉亭，支出2000元",
        publish_from=now,
        publish_to=now + timedelta(days=7),
    )
    notice.hash = notice.compute_hash()
    notice.save()


def _source_fingerprint():
    with raw_cursor(Target.from_alias(), alias="default") as cursor:
        return fingerprint(cursor, connection.vendor)


@pytest.fixture
def empty_target(tmp_path):
    """An empty database of the same kind: a new SQLite file, or a scratch PostgreSQL database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    s = connection.settings_dict
    name = f"{s['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    try:
        yield f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_an_empty_database_has_the_same_records(tree, tmp_path, empty_target):
    _records(tree)
    source = _source_fingerprint()
    assert source["counts"]["appeals_appeal"] == 60
    assert source["counts"]["appeals_appealevent"] == AppealEvent.objects.count() > 60

    path = tmp_path / ("twoway.sqlite3" if connection.vendor == "sqlite" else "twoway.dump")
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    assert "60 appeals" in out.getvalue()
    manifest = json.loads(manifest_path(path).read_text())
    assert manifest["counts"] == source["counts"] and manifest["checksums"] == source["checksums"]

    out = io.StringIO()
    call_command("restore", str(path), "--database-url", empty_target, stdout=out)
    assert "row counts and checksums match the backup" in out.getvalue()

    # Compared independently of the manifest: read the restored database itself.
    with raw_cursor(Target.from_url(empty_target)) as cursor:
        restored = fingerprint(cursor, connection.vendor)
    assert restored["counts"] == source["counts"]
    assert set(restored["checksums"]) == {"appeals_appeal", "appeals_appealevent", "notices_notice"}
    assert restored["checksums"] == source["checksums"]


def test_restore_refuses_a_database_that_is_not_empty_and_replaces_it_when_asked(tree, tmp_path):
    _records(tree)
    path = tmp_path / "before.bak"
    backup_create(path=path)
    before = _source_fingerprint()
    with pytest.raises(BackupError, match="already has"):
        backup_restore(path=path)

    # Work lost after the backup: an appeal deleted by mistake, another edited.
    victim = Appeal.objects.order_by("pk").first()
    AppealEvent.objects.filter(appeal=victim)._raw_delete(AppealEvent.objects.db)
    victim.ratings.all().delete()
    victim.photos.all().delete()
    Appeal.objects.filter(pk=victim.pk).delete()
    Appeal.objects.filter(pk=victim.pk + 1).update(description="改过")
    assert _source_fingerprint() != before

    result = backup_restore(path=path, replace=True)
    assert result.problems == []
    connection.close()
    assert _source_fingerprint() == before
    restored = Appeal.objects.get(pk=victim.pk)
    assert chain_breaks(list(restored.events.order_by("seq"))) == []


def test_a_changed_manifest_or_a_foreign_file_is_reported(tree, tmp_path, empty_target):
    _records(tree)
    path = tmp_path / "twoway.bak"
    backup_create(path=path)
    manifest = json.loads(manifest_path(path).read_text())
    manifest["checksums"]["appeals_appeal"] = "0" * 64
    manifest["counts"]["appeals_appealevent"] += 1
    manifest_path(path).write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="does not match"):
        call_command("restore", str(path), "--database-url", empty_target, stdout=io.StringIO())

    # A file is judged by its content, not its name.
    fake = tmp_path / "looks-like-a-backup.sqlite3"
    fake.write_bytes(b"<html>not a database</html>")
    with pytest.raises(CommandError, match="neither an SQLite database nor a pg_dump archive"):
        call_command("restore", str(fake), "--database-url", empty_target, stdout=io.StringIO())
