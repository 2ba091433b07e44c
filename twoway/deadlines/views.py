"""Time limits and the holiday calendar as data the district edits (R-3, R-2.4).

Every staff member may read them; only district staff (a leader or staff role on the district
itself) may change them. A change applies to deadlines set from then on: running appeals keep
the deadline they were given. Each change is written to the audit log.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from twoway.audit.log import AuditAction, audit_record
from twoway.core.errors import DomainError
from twoway.core.pages import run_form_action
from twoway.core.text import clean_text
from twoway.org.models import RoleKind
from twoway.org.scope import require_staff, scope_for

from . import engine
from .models import Holiday, Level, Stage, TimeLimitRule

MAX_DAYS = 60  # working days: more than any real time limit
HOLIDAY_SPAN_MAX = 31  # one entry adds at most a month of days (the Spring Festival is 8 or 9)
HOLIDAY_NAME_MAX = Holiday._meta.get_field("name").max_length


def can_change(user) -> bool:
    """District staff (a leader or staff role on a top unit) and superusers."""
    if user.is_superuser:
        return True
    scope = scope_for(user)
    return any(r.kind in (RoleKind.LEADER, RoleKind.STAFF) and r.unit.parent_id is None for r in scope.roles)


def _require_change(user) -> None:
    require_staff(user)
    if not can_change(user):
        raise PermissionDenied


def _category_names() -> dict[str, str]:
    from twoway.appeals.models import Category

    return {c.code: str(c) for c in Category.objects.select_related("parent")}


def _category_choices() -> list[tuple[str, str]]:
    from twoway.appeals.models import Category

    leaves = Category.objects.filter(active=True, parent__isnull=False).select_related("parent")
    leaves = sorted(leaves, key=lambda c: (c.parent.sort, c.parent.code, c.sort, c.code))
    return [(c.code, f"{c.parent.name} · {c.name}") for c in leaves]


# ---- forms ----------------------------------------------------------------------------------


class RuleForm(forms.Form):
    working_days = forms.IntegerField(
        label=gettext_lazy("Time limit (working days)"),
        min_value=1,
        max_value=MAX_DAYS,
        help_text=gettext_lazy("Counted in working days: weekends and holidays do not count; weekend working days do."),
    )
    # No lower bound here: the rule itself refuses a yellow card that does not come before the red.
    yellow_before = forms.IntegerField(
        label=gettext_lazy("Yellow card (working days before the deadline)"),
        min_value=0,
        max_value=MAX_DAYS,
        help_text=gettext_lazy("At least 1, and no more than the time limit."),
    )


class NewRuleForm(RuleForm):
    category_code = forms.ChoiceField(label=gettext_lazy("Category"), choices=())
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=Level.choices)
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), choices=Stage.choices, initial=Stage.SETTLE)

    field_order = ["category_code", "level", "stage", "working_days", "yellow_before"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_code"].choices = [("", "——"), *_category_choices()]


class HolidayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        label=gettext_lazy("Until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("For several days in a row, such as the National Day holiday."),
    )
    is_workday = forms.TypedChoiceField(
        label=gettext_lazy("Kind"),
        coerce=lambda v: v == "1",
        choices=[
            ("0", gettext_lazy("Day off (holiday)")),
            ("1", gettext_lazy("Working day (调休: a weekend day worked)")),
        ],
        initial="0",
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=HOLIDAY_NAME_MAX, required=False)


# ---- rules of change ------------------------------------------------------------------------


def _save_rule(*, rule: TimeLimitRule, form: forms.Form) -> TimeLimitRule | None:
    """Save through the engine (full_clean); a refusal becomes an error on the field it names."""
    try:
        return engine.save_rule(rule=rule)
    except ValidationError as error:
        for field, msgs in error.message_dict.items():
            for msg in msgs:
                form.add_error(field if field in form.fields else None, msg)
        return None


@transaction.atomic
def holiday_add(*, start: date, until: date | None, is_workday: bool, name: str) -> list[Holiday]:
    """Add one date, or each date from `start` to `until`, to the calendar."""
    name = clean_text(name, field="name", label=_("Name"), limit=HOLIDAY_NAME_MAX)
    until = until or start
    if until < start:
        raise DomainError("bad_range", _("Until: the last day cannot come before the first."), "until")
    if (until - start).days >= HOLIDAY_SPAN_MAX:
        raise DomainError("too_many_days", _("Until: at most %(n)s days at a time.") % {"n": HOLIDAY_SPAN_MAX}, "until")
    days = [start + timedelta(days=i) for i in range((until - start).days + 1)]
    if is_workday:
        weekdays = [d for d in days if d.weekday() < 5]
        if weekdays:
            raise DomainError(
                "workday_on_weekday",
                _("Kind: a weekend working day must be a Saturday or a Sunday; %(date)s is a weekday.")
                % {"date": weekdays[0].isoformat()},
                "is_workday",
            )
    taken = list(Holiday.objects.filter(date__in=days).order_by("date").values_list("date", flat=True))
    if taken:
        raise DomainError(
            "date_taken",
            _("Date: %(dates)s is already in the calendar. Remove it first to change it.")
            % {"dates": "、".join(d.isoformat() for d in taken)},
            "date",
        )
    return Holiday.objects.bulk_create([Holiday(date=d, is_workday=is_workday, name=name) for d in days])


@dataclass
class HolidayRun:
    """Consecutive days of the same name and kind, shown (and removed) as one line."""

    days: list[Holiday]

    @property
    def first(self) -> Holiday:
        return self.days[0]

    @property
    def last(self) -> Holiday:
        return self.days[-1]


def _same_run(a: Holiday, b: Holiday) -> bool:
    return abs((b.date - a.date).days) == 1 and a.name == b.name and a.is_workday == b.is_workday


def holiday_runs(days: list[Holiday]) -> list[HolidayRun]:
    runs: list[HolidayRun] = []
    for day in days:
        if runs and _same_run(runs[-1].last, day):
            runs[-1].days.append(day)
        else:
            runs.append(HolidayRun([day]))
    return runs


def holiday_run_of(day: Holiday) -> list[Holiday]:
    """The run of consecutive days of the same name and kind that this day belongs to."""
    near = {
        h.date: h
        for h in Holiday.objects.filter(
            date__range=(day.date - timedelta(days=HOLIDAY_SPAN_MAX), day.date + timedelta(days=HOLIDAY_SPAN_MAX))
        )
    }
    run = [day]
    for step in (-1, 1):
        d = day
        while (n := near.get(d.date + timedelta(days=step))) is not None and _same_run(d, n):
            run.append(n)
            d = n
    return sorted(run, key=lambda h: h.date)


# ---- pages ----------------------------------------------------------------------------------


@login_required
def rules(request):
    """The time-limit matrix: level × stage for every category, then the categories' own rules."""
    require_staff(request.user)
    all_rules = list(TimeLimitRule.objects.all())
    defaults = {(r.level, r.stage): r for r in all_rules if not r.category_code}
    matrix = [
        {"level": label, "cells": [defaults.get((level, stage)) for stage in Stage.values]}
        for level, label in Level.choices
    ]
    names = _category_names()
    level_order = {v: i for i, v in enumerate(Level.values)}
    stage_order = {v: i for i, v in enumerate(Stage.values)}
    specific = sorted(
        (r for r in all_rules if r.category_code),
        key=lambda r: (r.category_code, level_order.get(r.level, 99), stage_order.get(r.stage, 99)),
    )
    for r in specific:
        r.category_name = names.get(r.category_code, r.category_code)
    return render(
        request,
        "deadlines/rules.html",
        {"matrix": matrix, "stages": Stage.choices, "specific": specific, "can_change": can_change(request.user)},
    )


