"""Ids from forms, URLs and the API: anything that is not a 64-bit integer matches nothing and
never reaches the database as an overflow (a 500)."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from twoway.core.errors import DomainError
from twoway.core.parse import as_ids, as_int, pk_or_404
from twoway.meetings import agenda

HUGE = 2**63  # one past the largest id a PostgreSQL bigint holds


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (" 7 ", 7), (3, 3), (2**63 - 1, 2**63 - 1), (-(2**63), -(2**63))]
    + [(v, None) for v in (None, "", "abc", "1.5", [], True, HUGE, str(HUGE), -(2**63) - 1, float("inf"))],
)
def test_as_int_accepts_only_integers_that_fit_an_id(value, expected):
    assert as_int(value) == expected


def test_as_int_default_and_as_ids_drop_what_is_not_an_id():
    assert as_int("x", 0) == 0
    assert as_ids(["3", "x", str(HUGE), 4, None]) == [3, 4]
    assert as_ids("5") == [5] and as_ids(None) == []
    with pytest.raises(Http404):
        pk_or_404(str(HUGE))


def test_an_id_beyond_64_bits_in_a_url_is_a_404_not_a_server_error(tree, login):
    client = login(tree["community_secretary"])
    for name in ("meetings:detail", "org:unit", "org:person"):
        assert client.get(reverse(name, kwargs={"pk": HUGE})).status_code == 404, name


def test_inviting_departments_by_ids_beyond_64_bits_is_refused_by_name(tree):
    secretary = tree["community_secretary"].user
    meeting = agenda.meeting_create(
        user=secretary,
        unit=tree["community_A1"],
        type_code="consultation",
        title="十二月议事协商会议",
        starts_at=timezone.now() + timedelta(days=1),
        place="社区议事厅",
    )
    with pytest.raises(DomainError) as refused:
        agenda.departments_invite(user=secretary, meeting=meeting, unit_ids=[str(HUGE)])
    assert refused.value.field == "department"


def test_digits_that_are_not_ascii_numbers_are_refused_not_a_server_error(tree, login):
    """'²' passes str.isdigit() but int() refuses it: pages answer with a field error or a 404."""
    district = login(tree["district_staff"])
    page = district.post(
        reverse("forward:plan_new"),
        {"unit": tree["district"].pk, "kind": "plan", "title": "二〇二七年工作方案", "year": "²"},
    )
    assert page.status_code == 200
    assert page.context["errors"] == {"year": "年度：请填写年份，如2026。"}
    assert "年度：请填写年份，如2026。" in page.content.decode()
    assert login(tree["community_secretary"]).get(reverse("notices:list"), {"unit": "²"}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"from": "0001-01-01", "to": "0001-01-01"},
        {"to": "9999-12-31"},
        {"from": "9999-12-31", "to": "9999-12-31"},
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_a_field_error_on_the_dashboard(tree, login, query):
    page = login(tree["district_staff"]).get(reverse("supervision:dashboard"), query)
    assert page.status_code == 200
    assert "请输入日期，例如 2026-03-01" in page.content.decode()


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_a_month_at_the_ends_of_the_calendar_is_refused_on_the_rankings(tree, login, month):
    page = login(tree["district_staff"]).get(reverse("supervision:rankings"), {"month": month}, follow=True)
    assert page.status_code == 200
    assert "月份：请输入月份，例如 2026-03。" in page.content.decode()


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_open311_dates_at_the_ends_of_the_calendar_are_not_a_server_error(client, tree, when):
    from twoway.appeals.models import Channel
    from twoway.open311 import keys

    _key, raw = keys.client_key_issue(user=tree["district_staff"].user, name="市12345热线", channel=Channel.HOTLINE)
    for name in ("start_date", "end_date"):
        answer = client.get("/open311/v2/requests.json", {name: when, "api_key": raw})
        assert answer.status_code in (200, 400), (name, answer.status_code)
