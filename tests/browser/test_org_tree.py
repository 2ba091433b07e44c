"""(d) District staff manage the tree in the browser: add, rename and retire a resident group."""

import pytest
from playwright.sync_api import expect

from twoway.org.forms import UnitForm
from twoway.org.models import OrgUnit, UnitKind

from .helpers import in_chinese, log_in, shot, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STREET, COMMUNITY = "市中街道", "黄河五路社区"  # from the demo district
NEW_NAME, RENAMED = "第9居民小组（测试）", "第9居民小组（改名）"


def test_district_staff_add_rename_and_retire_a_group(demo, open_page):
    page = open_page("desktop")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    log_in(page, "district_admin", demo.password)

    # Down the tree by clicking, as a person would.
    page.locator(".site-nav a[href='/org/']").click()
    page.locator("main table a").first.click()  # the district, the top of this person's tree
    page.get_by_role("link", name=STREET, exact=True).click()
    page.get_by_role("link", name=COMMUNITY, exact=True).click()
    expect(page.locator("main h1")).to_contain_text(COMMUNITY)
    community = OrgUnit.objects.get(name=COMMUNITY, kind=UnitKind.COMMUNITY)
    assert page.url.endswith(f"/org/units/{community.pk}/")
    groups_before = community.children.count()

    # Add a resident group under it.
    page.locator(f"main a[href='/org/units/{community.pk}/add/']").click()
    expect(page.locator("#id_kind")).to_have_value(UnitKind.GROUP)
    page.locator("#id_name").fill(NEW_NAME)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    expect(page.locator("main h1")).to_contain_text(NEW_NAME)
    expect(page.locator("main .alert-success")).to_contain_text(NEW_NAME)
    group = OrgUnit.objects.get(parent=community, name=NEW_NAME)
    assert group.kind == UnitKind.GROUP and page.url.endswith(f"/org/units/{group.pk}/")
    expect(page.locator("main .breadcrumb")).to_contain_text(COMMUNITY)

    # Rename it.
    page.locator(f"main a[href='/org/units/{group.pk}/edit/']").click()
    expect(page.locator("#id_name")).to_have_value(NEW_NAME)
    page.locator("#id_name").fill(RENAMED)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    expect(page.locator("main h1")).to_contain_text(RENAMED)
    group.refresh_from_db()
    assert group.name == RENAMED

    # Retire it: the browser asks first, and the page then marks it retired.
    page.locator(f"form[action='/org/units/{group.pk}/retire/'] button").click()
    page.wait_for_load_state("load")
    assert dialogs, "retiring should ask for confirmation"
    expect(page.locator("main h1 .badge")).to_have_text(zh("retired"))
    expect(page.locator(f"form[action='/org/units/{group.pk}/retire/'] input[name=restore]")).to_have_count(1)
    group.refresh_from_db()
    assert group.is_retired
    shot(page, "org-group-retired-desktop")

    # On the community page it is gone from the list, and marked retired when retired units are shown.
    page.goto(f"/org/units/{community.pk}/")
    expect(page.locator("main table").get_by_role("link", name=RENAMED)).to_have_count(0)
    page.goto(f"/org/units/{community.pk}/?retired=1")
    row = page.locator("main table tr", has=page.get_by_role("link", name=RENAMED))
    expect(row.locator(".badge")).to_have_text(zh("retired"))

    # A bad input: an empty name is refused with an error naming the field; nothing is created.
    units_before = OrgUnit.objects.count()
    page.goto(f"/org/units/{community.pk}/add/")
    page.locator("#id_name").fill("")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/org/units/{community.pk}/add/")
    error = page.locator("main .invalid-feedback")
    expect(error).to_have_count(1)
    expect(error).to_contain_text(in_chinese(lambda: UnitForm.base_fields["name"].label))
    shot(page, "org-add-unit-error-desktop")
    assert OrgUnit.objects.count() == units_before
    assert community.children.count() == groups_before + 1  # only the group added (and retired) above
