"""A community consultation meeting, end to end in the browser: the secretary calls it, invites
three members and puts topics on the agenda; each member votes on their own phone, in their own
session; the secretary closes the vote and publishes the result, which shows on the public
notices page."""

import pytest
from playwright.sync_api import expect

from twoway.meetings.models import Meeting, Motion, VoteReceipt
from twoway.notices.models import Notice
from twoway.org.models import Person

from .helpers import log_in, shot, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STEP = "meeting-vote/{:02d}-{}"
TITLE = "浏览器测试：十二月议事协商会议"
TOPIC = "小区凉亭修缮"
MATTER = "使用社区公益金3200元修缮小区凉亭"
PLAN = "公益金支出3200元，由居民志愿者监督施工"
MOTION = "同意使用公益金3200元修缮凉亭"
VOTERS = (("group_leader", "for"), ("resident", "for"), ("grid_worker", "against"))


def _act(page, action: str, button_text: str | None = None, *, within=None):
    """Submit the page's form for one meeting action and wait for the page that follows."""
    scope = within if within is not None else page.locator("main")
    form = scope.locator(f"form[action$='/{action}/']").first
    button = form.locator("button", has_text=button_text) if button_text else form.locator("button").first
    with page.expect_navigation():
        button.click()


def _no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page is wider than the screen"