def _rule_get(pk) -> TimeLimitRule:
    rule = TimeLimitRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


def _rule_label(rule: TimeLimitRule) -> str:
    parts = [rule.get_level_display(), rule.get_stage_display()]
    if rule.category_code:
        parts.insert(0, _category_names().get(rule.category_code, rule.category_code))
    return " · ".join(str(p) for p in parts)


@login_required
def rule_edit(request, pk):
    _require_change(request.user)
    rule = _rule_get(pk)
    before = {"working_days": rule.working_days, "yellow_before": rule.yellow_before}
    form = RuleForm(request.POST or None, initial=before)
    if request.method == "POST" and form.is_valid():
        rule.working_days = form.cleaned_data["working_days"]
        rule.yellow_before = form.cleaned_data["yellow_before"]
        if _save_rule(rule=rule, form=form):
            after = {"working_days": rule.working_days, "yellow_before": rule.yellow_before}
            audit_record(
                request=request,
                action=AuditAction.CHANGE,
                target=f"time_limit:{rule.pk}",
                detail={
                    "level": rule.level,
                    "stage": rule.stage,
                    "category": rule.category_code,
                    "before": before,
                    "after": after,
                },
            )
            messages.success(request, _("Time limit saved. It applies to deadlines set from now on."))
            return redirect("deadlines:rules")
    return render(
        request,
        "deadlines/rule_form.html",
        {"form": form, "title": _("Time limit: %(rule)s") % {"rule": _rule_label(rule)}, "rule": rule},
    )


