"""(f) No page breaks the Content Security Policy.

Every test in this package fails on a CSP console error (see the `csp` fixture). This one first
proves that the watch does catch a violation, then walks the pages the other tests do not.
"""

import pytest
from playwright.sync_api import expect

from twoway.org.models import Household, OrgUnit, Person, UnitKind

from .helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_the_watch_catches_a_violation(demo, open_page, csp):
    page = open_page("desktop")
    page.goto("/login/")
    # An inline style attribute, the kind of thing the policy forbids.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)
    assert any("Content Security Policy" in m for m in csp.messages), "the CSP watch saw nothing"
    csp.messages.clear()


def test_no_page_breaks_the_content_security_policy(demo, open_page, csp):
    group = OrgUnit.objects.filter(kind=UnitKind.GROUP).order_by("path").first()
    household = Household.objects.filter(group=group).order_by("id").first()
    person = Person.objects.filter(household=household).order_by("id").first()
    # One page of each template; the home page, the tree and the unit forms are walked by the
    # other tests of this package.
    staff_pages = [
        f"/org/units/{group.pk}/",
        f"/org/units/{group.pk}/move/",
        "/org/?q=黄河",
        f"/org/households/{household.pk}/",
        f"/org/households/{household.pk}/edit/",
        "/org/people/?role=grid_worker",
        f"/org/people/{person.pk}/",
        f"/org/people/{person.pk}/edit/",
        "/org/grids/new/",
        "/org/units/99999999/",  # not found
    ]
    page = open_page("desktop")
    page.goto("/no-such-page/")
    log_in(page, "district_admin", demo.password)
    # And every entry of the menu, so the pages of modules added later are watched too.
    menu = _menu(page)
    assert "/org/households/" in menu and "/org/grids/" in menu
    for path in staff_pages + menu:
        page.goto(path)
        expect(page.locator("main")).to_be_visible()

    auditor = open_page("phone")
    log_in(auditor, "district_auditor", demo.password)
    auditor.goto("/audit/")
    expect(auditor.locator("main table")).to_be_visible()

    resident = open_page("phone")
    log_in(resident, "resident", demo.password)
    me = Person.objects.get(user__username="resident")
    for path in [f"/org/households/{me.household_id}/", f"/org/people/{me.pk}/", "/org/people/", *_menu(resident)]:
        resident.goto(path)  # /org/people/ is not theirs: the "not allowed" page
    resident.locator(".navbar-toggler").click()  # the folded menu opens: Bootstrap's script runs
    expect(resident.locator("#nav.show")).to_be_visible()
    assert not csp.messages, csp.messages


def _menu(page) -> list[str]:
    hrefs = page.eval_on_selector_all(".site-nav .nav-link", "links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(hrefs))
