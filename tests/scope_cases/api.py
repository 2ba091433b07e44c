"""Scope cases for the JSON API (/api/v1/) and its tokens page.

The API's data routes answer a session with 401: they take a bearer token only, so this test's
session logins cannot attack them. tests/test_api_scope.py does, with a token for every role,
over every route (and fails for a route it does not know)."""

from tests.scope_registry import ById, Listing, Public
from twoway.api.models import AccessToken
from twoway.org.models import OrgUnit

TOKEN_ONLY = "bearer token only (a session gets 401); every role attacks it with tokens in tests/test_api_scope.py"


def _seed_tokens(tree):
    for key in ("district_staff", "street_officer", "other_street_officer", "community_secretary", "far_resident"):
        AccessToken.objects.create(
            user=tree[key].user, name=f"{tree[key].name}的手机", prefix=f"tw_seed_{key}"[:16], digest=key.ljust(64, "0")
        )


def _district_path(token):
    return OrgUnit.objects.filter(parent=None).order_by("path").first().path


SEEDS = [_seed_tokens]

API_ROUTES = [
    "api:categories",
    "api:appeal_list",
    "api:appeal_create",
    "api:appeal_read",
    "api:appeal_accept",
    "api:appeal_return",
    "api:appeal_note",
    "api:appeal_resolve",
    "api:appeal_escalate",
    "api:appeal_assign",
    "api:appeal_answer",
    "api:appeal_rate",
    "api:appeal_merge",
    "api:appeal_supervise",
    "api:appeal_extension",
    "api:extension_decide",
    "api:appeal_link_resource",
    "api:meeting_list",
    "api:meeting_read",
    "api:ballot_cast",
    "api:motion_open",
    "api:motion_close",
    "api:notice_list",
    "api:notice_read",
    "api:task_list",
    "api:task_read",
    "api:station_list",
    "api:station_read",
    "api:service_item_list",
    "api:service_item_read",
    "api:service_record_list",
    "api:service_record_read",
    "api:service_record_accept",
    "api:service_record_start",
    "api:service_record_hand_off",
    "api:service_record_back",
    "api:service_record_complete",
    "api:service_record_cancel",
    "api:service_record_rate",
    "api:kpi_read",
    "api:kpi_ranking",
]

CASES = {
    "api:api-root": Public("the API's root points at its documentation"),
    "api:openapi-json": Public("the API's description: routes and types, no records"),
    "api:openapi-view": Public("the API's documentation page, no records"),
    **{name: Public(TOKEN_ONLY) for name in API_ROUTES},
    "api:tokens": Listing(),
    # Owners see their own tokens; district staff see everyone's, to revoke a lost phone's.
    "api:token_revoke": ById(
        AccessToken,
        _district_path,
        lambda t: t.name,
        concerns=lambda t, person: t.user_id == person.user_id,
        methods=("POST",),
    ),
}
