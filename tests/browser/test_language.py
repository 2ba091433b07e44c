"""(c) The interface is Chinese by default; "English" switches it, and the choice sticks."""

import pytest
from playwright.sync_api import expect

from .helpers import log_in, visible, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

LANGUAGE_BUTTON = "form[action='/i18n/setlang/'] button"


def test_chinese_by_default_then_english_sticks(demo, open_page):
    page = open_page("desktop")  # a browser set to Chinese (zh-CN), as residents' phones are
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    # Django's own catalogue translates "Password"; the project's text follows its catalogue.
    expect(page.locator("label[for=id_password]")).to_have_text("密码")
    expect(page.locator("main h1")).to_have_text(zh("Log in"))
    expect(visible(page, LANGUAGE_BUTTON)).to_have_text("English")

    visible(page, LANGUAGE_BUTTON).click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/login/"), "switching language should stay on the same page"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("label[for=id_password]")).to_have_text("Password")
    expect(page.locator("main h1")).to_have_text("Log in")
    expect(visible(page, LANGUAGE_BUTTON)).to_have_text("中文")

    # It sticks: the next pages, after logging in, are English too.
    log_in(page, "street_officer", demo.password)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="My units")).to_be_visible()
    page.goto("/org/people/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_contain_text("People")

    # And back again.
    visible(page, LANGUAGE_BUTTON).click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/org/people/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("main h1")).to_contain_text(zh("People"))
