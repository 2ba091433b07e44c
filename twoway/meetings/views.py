from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from twoway.appeals.models import Appeal, Status
from twoway.audit.log import audit_record
from twoway.audit.models import AuditAction
from twoway.core.errors import DomainError
from twoway.core.pages import paginate
from twoway.org.models import OrgUnit, UnitKind
from twoway.org.scope import require_staff, scope_for, unit_get

from . import agenda, minutes, types, votes
from .models import STEP_LABELS, Attendance, Ballot, MeetingType, Motion, Participant, VoteReceipt
from .selectors import can_run, meeting_get, parties_concerned, people_by_role, visible_meetings


@login_required
def meeting_list(request):
    qs = visible_meetings(request.user).order_by("-starts_at")
    when = request.GET.get("when", "")
    if when == "upcoming":
        qs = qs.filter(starts_at__gte=timezone.now()).order_by("starts_at")
    return render(
        request,
        "meetings/list.html",
        {"page": paginate(request, qs), "when": when, "is_staff": scope_for(request.user).is_staff},
    )


@login_required
def meeting_new(request):
    scope = require_staff(request.user)
    levels = set(MeetingType.objects.values_list("level", flat=True))
    units = OrgUnit.objects.filter(scope.q("path", write=True), kind__in=levels).active().order_by("path")
    errors, data = {}, request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            unit = unit_get(request.user, data.get("unit"), write=True)
            mtype = MeetingType.objects.filter(level=unit.kind).first()
            starts_at = _parse_time(data.get("starts_at", ""))
            meeting = agenda.meeting_create(
                user=request.user,
                unit=unit,
                type_code=mtype.code if mtype else "",
                title=data.get("title", ""),
                starts_at=starts_at,
                place=data.get("place", ""),
                online_link=data.get("online_link", ""),
                urgent=data.get("urgent") == "1",
            )
        except DomainError as error:
            errors[error.field or "form"] = error.message
        else:
            messages.success(request, _("The meeting was called."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/new.html", {"units": units, "errors": errors, "data": data})


def _parse_time(value: str) -> datetime:
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        raise DomainError("bad_time", _("Time: enter a date and time."), "starts_at") from None
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


@login_required
def meeting_detail(request, pk):
    meeting = meeting_get(request.user, pk)
    person = scope_for(request.user).person
    running = can_run(request.user, meeting)
    topics = list(meeting.topics.prefetch_related("appeals", "motions"))
    steps = meeting.type.steps
    voted = (
        set(
            VoteReceipt.objects.filter(motion__topic__meeting=meeting, voter=person).values_list("motion_id", flat=True)
        )
        if person
        else set()
    )
    me = Participant.objects.filter(meeting=meeting, person=person).first() if person else None
    for topic in topics:
        topic.step_list = [
            (i, STEP_LABELS.get(code, code), i < topic.step, i == topic.step) for i, code in enumerate(steps)
        ]
        for motion in topic.motions.all():
            motion.i_voted = motion.pk in voted
            motion.my_choice = (
                Ballot.objects.filter(motion=motion, voter=person).values_list("choice", flat=True).first()
                if motion.i_voted and not meeting.type.secret
                else None
            )
    context = {
        "meeting": meeting,
        "topics": topics,
        "running": running,
        "me": me,
        "participants": meeting.participants.select_related("person").order_by("role", "person__name"),
        "can_vote": me is not None and me.votes and me.attendance in votes.VOTING_ATTENDANCE,
        "attendance_choices": Attendance.choices,
    }
    if running:
        context["open_appeals"] = (
            Appeal.objects.filter(handling_unit=meeting.unit, status=Status.ACCEPTED)
            .exclude(topics__meeting=meeting)
            .select_related("category")[:50]
        )
        context["departments"] = agenda.departments_for(meeting)
        context["role_groups"] = [
            ("advisors", _("Advisory group")),
            ("reps", _("Resident representatives")),
            ("leaders", _("Leaders and group leaders")),
            ("party", _("Party members")),
            ("concerned", _("Parties concerned (who raised the appeals)")),
        ]
    return render(request, "meetings/detail.html", context)


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _topic_of(meeting, pk):
    topic = meeting.topics.filter(pk=_int_or_404(pk)).first()
    if topic is None:
        raise Http404
    return topic


def _motion_of(meeting, pk):
    motion = Motion.objects.filter(topic__meeting=meeting, pk=_int_or_404(pk)).first()
    if motion is None:
        raise Http404
    return motion


@login_required
@require_POST
def meeting_act(request, pk, action):
    """One POST endpoint per step of running a meeting; the rules live in agenda and votes."""
    meeting = meeting_get(request.user, pk)
    p, user = request.POST, request.user
    if action != "vote" and not can_run(user, meeting):
        raise PermissionDenied
    try:
        if action == "invite":
            group = p.get("group", "")
            people = parties_concerned(meeting) if group == "concerned" else people_by_role(meeting, group)
            n = agenda.participants_add(
                user=user, meeting=meeting, people=list(people), role="party" if group == "concerned" else "member"
            )
            messages.success(request, _("%(n)s participants added.") % {"n": n})
        elif action == "person":
            person = agenda.person_invite(user=user, meeting=meeting, query=p.get("q", ""))
            messages.success(request, _("%(name)s was added.") % {"name": person.name})
        elif action == "departments":
            n = agenda.departments_invite(user=user, meeting=meeting, unit_ids=p.getlist("department"))
            messages.success(request, _("%(n)s participants added.") % {"n": n})
        elif action == "attendance":
            agenda.attendance_set(
                user=user, meeting=meeting, person_id=p.get("person"), attendance=p.get("attendance", "")
            )
        elif action == "topic":
            agenda.topic_add(
                user=user,
                meeting=meeting,
                title=p.get("title", ""),
                appeal_ids=p.getlist("appeals"),
                matter=p.get("matter", ""),
                funds=p.get("funds", ""),
            )
        elif action == "advance":
            agenda.topic_advance(user=user, topic_id=_topic_of(meeting, p.get("topic")).pk, plan=p.get("plan", ""))
        elif action == "motion":
            agenda.motion_add(
                user=user,
                topic=_topic_of(meeting, p.get("topic")),
                text=p.get("text", ""),
                effect=p.get("effect", "none"),
                appeal_ids=p.getlist("appeals"),
            )
        elif action == "open":
            votes.motion_open(user=user, motion_id=_motion_of(meeting, p.get("motion")).pk)
        elif action == "close":
            votes.motion_close(user=user, motion_id=_motion_of(meeting, p.get("motion")).pk)
        elif action == "vote":
            votes.ballot_cast(user=user, motion_id=_motion_of(meeting, p.get("motion")).pk, choice=p.get("choice", ""))
            messages.success(request, _("Your ballot was counted."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
def meeting_minutes(request, pk):
    """The minutes on screen; the convener or the unit's staff write the record here."""
    meeting = meeting_get(request.user, pk)
    running = can_run(request.user, meeting)
    error = ""
    if request.method == "POST":
        if not running:
            raise PermissionDenied
        try:
            agenda.minutes_save(user=request.user, meeting_id=meeting.pk, text=request.POST.get("minutes", ""))
        except DomainError as e:
            error = e.message
        else:
            messages.success(request, _("The minutes were saved."))
            return redirect("meetings:minutes", pk=meeting.pk)
        meeting.minutes = request.POST.get("minutes", "")
    return render(
        request, "meetings/minutes.html", {"m": minutes.minutes_for(meeting), "running": running, "error": error}
    )


EXPORTS = {
    "pdf": (minutes.as_pdf, "application/pdf"),
    "docx": (minutes.as_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (minutes.as_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _export(request, pk, fmt):
    meeting = meeting_get(request.user, pk)
    data = minutes.minutes_for(meeting)
    build, content_type = EXPORTS[fmt]
    # The minutes name participants: who took them out, and when, is kept.
    audit_record(request=request, action=AuditAction.EXPORT, target=f"minutes of meeting {meeting.pk} ({fmt})")
    response = HttpResponse(build(data), content_type=content_type)
    disposition = "inline" if fmt == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{minutes.filename(data, fmt)}"'
    return response


@login_required
def minutes_pdf(request, pk):
    return _export(request, pk, "pdf")


@login_required
def minutes_docx(request, pk):
    return _export(request, pk, "docx")


@login_required
def minutes_xlsx(request, pk):
    return _export(request, pk, "xlsx")


@login_required
def meeting_recount(request, pk):
    """Every closed vote of the meeting counted again from its ballots, beside the stored result."""
    meeting = meeting_get(request.user, pk)
    rows = []
    for motion in Motion.objects.filter(topic__meeting=meeting, status="closed").select_related("topic__meeting__type"):
        fresh = votes.count(motion, votes.stored_rule(motion))
        rows.append(
            {
                "motion": motion,
                "stored_line": minutes.counts_text(votes.stored_counts(motion)),
                "fresh_line": minutes.counts_text(fresh.as_dict()),
                "stored_verdict": minutes.verdict(motion.passed, "closed"),
                "fresh_verdict": minutes.verdict(fresh.passed, "closed"),
                "ok": votes.motion_recount(motion),
            }
        )
    return render(request, "meetings/recount.html", {"meeting": meeting, "rows": rows})


MAJORITY_LABELS = {"simple": gettext_lazy("More than half"), "two_thirds": gettext_lazy("At least two thirds")}
BASE_LABELS = {"cast": gettext_lazy("Ballots cast"), "eligible": gettext_lazy("Members entitled to vote")}


@login_required
def meeting_types(request):
    """The meeting type of each level with its steps and voting rule; district staff change the rules."""
    require_staff(request.user)
    editable = types.may_set_rules(request.user)
    errors = {}
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        p = request.POST
        try:
            mtype = types.meeting_type_update(
                user=request.user,
                type_id=_int_or_404(p.get("type")),
                quorum_percent=p.get("quorum_percent", ""),
                majority=p.get("majority", ""),
                base=p.get("base", ""),
                secret=p.get("secret") == "1",
            )
        except DomainError as error:
            errors = {"type": p.get("type"), "message": error.message}
        else:
            messages.success(request, _("The rules of %(name)s were saved.") % {"name": mtype.name})
            return redirect("meetings:types")
    rows = []
    for t in MeetingType.objects.order_by("id"):
        t.step_labels = [STEP_LABELS.get(code, code) for code in t.steps]
        t.level_label = UnitKind(t.level).label
        rows.append(t)
    return render(
        request,
        "meetings/types.html",
        {
            "types": rows,
            "editable": editable,
            "errors": errors,
            "majorities": MAJORITY_LABELS.items(),
            "bases": BASE_LABELS.items(),
        },
    )
