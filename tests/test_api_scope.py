"""The scope test for the JSON API (R-1.3): every API route, called over HTTP with a token of
each role, for records outside the role's area and for guessed ids. The page scope test
(tests/test_scope.py) logs in with sessions, which the API refuses; this one uses tokens.

A route of the API without a case below fails `test_every_api_route_has_a_case`.
"""

import pytest
import requests
from django.urls import URLPattern, get_resolver

from twoway.api.models import AccessToken
from twoway.appeals.models import Appeal, Extension
from twoway.forward.models import Task
from twoway.meetings.models import Meeting, Motion
from twoway.open311.models import digest
from twoway.org.models import OrgUnit, Person
from twoway.station.models import ServiceRecord, Station

from .scope_registry import ById, _appeal_concerns, _appeal_paths, _meeting_concerns, _seed_appeals, _seed_meetings
from .test_scope import AREAS, _foreign, _in_area, _leak_texts

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

APPEAL = ById(Appeal, _appeal_paths, lambda a: a.description, concerns=_appeal_concerns)
MEETING = ById(Meeting, lambda m: m.unit.path, lambda m: m.title, concerns=_meeting_concerns)
MOTION = ById(
    Motion,
    lambda m: m.topic.meeting.unit.path,
    lambda m: m.text,
    concerns=lambda m, person: _meeting_concerns(m.topic.meeting, person),
)
EXTENSION = ById(
    Extension,
    lambda x: _appeal_paths(x.appeal),
    lambda x: x.appeal.description,
    concerns=lambda x, person: _appeal_concerns(x.appeal, person),
)

TASK = ById(Task, lambda t: t.unit.path, lambda t: t.title)
STATION = ById(Station, lambda s: s.community.path, lambda s: s.name)
RECORD = ById(
    ServiceRecord,
    lambda r: r.station.community.path,
    lambda r: r.number,
    concerns=lambda r, person: r.resident_id == person.pk,
)

# name -> (method, path with {pk}, the case of the record named by pk, a valid body)
BY_ID = {
    "appeal_read": ("GET", "/appeals/{pk}", APPEAL, None),
    "appeal_accept": ("POST", "/appeals/{pk}/accept", APPEAL, {}),
    "appeal_return": ("POST", "/appeals/{pk}/return", APPEAL, {"reason": "退回"}),
    "appeal_note": ("POST", "/appeals/{pk}/note", APPEAL, {"note": "进展"}),
    "appeal_resolve": ("POST", "/appeals/{pk}/resolve", APPEAL, {"outcome": "办结"}),
    "appeal_escalate": ("POST", "/appeals/{pk}/escalate", APPEAL, {"reason": "上报"}),
    "appeal_assign": ("POST", "/appeals/{pk}/assign", APPEAL, {"department": 1}),
    "appeal_answer": ("POST", "/appeals/{pk}/answer", APPEAL, {"answer": "答复"}),
    "appeal_rate": ("POST", "/appeals/{pk}/rate", APPEAL, {"score": "satisfied"}),
    "appeal_merge": ("POST", "/appeals/{pk}/merge", APPEAL, {"others": [1]}),
    "appeal_supervise": ("POST", "/appeals/{pk}/supervise", APPEAL, {"note": "督办"}),
    "appeal_extension": ("POST", "/appeals/{pk}/extensions", APPEAL, {"days": 1, "reason": "延期"}),
    "appeal_link_resource": ("POST", "/appeals/{pk}/resources", APPEAL, {"resource": 1, "part": "调解"}),
    "extension_decide": ("POST", "/extensions/{pk}/decide", EXTENSION, {"approve": True}),
    "meeting_read": ("GET", "/meetings/{pk}", MEETING, None),
    "ballot_cast": ("POST", "/motions/{pk}/ballot", MOTION, {"choice": "for"}),
    "motion_open": ("POST", "/motions/{pk}/open", MOTION, {}),
    "motion_close": ("POST", "/motions/{pk}/close", MOTION, {}),
    "task_read": ("GET", "/tasks/{pk}", TASK, None),
    "station_read": ("GET", "/stations/{pk}", STATION, None),
    "service_item_list": ("GET", "/stations/{pk}/items", STATION, None),
    "service_item_read": ("GET", "/stations/{pk}/items/P03", STATION, None),
    "service_record_accept": ("POST", "/stations/{pk}/records", STATION, {"item": "D01", "resident_name": "越权"}),
    "service_record_read": ("GET", "/service-records/{pk}", RECORD, None),
    "service_record_start": ("POST", "/service-records/{pk}/start", RECORD, {}),
    "service_record_hand_off": ("POST", "/service-records/{pk}/hand-off", RECORD, {}),
    "service_record_back": ("POST", "/service-records/{pk}/back", RECORD, {}),
    "service_record_complete": ("POST", "/service-records/{pk}/complete", RECORD, {"result": "办结"}),
    "service_record_cancel": ("POST", "/service-records/{pk}/cancel", RECORD, {"reason": "取消"}),
    "service_record_rate": ("POST", "/service-records/{pk}/rate", RECORD, {"satisfaction": "satisfied"}),
}
# name -> (path, whether ?unit= narrows it to a unit in the caller's area)
LISTS = {
    "appeal_list": ("/appeals", True),
    "meeting_list": ("/meetings", True),
    "task_list": ("/tasks", True),
    "station_list": ("/stations", True),
    "service_record_list": ("/service-records", True),
    "kpi_read": ("/kpis", True),
    "kpi_ranking": ("/kpis/ranking", True),
}
# Same for every caller: no personal data (categories; notices, public as on the public page).
PUBLIC = {"categories", "notice_list", "notice_read"}
# Writes that name no record in the path: attacked with a resident outside the area.
CREATE = {"appeal_create"}
NOT_DATA = {"api-root", "openapi-json", "openapi-view", "tokens", "token_revoke"}


