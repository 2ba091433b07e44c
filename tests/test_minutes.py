"""Minutes (会议纪要): the record, attendance and decisions of a meeting, on screen and exported
as PDF, .docx and .xlsx, read back here; and the recount page beside them."""

import io
import subprocess

import openpyxl
import pytest
from django.urls import reverse

from twoway.core.errors import DomainError
from twoway.meetings import agenda, votes
from twoway.meetings.models import Ballot, MeetingType, Motion
from twoway.notices.models import Notice

from .test_meetings import _meeting, _members, _to_vote, _vote

RECORD = "会议由社区书记主持。\n与会人员讨论了凉亭修缮方案。"


def _held(tree, *, secret=False):
    """A consultation meeting with a department invited, a record, one vote closed and its notice out."""
    if secret:
        MeetingType.objects.filter(code="consultation").update(secret=True)
    secretary = tree["community_secretary"].user
    members = _members(tree, 4)
    meeting = _meeting(tree, members, present=3)
    agenda.departments_invite(user=secretary, meeting=meeting, unit_ids=[tree["department"].pk])
    agenda.attendance_set(user=secretary, meeting=meeting, person_id=tree["dept_officer"].pk, attendance="present")
    agenda.minutes_save(user=secretary, meeting_id=meeting.pk, text=RECORD)
    topic = _to_vote(tree, meeting, matter="使用社区公益金2000元修缮凉亭")
    motion = agenda.motion_add(user=secretary, topic=topic, text="同意使用公益金修缮凉亭", effect="adopt")
    votes.motion_open(user=secretary, motion_id=motion.pk)
    _vote(tree, motion, members[:3], ["for", "for", "against"])
    votes.motion_close(user=secretary, motion_id=motion.pk)
    agenda.topic_advance(user=secretary, topic_id=topic.pk)  # → implement
    agenda.topic_advance(user=secretary, topic_id=topic.pk)  # → publish: the notice goes out
    meeting.refresh_from_db()
    return meeting, members, Notice.objects.get(topic=topic)


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S603, S607
    return done.stdout.decode()


