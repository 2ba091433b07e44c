"""The daily rollup: per cell (local day × community, or street outside any community × top-level
category), the KPI counts (`DailyFact`, see models.MEASURES) and the hours spent at each level
as histograms (`DailyHours`, see models.HOUR_BANDS), summed from the per-appeal rollup.

Every daily row is written by one statement, `INSERT … SELECT … FROM AppealFact GROUP BY cell`:
for the cells an incremental refresh touched (the cells its appeals were in before and are in
now), or for all of them in a full rebuild. Both paths run the same SQL, so they cannot drift
apart, and a cell always equals the sum of its appeals.

Medians of time-at-level come from the histograms: the band holding the middle appeal (or the
two middle ones) is found from the counts, and its mean (total seconds ÷ appeals in it) stands
for the value. The result lies in the same band as the exact median, so it is off by less than
the band's width: one hour below 6 hours, two below 12, three below a day, six below three
days, twelve below five days, a day below eight days, two days below two weeks, beyond that
the bands listed in models.HOUR_BANDS. It is exact when the middle appeals' band holds no other
values (as in the hand-worked tests).
"""

from django.db import connection
from django.db.models import BigIntegerField, CharField, Count, F, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat, Round

from .models import (
    ALL_CATEGORIES,
    HOUR_BANDS,
    HOURS_LEVELS,
    MEASURES,
    AppealFact,
    DailyFact,
    DailyHours,
    band_fields,
)

KEY = ("cell", "day", "street_id", "community_id", "top_category_id")
AREA = ("area", "day", "street_id", "community_id")
CHUNK = 500  # cells per statement (an IN list)


def fact_aggregates(names=None) -> dict:
    """The MEASURES as aggregates over AppealFact rows."""
    names = names or list(MEASURES)
    return {name: Count("pk", filter=MEASURES[name]) if MEASURES[name] else Count("pk") for name in names}


def daily_aggregates(names=None) -> dict:
    """The same MEASURES summed over DailyFact rows (0, not None, when there are none)."""
    names = names or list(MEASURES)
    return {name: Coalesce(Sum(name), 0) for name in names}


def _seconds(level):
    return Cast(Round(F(f"hours_{level}") * 3600), BigIntegerField())


def hours_aggregates(levels=HOURS_LEVELS, bands=None, what=("n", "s")) -> dict:
    """Per level and band, over AppealFact rows: how many (`n_…`), their seconds (`s_…`); NULL
    when none (an empty band costs nothing in a row)."""
    aggs = {}
    for level in levels:
        for i in bands if bands is not None else range(len(HOUR_BANDS)):
            in_band = Q(**{f"band_{level}": i})
            if "n" in what:
                aggs[f"n_{level}_{i:02d}"] = Sum(Value(1), filter=in_band)
            if "s" in what:
                aggs[f"s_{level}_{i:02d}"] = Sum(_seconds(level), filter=in_band)
    return aggs


def _insert_select(model, qs) -> None:
    """INSERT INTO model's table the rows of `qs` (a values().annotate() queryset whose names
    are the table's columns), as one statement run by the database."""
    compiler = qs.query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    columns = [alias or expr.target.column for expr, _sql, alias in compiler.select]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) {sql}", params)


