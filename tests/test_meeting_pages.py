"""A meeting run through its pages: call, invite, attend, agenda, steps, vote, result."""

from django.urls import reverse

from twoway.meetings.models import Meeting, Motion, Participant
from twoway.org.models import Role

from .factories import PersonFactory, UserFactory


def test_a_secretary_runs_a_consultation_meeting_through_the_pages(tree, login, client):
    secretary = login(tree["community_secretary"])
    response = secretary.post(
        reverse("meetings:new"),
        {"unit": tree["community_A1"].pk, "title": "议事协商会议", "starts_at": "2026-12-10T19:00", "place": "议事厅"},
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert meeting.type.code == "consultation"
    members = []
    for i in range(3):
        p = PersonFactory(unit=tree["community_A1"], name=f"顾问{i}", user=UserFactory(username=f"adv{i}"))
        Role.objects.create(person=p, unit=tree["community_A1"], kind="advisor")
        members.append(p)
    act = lambda action, **data: secretary.post(reverse("meetings:act", args=[meeting.pk, action]), data)  # noqa: E731
    act("invite", group="advisors")
    assert Participant.objects.filter(meeting=meeting).count() == 3
    for p in members:
        act("attendance", person=p.pk, attendance="present")
    act("topic", title="凉亭修缮", matter="使用社区公益金修缮凉亭")
    topic = meeting.topics.get()
    act("advance", topic=topic.pk)
    act("advance", topic=topic.pk, plan="公益金支出2000元")
    act("advance", topic=topic.pk)
    act("motion", topic=topic.pk, text="同意使用公益金2000元", effect="adopt")
    motion = Motion.objects.get()
    act("open", motion=motion.pk)
    for p in members[:2]:
        client.force_login(p.user)
        page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
        assert 'name="choice"' in page
        client.post(reverse("meetings:act", args=[meeting.pk, "vote"]), {"motion": motion.pk, "choice": "for"})
    secretary = login(tree["community_secretary"])
    secretary.post(reverse("meetings:act", args=[meeting.pk, "close"]), {"motion": motion.pk})
    motion.refresh_from_db()
    assert motion.passed is True and motion.result["votes_for"] == 2
    page = secretary.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "text-bg-success" in page


def test_a_bad_meeting_form_names_the_field(tree, login):
    response = login(tree["community_secretary"]).post(
        reverse("meetings:new"),
        {"unit": tree["community_A1"].pk, "title": "", "starts_at": "2026-12-10T19:00", "place": "议事厅"},
    )
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "invalid-feedback" in response.content.decode()


def test_a_member_of_another_community_cannot_vote(tree, login):
    from django.utils import timezone

    from twoway.meetings import agenda

    meeting = agenda.meeting_create(
        user=tree["community_secretary"].user,
        unit=tree["community_A1"],
        type_code="consultation",
        title="会",
        starts_at=timezone.now(),
        place="厅",
    )
    response = login(tree["other_community_secretary"]).post(
        reverse("meetings:act", args=[meeting.pk, "vote"]), {"motion": 1, "choice": "for"}
    )
    assert response.status_code == 404
