"""Minutes (会议纪要, R-4.1): text, attendance and decisions of one meeting, gathered once and
written out as a printable PDF, a .docx or an .xlsx. Named ballots list names only when the
meeting type votes by name; a secret vote never stored them."""

import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import STEP_LABELS, Ballot, Meeting
from .rules import Choice

FONT = "Noto Sans CJK SC"


@dataclass
class MotionLine:
    text: str
    effect: str
    status: str
    rule: str
    result: dict | None
    passed: bool | None
    verdict: str
    named: dict = field(default_factory=dict)  # choice label -> [names], only for named votes

    @property
    def counts(self) -> str:
        return counts_line(self)

    @property
    def named_text(self) -> str:
        return _named_text(self)


@dataclass
class TopicLine:
    number: int
    title: str
    matter: str
    plan: str
    appeals: list[str]
    step: str
    steps_done: list[str]
    motions: list[MotionLine]
    funds: str = ""
    notice_title: str = ""
    notice_hash: str = ""


@dataclass
class Minutes:
    meeting: Meeting
    type_name: str
    unit_name: str
    title: str
    convener: str
    starts_at: str
    place: str
    online_link: str
    secret: bool
    text: str
    participants: list[tuple[str, str, str, str]]  # name, role, attendance, vote
    topics: list[TopicLine]
    made_at: str

    @property
    def where(self) -> str:
        return " · ".join(x for x in (self.place, self.online_link) if x)


def verdict(passed: bool | None, status: str) -> str:
    if status != "closed":
        return _("Voting not closed")
    if passed is None:
        return _("No result: quorum not met")
    return _("Passed") if passed else _("Not passed")


def _choice_label(choice: str) -> str:
    labels = {Choice.FOR: _("For"), Choice.AGAINST: _("Against"), Choice.ABSTAIN: _("Abstain")}
    return labels.get(choice, choice)


def minutes_for(meeting: Meeting) -> Minutes:
    """Everything the minutes say, read once (the caller has already checked the viewer's scope)."""
    mtype = meeting.type
    local = timezone.localtime
    participants = [
        (
            p.person.name,
            p.get_role_display(),
            p.get_attendance_display(),
            _("yes") if p.votes else _("no"),
        )
        for p in meeting.participants.select_related("person").order_by("role", "person__name")
    ]
    topics = []
    for number, topic in enumerate(
        meeting.topics.prefetch_related("appeals", "motions").select_related("notice"), start=1
    ):
        motions = []
        for m in topic.motions.all():
            named = {}
            if not mtype.secret and m.status == "closed":
                rows = Ballot.objects.filter(motion=m, voter__isnull=False).select_related("voter")
                for b in rows.order_by("choice", "voter__name"):
                    named.setdefault(_choice_label(b.choice), []).append(b.voter.name)
            motions.append(
                MotionLine(
                    text=m.text,
                    effect=m.get_effect_display(),
                    status=m.get_status_display(),
                    rule=m.rule or mtype.rule.describe(),
                    result=m.result,
                    passed=m.passed,
                    verdict=verdict(m.passed, m.status),
                    named=named,
                )
            )
        notice = getattr(topic, "notice", None)
        steps = mtype.steps
        topics.append(
            TopicLine(
                number=number,
                title=topic.title,
                matter=topic.matter,
                plan=topic.plan,
                appeals=[a.number for a in topic.appeals.all()],
                step=str(STEP_LABELS.get(steps[topic.step], steps[topic.step])),
                steps_done=[str(STEP_LABELS.get(c, c)) for c in steps[: topic.step + 1]],
                motions=motions,
                funds="" if topic.funds is None else str(topic.funds),
                notice_title=notice.title if notice else "",
                notice_hash=notice.hash if notice else "",
            )
        )
    return Minutes(
        meeting=meeting,
        type_name=mtype.name,
        unit_name=meeting.unit.name,
        title=meeting.title,
        convener=meeting.convener.name,
        starts_at=f"{local(meeting.starts_at):%Y-%m-%d %H:%M}",
        place=meeting.place,
        online_link=meeting.online_link,
        secret=mtype.secret,
        text=meeting.minutes,
        participants=participants,
        topics=topics,
        made_at=f"{local():%Y-%m-%d %H:%M}",
    )


def counts_line(line: MotionLine) -> str:
    return counts_text(line.result)


def counts_text(r: dict | None) -> str:
    """The counts of a result, in a sentence."""
    if not r:
        return ""
    return _(
        "For %(for)s, against %(against)s, abstain %(abstain)s; present %(present)s of %(eligible)s; %(needed)s needed"
    ) % {
        "for": r["votes_for"],
        "against": r["votes_against"],
        "abstain": r["abstain"],
        "present": r["present"],
        "eligible": r["eligible"],
        "needed": r["needed"],
    }


