"""Reads that may go to a streaming replica (`DATABASE_REPLICA_URL`), and nothing else.

Every read and every write goes to the primary (`default`) unless the code asks otherwise:
the dashboards, the report builder and the public page wrap their reads in `replica_reads()`.
Inside it, a read goes to the replica only when the request cannot miss its own writes there:

- writes always go to the primary (the replica is read-only anyway);
- inside a transaction on the primary every read stays there (it must see what the
  transaction wrote and hold its locks);
- once the request (or management command) has written anything, its reads go to the primary
  until the replica has replayed that write: the primary's WAL position is noted after the
  write, and the replica is used again only when its replay position has passed it
  (PostgreSQL); without that check, they stay on the primary;
- `primary_reads()` forces the primary for a block inside `replica_reads()`, for reads that
  feed a write (the rollup refresh reads what it is about to recompute).

Sessions, the login lockout and the database cache are never read from the replica: a
session written by the login a moment ago may not have arrived there yet.

A write is noticed twice: when the ORM asks this router where to write, and when a statement
other than a read runs on the primary's connection (raw SQL, e.g. the notifications' INSERT …
SELECT). Each request starts with a clean slate (`request_started`).
"""

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created

REPLICA = "replica"
# Auth state: a lagging replica would log people out or forget a lockout.
PRIMARY_ONLY_APPS = {"sessions", "axes", "django_cache"}
# Statements that change nothing; anything else run on the primary counts as a write.
# EXECUTE runs a read prepared by core/prepared.py (it prepares querysets, which only read).
_READ_PREFIXES = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SHOW", "EXPLAIN", "EXECUTE ")


@dataclass
class _State:
    replica_depth: int = 0
    primary_depth: int = 0
    wrote: bool = False  # a write since the last look at the primary's WAL position
    need_lsn: str | None = None  # the replica must have replayed this far
    replica_lsn_ok: str | None = None  # the last position the replica was seen to have passed


_state: ContextVar[_State | None] = ContextVar("twoway_db_routing", default=None)


def _current() -> _State:
    state = _state.get()
    if state is None:
        state = _State()
        _state.set(state)
    return state


def reset() -> None:
    """Forget the writes seen so far (a new request starts)."""
    _state.set(_State())


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


class _Scope:
    """A context manager and decorator; it keeps no state of its own, so one instance can
    decorate a view that many threads run at once."""

    field = ""

    def __call__(self, func):
        from functools import wraps

        @wraps(func)
        def inner(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return inner

    def __enter__(self):
        state = _current()
        setattr(state, self.field, getattr(state, self.field) + 1)
        return self

    def __exit__(self, *exc):
        state = _current()
        setattr(state, self.field, getattr(state, self.field) - 1)
        return False


class replica_reads(_Scope):  # noqa: N801 - reads like the function it stands for
    """Reads in this block may go to the replica (see the module's rules)."""

    field = "replica_depth"


class primary_reads(_Scope):  # noqa: N801
    """Reads in this block go to the primary, even inside `replica_reads()`."""

    field = "primary_depth"


def note_write() -> None:
    _current().wrote = True


def _replica_caught_up(state: _State) -> bool:
    """Has the replica replayed every write of this request? Asks each server at most once
    per write (the primary for its position, the replica for its replay position)."""
    primary = connections[DEFAULT_DB_ALIAS]
    if primary.vendor != "postgresql" or connections[REPLICA].vendor != "postgresql":
        return False
    if state.wrote:
        with primary.cursor() as cursor:
            # The insert position: with asynchronous commit the write position may still be
            # short of this request's commit record.
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            state.need_lsn = cursor.fetchone()[0]
        state.wrote = False
    if state.need_lsn is None or state.need_lsn == state.replica_lsn_ok:
        return True
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [state.need_lsn])
        ok = bool(cursor.fetchone()[0])
    if ok:
        state.replica_lsn_ok = state.need_lsn
    return ok


def use_replica() -> bool:
    """Would a read here go to the replica?"""
    state = _state.get()
    if state is None or state.replica_depth <= 0 or state.primary_depth > 0 or not has_replica():
        return False
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return False
    if state.wrote or state.need_lsn is not None:
        return _replica_caught_up(state)
    return True


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label not in PRIMARY_ONLY_APPS and use_replica():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        note_write()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == REPLICA:
            return False
        return None


def _note_raw_writes(execute, sql, params, many, context):
    # A locking read (SELECT … FOR UPDATE) needs a transaction, which keeps reads on the primary.
    if not str(sql).lstrip()[:10].upper().startswith(_READ_PREFIXES):
        note_write()
    return execute(sql, params, many, context)


def _on_connection(sender, connection, **kwargs):
    if connection.alias == DEFAULT_DB_ALIAS and has_replica() and _note_raw_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_note_raw_writes)


def _on_request(sender, **kwargs):
    reset()


def connect_signals() -> None:
    """Called once at start-up (`CoreConfig.ready`)."""
    request_started.connect(_on_request, dispatch_uid="twoway.dbrouter.request")
    connection_created.connect(_on_connection, dispatch_uid="twoway.dbrouter.connection")
