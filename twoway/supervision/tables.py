"""The dashboard's charts as tables: one builder per chart gives the headers and rows that the
page draws, shows as a table and exports to .xlsx, so the three always show the same numbers."""

from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import kpis

CHARTS = {
    "trend": gettext_lazy("Weekly trend"),
    "categories": gettext_lazy("Categories"),
    "funnel": gettext_lazy("Five-level funnel"),
    "ranking": gettext_lazy("Ranking"),
}


@dataclass
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[list]

    def as_chart(self) -> dict:
        return {"name": self.name, "headers": self.headers, "rows": self.rows}


def pct(value) -> float | None:
    """A rate as a percentage with one decimal, as shown and exported."""
    return None if value is None else round(100 * value, 1)


def one(value, digits=1):
    return None if value is None else round(value, digits)


def build(name: str, unit, period, category_id=None, weights=None) -> Table:
    title = str(CHARTS[name])
    if name == "trend":
        rows = [[r["week"].isoformat(), r["received"], r["resolved"]] for r in kpis.trend(unit, period, category_id)]
        return Table(name, title, [_("Week from"), _("Received"), _("Resolved")], rows)
    if name == "categories":
        rows = [[r["category"], r["received"], r["resolved"]] for r in kpis.categories(unit, period, category_id)]
        return Table(name, title, [_("Category"), _("Received"), _("Resolved")], rows)
    if name == "funnel":
        rows = [
            [str(r["label"]), r["reached"], r["settled"], pct(r["share"]), r["went_up"], one(r["median_hours"])]
            for r in kpis.funnel(unit, period, category_id)
        ]
        headers = [
            _("Level"),
            _("Reached this level"),
            _("Settled here"),
            _("Share of all settled here (%)"),
            _("Went up from here"),
            _("Median hours at this level (approx.)"),
        ]
        return Table(name, title, headers, rows)
    if name == "ranking":
        rows = [
            [
                rank,
                u.name,
                k.received,
                pct(k.response),
                pct(k.resolution),
                pct(k.satisfaction),
                pct(k.on_time),
                one(k.composite),
            ]
            for rank, u, k in kpis.ranked(kpis.by_child(unit, period, category_id, weights=weights))
        ]
        return Table(name, title, RANKING_HEADERS(), rows)
    raise KeyError(name)


def RANKING_HEADERS():  # noqa: N802 - a constant that must be translated when used
    return [
        _("Rank"),
        _("Unit"),
        _("Received"),
        _("Response rate (%)"),
        _("Resolution rate (%)"),
        _("Satisfaction rate (%)"),
        _("On-time completion (%)"),
        _("Composite score"),
    ]


def workbook(sheets: list[tuple[str, list[str], list[list]]], meta: list[tuple[str, str]] = ()) -> bytes:
    """An .xlsx with one sheet per table; `meta` rows (label, value) head the first sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for i, (title, headers, rows) in enumerate(sheets):
        ws = wb.create_sheet(title=_sheet_title(title))
        if i == 0:
            for label, value in meta:
                ws.append([label, value])
            if meta:
                ws.append([])
        ws.append(headers)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(["—" if v is None else v for v in row])
        for col, header in zip(ws.columns, headers + [""] * 10, strict=False):
            ws.column_dimensions[col[0].column_letter].width = max(10, min(40, len(str(header)) * 2 + 2))
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31] or "Sheet"
