"""(e) Five wrong passwords lock the account: even the right password then shows the locked page."""

import pytest
from axes.models import AccessAttempt
from playwright.sync_api import expect

from .helpers import log_in, shot, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

USERNAME = "dept_officer"


def test_five_wrong_passwords_lock_the_account(demo, open_page, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    page = open_page("desktop")
    try:
        for attempt in range(1, 5):
            log_in(page, USERNAME, f"wrong-{attempt}")
            assert "/login/" in page.url
            expect(page.locator("main .alert-danger")).to_be_visible()  # "please enter a correct username..."
        log_in(page, USERNAME, "wrong-5")
        expect(page.locator("main h1")).to_have_text(zh("Account locked"))

        log_in(page, USERNAME, demo.password)  # the right password, sixth time
        expect(page.locator("main h1")).to_have_text(zh("Account locked"))
        expect(page.locator("form[action='/logout/']")).to_have_count(0)
        shot(page, "login-locked-desktop")

        page.goto("/")
        assert "/login/" in page.url, "a locked account must not be logged in"
    finally:
        AccessAttempt.objects.filter(username=USERNAME).delete()
