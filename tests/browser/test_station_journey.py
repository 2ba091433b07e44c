"""A walk-in resident at the station, for an item handled on their behalf: the community
secretary sets the station up, accepts the item at the one window (noting who received the
resident first), hands the materials to the handling unit, records the answer and completes
it; the resident then rates the service on the kiosk page at the desk, with big buttons."""

import pytest
from playwright.sync_api import expect

from twoway.org.models import Person
from twoway.station.models import RatingChannel, RecordStatus, Satisfaction, ServiceRecord

from .helpers import SHOTS, log_in, shot, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STEP = "station-journey/{:02d}-{}"
WALK_IN = "李秀兰"


def test_staff_serve_a_walk_in_for_a_proxy_item_and_the_resident_rates_at_the_kiosk(demo, open_page):
    (SHOTS / "station-journey").mkdir(parents=True, exist_ok=True)
    secretary = Person.objects.select_related("unit").get(user__username="community_secretary")
    community = secretary.unit

    # 1. The secretary opens the stations page and sets up the community's station.
    page = open_page("desktop")
    log_in(page, "community_secretary", demo.password)
    page.goto("/station/")
    expect(page.locator("main h1")).to_contain_text(zh("Service stations"))
    page.locator("main button.station-setup", has_text=community.name).click()
    page.wait_for_load_state("load")
    expect(page.locator("main h1")).to_have_text(f"{community.name}便民服务站")
    expect(page.locator(".compliance-missing")).to_contain_text("目录从未公示")
    shot(page, STEP.format(1, "station"))

    # 2. One window: a walk-in resident (not registered) for a proxy item; a grid worker met them first.
    page.locator("main a", has_text=zh("Serve a resident")).first.click()
    page.wait_for_load_state("load")
    page.locator("#id_item").select_option(label="P03 城乡居民养老保险参保登记")
    page.locator("#id_resident_name").fill(WALK_IN)
    page.locator("#id_resident_phone").fill("13605430000")
    first = page.locator("#id_first_owner option:not([value=''])").nth(1)
    first_name = first.inner_text().strip()
    page.locator("#id_first_owner").select_option(first.get_attribute("value"))
    shot(page, STEP.format(2, "accept"))
    page.locator("main form.accept-form button[type=submit]").click()
    page.wait_for_load_state("load")
    expect(page.locator("main h1")).to_have_text("城乡居民养老保险参保登记")
    expect(page.locator(".first-owner")).to_have_text(first_name)
    record = ServiceRecord.objects.get(resident_name=WALK_IN)
    assert record.status == RecordStatus.ACCEPTED and record.due_at is not None
    assert record.first_owner.name == first_name

    # 3. The checklist (一次告知) prints every material.
    page.locator("main a", has_text=zh("Print the checklist")).click()
    page.wait_for_load_state("load")
    expect(page.locator(".checklist")).to_contain_text("户口簿")
    shot(page, STEP.format(3, "checklist"))
    page.go_back()
    page.wait_for_load_state("load")

    # 4. Hand-off to the handling unit, and back.
    page.locator("main .record-actions button", has_text=zh("Handed over")).click()
    page.wait_for_load_state("load")
    expect(page.locator("main .station-status").first).to_have_text(zh("With the handling unit"))
    page.locator("#id_note").fill("区社保中心审核通过")
    page.locator("main .record-actions button", has_text=zh("Back from the handling unit")).click()
    page.wait_for_load_state("load")
    expect(page.locator("main .station-status").first).to_have_text(zh("Back from the handling unit"))

    # 5. Completed, then the desk's kiosk opens for the resident's rating.
    page.locator("#id_result").fill("已登记参保，告知每年缴费方式。")
    shot(page, STEP.format(4, "complete"))
    page.locator("main .record-actions button", has_text=zh("Completed")).click()
    page.wait_for_load_state("load")
    expect(page.locator("main legend")).to_have_text(zh("Are you satisfied with this service?"))

    # 6. At the desk, on a tablet-sized kiosk: the resident taps 满意 and sends.
    kiosk = open_page("phone")
    log_in(kiosk, "community_secretary", demo.password)
    kiosk.goto(f"/station/{record.station_id}/kiosk/")
    item = kiosk.locator("main a.kiosk-item").first
    expect(item).to_contain_text("城乡居民养老保险参保登记")
    expect(item).not_to_contain_text(WALK_IN)  # only the surname shows on a screen others can see
    item.click()
    kiosk.wait_for_load_state("load")
    choice = kiosk.locator("label.rate-choice[for='sat-satisfied']")
    size = choice.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    box = choice.bounding_box()
    assert size >= 22 and box["height"] >= 56, (size, box)  # big enough for elderly fingers and eyes
    shot(kiosk, STEP.format(5, "kiosk-rate"))
    choice.click()
    kiosk.locator("button.rate-send").click()
    kiosk.wait_for_load_state("load")
    expect(kiosk.locator(".rate-thanks")).to_contain_text(zh("Thank you for your rating!"))
    shot(kiosk, STEP.format(6, "thanks"))
    record.refresh_from_db()
    assert record.status == RecordStatus.DONE
    assert (record.satisfaction, record.rating_channel) == (Satisfaction.SATISFIED, RatingChannel.KIOSK)
    assert record.handed_at and record.returned_at and record.done_at

    # 7. The ledger shows the entry, completed and rated.
    page.goto(f"/station/ledger/?station={record.station_id}")
    row = page.locator("main .ledger-table tbody tr", has_text=record.number)
    expect(row).to_contain_text(zh("Completed"))
    expect(row).to_contain_text(zh("Satisfied"))
    shot(page, STEP.format(7, "ledger"))
