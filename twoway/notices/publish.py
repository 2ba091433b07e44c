"""Writing public notices. Text comes from the topic and its votes, never from people's names."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from twoway.core.errors import DomainError
from twoway.meetings.models import Topic

from .models import BODY_MAX, Notice, NoticeKind

MAX_DAYS = 366


def _topic_text(topic: Topic) -> str:
    lines = []
    if topic.matter:
        lines.append(topic.matter)
    if topic.plan:
        lines.append(f"方案：{topic.plan}")
    if topic.funds is not None:
        lines.append(f"使用社区资金：{topic.funds}元")
    numbers = [a.number for a in topic.appeals.all()]
    if numbers:
        lines.append("涉及诉求：" + "、".join(numbers))
    for m in topic.motions.all():
        if m.result is None:
            continue
        r = m.result
        verdict = "未达法定人数，无结果" if m.passed is None else ("通过" if m.passed else "未通过")
        lines.append(
            f"表决「{m.text}」：赞成{r['votes_for']}，反对{r['votes_against']}，弃权{r['abstain']}，"
            f"应到{r['eligible']}、实到{r['present']}，{verdict}（{m.rule}）"
        )
    return "\n".join(lines)


@transaction.atomic
def notice_for_topic(*, topic: Topic, days: int | None = None) -> Notice:
    """Publish a topic's outcome and vote counts to the meeting unit's residents (公示结果)."""
    if hasattr(topic, "notice"):
        raise DomainError("already_published", _("This topic's result is already published."))
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise DomainError("bad_days", _("Days: publish for 1 to %(n)s days.") % {"n": MAX_DAYS}, "days")
    body = _topic_text(topic)
    if len(body) > BODY_MAX:
        raise DomainError(
            "notice_too_long",
            _("The notice would be longer than %(n)s characters: shorten the matter, the plan or the motions.")
            % {"n": BODY_MAX},
            "plan",
        )
    meeting = topic.meeting
    now = timezone.now()
    notice = Notice(
        unit=meeting.unit,
        kind=NoticeKind.OUTCOME if topic.funds is None else NoticeKind.FUNDS,
        title=f"{meeting.type.name}结果公示：{topic.title}"[:200],
        body=body,
        publish_from=now,
        publish_to=now + timedelta(days=days) if days else Notice.default_end(now),
        topic=topic,
    )
    notice.hash = notice.compute_hash()
    notice.save()
    return notice
