"""Open311 GeoReport v2 over real HTTP (live_server): every endpoint in .json and .xml, every
response checked against the official JSON Schemas (tests/open311_schemas/), the field mapping,
the errors, and a complete exchange: create, look the token up, fetch the request."""

import json
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema_rs
import pytest
import requests
from django.utils import timezone

from twoway.appeals import flow
from twoway.appeals.models import Appeal, Category, Channel
from twoway.open311 import keys
from twoway.open311.models import ClientKey

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCHEMAS = Path(__file__).parent / "open311_schemas"


def _load(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())


def _registry():
    files = ["request.json", "service.json"]
    return jsonschema_rs.Registry([(f"https://open311.test/{f}", _load(f)) for f in files])


def validator(name: str):
    """A validator for one schema file, or for a definition of swagger.json ("swagger#Name")."""
    if name.startswith("swagger#"):
        definitions = _load("swagger.json")["definitions"]
        schema = {"type": "array", "items": definitions[name.split("#")[1]]}
    else:
        schema = _load(name)
    return jsonschema_rs.validator_for(
        schema, validate_formats=True, registry=_registry(), base_uri=f"https://open311.test/{name}"
    )


def check(response, schema: str, status: int = 200):
    """The response has this status, is JSON, and validates against the schema; returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    errors = [str(e) for e in validator(schema).iter_errors(body)]
    assert not errors, errors
    return body


def parse_xml(content: bytes):
    return ET.fromstring(content)  # noqa: S314  (our own server's answer, in a test)


def xml_matches(response, body, root: str):
    """The .xml answer says what the .json one did: same elements, same values."""
    assert response.headers["Content-Type"].startswith("text/xml"), response.text
    doc = parse_xml(response.content)
    assert doc.tag == root

    def same(element, value):
        if isinstance(value, dict):
            for key, item in value.items():
                child = element.find(key)
                assert child is not None, f"<{element.tag}> has no <{key}>"
                same(child, item)
        elif isinstance(value, list):
            children = list(element)
            assert len(children) == len(value), element.tag
            for child, item in zip(children, value, strict=True):
                same(child, item)
        elif value is None:
            assert not (element.text or "").strip(), element.tag
        elif isinstance(value, bool):
            assert element.text == ("true" if value else "false")
        else:
            assert element.text == str(value), (element.tag, element.text, value)

    same(doc, body)


@pytest.fixture
def o311(tree, live_server):
    """A key for a 12345 hotline client, and a helper to call the endpoints over HTTP."""
    key, raw = keys.client_key_issue(user=tree["district_staff"].user, name="市12345热线", channel=Channel.HOTLINE)

    class Client:
        base = f"{live_server.url}/open311/v2"
        api_key = raw
        row = key

        def get(self, path, **params):
            return requests.get(f"{self.base}/{path}", params=params, timeout=20)

        def post(self, path, data, headers=None):
            return requests.post(f"{self.base}/{path}", data=data, headers=headers or {}, timeout=20)

        def create(self, **extra):
            data = {
                "api_key": self.api_key,
                "jurisdiction_id": tree["district"].code,
                "service_code": "ENV01",
                "phone": tree["resident"].phone,
                "description": "3号楼楼道里堆满了杂物，影响通行",
                "lat": "37.383",
                "long": "117.970",
                "attribute[building]": "3",
                "attribute[unit]": "2",
                **extra,
            }
            return self.post("requests.json", {k: v for k, v in data.items() if v is not None})

    return Client()


def test_discovery_services_and_definitions_follow_the_spec(o311, tree):
    body = check(o311.get("discovery.json"), "discovery.json")
    assert body["endpoints"][0]["url"].endswith("/open311/v2")
    xml_matches(o311.get("discovery.xml"), body, "discovery")

    services = check(o311.get("services.json", jurisdiction_id=tree["district"].code), "services.json")
    env = next(s for s in services if s["service_code"] == "ENV01")
    category = Category.objects.get(code="ENV01")
    assert env["group"] == category.parent.name and env["service_name"] == category.name
    assert {s["service_code"] for s in services} == set(
        Category.objects.filter(active=True, parent__isnull=False).values_list("code", flat=True)
    )
    xml_matches(o311.get("services.xml"), services, "services")

    definition = check(o311.get("services/ENV01.json"), "service-definition.json")
    codes = {a["code"]: a for a in definition["attributes"]}
    assert codes["building"]["datatype"] == "string"
    assert {v["key"] for v in codes["dispute"]["values"]} == {"yes", "no"}
    xml_matches(o311.get("services/ENV01.xml"), definition, "service_definition")

    missing = check(o311.get("services/NOPE.json"), "errors.json", 404)
    assert missing[0]["code"] == 404
    xml = o311.get("services/NOPE.xml")
    assert xml.status_code == 404
    xml_matches(xml, missing, "errors")


def test_a_complete_exchange_create_token_fetch(o311, tree):
    created = check(o311.create(), "swagger#RequestResponse")
    number, token = created[0]["service_request_id"], created[0]["token"]
    appeal = Appeal.objects.get(number=number)
    # The key's channel is recorded; the resident is found by phone; the key's operator is the proxy.
    assert appeal.channel == Channel.HOTLINE
    assert appeal.raised_by == tree["resident"] and appeal.proxy == tree["district_staff"]
    assert "3" in appeal.place and "2" in appeal.place
    assert appeal.events.get().kind == "submitted"

    looked_up = check(o311.get(f"tokens/{token}.json", api_key=o311.api_key), "swagger#TokenResponse")
    assert looked_up == [{"service_request_id": number, "token": token}]
    xml_matches(o311.get(f"tokens/{token}.xml", api_key=o311.api_key), looked_up, "service_requests")

    fetched = check(o311.get(f"requests/{number}.json", api_key=o311.api_key), "requests.json")
    request = fetched[0]
    assert request["status"] == "open"
    assert request["agency_responsible"] == tree["group_A1a"].name
    assert request["expected_datetime"] == timezone.localtime(appeal.due_at).isoformat(timespec="seconds")
    assert request["status_notes"] is None
    assert request["lat"] == pytest.approx(37.383)
    xml_matches(o311.get(f"requests/{number}.xml", api_key=o311.api_key), fetched, "service_requests")

    leader = tree["group_leader"].user
    flow.appeal_accept(user=leader, appeal_id=appeal.pk)
    flow.appeal_note(user=leader, appeal_id=appeal.pk, note="已联系物业清理", internal=False)
    flow.appeal_note(user=leader, appeal_id=appeal.pk, note="内部：物业电话", internal=True)
    request = check(o311.get(f"requests/{number}.json", api_key=o311.api_key), "requests.json")[0]
    assert request["status"] == "open" and request["status_notes"] == "已联系物业清理"

    flow.appeal_escalate(user=leader, appeal_id=appeal.pk, reason="需社区协调")
    appeal.refresh_from_db()
    request = check(o311.get(f"requests/{number}.json", api_key=o311.api_key), "requests.json")[0]
    assert request["agency_responsible"] == tree["community_A1"].name
    assert request["expected_datetime"] == timezone.localtime(appeal.due_at).isoformat(timespec="seconds")

    secretary = tree["community_secretary"].user
    flow.appeal_accept(user=secretary, appeal_id=appeal.pk)
    flow.appeal_resolve(user=secretary, appeal_id=appeal.pk, outcome="杂物已清走")
    request = check(o311.get(f"requests/{number}.json", api_key=o311.api_key), "requests.json")[0]
    assert request["status"] == "closed" and request["status_notes"] == "杂物已清走"


def test_xml_post_and_errors(o311, tree):
    data = {
        "api_key": o311.api_key,
        "service_code": "ENV01",
        "phone": tree["resident"].phone,
        "description": "路灯不亮",
        "address_string": "黄河五路12号",
    }
    response = o311.post("requests.xml", data)
    assert response.status_code == 200, response.text
    doc = parse_xml(response.content)
    assert doc.tag == "service_requests" and doc.find("request/service_request_id").text.startswith("SQ-")
    assert doc.find("request/token").text
    refused = o311.post("requests.xml", {**data, "api_key": "wrong"})
    assert refused.status_code == 403
    assert parse_xml(refused.content).find("error/code").text == "403"


@pytest.mark.parametrize(
    ("change", "status", "word"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "o311_not-a-key"}, 403, "api_key"),
        ({"jurisdiction_id": "NOWHERE"}, 404, "jurisdiction_id"),
        ({"service_code": "NOPE"}, 404, "service_code"),
        ({"service_code": ""}, 400, "service_code"),
        ({"phone": ""}, 400, "phone"),
        ({"phone": "13000000000"}, 400, "phone"),
        ({"description": ""}, 400, ""),
        ({"lat": None, "long": None}, 400, "lat"),
        ({"lat": "200", "long": "1"}, 400, ""),
        ({"attribute[dispute]": "maybe"}, 400, "dispute"),
    ],
)
def test_bad_requests_get_the_specs_errors_and_write_nothing(o311, change, status, word):
    before = Appeal.objects.count()
    body = check(o311.create(**change), "errors.json", status)
    assert body[0]["code"] == status and word in body[0]["description"]
    assert Appeal.objects.count() == before


def test_a_revoked_key_is_refused_at_once(o311, tree):
    assert o311.create().status_code == 200
    keys.client_key_revoke(user=tree["district_staff"].user, key_id=o311.row.pk)
    check(o311.create(), "errors.json", 403)
    check(o311.get("requests.json", api_key=o311.api_key), "errors.json", 403)


def test_the_same_idempotency_key_creates_one_appeal(o311, tree):
    data = {
        "api_key": o311.api_key,
        "service_code": "ENV01",
        "phone": tree["resident"].phone,
        "description": "重复提交的诉求",
        "address_string": "黄河五路",
    }
    first = o311.post("requests.json", data, {"Idempotency-Key": "abc-1"}).json()
    again = o311.post("requests.json", data, {"Idempotency-Key": "abc-1"}).json()
    assert first[0]["service_request_id"] == again[0]["service_request_id"]
    assert first[0]["token"] == again[0]["token"]
    assert Appeal.objects.filter(description="重复提交的诉求").count() == 1


def test_keys_are_rate_limited(o311):
    ClientKey.objects.filter(pk=o311.row.pk).update(rate_per_minute=3)
    answers = [o311.get("requests.json", api_key=o311.api_key) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    body = check(answers[3], "errors.json", 429)
    assert body[0]["code"] == 429 and answers[3].headers["Retry-After"]


def _appeal(tree, who="resident", code="ENV01", text="诉求", days_ago=0):
    appeal = flow.appeal_submit(user=tree[who].user, category_id=Category.objects.get(code=code).pk, description=text)
    if days_ago:
        Appeal.objects.filter(pk=appeal.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return appeal


def test_get_requests_with_every_filter(o311, tree):
    ClientKey.objects.filter(pk=o311.row.pk).update(read_all=True)
    other_code = Category.objects.filter(parent__isnull=False).exclude(code="ENV01").first().code
    new = _appeal(tree, text="新诉求")
    other = _appeal(tree, code=other_code, text="另一类诉求")
    old = _appeal(tree, text="四十天前的诉求", days_ago=40)
    ancient = _appeal(tree, text="半年前的诉求", days_ago=180)
    flow.appeal_accept(user=tree["group_leader"].user, appeal_id=other.pk)
    flow.appeal_resolve(user=tree["group_leader"].user, appeal_id=other.pk, outcome="已办结")

    def numbers(**params):
        body = check(o311.get("requests.json", api_key=o311.api_key, **params), "requests.json")
        return {r["service_request_id"] for r in body}

    # Default: the last 90 days.
    assert numbers() == {new.number, other.number, old.number}
    assert numbers(service_code="ENV01") == {new.number, old.number}
    assert numbers(service_code=f"ENV01,{other_code}") == {new.number, other.number, old.number}
    assert numbers(status="open") == {new.number, old.number}
    assert numbers(status="closed") == {other.number}
    # A list of ids overrides every other parameter.
    assert numbers(service_request_id=f"{ancient.number},{other.number}", status="open") == {
        ancient.number,
        other.number,
    }
    now = timezone.localtime()
    assert numbers(
        start_date=(now - timedelta(days=50)).isoformat(), end_date=(now - timedelta(days=30)).isoformat()
    ) == {old.number}
    assert numbers(start_date=(now - timedelta(days=200)).isoformat()) == {ancient.number}
    # Empty parameters count as absent.
    assert numbers(status="", service_code="", start_date="", jurisdiction_id="") == numbers()

    too_long = o311.get(
        "requests.json",
        api_key=o311.api_key,
        start_date=(now - timedelta(days=120)).isoformat(),
        end_date=now.isoformat(),
    )
    assert "90" in check(too_long, "errors.json", 400)[0]["description"]
    check(o311.get("requests.json", api_key=o311.api_key, status="stuck"), "errors.json", 400)
    check(o311.get("requests.json", api_key=o311.api_key, start_date="yesterday"), "errors.json", 400)
    check(o311.get("requests.json", api_key=o311.api_key, jurisdiction_id="X"), "errors.json", 404)
    check(o311.get("requests.json"), "errors.json", 403)

    listing = check(o311.get("requests.json", api_key=o311.api_key), "requests.json")
    xml_matches(o311.get("requests.xml", api_key=o311.api_key), listing, "service_requests")
    check(
        o311.get(f"requests/{Appeal.objects.order_by('-pk').first().number}X.json", api_key=o311.api_key),
        "errors.json",
        404,
    )
    check(o311.get("tokens/nothing.json", api_key=o311.api_key), "errors.json", 404)


def test_nul_characters_are_refused_not_a_server_error(o311):
    body = o311.get("requests.json", api_key=o311.api_key, service_code="A\x00B")
    assert body.status_code == 400
    assert o311.get("requests/SQ\x00.json", api_key=o311.api_key).status_code == 404
