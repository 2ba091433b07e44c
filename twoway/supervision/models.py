"""Supervision (R-9): the KPI settings with their history, the per-appeal rollup the dashboards
read, and the archive of periodic reports (定期汇报)."""

from bisect import bisect_right
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from twoway.appeals.models import Appeal, Category
from twoway.org.models import OrgUnit, Person

DEFAULT_WEIGHTS = {
    "w_response": Decimal("0.10"),
    "w_resolve": Decimal("0.50"),
    "w_satisfaction": Decimal("0.40"),
    "basic_factor": Decimal("0.90"),
}


class KpiSettings(models.Model):
    """One version of the district's KPI weights. Rows are only added: the newest is in force,
    the older ones are its history of changes."""

    w_response = models.DecimalField(_("weight of the response rate"), max_digits=4, decimal_places=2)
    w_resolve = models.DecimalField(_("weight of the resolution rate"), max_digits=4, decimal_places=2)
    w_satisfaction = models.DecimalField(_("weight of the satisfaction rate"), max_digits=4, decimal_places=2)
    basic_factor = models.DecimalField(_("factor for “basically satisfied”"), max_digits=4, decimal_places=2)
    note = models.CharField(_("reason for the change"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        Person, verbose_name=_("changed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("KPI settings")
        verbose_name_plural = _("KPI settings")
        ordering = ["-changed_at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("KPI settings are kept as history: add a new version instead")
        super().save(*args, **kwargs)


class Level(models.TextChoices):
    GROUP = "group", _("Resident group")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DISTRICT = "district", _("District")


class AppealFact(models.Model):
    """What the KPIs need from one appeal, derived from its events (see facts.py) and kept up by
    `facts_refresh`. The daily rollup (`DailyFact`, `DailyHours`) sums these rows per cell."""

    # A rollup row, not a record: no database constraint to check on a bulk load of a million.
    appeal = models.OneToOneField(
        Appeal, primary_key=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    created_at = models.DateTimeField()
    day = models.DateField()  # the local day it was raised
    cell = models.CharField(max_length=48)  # the daily rollup row it counts in (see `cell_key`)
    area = models.CharField(max_length=40)  # the same without the category (see `area_key`)
    group = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    community = models.ForeignKey(OrgUnit, null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    street = models.ForeignKey(OrgUnit, null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    top_category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    status = models.CharField(max_length=16)
    accepted_on_time = models.BooleanField(default=False)
    resolved = models.BooleanField(default=False)
    resolved_on_time = models.BooleanField(default=False)
    returned = models.BooleanField(default=False)
    settled_level = models.CharField(max_length=16, blank=True)
    up_group = models.BooleanField(default=False)
    up_community = models.BooleanField(default=False)
    up_street = models.BooleanField(default=False)
    escalations = models.PositiveSmallIntegerField(default=0)
    reopened = models.BooleanField(default=False)
    hours_group = models.FloatField(null=True)
    hours_community = models.FloatField(null=True)
    hours_street = models.FloatField(null=True)
    hours_district = models.FloatField(null=True)
    # The hour band (index into HOUR_BANDS) of each hours_* value, for the daily histograms.
    band_group = models.PositiveSmallIntegerField(null=True)
    band_community = models.PositiveSmallIntegerField(null=True)
    band_street = models.PositiveSmallIntegerField(null=True)
    band_district = models.PositiveSmallIntegerField(null=True)
    score = models.CharField(max_length=16, blank=True)
    source_updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["street", "created_at"]),
            models.Index(fields=["community", "created_at"]),
            models.Index(fields=["group", "created_at"]),
            models.Index(fields=["cell"]),
            # Hotspots list the appeals that went back and forth, most escalations first.
            models.Index(
                fields=["-escalations", "-created_at"],
                condition=models.Q(escalations__gte=2) | models.Q(reopened=True),
                name="supervision_fact_bounced",
            ),
        ]

    @property
    def bounced(self) -> bool:
        return self.escalations >= 2 or self.reopened


def area_key(day, street_id, community_id) -> str:
    """Appeals raised on `day` in a community (or, outside any community, a street)."""
    return f"{day:%Y%m%d}.{street_id or 0}.{community_id or 0}"


def cell_key(day, street_id, community_id, top_category_id) -> str:
    """The daily rollup row of appeals raised on `day` in a community (or, outside any
    community, a street) in a top-level category."""
    return f"{area_key(day, street_id, community_id)}.{top_category_id}"


ALL_CATEGORIES = "*"  # the last part of the cell of a DailyHours row for every category


# What the daily rollup counts, per cell: each is the number of AppealFact rows matching the
# condition. The KPIs, the funnel and the rankings are sums of these.
MEASURES: dict[str, models.Q] = {
    "received": models.Q(),
    "accepted_on_time": models.Q(accepted_on_time=True),
    "resolved": models.Q(resolved=True),
    "resolved_on_time": models.Q(resolved_on_time=True),
    "satisfied": models.Q(score="satisfied"),
    "basic": models.Q(score="basic"),
    "unsatisfied": models.Q(score="unsatisfied"),
    "returned": models.Q(returned=True),
    "reopened": models.Q(reopened=True),
    "settled_group": models.Q(settled_level="group"),
    "settled_community": models.Q(settled_level="community"),
    "settled_street": models.Q(settled_level="street"),
    "settled_district": models.Q(settled_level="district"),
    "up_group": models.Q(up_group=True),
    "up_community": models.Q(up_community=True),
    "up_street": models.Q(up_street=True),
}

# Lower edges (hours) of the bands in which the time spent at each level is counted; the last
# band is open. Narrow where most appeals fall (within the time limits), wider beyond.
HOUR_BANDS = (
    *(0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 18, 21, 24),
    *(30, 36, 42, 48, 54, 60, 66, 72, 84, 96, 108, 120, 144, 168, 192),
    *(240, 288, 336, 408, 504, 600, 720, 1080, 1440),
)
HOURS_LEVELS = ("group", "community", "street", "district")


def band_of(hours: float | None) -> int | None:
    """The index of the hour band holding `hours` (None stays None)."""
    if hours is None:
        return None
    return max(0, bisect_right(HOUR_BANDS, hours) - 1)


def band_fields(prefix: str) -> list[str]:
    """`n_<level>_<band>` (how many) or `s_<level>_<band>` (their seconds), every level and band."""
    return [f"{prefix}_{level}_{i:02d}" for level in HOURS_LEVELS for i in range(len(HOUR_BANDS))]


class _CellRow(models.Model):
    """A cell of the daily rollup: a local day, the area, a top-level category."""

    cell = models.CharField(max_length=48, unique=True)
    day = models.DateField()
    street = models.ForeignKey(OrgUnit, null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    community = models.ForeignKey(OrgUnit, null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    top_category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", db_constraint=False)

    class Meta:
        abstract = True


class DailyFact(_CellRow):
    """The KPI counts of one cell (see MEASURES): what the dashboards, rankings, reports and the
    public page sum, a few thousand rows for a district's quarter. Rebuilt from AppealFact for
    the cells an incremental refresh touched, in the same transaction (rollup.py)."""

    class Meta:
        indexes = [
            models.Index(fields=["day"]),
            models.Index(fields=["street", "day"]),
            models.Index(fields=["community", "day"]),
        ]


for _name in MEASURES:
    DailyFact.add_to_class(_name, models.PositiveIntegerField(default=0))


class DailyHours(_CellRow):
    """The hours spent at each level by the cell's appeals, as a histogram: per level and band,
    how many appeals (`n_…`) and their total seconds (`s_…`); empty bands are NULL. Besides a
    row per category, each area and day has a row for all categories (`top_category` NULL,
    the sum of the others), so that a funnel without a category filter sums an eighth as many
    rows. The funnel's medians come from here (rollup.band_medians)."""

    area = models.CharField(max_length=40)
    top_category = models.ForeignKey(
        Category, null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["day"]),
            models.Index(fields=["street", "day"]),
            models.Index(fields=["community", "day"]),
            models.Index(fields=["area"]),
        ]


for _name in band_fields("n"):
    DailyHours.add_to_class(_name, models.PositiveIntegerField(null=True))
for _name in band_fields("s"):
    DailyHours.add_to_class(_name, models.BigIntegerField(null=True))


class AppealTerms(models.Model):
    """The words of an appeal's description that hotspots count (jieba, stop words left out),
    found once: a description does not change after it is submitted."""

    appeal = models.OneToOneField(
        Appeal, primary_key=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    # Distinct words, separated by spaces: at most a 2000-character description's characters
    # with a space after each.
    terms = models.TextField(blank=True, max_length=4000)


class RefreshMark(models.Model):
    """When the rollup was last brought up to date (one row)."""

    name = models.CharField(max_length=32, unique=True)
    at = models.DateTimeField()
    last_event = models.BigIntegerField(default=0)


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly report")
    MONTHLY = "monthly", _("Monthly report")


def report_path(instance, filename):
    return f"reports/{instance.period_start:%Y}/{filename}"


class Report(models.Model):
    """A periodic report (定期汇报) of one unit, archived as .xlsx and PDF."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end (exclusive)"))
    xlsx = models.FileField(_("Excel file"), upload_to=report_path)
    pdf = models.FileField(_("PDF file"), upload_to=report_path, blank=True)
    created_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")
        ordering = ["-period_start", "unit__path", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "period_start"], name="report_unique_period"),
        ]

    def __str__(self):
        return f"{self.unit.name} {self.get_kind_display()} {self.period_start}"
