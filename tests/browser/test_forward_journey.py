"""The forward chain in a browser: a community secretary creates a plan and assigns a task to
a resident group; the group leader, on a phone, reports with a photo; the community sends it
back with a reason; the group leader reports again; the community checks it, and the progress
tree shows it done."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from twoway.forward.models import Task, TaskStatus

from .helpers import SHOTS, log_in, shot, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STEP = "forward-journey/{:02d}-{}"
TITLE = "楼道杂物清理"


def _patient(page):
    """Two people, two browsers and uploads: allow a busy machine more than the default 10 s."""
    page.context.set_default_timeout(60_000)
    page.context.set_default_navigation_timeout(60_000)
    return page


def test_assign_report_send_back_report_again_check(demo, open_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (SHOTS / "forward-journey").mkdir(parents=True, exist_ok=True)
    picture = tmp_path / "stairs.png"
    Image.new("RGB", (1000, 750), (40, 120, 200)).save(picture)

    # 1. The community secretary creates a plan for the community and assigns it to group 1.
    office = _patient(open_page("desktop"))
    log_in(office, "community_secretary", demo.password)
    office.goto("/forward/plans/new/")
    office.locator("#kind").select_option("plan")
    office.locator("#title").fill("冬季楼道安全整治")
    office.locator("main form.card button").click()
    office.wait_for_load_state("load")
    expect(office.locator("main h1")).to_have_text("冬季楼道安全整治")
    boxes = office.locator("main input[name=units]")
    for i in range(1, boxes.count()):
        boxes.nth(i).uncheck()  # only the first group
    office.locator("#at-title").fill(TITLE)
    office.locator("#at-detail").fill("清理楼道堆放的杂物，保持消防通道畅通。")
    shot(office, STEP.format(1, "assign"))
    office.locator("form[action$='/assign/'] button").click()
    office.wait_for_load_state("load")
    task = Task.objects.get(title=TITLE)
    assert task.unit.kind == "group"

    # 2. The group leader, on a phone, finds it under 我的任务 and reports with a photo.
    phone = _patient(open_page("phone"))
    log_in(phone, "group_leader", demo.password)
    phone.goto("/forward/tasks/")
    phone.locator(f"main a[href='/forward/tasks/{task.pk}/']").click()
    phone.wait_for_load_state("load")
    expect(phone.locator("main h1")).to_have_text(TITLE)
    phone.locator("#rp-text").fill("已清理2号楼楼道杂物。")
    phone.locator("#rp-photos").set_input_files(str(picture))
    shot(phone, STEP.format(2, "report"))
    phone.locator("form[action$='/report/'] button").click()
    phone.wait_for_load_state("load")
    expect(phone.locator("main")).to_contain_text(zh("Your report was sent for checking."))
    expect(phone.locator("main img.report-photo")).to_have_count(1)
    task.refresh_from_db()
    assert task.status == TaskStatus.REPORTED

    # 3. The community sends it back, saying what is missing.
    office.goto("/forward/tasks/?view=check")
    office.locator(f"main a[href='/forward/tasks/{task.pk}/']").click()
    office.wait_for_load_state("load")
    expect(office.locator("main img.report-photo")).to_have_count(1)
    office.locator("#reason").fill("3号楼还没有清理。")
    office.locator("form[action$='/return/'] button").click()
    office.wait_for_load_state("load")
    task.refresh_from_db()
    assert task.status == TaskStatus.RETURNED

    # 4. The group leader sees the reason and reports again.
    phone.goto(f"/forward/tasks/{task.pk}/")
    expect(phone.locator("main")).to_contain_text("3号楼还没有清理。")
    phone.locator("#rp-text").fill("2号楼、3号楼杂物已全部清理。")
    phone.locator("#rp-photos").set_input_files(str(picture))
    phone.locator("form[action$='/report/'] button").click()
    phone.wait_for_load_state("load")
    shot(phone, STEP.format(3, "reported-again"))

    # 5. The community checks it; the tree shows the task done.
    office.goto(f"/forward/tasks/{task.pk}/")
    office.locator("form[action$='/check/'] button").click()
    office.wait_for_load_state("load")
    expect(office.locator("main")).to_contain_text(zh("Checked: the task is done."))
    task.refresh_from_db()
    assert task.status == TaskStatus.CHECKED and task.return_count == 1
    office.goto(f"/forward/tree/?plan={task.plan_id}")
    expect(office.locator("main .card").first).to_contain_text("100%")
    shot(office, STEP.format(4, "tree"))
