"""The forward chain (正向, R-2): plans and projects pushed down level by level as tasks,
progress reported back up and checked by the level that assigned it; policy notices,
visits, residents' mutual-aid groups, co-building groups and the communities' charters."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from twoway.org.models import Household, OrgUnit, Person


class PlanKind(models.TextChoices):
    PLAN = "plan", _("Plan")
    PROJECT = "project", _("Project")
    KEY_PROJECT = "key_project", _("Key project (六个一)")
    WORK_PLAN = "work_plan", _("Yearly work plan (工作方案)")
    COBUILD = "cobuild", _("Co-building implementation plan (双联共建)")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    RUNNING = "running", _("Under way")
    CLOSED = "closed", _("Closed")


class Plan(models.Model):
    """A plan or project of one unit, pushed down to the units below it as tasks."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(_("kind"), max_length=16, choices=PlanKind.choices, default=PlanKind.PLAN)
    title = models.CharField(_("title"), max_length=120)
    document = models.TextField(_("plan document"), max_length=20000, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    leader = models.ForeignKey(
        Person,
        verbose_name=_("responsible leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans_led",
    )
    members = models.ManyToManyField(Person, verbose_name=_("working group"), related_name="plan_groups", blank=True)
    command_post = models.ForeignKey(
        OrgUnit,
        verbose_name=_("special command post for the street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="command_posts",
    )
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("forward:plan", args=[self.pk])

    @property
    def is_key(self) -> bool:
        return self.kind == PlanKind.KEY_PROJECT


class Milestone(models.Model):
    """A dated step of a plan's timetable; a key project closes only when every one is verified."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=120)
    due_on = models.DateField(_("due on"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.title


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", _("To do")
    REPORTED = "reported", _("Reported, waiting for check")
    CHECKED = "checked", _("Checked (验收)")
    RETURNED = "returned", _("Sent back")


OPEN_TASK_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.RETURNED, TaskStatus.REPORTED)


class Task(models.Model):
    """A piece of a plan assigned to one unit (or one household of a group) by the level above."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="tasks")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("broken down from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subtasks",
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("assigned to"), on_delete=models.PROTECT, related_name="tasks")
    household = models.ForeignKey(
        Household, verbose_name=_("household"), null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    assigned_by = models.ForeignKey(
        OrgUnit, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="tasks_assigned"
    )
    title = models.CharField(_("title"), max_length=120)
    detail = models.TextField(_("what to do"), max_length=4000, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED)
    due_at = models.DateTimeField(_("due"))
    yellow_at = models.DateTimeField(_("yellow card from"))
    created_at = models.DateTimeField(_("assigned at"))
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    return_count = models.PositiveSmallIntegerField(_("times sent back"), default=0)
    supervision_count = models.PositiveSmallIntegerField(_("supervision orders"), default=0)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["plan", "unit"]),
            # Covers the progress counts (grouped by unit): the tree reads only this index.
            models.Index(fields=["unit", "status", "due_at", "yellow_at"], name="forward_task_progress"),
            models.Index(fields=["status", "due_at"]),
            # With the one above: the open tasks due, or turning yellow, today (progress.py).
            models.Index(fields=["status", "yellow_at"], name="forward_task_yellow"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("forward:task", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != TaskStatus.CHECKED


class TaskRollup(models.Model):
    """How many tasks of a plan a unit holds in one status, due on one day and shown yellow from
    another (days in UTC). The progress tree reads these few rows instead of every task; the task
    functions keep them in the transaction that changes a task (rollup.py)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=TaskStatus.choices)
    due_day = models.DateField()
    yellow_day = models.DateField()
    tasks = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit", "status", "due_day", "yellow_day"], name="forward_rollup_key"
            ),
        ]


class EventKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    REPORTED = "reported", _("Progress reported")
    CHECKED = "checked", _("Checked (验收)")
    RETURNED = "returned", _("Sent back")
    SUPERVISED = "supervised", _("Supervision order (督办)")


class TaskEvent(models.Model):
    """One step in a task's history, written with the change; never changed afterwards."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), max_length=4000, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["task", "at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("task events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("task events are append-only")


class Report(models.Model):
    """Progress reported on a task: text, photos and attachments."""

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="reports")
    text = models.TextField(_("progress"), max_length=4000)
    by = models.ForeignKey(Person, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("reported at"))

    class Meta:
        ordering = ["at", "id"]


def _report_photo_path(instance, filename):
    return f"forward/{instance.report.at:%Y/%m}/{instance.report.task_id}-{instance.sha256[:16]}.jpg"


def _report_file_path(instance, filename):
    return f"forward/files/{instance.report.at:%Y/%m}/{instance.report.task_id}-{filename}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=_report_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]


class ReportFile(models.Model):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(_("attachment"), upload_to=_report_file_path)
    name = models.CharField(_("file name"), max_length=120)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]


class PolicyNotice(models.Model):
    """A policy notice (宣传, §5.1.1.3) pushed down to chosen units and their residents."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=10000)
    targets = models.ManyToManyField(OrgUnit, verbose_name=_("pushed to"), related_name="policy_notices")
    published_at = models.DateTimeField(_("published at"), db_index=True)
    created_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("policy notice")
        verbose_name_plural = _("policy notices")
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("forward:notice", args=[self.pk])


class NoticeRead(models.Model):
    """A resident opened a policy notice (counted once)."""

    notice = models.ForeignKey(PolicyNotice, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "person"], name="notice_read_once")]


class VisitKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday visit (节日慰问)")
    SPECIAL_GROUP = "special_group", _("Special group (特殊群体)")
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone (独居老人)")
    HARDSHIP = "hardship", _("Family in hardship (困难家庭)")
    ROUTINE = "routine", _("Routine visit (日常走访)")


class Visit(models.Model):
    """A visit to a household (走访慰问, §5.1.2.3): who, when and why."""

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("resident group"), on_delete=models.PROTECT, related_name="+")
    visited_by = models.ForeignKey(Person, verbose_name=_("visited by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("visited at"))
    kind = models.CharField(_("type"), max_length=16, choices=VisitKind.choices)
    note = models.TextField(_("note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "at"])]


class AidTag(models.TextChoices):
    # 四互相
    PUBLICITY = "publicity", _("Policies publicised to each other (政策互相宣传)")
    IMPLEMENT = "implement", _("Implementation pushed by each other (落实互相推动)")
    OVERSIGHT = "oversight", _("Execution watched by each other (执行互相监督)")
    INTEREST = "interest", _("Interests bound by each other (利益互相约束)")
    # 四联动
    CIVILITY = "civility", _("Civility together (文明创建联动)")
    RULES = "rules", _("Keeping the rules together (遵规守约联动)")
    VOLUNTEER = "volunteer", _("Volunteering together (志愿服务联动)")
    NEIGHBOURS = "neighbours", _("Good neighbours together (睦邻团结联动)")


FOUR_MUTUAL = ("publicity", "implement", "oversight", "interest")
FOUR_LINKED = ("civility", "rules", "volunteer", "neighbours")


class AidGroup(models.Model):
    """A residents' mutual-aid group (居民联动互助组, §5.1.4), formed by building or entrance."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("resident group"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(pgettext_lazy("group", "name"), max_length=80)
    building = models.CharField(_("building"), max_length=20)
    entrance = models.CharField(_("unit (entrance)"), max_length=20, blank=True)
    leader = models.ForeignKey(
        Person, verbose_name=_("group head"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(Person, verbose_name=_("members"), related_name="aid_groups", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mutual-aid group")
        verbose_name_plural = _("mutual-aid groups")
        ordering = ["unit__path", "building", "entrance", "id"]

    def __str__(self):
        return self.name


class AidActivity(models.Model):
    group = models.ForeignKey(
        AidGroup, verbose_name=_("mutual-aid group"), on_delete=models.CASCADE, related_name="activities"
    )
    at = models.DateField(_("date"))
    title = models.CharField(_("activity"), max_length=120)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    tags = models.JSONField(_("tags"), default=list)
    recorded_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("mutual-aid activity")
        verbose_name_plural = _("mutual-aid activities")
        ordering = ["-at", "-id"]


class CoBuildMember(models.Model):
    """A seat on a community's co-building group (双联共建小组, §5.1.3.2 a): the head of a
    district department who joins the community's group. Leaving keeps the row (left_at)."""

    community = models.ForeignKey(OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(OrgUnit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    duty = models.CharField(_("duty in the group"), max_length=120, blank=True)
    added_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("joined at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-building group member")
        verbose_name_plural = _("co-building group members")
        ordering = ["community", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "person"], condition=models.Q(left_at__isnull=True), name="cobuild_one_seat"
            )
        ]


class DocumentKind(models.TextChoices):
    CHARTER = "charter", _("Autonomy charter (居民自治章程)")
    CONVENTION = "convention", _("Residents' convention (居民公约)")


class CommunityDocument(models.Model):
    """One published version of a community's autonomy charter or residents' convention
    (§4.3 c). The newest version of each kind is in force and shown to the community's
    residents; versions are never changed, so the history stays."""

    community = models.ForeignKey(OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"), max_length=20000)
    published_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("charter or convention")
        verbose_name_plural = _("charters and conventions")
        ordering = ["community", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["community", "kind", "version"], name="community_document_version")
        ]
