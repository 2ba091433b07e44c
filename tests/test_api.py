"""The JSON API over real HTTP (live_server): token auth, the error shape, appeals (create with
an idempotency key, filters, cursor pages, detail, every transition), meetings and ballots,
notices, the rate limit, and the documentation served from our own files."""

import re

import pytest
import requests
from django.utils import timezone

from twoway.api import tokens
from twoway.api.models import AccessToken
from twoway.appeals.models import Appeal, Category, Resource, Status
from twoway.meetings import agenda
from twoway.meetings.models import Motion, MotionStatus
from twoway.notices.models import Notice

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Api:
    """Calls /api/v1/ over HTTP with one person's token."""

    def __init__(self, base: str, token: str | None, language: str = "zh-hans"):
        self.base, self.token, self.language = base, token, language

    def speaking(self, language: str) -> "Api":
        """The same client, asking for answers in another language (Accept-Language)."""
        return Api(self.base, self.token, language)

    def _headers(self, extra=None):
        headers = {"Accept-Language": self.language, **(extra or {})}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, path, **params):
        return requests.get(f"{self.base}{path}", params=params, headers=self._headers(), timeout=20)

    def post(self, path, body=None, headers=None):
        return requests.post(f"{self.base}{path}", json=body or {}, headers=self._headers(headers), timeout=20)


def api_client(tree, base_url: str, key: str | None) -> Api:
    """An Api client at the live server `base_url` with a fresh token of tree[key] (None: no token)."""
    if key is None:
        return Api(f"{base_url}/api/v1", None)
    user = tree[key].user
    if tree[key].roles.filter(kind__in=("leader", "staff", "group_leader", "grid_worker", "auditor")).exists():
        _row, raw = tokens.token_issue(user=user, name=f"{key} app")
    else:  # residents get no token from the page; an app of their own would be issued one like this
        raw = f"tw_{key}_test_token"
        from twoway.open311.models import digest

        AccessToken.objects.get_or_create(
            digest=digest(raw), defaults={"user": user, "name": "resident app", "prefix": raw[:9]}
        )
    return Api(f"{base_url}/api/v1", raw)


@pytest.fixture
def api_as(tree, live_server):
    """api_as("street_officer") -> an Api client with a fresh token of that person."""
    return lambda key: api_client(tree, live_server.url, key)


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "field"}, body
    assert body["message"]
    return body


def test_without_a_valid_token_every_route_answers_401_with_the_error_shape(api_as, tree):
    anonymous = api_as(None)
    assert error_of(anonymous.get("/appeals"), 401)["code"] == "unauthorized"
    assert error_of(anonymous.post("/appeals/1/accept"), 401)["code"] == "unauthorized"
    assert error_of(Api(anonymous.base, "tw_wrong").get("/appeals"), 401)["code"] == "unauthorized"
    officer = api_as("street_officer")
    assert officer.get("/appeals").status_code == 200
    token = AccessToken.objects.get(user=tree["street_officer"].user)
    tokens.token_revoke(user=tree["street_officer"].user, token_id=token.pk)
    error_of(officer.get("/appeals"), 401)


def _create(api, tree, **extra):
    body = {"category": "ENV01", "description": "楼下垃圾桶满了没人清", "place": "3号楼", **extra}
    return api.post("/appeals", body)


def test_staff_raise_an_appeal_for_a_resident_once_per_idempotency_key(api_as, tree):
    leader = api_as("group_leader")
    first = _create(leader, tree, on_behalf_of=tree["resident"].pk, idempotency_key="k-1")
    assert first.status_code == 201, first.text
    appeal = first.json()
    assert appeal["channel"] == "api" and appeal["raised_by"]["id"] == tree["resident"].pk
    assert appeal["status"] == "pending" and appeal["events"][0]["kind"] == "submitted"
    again = leader.post(
        "/appeals",
        {"category": "ENV01", "description": "楼下垃圾桶满了没人清", "on_behalf_of": tree["resident"].pk},
        headers={"Idempotency-Key": "k-1"},
    )
    assert again.status_code == 200 and again.json()["id"] == appeal["id"]
    assert Appeal.objects.filter(raised_by=tree["resident"]).count() == 1

    # Bad input: a structured error naming the field, nothing written.
    assert error_of(_create(leader, tree, category="NOPE"), 400)["field"] == "category"
    assert error_of(_create(leader, tree, description=""), 422)["field"] == "description"
    assert error_of(_create(leader, tree, lat=95), 422)["field"] == "lat"
    assert error_of(_create(leader, tree, description="a\x00b"), 422)["field"] == "description"
    assert error_of(leader.post("/appeals", {"category": 5}), 422)["code"] == "invalid"
    broken = requests.post(
        f"{leader.base}/appeals",
        data="{not json",
        headers={**leader._headers(), "Content-Type": "application/json"},
        timeout=20,
    )
    assert broken.status_code in (400, 422) and set(broken.json()) == {"code", "message", "field"}
    # A resident outside the leader's area: 404, as on the pages.
    assert error_of(_create(leader, tree, on_behalf_of=tree["far_resident"].pk), 404)["code"] == "not_found"
    assert Appeal.objects.count() == 1


