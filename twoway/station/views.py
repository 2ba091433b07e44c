"""Station pages: thin. They parse the form, call `services` / `selectors`, and render."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from twoway.core.errors import DomainError
from twoway.core.pages import paginate, run_form_action
from twoway.core.parse import as_int
from twoway.org.models import OrgUnit, Person, UnitKind
from twoway.org.scope import require_staff, scope_for, unit_get
from twoway.org.validation import mask_phone

from . import selectors, services
from .access import (
    can_act,
    complaint_get,
    is_own,
    item_get,
    record_get,
    resident_records,
    staff_q_for,
    station_get,
    visible_complaints,
    visible_records,
    visible_stations,
)
from .forms import AcceptForm, ComplaintForm, ItemForm, ReplyForm, ResultForm, RotaForm
from .models import (
    CatalogueVersion,
    ItemKind,
    Mode,
    RatingChannel,
    RecordStatus,
    Satisfaction,
    Station,
    Weekday,
)


def _station_staff(station: Station):
    return Person.objects.filter(staff_q_for(station), retired_at__isnull=True).distinct().order_by("name")


def _unit_filter(request, qs, lookup: str):
    """?unit=<id>: only that unit's subtree (404 for a unit outside the viewer's area)."""
    if not request.GET.get("unit"):
        return qs, None
    unit = unit_get(request.user, request.GET["unit"])
    return qs.filter(**{f"{lookup}__path__startswith": unit.path}), unit


@login_required
def index(request):
    """The stations in the viewer's area, each with its B.1.5 check and this month's count."""
    require_staff(request.user)
    stations, unit = _unit_filter(request, visible_stations(request.user), "community")
    q = request.GET.get("q", "").strip()
    if q:
        stations = stations.filter(name__icontains=q)
    page = paginate(request, stations)
    start, end = selectors.month_bounds(timezone.localtime().strftime("%Y-%m"))
    rows = []
    for s in page:
        rows.append(
            {
                "station": s,
                "check": services.compliance(s),
                "month": s.records.filter(received_at__gte=start, received_at__lt=end).count(),
            }
        )
    scope = scope_for(request.user)
    without = (
        OrgUnit.objects.filter(scope.q("path", write=True), kind=UnitKind.COMMUNITY, retired_at__isnull=True)
        .filter(station__isnull=True)
        .order_by("path")[:20]
    )
    return render(request, "station/index.html", {"page": page, "rows": rows, "q": q, "unit": unit, "without": without})


@login_required
@require_POST
def setup(request, pk):
    """Set up the station of a community in the user's area, with the standard catalogue."""
    unit = unit_get(request.user, pk, write=True)
    try:
        station = services.station_ensure(community=unit)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("station:index")
    return redirect(station)


@login_required
def detail(request, pk):
    station = station_get(request.user, pk)
    totals = selectors.monthly_totals(station.records.all())[:6]
    open_records = (
        station.records.filter(
            status__in=[RecordStatus.BOOKED, RecordStatus.ACCEPTED, RecordStatus.HANDED_OFF, RecordStatus.RETURNED]
        )
        .select_related("first_owner")
        .order_by("due_at", "received_at")[:20]
    )
    now = timezone.now()
    for r in open_records:
        r.card = services.record_card(r, now)
    return render(
        request,
        "station/detail.html",
        {
            "station": station,
            "check": services.compliance(station),
            "totals": totals,
            "open_records": open_records,
            "rota": station.rota.select_related("person"),
            "can_act": can_act(request.user, station),
            "complaints_open": station.complaints.filter(replied_at__isnull=True).count(),
        },
    )


@login_required
def catalogue(request, pk):
    station = station_get(request.user, pk)
    items = station.items.all()
    q = request.GET.get("q", "").strip()
    if q:
        items = items.filter(name__icontains=q) | items.filter(code__icontains=q) | items.filter(area__icontains=q)
    kind = request.GET.get("kind", "")
    if kind in ItemKind.values:
        items = items.filter(kind=kind)
    return render(
        request,
        "station/catalogue.html",
        {
            "station": station,
            "page": paginate(request, items.order_by("retired_at", "kind", "sort", "code"), per_page=30),
            "q": q,
            "kind": kind,
            "can_act": can_act(request.user, station),
            "check": services.compliance(station),
            "versions": station.versions.select_related("published_by")[:5],
        },
    )