def filename(minutes: Minutes, ext: str) -> str:
    return f"minutes-{minutes.meeting.pk}-{minutes.meeting.starts_at:%Y%m%d}.{ext}"


def as_pdf(minutes: Minutes) -> bytes:
    """A printable A4 PDF with the Chinese font embedded."""
    from weasyprint import HTML

    html = render_to_string("meetings/minutes_print.html", {"m": minutes, "font": FONT})
    return HTML(string=html).write_pdf(presentational_hints=True)


def as_docx(minutes: Minutes) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    doc.add_heading(f"{minutes.title} · {_('Minutes')}", level=0)
    for label, value in _head_rows(minutes):
        p = doc.add_paragraph()
        p.add_run(f"{label}：").bold = True
        p.add_run(value)
    doc.add_heading(_("Participants"), level=1)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, _participant_header(), strict=True):
        cell.text = text
    for row in minutes.participants:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    if minutes.text:
        doc.add_heading(_("Record of the meeting"), level=1)
        for para in minutes.text.splitlines():
            doc.add_paragraph(para)
    doc.add_heading(_("Topics and decisions"), level=1)
    for t in minutes.topics:
        doc.add_heading(f"{t.number}. {t.title}", level=2)
        for label, value in _topic_rows(t):
            p = doc.add_paragraph()
            p.add_run(f"{label}：").bold = True
            p.add_run(value)
        for m in t.motions:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(f"{_('Motion')}：{m.text}").bold = True
            for label, value in _motion_rows(m):
                doc.add_paragraph(f"{label}：{value}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def as_xlsx(minutes: Minutes) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)
    ws = book.active
    ws.title = _("Meeting")[:31]
    for label, value in _head_rows(minutes):
        ws.append([label, value])
    if minutes.text:
        ws.append([_("Record of the meeting"), minutes.text])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 16, 60

    ws = book.create_sheet(_("Participants")[:31])
    ws.append(_participant_header())
    for row in minutes.participants:
        ws.append(list(row))

    ws = book.create_sheet(_("Decisions")[:31])
    ws.append(
        [
            _("No."),
            _("Topic"),
            _("Step reached"),
            _("Community funds"),
            _("Motion"),
            _("Rule"),
            _("For"),
            _("Against"),
            _("Abstain"),
            _("Present"),
            _("Entitled to vote"),
            _("Result"),
            _("Named ballots"),
            _("Notice fingerprint"),
        ]
    )
    for t in minutes.topics:
        rows = t.motions or [None]
        for m in rows:
            r = (m.result if m else None) or {}
            ws.append(
                [
                    t.number,
                    t.title,
                    t.step,
                    float(t.funds) if t.funds else None,
                    m.text if m else "",
                    m.rule if m else "",
                    r.get("votes_for"),
                    r.get("votes_against"),
                    r.get("abstain"),
                    r.get("present"),
                    r.get("eligible"),
                    m.verdict if m else "",
                    _named_text(m) if m else "",
                    t.notice_hash,
                ]
            )
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = bold
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _head_rows(minutes: Minutes) -> list[tuple[str, str]]:
    return [
        (_("Meeting"), f"{minutes.type_name} · {minutes.unit_name}"),
        (pgettext("meeting", "Title"), minutes.title),
        (_("Convener"), minutes.convener),
        (_("Time"), minutes.starts_at),
        (_("Place or online link"), minutes.where),
        (_("Ballots"), _("secret") if minutes.secret else _("named")),
    ]


def _participant_header() -> list[str]:
    return [pgettext("person", "Name"), _("Role"), _("Attendance"), _("Votes")]


def _topic_rows(t: TopicLine) -> list[tuple[str, str]]:
    rows = [(_("Steps"), " → ".join(t.steps_done))]
    if t.matter:
        rows.append((_("Matter"), t.matter))
    if t.appeals:
        rows.append((_("Appeals"), "、".join(t.appeals)))
    if t.plan:
        rows.append((_("Plan"), t.plan))
    if t.funds:
        rows.append((_("Community funds"), f"{t.funds} {_('yuan')}"))
    if t.notice_hash:
        rows.append((_("Public notice"), t.notice_title))
        rows.append((_("Notice fingerprint"), t.notice_hash))
    return rows


def _motion_rows(m: MotionLine) -> list[tuple[str, str]]:
    rows = [(_("Effect"), m.effect), (_("Rule"), m.rule), (_("Result"), m.verdict)]
    if m.result:
        rows.append((_("Counts"), counts_line(m)))
    if m.named:
        rows.append((_("Named ballots"), _named_text(m)))
    return rows


def _named_text(m: MotionLine) -> str:
    return "；".join(f"{label}：{'、'.join(names)}" for label, names in m.named.items())
