"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/): discovery, services, service
definitions, requests and tokens, in .json and .xml. Thin: the rules are in intake.py and the
appeal flow; the mapping of fields is in mapping.py.

Reading requests needs an api_key: appeals are residents' own words (个人信息保护法), so only
client applications the district issued a key to may read them, and a key reads only the
requests it raised unless the district let it read all (never neighbour or family disputes).
"""

from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from twoway.appeals.models import OPEN_STATUSES, Appeal, Category, Status
from twoway.core.errors import DomainError
from twoway.org.models import OrgUnit, UnitKind

from . import mapping
from .intake import ATTRIBUTE_CODES, request_create
from .keys import key_for
from .models import ClientKey, RequestToken
from .ratelimit import rate_hit
from .render import error, respond

MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.RETURNED, Status.MERGED)


class Refusal(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def _param(request, name: str) -> str:
    """A parameter from the form body or the query string; empty counts as absent."""
    value = request.POST.get(name) if request.method == "POST" else None
    if value in (None, ""):
        value = request.GET.get(name, "")
    if "\x00" in (value or ""):
        raise Refusal(400, _("%(name)s: this value is not allowed.") % {"name": name})
    return (value or "").strip()


def _jurisdiction(request) -> OrgUnit | None:
    code = _param(request, "jurisdiction_id")
    districts = OrgUnit.objects.filter(kind=UnitKind.DISTRICT, parent=None, retired_at__isnull=True)
    if code:
        district = districts.filter(code=code).first()
        if district is None:
            raise Refusal(404, _("jurisdiction_id: no jurisdiction has this id."))
        return district
    if districts.count() == 1:
        return districts.first()
    return None


def _key(request, district: OrgUnit | None, *, required: bool) -> ClientKey | None:
    raw = _param(request, "api_key")
    if not raw:
        if required:
            raise Refusal(403, _("api_key: a valid api_key is required."))
        return None
    key = key_for(raw)
    if key is None or key.operator.user is None or not key.operator.user.is_active:
        raise Refusal(403, _("api_key: this api_key is not valid or was revoked."))
    if district is not None and key.district_id != district.pk:
        raise Refusal(403, _("api_key: this api_key is not valid for this jurisdiction."))
    hit = rate_hit(bucket=f"o311:{key.pk}", limit=key.rate_per_minute)
    if not hit.allowed:
        raise Refusal(429, _("Too many requests: at most %(n)s a minute for this key.") % {"n": key.rate_per_minute})
    if hit.first_in_window:
        ClientKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def endpoint(methods=("GET",)):
    """Shared by every endpoint: the allowed methods, no CSRF (no cookies are used: a key is
    sent with each request), and every refusal as the spec's error body in the asked format."""

    def wrap(view):
        @csrf_exempt
        @require_http_methods(list(methods))
        @wraps(view)
        def run(request, fmt, **kwargs):
            if any("\x00" in str(v) for v in kwargs.values()):
                return error(fmt, 404, _("Not found."))
            try:
                return view(request, fmt, **kwargs)
            except Refusal as refusal:
                response = error(fmt, refusal.status, refusal.description)
                if refusal.status == 429:
                    response["Retry-After"] = "60"
                return response
            except DomainError as refusal:
                # The spec answers an unknown service_code with 404, any other bad input with 400.
                return error(fmt, 404 if refusal.code == "unknown_service" else 400, refusal.message)

        return run

    return wrap


