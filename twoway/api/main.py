"""The JSON API (/api/v1/): Django Ninja, typed, documented at /api/v1/docs.

Authentication: `Authorization: Bearer <token>`, a token a staff member issues for their app
on the API tokens page. The token acts as its owner: every endpoint reads through the same
scope functions as the pages (org.scope, appeals.access, meetings.selectors, station.access) and
writes through the same domain functions (appeals.flow, meetings.votes, station.services); KPIs
come from the dashboard's own functions (supervision.kpis). Every error is {code, message, field}.
"""

import json

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from twoway.core.errors import DomainError
from twoway.open311.ratelimit import rate_hit

from .models import AccessToken
from .tokens import token_user


class RateLimited(Exception):
    def __init__(self, limit: int):
        self.limit = limit


class TokenAuth(HttpBearer):
    """A bearer token issued on the API tokens page; the request then acts as its owner."""

    openapi_description = "A token from the API tokens page (/api/v1/tokens/): Authorization: Bearer tw_…"

    def authenticate(self, request, token):
        found = token_user(token)
        if found is None or not found.user.is_active:
            return None
        hit = rate_hit(bucket=f"api:{found.pk}", limit=found.rate_per_minute)
        if not hit.allowed:
            raise RateLimited(found.rate_per_minute)
        if hit.first_in_window:
            AccessToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class VendoredSwagger(DocsBase):
    """Swagger UI from our own static files (no CDN; the page works on an intranet), started by
    a static script (no inline script: the Content-Security-Policy forbids them)."""

    def render_page(self, request, api, **kwargs):
        config = {
            "url": self.get_openapi_url(api, kwargs),
            "dom_id": "#swagger-ui",
            "deepLinking": True,
            "persistAuthorization": False,
        }
        return render(
            request,
            "api/docs.html",
            {"api": api, "config": json.dumps(config), "css": static("api/vendor/swagger-ui/swagger-ui.css")},
        )


class API(NinjaAPI):
    """The schema is built once per prefix: building it takes seconds, and it only changes with the code."""

    _schemas: dict = {}

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        if path_prefix not in self._schemas:
            self._schemas[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return self._schemas[path_prefix]


api = API(
    title="twoway API",
    version="1",
    description=(
        "The JSON API of twoway, the five-level two-way community governance platform "
        "(DB 3716/T 69—2024). Staff apps authenticate with a bearer token and see exactly what "
        "their owner sees on the pages. Errors are always {code, message, field}. "
        "Open311 GeoReport v2 is served separately at /open311/v2/."
    ),
    urls_namespace="api",
    auth=TokenAuth(),
    docs=VendoredSwagger(),
    renderer=Renderer(),
)


def _error(request, status: int, code: str, message: str, field: str | None = None):
    return api.create_response(request, {"code": code, "message": str(message), "field": field}, status=status)


@api.exception_handler(DomainError)
def _domain(request, exc: DomainError):
    conflicts = {"already_handled", "already_rated", "already_revoked", "duplicate", "late", "not_open"}
    status = 409 if exc.code in conflicts else 400
    return _error(request, status, exc.code, exc.message, exc.field)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", _("Not found, or outside your area."))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    # A refusal may say why (e.g. "only staff see the KPIs"); by default it is a write refused.
    return _error(request, 403, "forbidden", str(exc) or _("You may see this but not change it."))


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    response = _error(
        request, 401, "unauthorized", _("Send a valid token: Authorization: Bearer <token> (API tokens page).")
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(RateLimited)
def _rate_limited(request, exc: RateLimited):
    response = _error(
        request, 429, "rate_limited", _("Too many requests: at most %(n)s a minute for this token.") % {"n": exc.limit}
    )
    response["Retry-After"] = "60"
    return response


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "bad_request" if exc.status_code == 400 else "error", str(exc))


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [
        str(p)
        for p in first.get("loc", ())
        if p not in ("body", "query", "path", "header", "payload", "data", "filters")
    ]
    field = loc[0] if loc else None
    problem = first.get("msg", "invalid")
    message = _("%(field)s: %(problem)s") % {"field": ".".join(loc) or _("request"), "problem": problem}
    return _error(request, 422, "invalid", message, field)


def _routers():
    from . import appeals, kpis, meetings, notices, station

    api.add_router("/", appeals.router)
    api.add_router("/", meetings.router)
    api.add_router("/", notices.router)
    api.add_router("/", station.router)
    api.add_router("/", kpis.router)
    from . import later

    later.add_routers(api)


_routers()


def docs_url() -> str:
    return reverse("api:openapi-view")
