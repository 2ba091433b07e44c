"""(b) Elder mode (长辈模式) on a phone: one tap makes everything larger, and it is remembered."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from .helpers import font_size, log_in, log_out, shot, visible

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ELDER_BUTTON = "form.elder-toggle button"


def _elder_on(page) -> bool:
    return "elder" in (page.locator("body").get_attribute("class") or "")


def test_elder_mode_is_one_tap_away_and_remembered(demo, open_page):
    User = get_user_model()
    try:
        page = open_page("phone")
        log_in(page, "resident", demo.password)
        assert not _elder_on(page)
        before = font_size(page)
        heading_before = font_size(page, "main h1")

        # The switch is in sight on a phone: no need to open the menu first.
        button = visible(page, ELDER_BUTTON)
        expect(button).to_have_count(1)
        expect(button).to_have_attribute("aria-pressed", "false")
        button.click()
        page.wait_for_load_state("load")

        assert _elder_on(page)
        after = font_size(page)
        assert after >= before * 1.2, f"body text only went from {before}px to {after}px"
        assert font_size(page, "main h1") > heading_before, "headings should grow too"
        expect(visible(page, ELDER_BUTTON)).to_have_attribute("aria-pressed", "true")
        shot(page, "elder-mode-resident-phone")

        page.reload()
        assert _elder_on(page) and font_size(page) == after, "elder mode was lost on reload"

        log_out(page)
        assert "/login/" in page.url
        assert _elder_on(page), "the login page should stay large for the same browser"
        log_in(page, "resident", demo.password)
        assert _elder_on(page) and font_size(page) == after, "elder mode was lost after logging in again"

        # Another phone (no cookies): the choice travels with the account.
        other = open_page("phone")
        log_in(other, "resident", demo.password)
        assert _elder_on(other) and font_size(other) == after, "elder mode is not remembered on the account"

        # And off again with the same button, now reading "standard mode".
        visible(other, ELDER_BUTTON).click()
        other.wait_for_load_state("load")
        assert not _elder_on(other) and font_size(other) == before
    finally:
        User.objects.filter(username="resident").update(elder_mode=False)
