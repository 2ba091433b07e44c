"""Fingerprints of a database: row counts of every table and checksums of the records that
must never be lost (appeals and their events, notices). A backup stores its fingerprint;
a restore recomputes it on the restored database and compares."""

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import dj_database_url
from django.apps import apps
from django.db import connections

# Tables whose content (not only their size) is compared: the appeal record and public notices.
CHECKSUMMED = ["appeals.Appeal", "appeals.AppealEvent", "notices.Notice"]


@dataclass(frozen=True)
class Target:
    """A database named by its settings (a Django DATABASES entry, or one parsed from a URL)."""

    vendor: str  # "sqlite" or "postgresql"
    settings: dict

    @classmethod
    def from_url(cls, url: str) -> "Target":
        return cls.from_settings(dj_database_url.parse(url))

    @classmethod
    def from_alias(cls, alias: str = "default") -> "Target":
        return cls.from_settings(connections[alias].settings_dict)

    @classmethod
    def from_settings(cls, settings: dict) -> "Target":
        engine = settings["ENGINE"]
        if engine.endswith("sqlite3"):
            return cls("sqlite", dict(settings))
        if "postgresql" in engine:
            return cls("postgresql", dict(settings))
        raise ValueError(f"unsupported database engine: {engine}")

    @property
    def name(self) -> str:
        return str(self.settings["NAME"])

    def pg_args(self) -> tuple[list[str], dict]:
        """Connection arguments and environment for the PostgreSQL client programs."""
        s = self.settings
        args = ["--dbname", s["NAME"]]
        if s.get("HOST"):
            args += ["--host", str(s["HOST"])]
        if s.get("PORT"):
            args += ["--port", str(s["PORT"])]
        if s.get("USER"):
            args += ["--username", str(s["USER"])]
        env = {"PGPASSWORD": str(s["PASSWORD"])} if s.get("PASSWORD") else {}
        return args, env


def is_memory(name: str) -> bool:
    return name == ":memory:" or "mode=memory" in name


@contextmanager
def raw_cursor(target: Target, *, alias: str | None = None) -> Iterator:
    """A DB-API cursor on the target: Django's own connection when `alias` is given (so an
    in-memory test database is reachable), else a fresh connection closed afterwards."""
    if alias is not None:
        with connections[alias].cursor() as cursor:
            yield cursor
        return
    if target.vendor == "sqlite":
        conn = sqlite3.connect(target.name, uri=target.name.startswith("file:"))
        try:
            yield conn.cursor()
        finally:
            conn.close()
        return
    import psycopg

    s = target.settings
    conn = psycopg.connect(
        dbname=s["NAME"],
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        autocommit=True,
    )
    try:
        with conn.cursor() as cursor:
            # Text forms of timestamps depend on the session's zone; Django's sessions use UTC.
            cursor.execute("SET TIME ZONE 'UTC'")
            yield cursor
    finally:
        conn.close()


def table_names(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_checksum(cursor, vendor: str, table: str, columns: list[str]) -> str:
    """SHA-256 over the rows of `table` in id order, every column in its text form."""
    cast = "CAST({} AS TEXT)" if vendor == "sqlite" else "{}::text"
    select = ", ".join(cast.format(_quote(c)) for c in columns)
    cursor.execute(f"SELECT {select} FROM {_quote(table)} ORDER BY {_quote('id')}")  # noqa: S608
    digest = hashlib.sha256()
    while rows := cursor.fetchmany(5000):
        for row in rows:
            digest.update("\x1f".join("\\N" if v is None else v for v in row).encode())
            digest.update(b"\x1e")
    return digest.hexdigest()


def fingerprint(cursor, vendor: str) -> dict:
    """Row counts of every table, and checksums of the records named in CHECKSUMMED."""
    tables = table_names(cursor, vendor)
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    checksums = {}
    for label in CHECKSUMMED:
        model = apps.get_model(label)
        table = model._meta.db_table
        if table in counts:
            columns = [f.column for f in model._meta.concrete_fields]
            checksums[table] = table_checksum(cursor, vendor, table, columns)
    return {"counts": counts, "checksums": checksums}


def differences(expected: dict, actual: dict) -> list[str]:
    """What differs between two fingerprints, in words; empty when they match."""
    problems = []
    for table, n in sorted(expected["counts"].items()):
        got = actual["counts"].get(table)
        if got is None:
            problems.append(f"{table}: missing")
        elif got != n:
            problems.append(f"{table}: {got} rows, expected {n}")
    for table in sorted(set(actual["counts"]) - set(expected["counts"])):
        problems.append(f"{table}: not in the backup")
    for table, digest in sorted(expected["checksums"].items()):
        if actual["checksums"].get(table) != digest:
            problems.append(f"{table}: checksum differs")
    return problems
