"""Deliberation at every level (R-4): meetings, their topics and steps, motions and ballots."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from twoway.org.models import OrgUnit, Person, UnitKind

from .rules import Base, Choice, Majority, Rule

# Text limits, enforced by the functions in agenda.py.
MINUTES_MAX = 20000
MATTER_MAX = 2000
PLAN_MAX = 10000

# The six steps of the community's consultation meeting (§5.2.3.1).
SIX_STEPS = ["collect", "fix", "draft", "deliberate", "implement", "publish"]
STEP_LABELS = {
    "collect": _("Collect topics (收集议题)"),
    "fix": _("Fix the topic (确定议题)"),
    "draft": _("Draft a plan (拟定方案)"),
    "deliberate": _("Deliberate and vote (协商议事)"),
    "implement": _("Implement (实施成果)"),
    "publish": _("Publish the result (公示结果)"),
    "discuss": _("Discuss (讨论)"),
    "decide": _("Decide (表决)"),
}


class MeetingType(models.Model):
    """A kind of meeting at one level, with its steps and voting rules, kept as data."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=16, choices=UnitKind.choices)
    steps = models.JSONField(_("steps"), default=list)
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (percent of members present)"), default=50)
    majority = models.CharField(
        _("majority"), max_length=16, default=Majority.SIMPLE, choices=[(m.value, m.value) for m in Majority]
    )
    base = models.CharField(
        _("counted on"), max_length=16, default=Base.CAST, choices=[(b.value, b.value) for b in Base]
    )
    secret = models.BooleanField(_("secret ballot"), default=False)

    class Meta:
        verbose_name = _("meeting type")
        verbose_name_plural = _("meeting types")

    def __str__(self):
        return self.name

    @property
    def rule(self) -> Rule:
        return Rule(self.quorum_percent, Majority(self.majority), Base(self.base))


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")


class Meeting(models.Model):
    type = models.ForeignKey(MeetingType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="meetings")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    convener = models.ForeignKey(Person, verbose_name=_("convener"), on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    urgent = models.BooleanField(_("ad-hoc meeting for an urgent matter"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    minutes = models.TextField(_("minutes"), max_length=MINUTES_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["unit", "-starts_at"])]

    def __str__(self):
        return self.title


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Not recorded")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    PROXY = "proxy", _("By proxy")


class ParticipantRole(models.TextChoices):
    MEMBER = "member", _("Member")
    ADVISOR = "advisor", _("Advisory group (两代表一委员)")
    PARTY = "party", _("Party concerned")
    INVITED = "invited", _("Invited department")


class Participant(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=16, choices=ParticipantRole.choices, default=ParticipantRole.MEMBER)
    votes = models.BooleanField(_("entitled to vote"), default=True)
    attendance = models.CharField(
        _("attendance"), max_length=16, choices=Attendance.choices, default=Attendance.UNKNOWN
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="participant_unique")]


class Topic(models.Model):
    """One matter on the agenda: one or more appeals, or a matter raised directly."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    matter = models.TextField(_("matter"), max_length=MATTER_MAX, blank=True)
    step = models.PositiveSmallIntegerField(_("step"), default=0)
    plan = models.TextField(_("plan"), max_length=PLAN_MAX, blank=True)
    # Community funds the topic spends (§5.2.3.1 e): its result is published as a funds notice.
    funds = models.DecimalField(_("community funds (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    appeals = models.ManyToManyField("appeals.Appeal", verbose_name=_("appeals"), related_name="topics", blank=True)

    class Meta:
        ordering = ["id"]

    @property
    def step_code(self) -> str:
        return self.meeting.type.steps[self.step]


class MotionEffect(models.TextChoices):
    RESOLVE = "resolve", _("Resolve its appeals")
    ESCALATE = "escalate", _("Escalate its appeals to the level above")
    ADOPT = "adopt", _("Adopt the plan")
    NONE = "none", _("No effect on appeals")


class MotionStatus(models.TextChoices):
    DRAFT = "draft", _("Not yet open")
    OPEN = "open", _("Voting open")
    CLOSED = "closed", _("Voting closed")


class Motion(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="motions")
    text = models.CharField(_("motion"), max_length=500)
    effect = models.CharField(_("effect"), max_length=16, choices=MotionEffect.choices, default=MotionEffect.NONE)
    status = models.CharField(_("status"), max_length=16, choices=MotionStatus.choices, default=MotionStatus.DRAFT)
    # The appeals the effect applies to; none chosen means every appeal of the topic.
    appeals = models.ManyToManyField("appeals.Appeal", verbose_name=_("appeals"), related_name="+", blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The stored result and the rule that produced it (recount with `votes.motion_recount`).
    result = models.JSONField(_("result"), null=True, blank=True)
    rule = models.CharField(_("rule"), max_length=100, blank=True)
    passed = models.BooleanField(_("passed"), null=True)

    class Meta:
        ordering = ["id"]


class VoteReceipt(models.Model):
    """Who has voted on a motion: one row per voter, enforced by the database."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="receipts")
    voter = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["motion", "voter"], name="one_vote_per_member")]


class Ballot(models.Model):
    """A ballot. In a secret vote the voter is not stored with the choice."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="ballots")
    voter = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=[(c.value, c.value) for c in Choice])
    at = models.DateTimeField(default=timezone.now)