def test_secretary_runs_a_meeting_members_vote_notice_goes_public(demo, open_page):
    secretary_person = Person.objects.get(user__username="community_secretary")
    community = secretary_person.roles.get(kind="leader").unit

    # 1. The secretary calls the meeting.
    sec = open_page("desktop")
    log_in(sec, "community_secretary", demo.password)
    sec.goto("/meetings/new/")
    sec.locator("#unit").select_option(str(community.pk))
    sec.locator("#title").fill(TITLE)
    sec.locator("#starts_at").fill("2026-12-10T19:00")
    sec.locator("#place").fill("社区党群服务中心议事厅")
    shot(sec, STEP.format(1, "call-desktop"))
    with sec.expect_navigation():
        sec.locator("main form button.btn-primary").click()
    meeting = Meeting.objects.get(title=TITLE)
    assert sec.url.endswith(f"/meetings/{meeting.pk}/")
    expect(sec.locator("main h1")).to_contain_text(TITLE)

    # 2. Three members, invited one by one, recorded present.
    names = {}
    for username, _choice in VOTERS:
        names[username] = Person.objects.get(user__username=username).name
        sec.locator("main input[name=q]").fill(names[username])
        _act(sec, "person")
        expect(sec.locator("main")).to_contain_text(names[username])
    for username, _choice in VOTERS:
        person = Person.objects.get(user__username=username)
        form = sec.locator(f"main form[action$='/attendance/']:has(input[name=person][value='{person.pk}'])")
        with sec.expect_navigation():
            form.locator("select").select_option("present")  # submits itself (data-autosubmit)
    assert sorted(meeting.participants.values_list("attendance", flat=True)) == ["present"] * 3

    # 3. Two topics on the agenda; the first taken through its steps to the vote.
    for title, matter in ((TOPIC, MATTER), ("楼道堆物清理", "多户居民反映楼道堆放杂物")):
        sec.locator("main input[name=title]").fill(title)
        sec.locator("main textarea[name=matter]").fill(matter)
        _act(sec, "topic")
    expect(sec.locator("main h2.h5")).to_contain_text([f"1. {TOPIC}", "2. 楼道堆物清理"])
    first = sec.locator("main section.card").filter(has_text=TOPIC).first
    _act(sec, "advance", within=first)  # 收集议题 → 确定议题
    first = sec.locator("main section.card").filter(has_text=TOPIC).first
    _act(sec, "advance", within=first)  # → 拟定方案
    first = sec.locator("main section.card").filter(has_text=TOPIC).first
    first.locator("textarea[name=plan]").fill(PLAN)
    _act(sec, "advance", within=first)  # → 协商议事
    first = sec.locator("main section.card").filter(has_text=TOPIC).first
    expect(first.locator("[aria-current=step]")).to_contain_text("协商议事")
    first.locator("details summary").click()
    first.locator("input[name=text]").fill(MOTION)
    first.locator("select[name=effect]").select_option("adopt")
    _act(sec, "motion", within=first)
    first = sec.locator("main section.card").filter(has_text=TOPIC).first
    _act(sec, "open", within=first)
    motion = Motion.objects.get(topic__meeting=meeting)
    assert motion.status == "open"
    shot(sec, STEP.format(2, "voting-open-desktop"))

    # 4. Each member votes on their own phone, in their own session.
    for n, (username, choice) in enumerate(VOTERS):
        voter = open_page("phone")
        log_in(voter, username, demo.password)
        voter.goto(f"/meetings/{meeting.pk}/")
        ballot = voter.locator(f"main form[action$='/vote/']:has(input[name=motion][value='{motion.pk}'])")
        expect(ballot.locator("button")).to_have_count(3)
        if n == 0:
            shot(voter, STEP.format(3, "ballot-phone"))
        _no_sideways_scroll(voter, 390)
        with voter.expect_navigation():
            ballot.locator(f"button[value={choice}]").click()
        expect(voter.locator("main")).to_contain_text(zh("Your ballot was counted."))
        expect(voter.locator("main")).to_contain_text(zh("You have voted."))
        expect(voter.locator("main form[action$='/vote/']")).to_have_count(0)  # no second ballot offered
        if n == 0:
            shot(voter, STEP.format(4, "voted-phone"))
        voter.context.close()
    assert VoteReceipt.objects.filter(motion=motion).count() == 3

    # 5. The secretary closes the vote: passed, 2 for and 1 against.
    sec.reload()
    first = sec.locator("main section.card").filter(has_text=TOPIC).first
    _act(sec, "close", within=first)
    motion.refresh_from_db()
    assert motion.passed is True and (motion.result["votes_for"], motion.result["votes_against"]) == (2, 1)
    first = sec.locator("main section.card").filter(has_text=TOPIC).first
    expect(first.locator("span.badge.text-bg-success")).to_have_text(zh("Passed"))

    # 6. Through 实施成果 to 公示结果: the notice is published.
    _act(sec, "advance", within=first)
    first = sec.locator("main section.card").filter(has_text=TOPIC).first
    _act(sec, "advance", within=first)
    notice = Notice.objects.get(topic__meeting=meeting)
    shot(sec, STEP.format(5, "published-desktop"))

    # 7. Anyone, logged in or not, finds it on the public notices page, on a phone and a desktop.
    for size, width in (("phone", 390), ("desktop", 1366)):
        public = open_page(size)
        public.goto("/notices/")
        link = public.locator("main a", has_text=notice.title)
        expect(link).to_have_count(1)
        shot(public, STEP.format(6, f"notices-{size}"))
        with public.expect_navigation():
            link.click()
        main = public.locator("main")
        expect(main).to_contain_text("赞成2，反对1，弃权0")
        expect(main).to_contain_text(notice.hash)
        expect(main.locator(".badge.text-bg-success")).to_have_count(1)
        for name in names.values():
            expect(main).not_to_contain_text(name)
        _no_sideways_scroll(public, width)
        shot(public, STEP.format(7, f"notice-{size}"))
        public.context.close()

    # 8. The minutes, on screen, with the record of who was there and the decision.
    sec.goto(f"/meetings/{meeting.pk}/minutes/")
    expect(sec.locator("main")).to_contain_text(MOTION)
    expect(sec.locator("main")).to_contain_text(notice.hash)
    shot(sec, STEP.format(8, "minutes-desktop"))
    minutes_phone = open_page("phone")
    log_in(minutes_phone, "community_secretary", demo.password)
    minutes_phone.goto(f"/meetings/{meeting.pk}/minutes/")
    _no_sideways_scroll(minutes_phone, 390)
    shot(minutes_phone, STEP.format(9, "minutes-phone"))
    minutes_phone.goto(f"/meetings/{meeting.pk}/")
    shot(minutes_phone, STEP.format(10, "meeting-phone"))
