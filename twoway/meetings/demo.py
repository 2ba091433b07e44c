"""Demo meetings: one finished consultation meeting with its notice, and one with voting open."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from twoway.appeals.models import Appeal, Status
from twoway.core.errors import DomainError
from twoway.org.models import Person, Role

from . import agenda, votes


def seed_demo_meetings() -> None:
    user = get_user_model().objects.filter(username="community_secretary").first()
    if user is None:
        return
    community = Role.objects.filter(person__user=user, kind="leader").select_related("unit").first().unit
    advisors = list(Person.objects.filter(roles__unit=community, roles__kind="advisor"))
    now = timezone.now()

    done = agenda.meeting_create(
        user=user,
        unit=community,
        type_code="consultation",
        title="十一月议事协商会议",
        starts_at=now - timedelta(days=3),
        place="社区党群服务中心议事厅",
    )
    agenda.participants_add(user=user, meeting=done, people=advisors)
    for p in advisors:
        agenda.attendance_set(user=user, meeting=done, person_id=p.pk, attendance="present")
    departments = list(agenda.departments_for(done)[:1])
    if departments:
        try:
            agenda.departments_invite(user=user, meeting=done, unit_ids=[departments[0].pk])
        except DomainError:
            pass  # a department nobody works for yet
    agenda.minutes_save(
        user=user,
        meeting_id=done.pk,
        text="会议由社区党组织书记主持，议事顾问团成员全部出席，区住建局列席。\n"
        "一、听取小区凉亭损坏情况和居民意见；\n二、讨论修缮方案和公益金使用；\n三、表决通过修缮方案，由居民志愿者监督施工。",
    )
    topic = agenda.topic_add(
        user=user, meeting=done, title="小区凉亭修缮", matter="使用社区公益金修缮小区凉亭", funds="3200"
    )
    agenda.topic_advance(user=user, topic_id=topic.pk)
    agenda.topic_advance(user=user, topic_id=topic.pk, plan="公益金支出3200元，由居民志愿者监督施工")
    agenda.topic_advance(user=user, topic_id=topic.pk)
    motion = agenda.motion_add(user=user, topic=topic, text="同意使用公益金3200元修缮凉亭", effect="adopt")
    votes.motion_open(user=user, motion_id=motion.pk)
    for p, choice in zip(advisors, ["for", "for", "for", "for", "against", "abstain"], strict=False):
        if p.user is None:
            p.user = get_user_model().objects.create_user(username=f"advisor{p.pk}", password=None)
            p.save(update_fields=["user"])
        votes.ballot_cast(user=p.user, motion_id=motion.pk, choice=choice)
    votes.motion_close(user=user, motion_id=motion.pk)
    agenda.topic_advance(user=user, topic_id=topic.pk)
    agenda.topic_advance(user=user, topic_id=topic.pk)

    upcoming = agenda.meeting_create(
        user=user,
        unit=community,
        type_code="consultation",
        title="十二月议事协商会议",
        starts_at=now + timedelta(days=5),
        place="社区党群服务中心议事厅",
    )
    agenda.participants_add(user=user, meeting=upcoming, people=advisors)
    accepted = list(Appeal.objects.filter(handling_unit=community, status=Status.ACCEPTED)[:2])
    if accepted:
        agenda.topic_add(user=user, meeting=upcoming, title="楼道环境整治", appeal_ids=[a.pk for a in accepted])
