"""A read compiled once per process and run again with new values.

Django compiles a queryset's SQL every time it is evaluated. For most pages that is a small
share of the work, but a read that runs on every request (the logged-in user with their person
record) pays it on every page, often more than the database takes to answer. `Prepared` keeps
the compiled statement and the compiler's description of its columns, and builds the model
instances the same way a queryset would (`ModelIterable`), so the result is the same objects
with the same related objects and annotations.

Only for querysets whose varying values are plain parameters: the queryset is built once with
a placeholder, and the placeholder's position in the parameters is where each new value goes.

On PostgreSQL the statement is also prepared on the server, once per database connection
(`PREPARE`, then `EXECUTE` with the values): the server then plans it once instead of on every
request. Planning the user read (four tables and a sub-query) cost more of the database's CPU
than running it.
"""

import itertools
import re
import weakref

from django.db import connections
from django.db.models.query import get_related_populators

# A value no caller passes, so its place among the compiled parameters is unambiguous.
_PLACEHOLDER = -7_193_820_457_113
_NAMES = itertools.count(1)
# Which statements each open PostgreSQL connection has prepared (they live as long as it does).
_PREPARED_ON: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


def _numbered(sql: str) -> str:
    """Django's `%s` placeholders as PostgreSQL's `$1, $2, …` (and `%%` as `%`)."""
    numbers = itertools.count(1)
    return re.sub(r"%%|%s", lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)


class Prepared:
    def __init__(self, build, *, using: str = "default"):
        """`build(value)` returns the queryset for one value (e.g. a primary key)."""
        self.build = build
        self.using = using
        self.name = f"twoway_prepared_{next(_NAMES)}"
        self._compiled = None

    def _compile(self):
        queryset = self.build(_PLACEHOLDER)
        compiler = queryset.query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        slots = [i for i, p in enumerate(params) if p == _PLACEHOLDER]
        if len(slots) != 1:
            raise ValueError("the prepared queryset must use its value exactly once, as a parameter")
        klass_info = compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [f[0].target.attname for f in compiler.select[start:end]]
        self._compiled = (compiler, sql, list(params), slots[0], start, end, init_list)
        return self._compiled

    def first(self, value):
        """The first object for `value`, or None: what `build(value).first()` would give
        (the queryset decides the order)."""
        compiler, sql, params, slot, start, end, init_list = self._compiled or self._compile()
        params = params.copy()
        params[slot] = value
        connection = connections[self.using]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                self._prepare_on(connection, sql)
                cursor.execute(f"EXECUTE {self.name}({', '.join(['%s'] * len(params))})", params)
            else:
                cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        row = next(iter(compiler.results_iter([[row]])))
        model = compiler.klass_info["model"]
        obj = model.from_db(self.using, init_list, row[start:end])
        for populator in get_related_populators(compiler.klass_info, compiler.select, self.using):
            populator.populate(row, obj)
        for name, position in compiler.annotation_col_map.items():
            setattr(obj, name, row[position])
        return obj

    def _prepare_on(self, connection, sql):
        """PREPARE the statement on this connection unless it already has it. Outside any
        transaction's reach: a prepared statement stays after a rollback, and a new connection
        (after a restart, or CONN_MAX_AGE) prepares it again."""
        raw = connection.connection
        names = _PREPARED_ON.setdefault(raw, set())
        if self.name in names:
            return
        with connection.wrap_database_errors, raw.cursor() as cursor:
            cursor.execute(f"PREPARE {self.name} AS {_numbered(sql)}")
        names.add(self.name)
