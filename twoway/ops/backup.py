"""Backup and restore (R-7): SQLite through its online backup API, PostgreSQL through
pg_dump / pg_restore. Each backup is written beside a manifest holding its fingerprint (row
counts, checksums of appeals, events and notices); a restore recomputes the fingerprint of
the restored database and reports any difference."""

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections
from django.utils import timezone

from .integrity import Target, differences, fingerprint, is_memory, raw_cursor, table_names

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """The backup or restore could not be done; the message says why."""


@dataclass
class Result:
    path: Path
    vendor: str
    fingerprint: dict
    problems: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.fingerprint["counts"].values())


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _pg_program(name: str) -> str:
    """The client program: PATH first, then the server's own bin folder."""
    found = shutil.which(name)
    if found:
        return found
    for version in ("17", "16", "15"):
        candidate = Path(f"/usr/lib/postgresql/{version}/bin/{name}")
        if candidate.exists():
            return str(candidate)
    raise BackupError(f"{name} not found: install the PostgreSQL client programs")


def _run(args: list[str], env: dict) -> None:
    # The arguments are a fixed program and settings from the environment, never user input.
    done = subprocess.run(args, env={**os.environ, **env}, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def backup_create(*, path: Path, alias: str = "default") -> Result:
    """Write a consistent copy of the database to `path` (and its manifest) while it stays in use."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    target = Target.from_alias(alias)
    partial = path.with_name(path.name + ".partial")
    try:
        if target.vendor == "sqlite":
            connection = connections[alias]
            connection.ensure_connection()
            partial.unlink(missing_ok=True)
            copy = sqlite3.connect(partial)
            try:
                # One step (pages=-1): the copy is a single consistent snapshot.
                connection.connection.backup(copy)
                # The manifest describes the copy itself, so it matches by construction.
                print_ = fingerprint(copy.cursor(), "sqlite")
            finally:
                copy.close()
        else:
            print_ = _pg_dump(target, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    manifest = {
        "vendor": target.vendor,
        "created_at": timezone.now().isoformat(),
        "database": os.path.basename(target.name),
        **print_,
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return Result(path=path, vendor=target.vendor, fingerprint=print_)


def _pg_dump(target: Target, out: Path) -> dict:
    """pg_dump and the fingerprint read from one exported snapshot, so they agree even while
    appeals keep arriving."""
    import psycopg

    s = target.settings
    conn = psycopg.connect(
        dbname=s["NAME"],
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
    )
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SET TIME ZONE 'UTC'")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            args, env = target.pg_args()
            _run(
                [
                    _pg_program("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={out}",
                    *args,
                ],
                env,
            )
            result = fingerprint(cursor, "postgresql")
        conn.rollback()
    finally:
        conn.close()
    return result


def backup_kind(path: Path) -> str:
    """What a backup file holds, read from its first bytes (never from its name)."""
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither an SQLite database nor a pg_dump archive")


def backup_restore(*, path: Path, target_url: str | None = None, replace: bool = False) -> Result:
    """Bring a backup back into the configured database, or into the one `target_url` names.
    An existing database with tables is refused unless `replace`; the restored database's
    fingerprint is compared with the backup's manifest."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path}: no such file")
    kind = backup_kind(path)
    alias = None if target_url else "default"
    target = Target.from_url(target_url) if target_url else Target.from_alias("default")
    if kind != target.vendor:
        raise BackupError(f"a {kind} backup cannot be restored into a {target.vendor} database")
    with raw_cursor(target, alias=alias) as cursor:
        existing = table_names(cursor, target.vendor)
    if existing and not replace:
        raise BackupError(
            f"the target database already has {len(existing)} tables; restore into an empty database, "
            "or pass --replace to overwrite it"
        )
    if kind == "sqlite":
        _sqlite_restore(path, target, alias)
    else:
        _pg_restore(path, target, replace=bool(existing))
    with raw_cursor(target, alias=alias) as cursor:
        actual = fingerprint(cursor, target.vendor)
    problems = []
    manifest = manifest_path(path)
    if manifest.exists():
        problems = differences(json.loads(manifest.read_text()), actual)
    else:
        problems = ["no manifest beside the backup: nothing to compare with"]
    return Result(path=path, vendor=kind, fingerprint=actual, problems=problems)


def _sqlite_restore(path: Path, target: Target, alias: str | None) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if alias is not None:
            connection = connections[alias]
            connection.ensure_connection()
            # The backup API replaces every page of the live database in one step.
            source.backup(connection.connection)
        else:
            if is_memory(target.name):
                raise BackupError("cannot restore into a separate in-memory database")
            dest = sqlite3.connect(target.name)
            try:
                source.backup(dest)
            finally:
                dest.close()
    finally:
        source.close()


def _pg_restore(path: Path, target: Target, *, replace: bool) -> None:
    args, env = target.pg_args()
    # One transaction: a restore that fails half-way leaves the target as it was.
    extra = ["--clean", "--if-exists"] if replace else []
    _run(
        [
            _pg_program("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *extra,
            *args,
            str(path),
        ],
        env,
    )