def test_the_pdf_minutes_read_back_in_chinese(tree, login):
    meeting, members, notice = _held(tree)
    response = login(tree["community_secretary"]).get(reverse("meetings:minutes_pdf", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    flat = "".join(text.split())
    for expected in (
        "十二月议事协商会议",
        "议事协商会议",
        "A1社区",
        "社区议事厅",
        tree["community_secretary"].name,  # convener
        tree["dept_officer"].name,
        "受邀部门",
        "出席",
        "与会人员讨论了凉亭修缮方案",
        "同意使用公益金修缮凉亭",
        "过半数通过",
        "通过",
        notice.hash,
    ):
        assert expected in flat, expected
    # A named vote lists who chose what: the three who voted, and not the one who was absent.
    for person in members[:3]:
        assert person.name in flat
    assert f"{members[0].name}、{members[1].name}" in flat or f"{members[1].name}、{members[0].name}" in flat


def test_the_docx_minutes_read_back(tree, login):
    from docx import Document

    meeting, members, notice = _held(tree)
    response = login(tree["community_secretary"]).get(reverse("meetings:minutes_docx", args=[meeting.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0].startswith("十二月议事协商会议")
    assert f"召集人：{tree['community_secretary'].name}" in paragraphs
    assert "与会人员讨论了凉亭修缮方案。" in paragraphs
    assert "表决事项：同意使用公益金修缮凉亭" in paragraphs
    assert any(notice.hash in p for p in paragraphs)
    assert any("赞成" in p and members[0].name in p for p in paragraphs)
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert rows[0] == ["姓名", "角色", "出席情况", "表决权"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name[tree["dept_officer"].name][1:] == ["受邀部门", "出席", "否"]
    assert by_name[members[3].name][2] == "未登记"


def test_the_xlsx_minutes_cell_by_cell(tree, login):
    meeting, members, notice = _held(tree)
    response = login(tree["community_secretary"]).get(reverse("meetings:minutes_xlsx", args=[meeting.pk]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    head = book.worksheets[0]
    assert head["A1"].value == "会议" and head["B1"].value == "议事协商会议 · A1社区"
    assert head["A3"].value == "召集人" and head["B3"].value == tree["community_secretary"].name
    assert head["B5"].value == "社区议事厅"
    assert head["B7"].value == RECORD
    people = book.worksheets[1]
    assert [c.value for c in people[1]] == ["姓名", "角色", "出席情况", "表决权"]
    assert people.max_row == 1 + 5  # four members and the invited department's officer
    decisions = book.worksheets[2]
    header = [c.value for c in decisions[1]]
    row = dict(zip(header, [c.value for c in decisions[2]], strict=True))
    assert row["议题"] == "议题" and row["表决事项"] == "同意使用公益金修缮凉亭"
    assert (row["赞成"], row["反对"], row["弃权"], row["出席"], row["有表决权"]) == (2, 1, 0, 3, 4)
    assert row["结果"] == "通过" and "过半数通过" in row["表决规则"]
    assert row["公示校验码"] == notice.hash
    assert members[2].name in row["记名表决"] and members[3].name not in row["记名表决"]


def test_a_secret_vote_lists_no_names_in_the_minutes(tree, login):
    meeting, members, _notice = _held(tree, secret=True)
    client = login(tree["community_secretary"])
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("meetings:minutes_xlsx", args=[meeting.pk])).content))
    header = [c.value for c in book.worksheets[2][1]]
    row = dict(zip(header, [c.value for c in book.worksheets[2][2]], strict=True))
    assert not row["记名表决"] and row["赞成"] == 2
    text = "".join(_pdf_text(client.get(reverse("meetings:minutes_pdf", args=[meeting.pk])).content).split())
    assert "记名表决" not in text and "无记名" in text


def test_secret_ballots_cannot_be_matched_to_receipts_by_order(tree):
    MeetingType.objects.filter(code="consultation").update(secret=True)
    members = _members(tree, 3)
    meeting = _meeting(tree, members)
    secretary = tree["community_secretary"].user
    motion = agenda.motion_add(user=secretary, topic=_to_vote(tree, meeting), text="同意")
    votes.motion_open(user=secretary, motion_id=motion.pk)
    _vote(tree, motion, members, ["for", "against", "abstain"])
    ballots = list(Ballot.objects.filter(motion=motion))
    motion.refresh_from_db()
    assert all(b.voter_id is None and b.at == motion.opened_at for b in ballots)
    assert all(b.pk >= votes.SECRET_ID_FLOOR for b in ballots)  # not the next ids in sequence
    assert votes.motion_recount(votes.motion_close(user=secretary, motion_id=motion.pk))


def test_the_convener_writes_the_record_and_others_cannot(tree, login):
    meeting = _meeting(tree, _members(tree, 2))
    url = reverse("meetings:minutes", args=[meeting.pk])
    secretary = login(tree["community_secretary"])
    assert secretary.post(url, {"minutes": "  第一项：凉亭修缮。 "}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "第一项：凉亭修缮。"
    page = secretary.get(url).content.decode()
    assert "第一项：凉亭修缮。" in page and 'name="minutes"' in page
    too_long = secretary.post(url, {"minutes": "字" * 20001})
    assert too_long.status_code == 200 and "invalid-feedback" in too_long.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == "第一项：凉亭修缮。"
    # A resident of the community may read the minutes but not write them.
    resident = login(tree["resident"])
    assert resident.get(url).status_code == 200
    assert 'name="minutes"' not in resident.get(url).content.decode()
    assert resident.post(url, {"minutes": "改写"}).status_code == 403
    with pytest.raises(DomainError):
        agenda.minutes_save(user=tree["resident"].user, meeting_id=meeting.pk, text="改写")
    # Another community's secretary does not even find it.
    for name in ("meetings:minutes", "meetings:minutes_pdf", "meetings:minutes_docx", "meetings:minutes_xlsx"):
        assert login(tree["other_community_secretary"]).get(reverse(name, args=[meeting.pk])).status_code == 404
    meeting.refresh_from_db()
    assert meeting.minutes == "第一项：凉亭修缮。"


def test_the_recount_page_catches_an_altered_ballot(tree, login):
    meeting, _members_, _notice = _held(tree)
    client = login(tree["resident"])
    page = client.get(reverse("meetings:recount", args=[meeting.pk])).content.decode()
    assert "text-bg-success" in page and "text-bg-danger" not in page
    Ballot.objects.filter(choice="against").update(choice="for")
    page = client.get(reverse("meetings:recount", args=[meeting.pk])).content.decode()
    assert "text-bg-danger" in page


def test_a_later_change_of_rule_does_not_spoil_a_recount(tree):
    meeting, _members_, _notice = _held(tree)
    motion = Motion.objects.get(topic__meeting=meeting)
    assert votes.motion_recount(motion)
    MeetingType.objects.filter(code="consultation").update(majority="two_thirds", base="eligible")
    motion = Motion.objects.get(pk=motion.pk)
    assert votes.motion_recount(motion)  # counted again under the rule stored with the result
    Motion.objects.filter(pk=motion.pk).update(rule="出席不少于10%，以实际投票数为基数，过半数通过")
    assert not votes.motion_recount(Motion.objects.get(pk=motion.pk))
