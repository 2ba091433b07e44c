"""(a) Every demo login reaches its role's home page through the real login form."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from twoway.org.models import STAFF_ROLES, Person, Role

from .helpers import in_chinese, log_in, shot, visible, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_every_demo_login_lands_on_its_home_page(demo, open_page):
    assert len(demo.logins) >= 8, "the demo should offer one login per role"
    page = open_page("desktop")
    for login in demo.logins:
        page.context.clear_cookies()  # a fresh visit for each person
        person = Person.objects.select_related("household", "unit").get(user__username=login.username)
        roles = list(
            Role.objects.filter(person=person, kind__in=STAFF_ROLES).select_related("unit").order_by("unit__path")
        )
        page.goto("/login/")
        log_in(page, login.username, demo.password)

        assert page.url == demo.url + "/", f"{login.username} did not reach the home page: {page.url}"
        expect(page.locator("main h1")).to_contain_text(person.name)
        expect(visible(page, ".navbar-user")).to_have_text(person.name)
        if roles:
            # Staff: "My units" with a card per unit they hold a role on, and their roles spelled out.
            expect(page.get_by_role("heading", name=zh("My units"))).to_be_visible()
            cards = page.locator(".unit-card")
            expect(cards).to_have_count(len({r.unit_id for r in roles}))
            for role in roles:
                expect(cards.filter(has_text=role.unit.name)).to_have_count(1)
                kind = in_chinese(role.get_kind_display)
                expect(page.locator("main h1 + p")).to_contain_text(f"{role.unit.name} · {kind}")
            shot(page, f"home-{login.username}-desktop")
        else:
            # A resident: their own household and where it is, one tap from its members.
            assert login.username == "resident"
            with translation.override("zh-hans"):
                household = str(person.household.label)
            phone = open_page("phone")
            log_in(phone, login.username, demo.password)
            for size, seen in (("desktop", page), ("phone", phone)):
                home = seen.locator(".resident-home")
                expect(home.get_by_role("heading", name=zh("My home"))).to_be_visible()
                expect(home).to_contain_text(household)
                expect(home).to_contain_text(person.unit.name)
                expect(home.locator(f"a[href='/org/households/{person.household_id}/']")).to_be_visible()
                expect(seen.locator(".unit-card")).to_have_count(0)
                shot(seen, f"home-{login.username}-{size}")
