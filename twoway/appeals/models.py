"""The reverse chain (反向诉求, R-3): appeals settled level by level, always to an outcome."""

import hashlib
import json

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from twoway.org.models import Household, OrgUnit, Person

DESCRIPTION_MAX = 2000
OUTCOME_MAX = 2000
# The longest note an event carries: an outcome, an answer or a note (2000), or the numbers of
# the appeals merged in one go (appeals.flow.MERGE_MAX).
EVENT_NOTE_MAX = 4000
RATING_DAYS = 7
MAX_EXTENSION_DAYS = 10


class Category(models.Model):
    """A two-level catalogue of appeal categories, kept as data."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sort = models.IntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("appeal category")
        verbose_name_plural = _("appeal categories")
        ordering = ["sort", "code"]

    def __str__(self):
        return f"{self.parent.name} · {self.name}" if self.parent_id else self.name


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting to be accepted")
    ACCEPTED = "accepted", _("Being handled")
    RESOLVED = "resolved", _("Resolved, waiting for rating")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned")
    MERGED = "merged", _("Merged into another appeal")


OPEN_STATUSES = (Status.PENDING, Status.ACCEPTED)


class Channel(models.TextChoices):
    APP = "app", _("Online (resident)")
    PHONE = "phone", _("Phone call (staff on behalf)")
    WALK_IN = "walk_in", _("Walk-in (staff on behalf)")
    VISIT = "visit", _("Door-to-door visit")
    HOTLINE = "hotline", _("12345 hotline")
    OPEN311 = "open311", _("Open311 client")
    API = "api", _("API")


class Appeal(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="appeals")
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX)
    place = models.CharField(_("place"), max_length=100, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # No single-column index on raised_by, origin_unit, handling_unit or created_at: each leads one
    # of the composite indexes below, which serve the same look-ups, and every index is written on
    # every submission.
    raised_by = models.ForeignKey(
        Person, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="appeals_raised", db_index=False
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("for the household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.APP)
    proxy = models.ForeignKey(
        Person,
        verbose_name=_("raised on the resident's behalf by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals_proxied",
    )
    mediation = models.BooleanField(_("neighbour or family dispute, for mediation"), default=False)
    origin_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("resident group"),
        on_delete=models.PROTECT,
        related_name="appeals_originated",
        db_index=False,
    )
    handling_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        related_name="appeals_handling",
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    yellow_at = models.DateTimeField(_("yellow card from"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    outcome = models.TextField(_("outcome"), max_length=OUTCOME_MAX, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("resolved by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    idem_key = models.CharField(_("idempotency key"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The staff queues page by (created_at, id) from these alone (see selectors.appeal_list):
            # a unit's appeals by status, and everything newest first with the unit and status.
            models.Index(fields=["handling_unit", "status", "-created_at", "-id"]),
            models.Index(fields=["-created_at", "-id", "handling_unit", "status"]),
            models.Index(fields=["origin_unit", "-created_at"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["raised_by", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["raised_by", "idem_key"], condition=~models.Q(idem_key=""), name="appeal_unique_idem_key"
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("appeals:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Raised")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    NOTE = "note", _("Note")
    ON_AGENDA = "on_agenda", _("Put on a meeting agenda")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated")
    ASSIGNED = "assigned", _("Assigned to a department")
    ANSWERED = "answered", _("Department answered")
    RATED = "rated", _("Rated")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")
    SUPERVISED = "supervised", _("Supervision order")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_DECIDED = "extension_decided", _("Extension decided")
    RESOURCE_LINKED = "resource_linked", _("Resource linked")


class AppendOnlyError(Exception):
    pass


class AppealEvent(models.Model):
    """One step of an appeal's timeline. Rows are only added, and chained by hash."""

    # Served by the unique (appeal, seq) index.
    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField(_("step"))
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        Person, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("at unit"), on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("to unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status after"), max_length=16, choices=Status.choices)
    note = models.TextField(_("note"), max_length=EVENT_NOTE_MAX, blank=True)
    internal = models.BooleanField(_("staff only"), default=False)
    decision_ref = models.CharField(_("meeting decision"), max_length=100, blank=True)
    at = models.DateTimeField(_("time"))
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")
        ordering = ["appeal_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["appeal", "seq"], name="appeal_event_unique_seq")]

    def __str__(self):
        return f"{self.appeal_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("appeal events cannot be changed; add a new event instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("appeal events cannot be deleted")

    def content(self) -> dict:
        return {
            "appeal": self.appeal_id,
            "seq": self.seq,
            "kind": self.kind,
            "actor": self.actor_id,
            "unit": self.unit_id,
            "to_unit": self.to_unit_id,
            "status": self.status,
            "note": self.note,
            "internal": self.internal,
            "decision": self.decision_ref,
            "at": self.at.isoformat(),
        }

    def compute_hash(self) -> str:
        payload = json.dumps(self.content(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256((self.prev_hash + payload).encode()).hexdigest()


class Score(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class Rating(models.Model):
    """The resident's rating of an outcome; one per round (a reopened appeal is rated again)."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="ratings")
    round = models.PositiveSmallIntegerField(_("round"))
    score = models.CharField(_("rating"), max_length=16, choices=Score.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit rated"), on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(Person, verbose_name=_("rated by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [models.UniqueConstraint(fields=["appeal", "round"], name="rating_unique_round")]


def photo_path(instance, filename):
    return f"appeals/{instance.appeal.created_at:%Y/%m}/{instance.appeal_id}-{instance.sha256[:16]}.jpg"


class Photo(models.Model):
    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["id"]


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Extension(models.Model):
    """A request for more time, decided by the level above (up to 10 working days in all)."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="extensions")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("requested by unit"), on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.CharField(_("reason"), max_length=500)
    requested_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at"]


class SupervisionOrder(models.Model):
    """A supervision order (督办单) from the level above on an overdue appeal."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="supervision_orders"
    )
    from_unit = models.ForeignKey(OrgUnit, verbose_name=_("issued by unit"), on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(OrgUnit, verbose_name=_("issued to unit"), on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("instruction"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-created_at"]


class ResourceKind(models.TextChoices):
    MEDIATOR = "mediator", _("Mediation studio (民情调解工作室)")
    LEGAL = "legal", _("Legal adviser (智库顾问团)")
    SOCIAL_ORG = "social_org", _("Social organisation")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    VOLUNTEER = "volunteer", _("Volunteer")
    CHARITY = "charity", _("Charity resource")
    PARTNER = "partner", _("Community partner (社区合伙人)")


class Resource(models.Model):
    """A unit's directory of people and bodies that help settle appeals (R-3.8)."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="resources")
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["unit__path", "kind", "name"]

    def __str__(self):
        return self.name


class AppealResource(models.Model):
    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="resources")
    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="+")
    part = models.CharField(_("part in settling it"), max_length=300)
    added_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appeal", "resource"], name="appeal_resource_unique")]
