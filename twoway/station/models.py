"""The convenience service station (便民服务站, R-7, Annex B): its catalogue of service items,
the published versions of that catalogue, the work ledger (工作台账) of every service given,
complaints and suggestions, and the staff rota with A/B roles."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from twoway.org.models import OrgUnit, Person

# B.1.5: at least 10 items handled at the station and at least 50 handled on residents' behalf.
MIN_DIRECT = 10
MIN_PROXY = 50
# Free text a person writes (conditions, a result, a complaint and its reply), and the order
# numbers of the catalogue; enforced by the functions in services.py.
TEXT_MAX = 2000
SORT_MAX = 100_000


class Station(models.Model):
    """One station per community (B.1.1), with its published contacts (B.1.2)."""

    community = models.OneToOneField(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="station",
        limit_choices_to={"kind": "community"},
    )
    name = models.CharField(pgettext_lazy("station", "name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("service phone"), max_length=32, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=32, blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    published_version = models.PositiveIntegerField(_("published catalogue version"), default=0)
    catalogue_changed = models.BooleanField(_("catalogue changed since publishing"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service station")
        verbose_name_plural = _("service stations")
        ordering = ["community__path"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("station:detail", args=[self.pk])


class ItemKind(models.TextChoices):
    DIRECT = "direct", _("Handled at the station")
    PROXY = "proxy", _("Handled on your behalf")


class ServiceItem(models.Model):
    """One item of a station's catalogue (B.1.5): what it takes, how long, what it costs, who handles it."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="items")
    code = models.CharField(_("code"), max_length=32)
    kind = models.CharField(_("kind"), max_length=8, choices=ItemKind.choices)
    area = models.CharField(_("service area"), max_length=50, blank=True)
    name = models.CharField(pgettext_lazy("service item", "name"), max_length=100)
    conditions = models.TextField(_("acceptance conditions"), max_length=TEXT_MAX)
    materials = models.TextField(_("required materials"), max_length=TEXT_MAX, help_text=_("One per line."))
    time_limit_days = models.PositiveSmallIntegerField(
        _("time limit (working days)"),
        validators=[MaxValueValidator(60)],
        help_text=_("0 means settled on the spot."),
    )
    fee = models.CharField(_("fee"), max_length=100, default="免费")
    handler = models.CharField(_("handling unit"), max_length=100)
    guide = models.TextField(_("plain-language guide"), max_length=TEXT_MAX)
    sort = models.IntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    retired_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["station", "kind", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["station", "code"], name="station_item_unique_code")]

    def __str__(self):
        return self.name

    @property
    def material_list(self) -> list[str]:
        return [m.strip() for m in self.materials.splitlines() if m.strip()]

    def snapshot(self) -> dict:
        """What the public catalogue shows of this item: nothing personal."""
        return {
            "code": self.code,
            "kind": self.kind,
            "area": self.area,
            "name": self.name,
            "conditions": self.conditions,
            "materials": self.material_list,
            "time_limit_days": self.time_limit_days,
            "fee": self.fee,
            "handler": self.handler,
            "guide": self.guide,
            "version": self.version,
        }