def test_list_filters_and_cursor_pages(api_as, tree):
    resident = api_as("resident")
    numbers = []
    for i in range(7):
        response = _create(resident, tree, description=f"第{i}号诉求：路灯不亮")
        assert response.status_code == 201, response.text
        numbers.append(response.json()["number"])
    staff = api_as("community_secretary")
    seen, cursor = [], ""
    while True:
        page = staff.get("/appeals", limit=3, cursor=cursor).json()
        seen += [a["number"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(numbers))  # newest first, each once
    assert [a["number"] for a in staff.get("/appeals", q="第3号").json()["items"]] == [numbers[3]]
    first = Appeal.objects.get(number=numbers[0])
    from twoway.appeals import flow

    flow.appeal_accept(user=tree["group_leader"].user, appeal_id=first.pk)
    accepted = staff.get("/appeals", status="accepted").json()["items"]
    assert [a["number"] for a in accepted] == [numbers[0]]
    both = staff.get("/appeals", status=["accepted", "pending"]).json()["items"]
    assert len(both) == 7
    top = Category.objects.get(code="ENV01").parent.code
    assert len(staff.get("/appeals", category=top).json()["items"]) == 7
    assert staff.get("/appeals", unit=tree["group_A1a"].pk).json()["items"]
    assert error_of(staff.get("/appeals", unit=tree["group_B1a"].pk), 404)["code"] == "not_found"
    assert error_of(staff.get("/appeals", cursor="garbage!"), 400)["field"] == "cursor"
    assert error_of(staff.get("/appeals", status="stuck"), 422)["field"] == "status"
    assert error_of(staff.get("/appeals", limit=1000), 422)["field"] == "limit"
    # Another community's secretary sees none of them.
    assert api_as("other_community_secretary").get("/appeals").json()["items"] == []


def test_every_transition_through_the_api(api_as, tree):
    resident, leader = api_as("resident"), api_as("group_leader")
    secretary, street = api_as("community_secretary"), api_as("street_officer")
    district, department = api_as("district_staff"), api_as("dept_officer")
    appeal = _create(resident, tree).json()
    pk = appeal["id"]

    def step(api, action, body=None, status=200):
        response = api.post(f"/appeals/{pk}/{action}", body)
        assert response.status_code == status, response.text
        return response.json()

    assert step(leader, "accept")["status"] == "accepted"
    assert error_of(leader.post(f"/appeals/{pk}/accept"), 409)["code"] == "already_handled"
    step(leader, "note", {"note": "已通知物业", "internal": False})
    assert step(leader, "escalate", {"reason": "小组解决不了"})["handling_unit"]["id"] == tree["community_A1"].pk
    # Still visible to the group (it came from there), no longer theirs to act on.
    assert error_of(leader.post(f"/appeals/{pk}/accept"), 403)["code"] == "forbidden"
    step(secretary, "accept")
    resource = Resource.objects.create(unit=tree["community_A1"], kind="mediator", name="A1调解室")
    step(secretary, "resources", {"resource": resource.pk, "part": "上门调解"})
    extension = step(secretary, "extensions", {"days": 3, "reason": "等待材料"}, status=201)
    decided = street.post(f"/extensions/{extension['id']}/decide", {"approve": True})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    step(street, "supervise", {"note": "请尽快办结"})
    assert step(secretary, "resolve", {"outcome": "已清运"})["status"] == "resolved"
    assert error_of(secretary.post(f"/appeals/{pk}/rate", {"score": "satisfied"}), 400)["code"] == "not_yours"
    assert step(resident, "rate", {"score": "unsatisfied", "comment": "又堆上了"})["status"] == "accepted"
    step(secretary, "resolve", {"outcome": "安装了监控"})
    assert step(resident, "rate", {"score": "satisfied"})["status"] == "closed"

    # Up to the district, to a department and back; a returned duplicate; a merge.
    second = _create(resident, tree, description="第二件事").json()["id"]
    pk = second
    step(leader, "accept")
    step(leader, "escalate", {"reason": "上报"})
    step(secretary, "accept")
    step(secretary, "escalate", {"reason": "上报街道"})
    step(street, "accept")
    step(street, "escalate", {"reason": "上报区"})
    step(district, "accept")
    assert step(district, "assign", {"department": tree["department"].pk})["handling_unit"]["kind"] == "department"
    step(department, "accept")
    assert step(department, "answer", {"answer": "已安排维修"})["handling_unit"]["kind"] == "district"
    assert step(district, "resolve", {"outcome": "维修完成"})["status"] == "resolved"

    third = _create(resident, tree, description="第三件事").json()["id"]
    fourth = _create(resident, tree, description="第四件事").json()["id"]
    pk = third
    merged = step(leader, "merge", {"others": [fourth]})
    assert merged["events"][-1]["kind"] == "merged"
    assert Appeal.objects.get(pk=fourth).status == Status.MERGED
    pk = _create(resident, tree, description="第五件事").json()["id"]
    assert step(leader, "return", {"reason": "不属于受理范围"})["status"] == "returned"

    # The resident sees no internal events; staff do.
    detail = resident.get(f"/appeals/{appeal['id']}").json()
    assert not any(e["internal"] for e in detail["events"]) and detail["may_act"] is False
    assert any(e["internal"] for e in secretary.get(f"/appeals/{appeal['id']}").json()["events"])


def test_meetings_and_ballots(api_as, tree):
    from twoway.org.models import Person

    secretary_user = tree["community_secretary"].user
    meeting = agenda.meeting_create(
        user=secretary_user,
        unit=tree["community_A1"],
        type_code="consultation",
        title="加装电梯议事会",
        starts_at=timezone.now(),
        place="社区议事厅",
    )
    voters = [tree["group_leader"], tree["grid_worker"]]
    agenda.participants_add(user=secretary_user, meeting=meeting, people=voters)
    for person in voters:
        agenda.attendance_set(user=secretary_user, meeting=meeting, person_id=person.pk, attendance="present")
    topic = agenda.topic_add(user=secretary_user, meeting=meeting, title="电梯", matter="加装电梯")
    while topic.meeting.type.steps[topic.step] not in ("deliberate", "decide", "draft", "discuss"):
        topic = agenda.topic_advance(user=secretary_user, topic_id=topic.pk, plan="方案")
    motion = agenda.motion_add(user=secretary_user, topic=topic, text="同意加装电梯")

    secretary, leader, worker = api_as("community_secretary"), api_as("group_leader"), api_as("grid_worker")
    listed = secretary.get("/meetings").json()["items"]
    assert [m["id"] for m in listed] == [meeting.pk]
    assert api_as("other_street_officer").get("/meetings").json()["items"] == []
    error_of(api_as("other_street_officer").get(f"/meetings/{meeting.pk}"), 404)
    error_of(api_as("other_street_officer").post(f"/motions/{motion.pk}/ballot", {"choice": "for"}), 404)

    error_of(leader.post(f"/motions/{motion.pk}/ballot", {"choice": "for"}), 409)  # not open yet
    error_of(leader.post(f"/motions/{motion.pk}/open"), 400)  # not the convener
    opened = secretary.post(f"/motions/{motion.pk}/open")
    assert opened.status_code == 200, opened.text
    voted = leader.post(f"/motions/{motion.pk}/ballot", {"choice": "for"}).json()
    assert voted["topics"][0]["motions"][0]["voted"] is True
    assert error_of(leader.post(f"/motions/{motion.pk}/ballot", {"choice": "for"}), 409)["code"] == "duplicate"
    assert error_of(worker.post(f"/motions/{motion.pk}/ballot", {"choice": "maybe"}), 422)["field"] == "choice"
    assert worker.post(f"/motions/{motion.pk}/ballot", {"choice": "against"}).status_code == 200
    closed = secretary.post(f"/motions/{motion.pk}/close").json()
    result = closed["topics"][0]["motions"][0]
    assert result["status"] == "closed" and result["result"]["votes_for"] == 1
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.CLOSED
    assert Person.objects.filter(pk=tree["resident"].pk).exists()


def test_notices(api_as, tree):
    now = timezone.now()
    notice = Notice(
        unit=tree["community_A1"],
        title="议事结果公示",
        body="同意加装电梯",
        publish_from=now,
        publish_to=now + timezone.timedelta(days=7),
    )
    notice.hash = notice.compute_hash()
    notice.save()
    api = api_as("resident")
    items = api.get("/notices").json()["items"]
    assert [n["id"] for n in items] == [notice.pk] and items[0]["verified"] is True
    assert api.get(f"/notices/{notice.pk}").json()["title"] == "议事结果公示"
    assert api.get("/notices", archive=True).json()["items"] == []
    error_of(api.get("/notices/99999"), 404)


def test_tokens_are_rate_limited(api_as, tree):
    api = api_as("street_officer")
    AccessToken.objects.filter(user=tree["street_officer"].user).update(rate_per_minute=2)
    answers = [api.get("/categories") for _ in range(3)]
    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert error_of(answers[2], 429)["code"] == "rate_limited"
    assert answers[2].headers["Retry-After"]


def test_openapi_and_docs_are_served_from_our_own_files(live_server):
    spec = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=20)
    assert spec.status_code == 200 and "/api/v1/appeals" in spec.json()["paths"]
    docs = requests.get(f"{live_server.url}/api/v1/docs", timeout=20)
    assert docs.status_code == 200
    html = docs.text
    assert "cdn" not in html.lower() and "unpkg" not in html and "jsdelivr" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert "script-src 'self'" in docs.headers["Content-Security-Policy"]
    for src in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert requests.get(f"{live_server.url}{src}", timeout=20).status_code == 200, src