@endpoint()
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "json"})).rsplit("services", 1)[0]
    changeset = "2026-11-28T00:00:00+08:00"
    return respond(
        fmt,
        "discovery",
        {
            "changeset": changeset,
            "contact": getattr(settings, "TWOWAY_OPEN311_CONTACT", "") or _("Ask the district office for a key."),
            "key_service": _("API keys are issued by district staff (Open311 client keys page)."),
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base.rstrip("/"),
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


def _services():
    return Category.objects.filter(active=True, parent__isnull=False, parent__active=True).select_related("parent")


@endpoint()
def services(request, fmt):
    _jurisdiction(request)
    return respond(fmt, "services", [mapping.service(c) for c in _services()])


@endpoint()
def service_definition(request, fmt, code):
    _jurisdiction(request)
    category = _services().filter(code=code).first()
    if category is None:
        raise Refusal(404, _("service_code: no service has this code."))
    return respond(fmt, "service_definition", {"service_code": category.code, "attributes": mapping.attributes()})


def _readable(key: ClientKey):
    """The appeals a key may read."""
    appeals = Appeal.objects.select_related("category", "handling_unit")
    if key.read_all:
        return appeals.filter(origin_unit__path__startswith=key.district.path, mediation=False)
    return appeals.filter(pk__in=RequestToken.objects.filter(key=key).values("appeal_id"))


def _date(request, name: str) -> datetime | None:
    raw = _param(request, name)
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+")) if "T" in raw else None
    if value is None:
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            value = None
    # Years far from now are refused too: a year 1 or 9999 overflows the 90-day window.
    if value is None or not 1900 <= value.year <= 2999:
        raise Refusal(400, _("%(name)s: use a w3c date and time, e.g. 2026-11-28T08:00:00+08:00.") % {"name": name})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _list(request, name: str) -> list[str]:
    return [v.strip() for v in _param(request, name).split(",") if v.strip()]


@endpoint(methods=("GET", "POST"))
def requests_(request, fmt):
    district = _jurisdiction(request)
    if request.method == "POST":
        return _create(request, fmt, district)
    key = _key(request, district, required=True)
    qs = _readable(key)
    ids = _list(request, "service_request_id")
    if ids:
        # The spec: a list of ids overrides every other parameter.
        qs = qs.filter(number__in=ids[:MAX_RESULTS])
    else:
        codes = _list(request, "service_code")
        if codes:
            qs = qs.filter(category__code__in=codes)
        statuses = _list(request, "status")
        if statuses:
            if not set(statuses) <= {"open", "closed"}:
                raise Refusal(400, _("status: use open or closed."))
            if statuses == ["open"]:
                qs = qs.filter(status__in=OPEN_STATUSES)
            elif statuses == ["closed"]:
                qs = qs.filter(status__in=CLOSED_STATUSES)
        start, end = _date(request, "start_date"), _date(request, "end_date")
        if start and end and end < start:
            raise Refusal(400, _("end_date: the end comes before the start."))
        if start and end and end - start > MAX_SPAN:
            raise Refusal(400, _("start_date/end_date: the span is at most 90 days."))
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - MAX_SPAN
        if end is None:
            end = start + MAX_SPAN
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
    appeals = qs.order_by("-created_at", "-id")[:MAX_RESULTS]
    return respond(fmt, "service_requests", mapping.service_requests(appeals))


def _create(request, fmt, district):
    key = _key(request, district, required=True)
    attributes = {}
    for code in ATTRIBUTE_CODES:
        value = request.POST.get(f"attribute[{code}]", "")
        if value.strip():
            attributes[code] = value
    service_code = _param(request, "service_code")
    if not service_code:
        raise Refusal(400, _("service_code: this field is required."))
    name = (_param(request, "last_name") + _param(request, "first_name")).strip()
    appeal, token = request_create(
        key=key,
        service_code=service_code,
        description=_param(request, "description"),
        phone=_param(request, "phone"),
        name=name,
        lat=_param(request, "lat") or None,
        lng=_param(request, "long") or None,
        address=_param(request, "address_string"),
        address_id=_param(request, "address_id"),
        media_url=_param(request, "media_url"),
        attributes=attributes,
        idem_key=request.headers.get("Idempotency-Key", "").strip(),
    )
    notice = _("Received by %(unit)s, to be accepted by %(due)s.") % {
        "unit": appeal.handling_unit.name,
        "due": timezone.localtime(appeal.due_at).strftime("%Y-%m-%d %H:%M") if appeal.due_at else "—",
    }
    return respond(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": appeal.number,
                "token": token.token,
                "service_notice": notice,
            }
        ],
    )


@endpoint()
def request_detail(request, fmt, request_id):
    key = _key(request, _jurisdiction(request), required=True)
    appeal = _readable(key).filter(number=request_id).first()
    if appeal is None:
        raise Refusal(404, _("service_request_id: no request has this id."))
    return respond(fmt, "service_requests", mapping.service_requests([appeal]))


@endpoint()
def token(request, fmt, token_id):
    key = _key(request, _jurisdiction(request), required=True)
    found = RequestToken.objects.filter(token=token_id, appeal__in=_readable(key).values("pk")).select_related("appeal")
    found = found.first()
    if found is None:
        raise Refusal(404, _("token: no request has this token."))
    return respond(fmt, "service_requests", [{"service_request_id": found.appeal.number, "token": found.token}])
