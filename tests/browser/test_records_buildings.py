"""A street officer checks the service-building standards and takes a development's service
rooms through the handover, on a desktop and on a phone."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from twoway.org.models import OrgUnit, UnitKind
from twoway.records.models import Development

from .helpers import log_in, shot, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

COMMUNITY = "黄河五路社区"  # from the demo district, in 市中街道 (the street officer's street)
PHONE_COMMUNITY = "渤海七路社区"  # another community of 市中街道
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _patient(page):
    """A shared, busy machine can take longer than the default ten seconds to serve a page."""
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(30_000)
    return page


def _doc_shot(page, name: str) -> None:
    path = shot(page, name)
    if DOCS_IMG.exists():
        shutil.copy(path, DOCS_IMG / f"{name}.png")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_building_standards_page_shows_shortfalls_at_the_boundary(demo, open_page, size):
    page = _patient(open_page(size))
    log_in(page, "street_officer", demo.password)
    # Each size uses its own community, which starts with nothing on file: the live server's
    # writes are not rolled back on PostgreSQL, so one size's areas would be the other's start.
    name = COMMUNITY if size == "desktop" else PHONE_COMMUNITY
    community = OrgUnit.objects.get(name=name, kind=UnitKind.COMMUNITY)
    page.goto("/records/buildings/")
    row = page.locator(f"#standards tr[data-unit='{community.pk}']")
    expect(row).to_contain_text(zh("no floor area on file"))

    # 1000 households need 300 m²; an existing community needs 300 m² too: one hundredth short.
    row.get_by_role("link").click()
    page.locator("#centre_area").fill("299.99")
    page.locator("#households").fill("1000")
    page.locator("main form button").first.click()
    page.wait_for_load_state("load")
    row = page.locator(f"#standards tr[data-unit='{community.pk}']")
    expect(row.locator(".shortfall")).to_have_count(2)
    expect(row).to_contain_text("0.01")
    if size == "desktop":
        _doc_shot(page, "records-buildings")
    page.goto("/records/buildings/?short=1")
    expect(page.locator(f"#standards tr[data-unit='{community.pk}']")).to_be_visible()

    # Exactly 300 m² meets both.
    page.goto(f"/records/buildings/{community.pk}/edit/")
    page.locator("#centre_area").fill("300")
    page.locator("main form button").first.click()
    page.wait_for_load_state("load")
    row = page.locator(f"#standards tr[data-unit='{community.pk}']")
    expect(row.locator(".shortfall")).to_have_count(0)
    expect(row).to_contain_text(zh("meets the standards"))
    page.goto("/records/buildings/?short=1")
    expect(page.locator(f"#standards tr[data-unit='{community.pk}']")).to_have_count(0)
    # Checked on the real page width: nothing spills sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_handover_workflow_blocks_filing_until_the_agreement_is_signed(demo, open_page):
    page = _patient(open_page("desktop"))
    log_in(page, "street_officer", demo.password)
    page.goto("/records/developments/")
    form = page.locator("#new-development")
    form.locator("#name").fill("锦绣华府（测试）")
    form.locator("#developer").fill("山东鲁北置业有限公司")
    form.locator("#households").fill("600")
    form.locator("#planned_area").fill("150")  # 600 households need 180 m²
    form.locator("button").click()
    page.wait_for_load_state("load")
    expect(page.locator("main .alert-warning")).to_contain_text("180")
    dev = Development.objects.get(name="锦绣华府（测试）")

    def advance():
        page.locator("#advance").click()
        page.wait_for_load_state("load")

    advance()  # land transfer → synchronous design and construction
    expect(page.locator("#stages li[data-stage='construction']")).to_contain_text(zh("current"))
    advance()  # completion filing is refused: no agreement
    expect(page.locator("main .alert-danger")).to_contain_text("A.4.2")
    expect(page.locator("#stages li[data-stage='construction']")).to_contain_text(zh("current"))
    dev.refresh_from_db()
    assert dev.stage == "construction"

    page.locator("input[name=agreement_number]").fill("BCYF-2026-099")
    page.get_by_role("button", name=zh("Record the signed agreement")).click()
    page.wait_for_load_state("load")
    expect(page.locator("#agreement")).to_contain_text("BCYF-2026-099")
    for stage in ("filing", "handover", "supervision"):
        advance()
        expect(page.locator(f"#stages li[data-stage='{stage}']")).to_contain_text(zh("current"))
    expect(page.locator("#checks")).to_have_count(1)
    expect(page.locator("#checks li")).to_have_count(1)
    page.locator("input[name=note]").last.fill("消防通道畅通")
    page.get_by_role("button", name=zh("Record the check")).click()
    page.wait_for_load_state("load")
    expect(page.locator("#checks li")).to_have_count(2)  # the one done and the next one scheduled
    _doc_shot(page, "records-handover")
    dev.refresh_from_db()
    assert dev.stage == "supervision" and dev.checks.filter(done_on__isnull=True).count() == 1
