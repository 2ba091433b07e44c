"""The public page (§7.3): open without a login, and no personal data on it. The demo district
is built with its appeals, meetings and notices, and every public page is searched for every
demo resident's name, phone number and ID number."""

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from twoway.org.models import OrgUnit, Person, UnitKind
from twoway.supervision import facts


@pytest.fixture
def demo_district(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from twoway.appeals.synth import generate
    from twoway.meetings.demo import seed_demo_meetings
    from twoway.org.demo import build_demo

    build_demo(households_per_group=(3, 6))
    generate(count=300, days=60, seed=3)
    seed_demo_meetings()
    facts.facts_refresh()


def _public_urls() -> list[str]:
    urls = [reverse("public:home")]
    urls += [reverse("public:community", args=[u.pk]) for u in OrgUnit.objects.filter(kind=UnitKind.COMMUNITY)]
    for name in ("notices:list", "station:public_catalogue", "records:public_stars"):
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue
    return urls


def test_public_pages_carry_no_personal_data(demo_district):
    client = Client()
    pages = {}
    for url in _public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    home = pages[reverse("public:home")]
    assert "社区" in home and "满意率" in home
    people = list(Person.objects.values_list("name", "phone", "id_number"))
    assert len(people) > 100
    leaks = []
    for name, phone, id_number in people:
        for value in (name, phone, id_number):
            # A one-character value could occur by chance in any text; demo values are longer.
            if value and len(value) >= 2:
                leaks += [f"{url}: {value}" for url, body in pages.items() if value in body]
    assert not leaks, leaks[:10]


def test_public_page_shows_this_months_counts_and_rankings(demo_district):
    response = Client().get(reverse("public:home"))
    summary = response.context["summary"]
    assert summary.received > 0
    communities = OrgUnit.objects.filter(kind=UnitKind.COMMUNITY).count()
    assert len(response.context["rows"]) == communities
    assert len(response.context["commended"]) <= 3
    if response.context["lagging"]:
        assert not {u.pk for _r, u, _k in response.context["lagging"]} & {
            u.pk for _r, u, _k in response.context["commended"]
        }
    # Links to the other public pages that exist.
    assert reverse("notices:list") in response.content.decode()


def test_unknown_community_is_not_found(db):
    assert Client().get(reverse("public:community", args=[999999])).status_code == 404
