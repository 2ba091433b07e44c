"""503 Service Unavailable, not 500, while the database (or Redis) cannot be reached.

An `OperationalError` or `InterfaceError` is the database driver saying the server is gone,
refused the connection, or broke off the statement (PEP 249: errors "not necessarily under
the control of the programmer"); a bug in our own SQL is a `ProgrammingError` and stays a 500.
Whichever layer it came from (a view, the session saved after the view), Django turns it into
a 500 response and sends `got_request_exception`; the receiver here notes the cause on the
request, and the middleware, outside every layer that touches the database, swaps the 500 for
a 503 with `Retry-After`: a short page in the reader's language, `{code, message, field}` for
the JSON API, the GeoReport v2 error list for Open311. Nothing in it needs the database.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .middleware import CSP

logger = logging.getLogger("twoway.unavailable")
RETRY_AFTER_SECONDS = 30
API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"

UNREACHABLE: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
try:  # Redis is optional (REDIS_URL); its client is installed with the requirements.
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    UNREACHABLE += (RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover
    pass

_ATTR = "_twoway_unreachable"


def _note_cause(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, UNREACHABLE):
        setattr(request, _ATTR, error)


got_request_exception.connect(_note_cause, dispatch_uid="twoway.unavailable")


def unavailable_response(request) -> HttpResponse:
    """The 503 answer in the shape the path's clients read."""
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(request)
    with translation.override(language):
        message = _("The service is briefly unavailable: its database cannot be reached. Try again in a minute.")
        path = request.path_info
        if path.startswith(API_PREFIX):
            response = JsonResponse({"code": "unavailable", "message": message, "field": None}, status=503)
        elif path.startswith(OPEN311_PREFIX):
            from twoway.open311.render import error

            response = error("xml" if path.endswith(".xml") else "json", 503, message)
        else:
            html = render_to_string("503.html", {"message": message, "retry_after": RETRY_AFTER_SECONDS})
            response = HttpResponse(html, status=503)
            response["Content-Security-Policy"] = CSP
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Place it before SessionMiddleware: every layer that may reach the database is inside it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, _ATTR, None)
        if error is not None and response.status_code == 500:
            logger.warning(
                "%s %s: database or cache unreachable, answered 503 (%s)", request.method, request.path, error
            )
            return unavailable_response(request)
        return response