def bulk_write(model, columns: list[str], rows) -> None:
    """Append rows (tuples in `columns` order, attnames) to the model's table: COPY on
    PostgreSQL, bulk inserts elsewhere."""
    if connection.vendor == "postgresql":
        qn = connection.ops.quote_name
        by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
        names = ", ".join(qn(by_attname[c]) for c in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {qn(model._meta.db_table)} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    model.objects.bulk_create([model(**dict(zip(columns, r, strict=True))) for r in rows], batch_size=500)


def _fill(source) -> None:
    _insert_select(DailyFact, source.values(*KEY).order_by().annotate(**fact_aggregates()))
    _insert_select(DailyHours, source.values(*KEY, "area").order_by().annotate(**hours_aggregates()))


def _fill_all_categories(source) -> None:
    """The all-categories DailyHours rows of the areas of `source` (DailyHours rows of single
    categories): their sums."""
    columns = band_fields("n") + band_fields("s")
    _insert_select(
        DailyHours,
        source.values(*AREA)
        .order_by()
        .annotate(cell=Concat("area", Value("." + ALL_CATEGORIES), output_field=CharField()))
        .annotate(**{c: Sum(c) for c in columns}),
    )


def rebuild_cells(cells) -> None:
    """Sum these cells again from AppealFact, and the all-categories rows of their areas
    (call inside the transaction that changed AppealFact)."""
    cells = sorted(set(cells))
    for i in range(0, len(cells), CHUNK):
        chunk = cells[i : i + CHUNK]
        DailyFact.objects.filter(cell__in=chunk).delete()
        DailyHours.objects.filter(cell__in=chunk).delete()
        _fill(AppealFact.objects.filter(cell__in=chunk))
    areas = sorted({cell.rsplit(".", 1)[0] for cell in cells})
    for i in range(0, len(areas), CHUNK):
        chunk = areas[i : i + CHUNK]
        DailyHours.objects.filter(area__in=chunk, top_category__isnull=True).delete()
        _fill_all_categories(DailyHours.objects.filter(area__in=chunk, top_category__isnull=False))


def rebuild_all() -> None:
    """Sum every cell again from AppealFact (call inside the transaction that rebuilt it)."""
    DailyFact.objects.all().delete()
    DailyHours.objects.all().delete()
    _fill(AppealFact.objects.all())
    _fill_all_categories(DailyHours.objects.filter(top_category__isnull=False))


def analyze() -> None:
    """Fresh planner statistics and visibility maps after a bulk rebuild (PostgreSQL)."""
    qn = connection.ops.quote_name
    tables = ", ".join(qn(m._meta.db_table) for m in (AppealFact, DailyFact, DailyHours))
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


# ---- reading the histograms ---------------------------------------------------------------


def _band_at(counts: list[int], k: int) -> int:
    """The band holding the k-th smallest value (0-based)."""
    seen = 0
    for i, n in enumerate(counts):
        seen += n
        if k < seen:
            return i
    raise IndexError(k)


def band_medians(qs, *, daily: bool) -> tuple[dict[str, int], dict[str, float | None]]:
    """How many appeals reached each level, and the median hours there, from the histograms of
    `qs`: DailyHours rows (`daily`) or AppealFact rows. Two queries: the counts, then the
    seconds of the one or two bands holding the middle appeals."""
    if daily:
        row = qs.aggregate(**{f"n_{lv}_{i:02d}": Sum(f"n_{lv}_{i:02d}") for lv in HOURS_LEVELS for i in _bands()})
    else:
        row = qs.aggregate(**hours_aggregates(what=("n",)))
    counts = {lv: [row[f"n_{lv}_{i:02d}"] or 0 for i in _bands()] for lv in HOURS_LEVELS}
    reached = {lv: sum(ns) for lv, ns in counts.items()}
    middle: dict[str, tuple[int, int]] = {}
    for lv, total in reached.items():
        if total:
            middle[lv] = (_band_at(counts[lv], (total - 1) // 2), _band_at(counts[lv], total // 2))
    medians: dict[str, float | None] = dict.fromkeys(HOURS_LEVELS)
    if not middle:
        return reached, medians
    wanted = {(lv, b) for lv, pair in middle.items() for b in pair}
    if daily:
        sums = qs.aggregate(**{f"s_{lv}_{b:02d}": Sum(f"s_{lv}_{b:02d}") for lv, b in wanted})
    else:
        sums = {}
        for lv, b in wanted:
            sums.update(hours_aggregates(levels=[lv], bands=[b], what=("s",)))
        sums = qs.aggregate(**sums)
    for lv, (lo, hi) in middle.items():
        means = [sums[f"s_{lv}_{b:02d}"] / counts[lv][b] / 3600 for b in (lo, hi)]
        medians[lv] = (means[0] + means[1]) / 2
    return reached, medians


def _bands():
    return range(len(HOUR_BANDS))