def _item_form_page(request, station, item=None):
    form = ItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        saved = run_form_action(
            form, services.item_save, user=request.user, station_id=station.pk, item_id=item and item.pk, data=data
        )
        if saved is not None:
            messages.success(request, _("Saved. Publish the catalogue to show the change to residents."))
            return redirect("station:catalogue", pk=station.pk)
    title = _("Change item %(name)s") % {"name": item.name} if item else _("New service item")
    return render(
        request, "station/form.html", {"form": form, "title": title, "station": station, "back_url": station.pk}
    )


@login_required
def item_new(request, pk):
    station = station_get(request.user, pk, write=request.method == "POST")
    if not can_act(request.user, station):
        raise PermissionDenied
    return _item_form_page(request, station)


@login_required
def item_edit(request, pk):
    item = item_get(request.user, pk, write=True)
    return _item_form_page(request, item.station, item)


@login_required
@require_POST
def item_withdraw(request, pk):
    item = item_get(request.user, pk, write=True)
    services.item_withdraw(user=request.user, item_id=item.pk, withdraw=item.retired_at is None)
    messages.success(request, _("Saved. Publish the catalogue to show the change to residents."))
    return redirect("station:catalogue", pk=item.station_id)


@login_required
@require_POST
def publish(request, pk):
    station = station_get(request.user, pk, write=True)
    try:
        version = services.catalogue_publish(
            user=request.user, station_id=station.pk, note=request.POST.get("note", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Version %(n)s of the catalogue is published.") % {"n": version.number})
    return redirect("station:catalogue", pk=station.pk)


def public_catalogue(request):
    """The published catalogue (事项清单公示, B.1.5) and contacts (B.1.2), for anyone, no login.
    It reads only the frozen published version and the rota's work contacts: nothing personal."""
    stations = Station.objects.filter(published_version__gt=0).select_related("community__parent")
    station = None
    version = None
    if request.GET.get("station"):
        try:
            station = stations.get(pk=int(request.GET["station"]))
        except (ValueError, Station.DoesNotExist):
            raise Http404 from None
        version = CatalogueVersion.objects.get(station=station, number=station.published_version)
        q = request.GET.get("q", "").strip()
        items = version.items
        if q:
            items = [i for i in items if q in i["name"] or q in i["area"] or q in i["guide"]]
        kind = request.GET.get("kind", "")
        if kind in ItemKind.values:
            items = [i for i in items if i["kind"] == kind]
        for i in items:
            i["days_label"] = services.days_label(i["time_limit_days"])
        return render(
            request,
            "station/public.html",
            {
                "station": station,
                "version": version,
                "items": items,
                "q": q,
                "kind": kind,
                "rota": station.rota.select_related("person"),
            },
        )
    q = request.GET.get("q", "").strip()
    if q:
        stations = stations.filter(name__icontains=q)
    return render(request, "station/public_index.html", {"page": paginate(request, stations), "q": q})


@login_required
def accept(request, pk):
    """一窗受理: any staff member of the station takes any item of its catalogue."""
    station = station_get(request.user, pk, write=True)
    items = list(station.items.filter(retired_at__isnull=True).order_by("kind", "sort", "code"))
    residents = Person.objects.filter(unit__path__startswith=station.community.path, retired_at__isnull=True)
    q = request.GET.get("who", "").strip()
    found = list(residents.filter(name__icontains=q).order_by("name")[:50]) if q else []
    chosen = request.POST.get("resident") or request.GET.get("resident")
    if chosen:
        found += list(residents.filter(pk=as_int(chosen, 0)))
    initial = {"idem_key": uuid.uuid4().hex}
    if request.GET.get("item"):
        initial["item"] = request.GET["item"]
    if request.GET.get("mode") in Mode.values:
        initial["mode"] = request.GET["mode"]
    form = AcceptForm(
        request.POST or None, initial=initial, items=items, residents=found, staff=_station_staff(station)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        booked_for = d["booked_for"]
        if booked_for is not None and timezone.is_naive(booked_for):
            booked_for = timezone.make_aware(booked_for)
        record = run_form_action(
            form,
            services.record_accept,
            user=request.user,
            station_id=station.pk,
            item_id=d["item"],
            resident_id=d["resident"],
            resident_name=d["resident_name"],
            resident_phone=d["resident_phone"],
            mode=d["mode"],
            first_owner_id=d["first_owner"],
            booked_for=booked_for,
            place=d["place"],
            note=d["note"],
            idem_key=d["idem_key"],
        )
        if record is not None:
            messages.success(request, _("Accepted as %(number)s.") % {"number": record.number})
            return redirect("station:record", pk=record.pk)
    return render(request, "station/accept.html", {"station": station, "form": form, "who": q, "found": found})


@login_required
def record(request, pk):
    rec = record_get(request.user, pk)
    own = is_own(request.user, rec)
    staff = scope_for(request.user).covers(rec.station.community.path)
    if own and not staff:
        return redirect("station:rate", pk=rec.pk)
    return render(
        request,
        "station/record.html",
        {
            "r": rec,
            "item": rec.item,
            "card": services.record_card(rec),
            "handoff_due": services.handoff_due(rec),
            "events": rec.events.select_related("actor"),
            "can_act": can_act(request.user, rec.station),
            "result_form": ResultForm(),
            "phone": mask_phone(rec.resident_phone),
            "days_label": services.days_label(rec.item.time_limit_days),
        },
    )


RECORD_ACTIONS = {
    "start": lambda request, pk: services.record_start(user=request.user, record_id=pk),
    "hand_off": lambda request, pk: services.record_hand_off(
        user=request.user, record_id=pk, to=request.POST.get("to", ""), note=request.POST.get("note", "")
    ),
    "back": lambda request, pk: services.record_back(
        user=request.user, record_id=pk, note=request.POST.get("note", "")
    ),
    "complete": lambda request, pk: services.record_complete(
        user=request.user, record_id=pk, result=request.POST.get("result", "")
    ),
    "cancel": lambda request, pk: services.record_cancel(
        user=request.user, record_id=pk, reason=request.POST.get("reason", "")
    ),
    "send_checklist": lambda request, pk: services.checklist_send(user=request.user, record_id=pk),
}


@login_required
@require_POST
def record_act(request, pk, action):
    rec = record_get(request.user, pk, write=True)
    run = RECORD_ACTIONS.get(action)
    if run is None:
        raise Http404
    try:
        run(request, rec.pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
        if action == "complete":
            return redirect("station:kiosk_rate", pk=rec.pk) if request.POST.get("kiosk") else redirect(rec)
    return redirect(rec)


@login_required
def checklist(request, pk):
    """一次告知: the printable list of everything the resident needs for this item."""
    rec = record_get(request.user, pk, write=True)
    return render(
        request,
        "station/checklist.html",
        {"r": rec, "item": rec.item, "days_label": services.days_label(rec.item.time_limit_days)},
    )


def _rate_page(request, rec, channel, template):
    error = None
    if request.method == "POST":
        try:
            services.record_rate(
                user=request.user,
                record_id=rec.pk,
                satisfaction=request.POST.get("satisfaction", ""),
                comment=request.POST.get("comment", ""),
                channel=channel,
            )
        except DomainError as e:
            error = e.message
        else:
            return redirect(request.path + "?thanks=1")
        rec.refresh_from_db()
    return render(
        request,
        template,
        {
            "r": rec,
            "choices": Satisfaction.choices,
            "error": error,
            "thanks": request.GET.get("thanks") == "1" and rec.satisfaction,
        },
    )


@login_required
def rate(request, pk):
    """The resident rates a service on their own phone: big buttons, one tap and send."""
    rec = record_get(request.user, pk)
    if not is_own(request.user, rec):
        raise Http404
    return _rate_page(request, rec, RatingChannel.PHONE, "station/rate.html")


@login_required
def kiosk(request, pk):
    """The desk's kiosk: today's completed services waiting for the resident's rating."""
    station = station_get(request.user, pk, write=True)
    since = timezone.now() - timezone.timedelta(hours=12)
    waiting = station.records.filter(status=RecordStatus.DONE, satisfaction="", done_at__gte=since).order_by(
        "-done_at"
    )[:12]
    return render(request, "station/kiosk.html", {"station": station, "waiting": waiting})


@login_required
def kiosk_rate(request, pk):
    rec = record_get(request.user, pk, write=True)
    return _rate_page(request, rec, RatingChannel.KIOSK, "station/kiosk_rate.html")


@login_required
def mine(request):
    person = scope_for(request.user).person
    if person is None:
        raise Http404
    page = paginate(request, resident_records(person).select_related("station"))
    return render(request, "station/mine.html", {"page": page})


def _ledger_qs(request):
    require_staff(request.user)
    qs, unit = _unit_filter(request, visible_records(request.user), "station__community")
    station = None
    if request.GET.get("station"):
        station = station_get(request.user, request.GET["station"])
    filters = {k: request.GET.get(k, "").strip() for k in ("month", "status", "mode", "kind", "q")}
    return selectors.ledger(qs, station_id=station and station.pk, **filters), station, unit, filters


@login_required
def ledger(request):
    """工作台账 (B.1.7): every service of the stations in the viewer's area."""
    qs, station, unit, filters = _ledger_qs(request)
    page = paginate(request, qs)
    now = timezone.now()
    for r in page:
        r.card = services.record_card(r, now)
    return render(
        request,
        "station/ledger.html",
        {
            "page": page,
            "station": station,
            "unit": unit,
            "f": filters,
            "stations": visible_stations(request.user).select_related(None).only("pk", "name"),
            "statuses": RecordStatus.choices,
            "modes": Mode.choices,
            "kinds": ItemKind.choices,
        },
    )


@login_required
def ledger_export(request):
    qs, station, unit, filters = _ledger_qs(request)
    content, count = selectors.ledger_xlsx(qs)
    services.export_audit(request=request, count=count, query=dict(request.GET.items()))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="station-ledger-{stamp}.xlsx"'
    return response


@login_required
def totals(request):
    """Monthly totals per station (a street sees all its stations side by side)."""
    require_staff(request.user)
    qs, unit = _unit_filter(request, visible_records(request.user), "station__community")
    rows = selectors.monthly_totals(qs)
    months = sorted({r.month for r in rows}, reverse=True)
    month = request.GET.get("month") or (months[0].strftime("%Y-%m") if months else "")
    shown = [r for r in rows if r.month.strftime("%Y-%m") == month]
    return render(
        request,
        "station/totals.html",
        {"rows": shown, "months": months, "month": month, "unit": unit, "sum": _sum(shown)},
    )


def _sum(rows):
    if not rows:
        return None
    fields = ["total", "direct", "proxy", "door", "after_hours", "done", "on_time", "overdue_open", "rated"]
    out = {f: sum(getattr(r, f) for r in rows) for f in fields}
    good = sum(r.satisfied + r.basic for r in rows)
    out["satisfaction_rate"] = round(100 * good / out["rated"], 1) if out["rated"] else None
    return out


@login_required
def complaints(request, pk):
    """Complaints and suggestions (B.2.5) of one station, with their handling and reply."""
    station = station_get(request.user, pk, write=request.method == "POST")
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_form_action(form, services.complaint_add, user=request.user, station_id=station.pk, **form.cleaned_data):
            messages.success(request, _("Recorded."))
            return redirect("station:complaints", pk=station.pk)
    page = paginate(request, visible_complaints(request.user).filter(station=station))
    return render(
        request,
        "station/complaints.html",
        {"station": station, "form": form, "page": page, "can_act": can_act(request.user, station)},
    )


@login_required
def complaint(request, pk):
    c = complaint_get(request.user, pk, write=request.method == "POST")
    form = ReplyForm(request.POST or None, initial={"handling": c.handling, "reply": c.reply})
    if request.method == "POST" and form.is_valid():
        if run_form_action(form, services.complaint_reply, user=request.user, complaint_id=c.pk, **form.cleaned_data):
            messages.success(request, _("Saved."))
            return redirect("station:complaints", pk=c.station_id)
    return render(
        request, "station/complaint.html", {"c": c, "form": form, "can_act": can_act(request.user, c.station)}
    )


@login_required
def rota(request, pk):
    """The desk rota with A/B roles (AB角, B.1.2); the work phones are published."""
    station = station_get(request.user, pk, write=request.method == "POST")
    form = RotaForm(request.POST or None, staff=_station_staff(station))
    if request.method == "POST":
        if request.POST.get("clear"):
            weekday, role = request.POST.get("weekday", ""), request.POST.get("role", "")
            services.rota_clear(user=request.user, station_id=station.pk, weekday=weekday, role=role)
            return redirect("station:rota", pk=station.pk)
        if form.is_valid():
            d = form.cleaned_data
            if run_form_action(
                form,
                services.rota_set,
                user=request.user,
                station_id=station.pk,
                weekday=d["weekday"],
                role=d["role"],
                person_id=d["person"],
                work_phone=d["work_phone"],
            ):
                messages.success(request, _("Saved."))
                return redirect("station:rota", pk=station.pk)
    entries = {(e.weekday, e.role): e for e in station.rota.select_related("person")}
    days = [(value, label, entries.get((value, "A")), entries.get((value, "B"))) for value, label in Weekday.choices]
    return render(
        request,
        "station/rota.html",
        {"station": station, "form": form, "days": days, "can_act": can_act(request.user, station)},
    )
