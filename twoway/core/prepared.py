"""A read compiled once per process and run again with new values.

Django compiles a queryset's SQL every time it is evaluated. For most pages that is a small
share of the work, but a read that runs on every request (the logged-in user with their person
record) pays it on every page, often more than the database takes to answer. `Prepared` keeps
the compiled statement and the compiler's description of its columns, and builds the model
instances the same way a queryset would (`ModelIterable`), so the result is the same objects
with the same related objects and annotations.

Only for querysets whose varying values are plain parameters: the queryset is built once with
a placeholder, and the placeholder's position in the parameters is where each new value goes.
"""

from django.db import connections
from django.db.models.query import get_related_populators

# A value no caller passes, so its place among the compiled parameters is unambiguous.
_PLACEHOLDER = -7_193_820_457_113


class Prepared:
    def __init__(self, build, *, using: str = "default"):
        """`build(value)` returns the queryset for one value (e.g. a primary key)."""
        self.build = build
        self.using = using
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
        with connections[self.using].cursor() as cursor:
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
