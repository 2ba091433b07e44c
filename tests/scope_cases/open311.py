"""Scope cases for Open311 GeoReport v2 (/open311/v2/) and its key management page."""

from tests.scope_registry import ById, Listing, Public
from twoway.open311.models import ClientKey

KEYED = (
    "answers by api_key, never by session: a session without a key gets the spec's 403, and a key reads only "
    "the requests it raised or, if the district allows, its own district's (tests/test_open311_access.py)"
)


def _seed_keys(tree):
    ClientKey.objects.create(
        name="A区12345热线系统",
        district=tree["district"],
        operator=tree["district_staff"],
        issued_by=tree["district_staff"],
        prefix="o311_seed01",
        digest="0" * 64,
    )


SEEDS = [_seed_keys]

CASES = {
    "open311:discovery": Public("Open311 discovery lists the endpoints and formats only"),
    "open311:services": Public("the service list is our appeal categories: no personal data"),
    "open311:service_definition": Public("a service definition lists the questions asked: no personal data"),
    "open311:requests": Public(KEYED),
    "open311:request": Public(KEYED),
    "open311:token": Public(KEYED),
    "open311:keys": Listing(),
    "open311:key_revoke": ById(ClientKey, lambda k: k.district.path, lambda k: k.name, methods=("POST",)),
}
