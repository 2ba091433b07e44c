"""(g) One appeal from start to end, on phones: a resident raises it with a photo, their group
leader accepts and resolves it, and the resident rates the outcome, which closes it."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from twoway.appeals.models import Appeal, Score, Status

from .helpers import SHOTS, in_chinese, log_in, shot, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STEP = "appeal-journey/{:02d}-{}"
DESCRIPTION = "3号楼楼道的灯坏了一个星期，晚上上下楼看不见，老人容易摔倒。"
OUTCOME = "物业已更换3号楼楼道灯泡，今晚起恢复照明。"
COMMENT = "修得很快，谢谢！"


def _label(choice) -> str:
    return in_chinese(lambda: choice.label)


def _badge(page, status):
    """The status badge, checked to read `status` and to stand out (not white on white)."""
    badge = page.locator("main .status-badge").first
    expect(badge).to_have_text(_label(status))
    ground = badge.evaluate("b => getComputedStyle(b).backgroundColor")
    assert ground not in ("rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)"), f"{status} badge has no colour"
    return badge


def test_resident_raises_leader_resolves_resident_rates(demo, open_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the live server runs in this process: photos land here
    (SHOTS / "appeal-journey").mkdir(parents=True, exist_ok=True)
    picture = tmp_path / "light.png"
    Image.new("RGB", (1200, 900), (200, 40, 30)).save(picture)  # a camera-sized photo

    # 1. The resident opens 我要反映 from their home page and fills the form in.
    resident = open_page("phone")
    log_in(resident, "resident", demo.password)
    resident.locator("main .resident-actions a[href='/appeals/new/']").click()
    resident.wait_for_load_state("load")
    expect(resident.locator("main h1")).to_have_text(zh("Raise an appeal"))
    category = resident.locator("#id_category option:not([value=''])").first
    category_name = category.inner_text().strip()
    resident.locator("#id_category").select_option(category.get_attribute("value"))
    resident.locator("#id_description").fill(DESCRIPTION)
    resident.locator("#id_photos").set_input_files(str(picture))
    shot(resident, STEP.format(1, "resident-form"))
    resident.locator("main form button[type=submit]").click()
    resident.wait_for_load_state("load")

    # 2. The status page: the number, the photo, the text, and "waiting to be accepted".
    appeal = Appeal.objects.get(description=DESCRIPTION)
    assert re.fullmatch(r"SQ-\d{4}-\d+", appeal.number), appeal.number
    assert resident.url.endswith(f"/appeals/{appeal.pk}/")
    main = resident.locator("main")
    expect(main).to_contain_text(zh("Your appeal %(number)s was received.") % {"number": appeal.number})
    expect(main).to_contain_text(appeal.number)
    expect(main).to_contain_text(DESCRIPTION)
    expect(resident.locator("main h1")).to_contain_text(category_name)
    _badge(resident, Status.PENDING)
    photo = resident.locator("main img.appeal-photo")
    expect(photo).to_have_count(1)
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 1200, "the photo did not load"
    assert photo.bounding_box()["width"] < 200, "the photo should show as a thumbnail on a phone"
    assert resident.evaluate("document.documentElement.scrollWidth") <= 390, "the page is wider than the phone"
    shot(resident, STEP.format(2, "resident-submitted"))

    # 3. The group leader, on their own phone, finds it among those waiting to be accepted.
    leader = open_page("phone")
    log_in(leader, "group_leader", demo.password)
    leader.goto("/appeals/")
    expect(leader.locator("main .nav-tabs .nav-link.active")).to_have_text(zh("To accept"))
    row = leader.locator("main tbody tr", has_text=appeal.number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(_label(Status.PENDING))
    shot(leader, STEP.format(3, "leader-queue"))
    row.get_by_role("link", name=appeal.number).click()
    leader.wait_for_load_state("load")

    # 4. They see the resident's text and photo, and accept it (签收).
    expect(leader.locator("main")).to_contain_text(DESCRIPTION)
    expect(leader.locator("main img.appeal-photo")).to_have_count(1)
    accept = leader.locator("main form[action$='/accept/'] button")
    expect(accept).to_have_text(zh("Accept (签收)"))
    # On a phone, what the leader can do comes before the history, not under it.
    handle_top = leader.locator("main .appeal-side").bounding_box()["y"]
    history_top = leader.locator("main .appeal-timeline").bounding_box()["y"]
    assert handle_top < history_top
    shot(leader, STEP.format(4, "leader-detail"))
    accept.click()
    leader.wait_for_load_state("load")
    expect(leader.locator("main")).to_contain_text(zh("Accepted."))
    _badge(leader, Status.ACCEPTED)

    # 5. They write what was done and resolve it (办结).
    leader.locator("#outcome").fill(OUTCOME)
    shot(leader, STEP.format(5, "leader-outcome"))
    resolve = leader.locator("main form[action$='/resolve/'] button")
    expect(resolve).to_have_text(zh("Resolve"))
    resolve.click()
    leader.wait_for_load_state("load")
    expect(leader.locator("main")).to_contain_text(zh("Resolved."))
    _badge(leader, Status.RESOLVED)
    expect(leader.locator("main")).to_contain_text(OUTCOME)
    expect(leader.locator("main form[action$='/resolve/']")).to_have_count(0)
    expect(leader.get_by_role("heading", name=zh("Handle"), exact=True)).to_have_count(0)  # nothing left to do
    shot(leader, STEP.format(6, "leader-resolved"))

    # 6. Back on the resident's phone: the outcome, and a request to rate it.
    resident.reload()
    _badge(resident, Status.RESOLVED)
    expect(resident.locator("main")).to_contain_text(OUTCOME)
    expect(resident.locator("main")).to_contain_text(zh("Please rate the outcome"))
    resident.locator(f"label[for='score-{Score.SATISFIED}']").click()
    expect(resident.locator(f"#score-{Score.SATISFIED}")).to_be_checked()
    # The chosen answer is filled in, the others stay outlined.
    expect(resident.locator(f"label[for='score-{Score.SATISFIED}']")).to_have_css(
        "background-color", "rgb(13, 110, 253)"
    )
    resident.locator("#id_comment").fill(COMMENT)
    shot(resident, STEP.format(7, "resident-rating"))
    resident.locator("main form[action$='/rate/'] button").click()
    resident.wait_for_load_state("load")

    # 7. Closed: thanks, the badge, the rating in the steps, and no rating form any more.
    main = resident.locator("main")
    expect(main).to_contain_text(zh("Thank you for your rating."))
    _badge(resident, Status.CLOSED)
    expect(main.locator(".timeline")).to_contain_text(COMMENT)
    expect(main.locator(".timeline")).to_contain_text(_label(Score.SATISFIED))
    expect(main).not_to_contain_text(zh("Please rate the outcome"))
    shot(resident, STEP.format(8, "resident-closed"))

    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED
    assert appeal.ratings.get().score == Score.SATISFIED
