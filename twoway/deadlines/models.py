"""Time limits as data (R-3, R-2.4): a matrix of level × category × stage, in working days,
with a holiday calendar. One engine (`engine.py`) serves appeals and tasks alike."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from twoway.core.text import clean_key


class Level(models.TextChoices):
    GROUP = "group", _("Resident group")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DISTRICT = "district", _("District")
    DEPARTMENT = "department", _("District department")


class Stage(models.TextChoices):
    ACCEPT = "accept", _("Accept (签收)")
    SETTLE = "settle", _("Settle (办结)")
    TASK = "task", _("Task")


class TimeLimitRule(models.Model):
    """How many working days a level has for a stage; a category may have its own row."""

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    category_code = models.CharField(
        _("category code"),
        max_length=32,
        blank=True,
        help_text=_("Empty: applies to every category without a rule of its own."),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    working_days = models.PositiveSmallIntegerField(_("working days"))
    yellow_before = models.PositiveSmallIntegerField(_("yellow card, working days before the deadline"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["stage", "level", "category_code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "category_code", "stage"], name="time_limit_unique"),
            models.CheckConstraint(condition=models.Q(working_days__gte=1), name="time_limit_positive"),
        ]

    def __str__(self):
        return f"{self.get_level_display()} · {self.get_stage_display()} · {self.working_days}"

    def clean(self):
        if self.category_code and self.category_code != clean_key(self.category_code, limit=32):
            raise ValidationError({"category_code": _("Category: choose a category from the list.")})
        if self.yellow_before < 1:
            raise ValidationError(
                {"yellow_before": _("The yellow card must come before the red card: at least 1 working day before.")}
            )
        if self.yellow_before > self.working_days:
            raise ValidationError({"yellow_before": _("The yellow card cannot come before the time limit starts.")})


class Holiday(models.Model):
    """A date that breaks the Monday–Friday rule: a holiday, or a weekend working day (调休)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("is a working day"), default=False)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"
