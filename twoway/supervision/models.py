"""Supervision (R-9): the KPI settings with their history, the per-appeal rollup the dashboards
read, and the archive of periodic reports (定期汇报)."""

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
    `facts_refresh`. The dashboards aggregate these rows instead of replaying every event."""

    appeal = models.OneToOneField(Appeal, primary_key=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
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
    score = models.CharField(max_length=16, blank=True)
    source_updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["street", "created_at"]),
            models.Index(fields=["community", "created_at"]),
            models.Index(fields=["group", "created_at"]),
        ]

    @property
    def bounced(self) -> bool:
        return self.escalations >= 2 or self.reopened


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
