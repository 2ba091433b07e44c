"""The API documentation page runs from our own files under the Content-Security-Policy, and
district staff issue and revoke Open311 keys and API tokens through the pages."""

import pytest
from playwright.sync_api import expect

from .helpers import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_the_api_docs_load_without_a_cdn_and_without_breaking_the_csp(demo, open_page, csp):
    page = open_page("desktop")
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(demo.url) else None)
    page.goto("/api/v1/docs", timeout=60_000)  # a 1.7 MB script: give a busy machine time
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("twoway API", timeout=30_000)
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    page.locator(".opblock-summary").first.click()
    page.wait_for_timeout(300)
    shot(page, "api-docs-desktop")
    assert not outside, outside
    assert not csp.messages, csp.messages


def test_district_staff_issue_and_revoke_a_key_and_a_token(demo, open_page, csp):
    for size in ("desktop", "phone"):
        page = open_page(size)
        log_in(page, "district_admin", demo.password)
        page.goto("/open311/v2/keys/")
        page.locator("#id_name").fill(f"市12345热线（{size}）")
        page.locator("main form.tw-form button[type=submit]").click()
        expect(page.locator("#new-key code")).to_contain_text("o311_")
        shot(page, f"open311-keys-{size}")
        page.on("dialog", lambda d: d.accept())
        page.locator("main form[data-confirm] button").locator("visible=true").first.click()
        expect(page.locator(".alert-success")).to_be_visible()

        page.goto("/api/v1/tokens/")
        page.locator("#id_name").fill(f"网格员手机（{size}）")
        page.locator("main form.tw-form button[type=submit]").click()
        expect(page.locator("#new-token code")).to_contain_text("tw_")
        shot(page, f"api-tokens-{size}")
    assert not csp.messages, csp.messages