class CatalogueVersion(models.Model):
    """A published catalogue: the items as they stood, frozen, so the public page and any
    later dispute see exactly what was promised (B.1.5 事项清单…动态管理)."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    items = models.JSONField(_("items"))
    direct_count = models.PositiveIntegerField(_("items handled at the station"))
    proxy_count = models.PositiveIntegerField(_("items handled on residents' behalf"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    published_by = models.ForeignKey(
        Person, verbose_name=_("published by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("published catalogue")
        verbose_name_plural = _("published catalogues")
        ordering = ["station", "-number"]
        constraints = [models.UniqueConstraint(fields=["station", "number"], name="station_version_unique")]


class Mode(models.TextChoices):
    WINDOW = "window", _("At the window")
    DOOR = "door", _("Door to door")
    OUT_OF_HOURS = "after_hours", _("Out of hours")
    ONLINE = "online", _("Online, helped by staff")


class RecordStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ACCEPTED = "accepted", pgettext_lazy("station", "Accepted")
    HANDED_OFF = "handed_off", _("With the handling unit")
    RETURNED = "returned", _("Back from the handling unit")
    DONE = "done", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class RatingChannel(models.TextChoices):
    PHONE = "phone", _("On the resident's phone")
    KIOSK = "kiosk", _("At the desk")


class ServiceRecord(models.Model):
    """One line of the work ledger (工作台账, B.1.7): one service given to one resident.

    Service time, item, result, completion time and satisfaction, plus who received the
    resident first (首问负责) and, for an item handled on the resident's behalf, the hand-off
    to the handling unit and back against the time limit (限时办结).
    """

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="records")
    number = models.CharField(_("number"), max_length=20, unique=True)
    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"), on_delete=models.PROTECT, related_name="+")
    item_name = models.CharField(_("service item"), max_length=100)
    item_version = models.PositiveIntegerField(_("item version"))
    kind = models.CharField(_("kind"), max_length=8, choices=ItemKind.choices)
    mode = models.CharField(_("service way"), max_length=12, choices=Mode.choices, default=Mode.WINDOW)
    resident = models.ForeignKey(
        Person, verbose_name=_("resident"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resident_name = models.CharField(_("resident"), max_length=50)
    resident_phone = models.CharField(_("phone"), max_length=20, blank=True)
    first_owner = models.ForeignKey(
        Person, verbose_name=_("first-inquiry owner"), on_delete=models.PROTECT, related_name="+"
    )
    booked_for = models.DateTimeField(_("appointment"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("service time"))
    status = models.CharField(_("status"), max_length=12, choices=RecordStatus.choices)
    due_at = models.DateTimeField(_("due by"), null=True, blank=True)
    yellow_at = models.DateTimeField(_("yellow card from"), null=True, blank=True)
    handed_to = models.CharField(_("handed to"), max_length=100, blank=True)
    handed_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("back at"), null=True, blank=True)
    result = models.TextField(_("result"), max_length=TEXT_MAX, blank=True)
    done_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    done_by = models.ForeignKey(
        Person, verbose_name=_("completed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    rating_channel = models.CharField(_("rated"), max_length=8, choices=RatingChannel.choices, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=300, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    checklist_sent_at = models.DateTimeField(_("checklist sent at"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=TEXT_MAX, blank=True)
    idem_key = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("work ledger")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["station", "received_at"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["resident", "received_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "idem_key"], name="station_record_idem", condition=~models.Q(idem_key="")
            )
        ]

    def __str__(self):
        return f"{self.number} {self.item_name}"

    def get_absolute_url(self):
        return reverse("station:record", args=[self.pk])

    @property
    def on_time(self) -> bool | None:
        if self.done_at is None or self.due_at is None:
            return None
        return self.done_at <= self.due_at


class RecordEvent(models.Model):
    """Each step of a ledger entry, append-only: accepted, handed off, back, completed, rated."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=16)
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "id"]

    LABELS = {
        "booked": _("Booked"),
        "accepted": pgettext_lazy("station", "Accepted"),
        "handed_off": _("Handed to the handling unit"),
        "returned": _("Back from the handling unit"),
        "done": _("Completed"),
        "cancelled": _("Cancelled"),
        "rated": _("Rated"),
        "checklist_sent": _("Checklist sent"),
    }

    @property
    def kind_label(self) -> str:
        return self.LABELS.get(self.kind, self.kind)


class FeedbackKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")


class Complaint(models.Model):
    """A complaint or suggestion (B.2.5) with its handling and the reply given."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="complaints")
    kind = models.CharField(_("kind"), max_length=12, choices=FeedbackKind.choices)
    text = models.TextField(_("what was said"), max_length=TEXT_MAX)
    by_name = models.CharField(_("from"), max_length=50, blank=True)
    contact = models.CharField(_("contact"), max_length=50, blank=True)
    about_station = models.BooleanField(_("about the station's own work"), default=True)
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    handling = models.TextField(_("handling"), max_length=TEXT_MAX, blank=True)
    reply = models.TextField(_("reply given"), max_length=TEXT_MAX, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint or suggestion")
        verbose_name_plural = _("complaints and suggestions")
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return self.text[:30]


class DutyRole(models.TextChoices):
    A = "A", _("A (on the desk)")
    B = "B", _("B (stands in)")


class Weekday(models.IntegerChoices):
    MON = 0, _("Monday")
    TUE = 1, _("Tuesday")
    WED = 2, _("Wednesday")
    THU = 3, _("Thursday")
    FRI = 4, _("Friday")
    SAT = 5, _("Saturday")
    SUN = 6, _("Sunday")


class RotaEntry(models.Model):
    """Who sits at the desk on which weekday, as A or B (AB角, B.1.2); the contact is published."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="rota")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    role = models.CharField(_("A/B role"), max_length=1, choices=DutyRole.choices)
    person = models.ForeignKey(Person, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+")
    work_phone = models.CharField(_("work phone (published)"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("rota entry")
        verbose_name_plural = _("rota")
        ordering = ["station", "weekday", "role"]
        constraints = [models.UniqueConstraint(fields=["station", "weekday", "role"], name="station_rota_one_per_role")]