def api_route_names() -> set[str]:
    resolver = get_resolver()
    api = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "api")
    return {p.name for p in api.url_patterns if isinstance(p, URLPattern) and p.name} - NOT_DATA


def test_every_api_route_has_a_case():
    cases = set(BY_ID) | set(LISTS) | PUBLIC | CREATE
    assert api_route_names() - cases == set(), "API routes with no case in tests/test_api_scope.py"
    assert cases - api_route_names() == set(), "cases for API routes that no longer exist"


def _seed_motions(tree):
    """A motion on every seeded meeting's topic, so the ballot routes have foreign records."""
    for meeting in Meeting.objects.all():
        topic = meeting.topics.first()
        Motion.objects.create(topic=topic, text=f"{meeting.title}的表决事项")


def _token(person) -> str:
    raw = f"tw_scope_{person.pk}"
    AccessToken.objects.create(
        user=person.user, name="scope", prefix=raw[:16], digest=digest(raw), rate_per_minute=5000
    )
    return raw


VIEWERS = sorted(k for k, area in AREAS.items() if area != "district")


@pytest.mark.parametrize("viewer_key", VIEWERS)
def test_no_role_reaches_records_outside_its_area_through_the_api(tree, live_server, viewer_key, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _seed_appeals(tree)
    _seed_meetings(tree)
    _seed_motions(tree)
    from .scope_cases.forward import _seed_forward  # here: that module imports the registry first

    _seed_forward(tree)
    from .scope_cases.station import _seed_station

    _seed_station(tree)
    base = f"{live_server.url}/api/v1"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {_token(tree[viewer_key])}"
    leak_texts = _leak_texts(tree, viewer_key)
    foreign_unit = next(u for u in OrgUnit.objects.order_by("-path") if not _in_area(tree, viewer_key, u.path))
    failures = []

    def call(method, path, body=None, **params):
        if method == "GET":
            return session.get(base + path, params=params, timeout=20)
        return session.post(base + path, json=body, params=params, timeout=20)

    for name, (path, narrows) in LISTS.items():
        for params in ({}, {"limit": 100}, {"unit": foreign_unit.pk} if narrows else {}):
            response = call("GET", path, **params)
            if response.status_code >= 500:
                failures.append(f"{name} {params}: {response.status_code}")
            elif response.status_code == 200:
                if "unit" in params:
                    failures.append(f"{name} {params}: a unit outside the area answered 200")
                leaked = [t for t in leak_texts if t in response.text]
                if leaked:
                    failures.append(f"{name} {params}: shows {leaked[:3]}")

    for name, (method, path, case, body) in BY_ID.items():
        targets = [(r.pk, case.text_of(r)) for r in _foreign(tree, viewer_key, case)]
        guessed = (case.model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
        for pk, text in [*targets, (guessed, None)]:
            response = call(method, path.format(pk=pk), body)
            if response.status_code not in (403, 404):
                failures.append(f"{method} {path.format(pk=pk)} ({name}): {response.status_code} {response.text[:200]}")
            elif text and text in response.text:
                failures.append(f"{method} {path.format(pk=pk)} ({name}): the error shows {text}")
            elif set(response.json()) != {"code", "message", "field"}:
                failures.append(f"{method} {path.format(pk=pk)} ({name}): not the error shape")

    # Raising an appeal for a resident outside the area.
    before = Appeal.objects.count()
    outsiders = [p for p in Person.objects.filter(unit__kind="group") if not _in_area(tree, viewer_key, p.unit.path)]
    outsiders = [p for p in outsiders if p.household_id != tree[viewer_key].household_id][:3]
    for person in outsiders:
        response = call("POST", "/appeals", {"category": "ENV01", "description": "越权代提", "on_behalf_of": person.pk})
        if response.status_code not in (403, 404) or person.name in response.text:
            failures.append(f"POST /appeals on behalf of {person.name}: {response.status_code}")
    if Appeal.objects.count() != before:
        failures.append("an appeal was raised for a resident outside the area")

    assert not failures, "\n".join(failures)