@login_required
def rule_new(request):
    _require_change(request.user)
    initial = {"working_days": 5, "yellow_before": 1}
    if request.GET.get("category"):
        initial["category_code"] = request.GET["category"]
    form = NewRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if TimeLimitRule.objects.filter(level=d["level"], stage=d["stage"], category_code=d["category_code"]).exists():
            form.add_error(
                "category_code", _("This category already has a time limit for this level and stage: edit that one.")
            )
        else:
            rule = TimeLimitRule(
                level=d["level"],
                stage=d["stage"],
                category_code=d["category_code"],
                working_days=d["working_days"],
                yellow_before=d["yellow_before"],
            )
            if _save_rule(rule=rule, form=form):
                audit_record(
                    request=request,
                    action=AuditAction.CHANGE,
                    target=f"time_limit:{rule.pk}",
                    detail={
                        "added": True,
                        "level": rule.level,
                        "stage": rule.stage,
                        "category": rule.category_code,
                        "working_days": rule.working_days,
                        "yellow_before": rule.yellow_before,
                    },
                )
                messages.success(request, _("Time limit added. It applies to deadlines set from now on."))
                return redirect("deadlines:rules")
    return render(request, "deadlines/rule_form.html", {"form": form, "title": _("Add a time limit for a category")})


@login_required
@require_POST
def rule_remove(request, pk):
    """Remove a category's own rule: its appeals fall back to the level's default."""
    _require_change(request.user)
    rule = _rule_get(pk)
    if not rule.category_code:
        messages.error(request, _("A level's default time limit cannot be removed; change its days instead."))
        return redirect("deadlines:rules")
    label = _rule_label(rule)
    audit_record(
        request=request,
        action=AuditAction.CHANGE,
        target=f"time_limit:{rule.pk}",
        detail={
            "removed": True,
            "level": rule.level,
            "stage": rule.stage,
            "category": rule.category_code,
            "working_days": rule.working_days,
            "yellow_before": rule.yellow_before,
        },
    )
    rule.delete()
    messages.success(request, _("%(rule)s removed: the level's default applies again.") % {"rule": label})
    return redirect("deadlines:rules")


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


@login_required
def holidays(request):
    """The holiday calendar of one year; district staff add days here (POST)."""
    require_staff(request.user)
    changing = can_change(request.user)
    if request.method == "POST" and not changing:
        raise PermissionDenied
    year = _year(request)
    form = HolidayForm(request.POST or None) if changing else None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        added = run_form_action(
            form, holiday_add, start=d["date"], until=d["until"], is_workday=d["is_workday"], name=d["name"]
        )
        if added:
            audit_record(
                request=request,
                action=AuditAction.CHANGE,
                target=f"holiday:{added[0].date.isoformat()}",
                detail={
                    "added": [h.date.isoformat() for h in added],
                    "is_workday": d["is_workday"],
                    "name": added[0].name,
                },
            )
            messages.success(
                request,
                _("%(n)s day(s) added to the calendar. Deadlines set from now on count them.") % {"n": len(added)},
            )
            return redirect(f"{request.path}?year={added[0].date.year}")
    days = list(Holiday.objects.filter(date__year=year).order_by("date"))
    return render(
        request,
        "deadlines/holidays.html",
        {
            "days": days,
            "runs": holiday_runs(days),
            "year": year,
            "prev_year": year - 1,
            "next_year": year + 1,
            "form": form,
            "can_change": changing,
        },
    )


@login_required
@require_POST
def holiday_remove(request, pk):
    """Remove one day, or with run=1 the whole run of days it belongs to (a holiday of a week)."""
    _require_change(request.user)
    day = Holiday.objects.filter(pk=pk).first()
    if day is None:
        raise Http404
    removed = holiday_run_of(day) if request.POST.get("run") == "1" else [day]
    dates = [h.date.isoformat() for h in removed]
    with transaction.atomic():
        audit_record(
            request=request,
            action=AuditAction.CHANGE,
            target=f"holiday:{dates[0]}",
            detail={"removed": dates, "is_workday": day.is_workday, "name": day.name},
        )
        Holiday.objects.filter(pk__in=[h.pk for h in removed]).delete()
    if len(dates) == 1:
        messages.success(request, _("%(date)s removed from the calendar.") % {"date": dates[0]})
    else:
        messages.success(
            request,
            _("%(first)s to %(last)s removed from the calendar.") % {"first": dates[0], "last": dates[-1]},
        )
    return redirect(f"{reverse('deadlines:holidays')}?year={day.date.year}")
