"""A street officer filters the dashboard, opens a chart's table view, downloads its .xlsx, and
the file's numbers equal the page's."""

import openpyxl
import pytest
from django.db import connection
from playwright.sync_api import expect

from .helpers import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _number(value):
    if value in (None, "—"):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value).strip()


def test_street_officer_filters_opens_table_and_downloads_xlsx(demo, open_page, tmp_path):
    if connection.vendor == "sqlite":
        # The live server shares this in-memory database: give the demo district its appeals.
        from twoway.appeals.synth import generate

        generate(count=300, days=90, seed=11)
    page = open_page("desktop")
    page.set_default_timeout(30_000)  # the first dashboard computes the rollup of the new appeals
    log_in(page, "street_officer", demo.password)
    page.goto("/supervision/")
    expect(page.locator("[data-chart='trend'] svg")).to_be_visible()

    # Filter: the last month-and-a-half, then one of the street's communities.
    option = page.locator("#f-unit option").nth(1)
    community = option.inner_text().strip()
    page.locator("#f-unit").select_option(option.get_attribute("value"))
    page.locator("#f-from").fill("2026-01-01")
    page.locator("main form.sv-filters button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "from=2026-01-01" in page.url and "unit=" in page.url  # the filters are in the URL
    expect(page.locator("[data-testid=unit-name]")).to_have_text(community)

    # The categories chart's table view.
    card = page.locator("[data-testid=chart-categories]")
    card.get_by_role("button").first.click()
    table = card.locator("table[data-table=categories]")
    expect(table).to_be_visible()
    shown = [[_number(cell) for cell in row.locator("td").all_inner_texts()] for row in table.locator("tbody tr").all()]
    shot(page, "supervision/street-officer-table")

    # The .xlsx of the same chart, with the same filters.
    with page.expect_download() as info:
        card.locator("[data-testid=export-categories]").click()
    path = tmp_path / "categories.xlsx"
    info.value.save_as(path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == community
    headers = table.locator("thead th").all_inner_texts()
    start = next(i for i, row in enumerate(rows) if list(row[: len(headers)]) == headers)
    exported = [[_number(v) for v in row[: len(headers)]] for row in rows[start + 1 :] if any(row)]
    if shown and len(shown[0]) == 1:  # "no data for this period"
        assert exported == []
    else:
        assert exported == shown
    if connection.vendor == "sqlite":
        assert sum(r[1] for r in exported) > 0
