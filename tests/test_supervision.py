"""Supervision pages: dashboards scoped per level, filters in the URL, .xlsx exports equal to the
page's tables, rankings, hotspots, reports (.xlsx and PDF, archived, `report` command), settings."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.appeal_helpers import a_category, raise_appeal
from twoway.appeals import flow
from twoway.supervision import facts, hotspots, tables
from twoway.supervision.models import AppealFact, KpiSettings, Report


@pytest.fixture
def appeals(tree):
    """Three appeals in community A1 (one resolved and rated), one in B2."""
    gl, res = tree["group_leader"].user, tree["resident"].user
    made = [raise_appeal(tree, description=f"{n}号楼电梯经常停运，老人上下楼困难") for n in (3, 5, 7)]
    flow.appeal_accept(user=gl, appeal_id=made[0].pk)
    flow.appeal_resolve(user=gl, appeal_id=made[0].pk, outcome="已维修")
    flow.appeal_rate(user=res, appeal_id=made[0].pk, score="satisfied")
    flow.appeal_submit(user=tree["far_resident"].user, category_id=a_category().pk, description="远方路灯不亮")
    return made


def _table(response, name):
    """The rows of a chart's table view on the page, as text."""
    import re

    html = response.content.decode()
    block = html.split(f'data-table="{name}"', 1)[1].split("</table>", 1)[0]
    body = block.split("<tbody>", 1)[1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _same(value):
    """A cell as a comparable value: numbers as floats (the page shows 0.0 where Excel keeps 0)."""
    if value in (None, "—"):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def test_street_officer_sees_own_communities_only(tree, login, appeals):
    client = login(tree["street_officer"])
    response = client.get(reverse("supervision:dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "A1社区" in body and "A2社区" in body
    assert "B1社区" not in body and "B2社区" not in body
    ranking = _table(response, "ranking")
    assert [row[1] for row in ranking] == ["A1社区", "A2社区"]
    assert ranking[0][2] == "3"  # received in A1
    # Another street's unit in the filter: not found, nothing shown.
    assert client.get(reverse("supervision:dashboard"), {"unit": tree["street_B"].pk}).status_code == 404
    assert client.get(reverse("supervision:dashboard"), {"unit": tree["community_B1"].pk}).status_code == 404


def test_district_sees_streets_and_a_resident_is_refused(tree, login, appeals):
    response = login(tree["district_staff"]).get(reverse("supervision:dashboard"))
    assert [row[1] for row in _table(response, "ranking")] == ["A街道", "B街道"]
    assert login(tree["resident"]).get(reverse("supervision:dashboard")).status_code == 403


def test_filters_in_the_url_and_bad_input_named(tree, login, appeals):
    client = login(tree["street_officer"])
    today = timezone.localdate()
    other = a_category("FAC01").parent if a_category("FAC01").parent_id else a_category("FAC01")
    response = client.get(
        reverse("supervision:dashboard"),
        {
            "unit": tree["community_A1"].pk,
            "from": str(today - timedelta(days=6)),
            "to": str(today),
            "category": other.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["summary"].received == 0  # nothing raised in that category
    response = client.get(reverse("supervision:dashboard"), {"from": "2026-13-01", "to": "x"})
    assert response.status_code == 200
    errors = " ".join(response.context["f"].errors)
    assert errors.startswith("开始日期") and "结束日期" in errors
    assert len(response.context["f"].errors) == 2
    response = client.get(reverse("supervision:dashboard"), {"from": "2026-03-10", "to": "2026-03-01"})
    assert len(response.context["f"].errors) == 1


def test_export_equals_the_page_table(tree, login, appeals):
    client = login(tree["street_officer"])
    query = {"unit": tree["street_A"].pk}
    page = client.get(reverse("supervision:dashboard"), query)
    for chart in tables.CHARTS:
        response = client.get(reverse("supervision:export", args=[chart]), query)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        ws = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
        header_at = next(i for i, row in enumerate(values) if row[0] == page.context["charts"][0].headers[0] or i > 4)
        rows = [r for r in values[header_at + 1 :] if any(v is not None for v in r)]
        shown = _table(page, chart)
        if not page.context["charts"][[c.name for c in page.context["charts"]].index(chart)].rows:
            continue
        assert len(rows) == len(shown), chart
        for got, want in zip(rows, shown, strict=True):
            assert [_same(v) for v in got[: len(want)]] == [_same(w) for w in want], chart
    assert client.get(reverse("supervision:export", args=["nope"])).status_code == 404


def test_rankings_and_hotspots_pages(tree, login, appeals):
    client = login(tree["district_staff"])
    response = client.get(reverse("supervision:rankings"), {"month": timezone.localdate().strftime("%Y-%m")})
    assert response.status_code == 200
    (streets_label, streets), (communities_label, communities) = response.context["lists"]
    assert communities[0][1].name == "A1社区" and communities[0][0] == 1
    assert client.get(reverse("supervision:rankings"), {"month": "2026-99"}).status_code == 200
    response = client.get(reverse("supervision:hotspots"))
    assert response.status_code == 200
    assert "电梯" in dict(response.context["terms"])


def test_top_terms_count_each_appeal_once():
    terms = dict(hotspots.top_terms(["电梯停运电梯停运", "电梯坏了", "路灯不亮"]))
    assert terms["电梯"] == 2
    assert "的" not in terms


def test_report_xlsx_and_pdf_archived_and_downloaded(tree, login, appeals, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(tree["street_officer"])
    response = client.post(reverse("supervision:report_make"), {"unit": tree["street_A"].pk, "kind": "monthly"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.pdf and report.xlsx
    xlsx = client.get(reverse("supervision:report_file", args=[report.pk, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True) if row and row[0]}
    assert summary["受理诉求"] == 3
    pdf = b"".join(client.get(reverse("supervision:report_file", args=[report.pk, "pdf"])).streaming_content)
    assert pdf.startswith(b"%PDF")
    # Another street's officer cannot fetch it, nor make one for a unit outside their area.
    other = login(tree["other_street_officer"])
    assert other.get(reverse("supervision:report_file", args=[report.pk, "xlsx"])).status_code == 404
    assert (
        other.post(reverse("supervision:report_make"), {"unit": tree["street_A"].pk, "kind": "weekly"}).status_code
        == 404
    )
    assert Report.objects.count() == 1
    # Made again for the same period: replaced, not duplicated.
    client.post(reverse("supervision:report_make"), {"unit": tree["street_A"].pk, "kind": "monthly"})
    assert Report.objects.count() == 1


def test_report_command_for_cron(tree, appeals, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("report", "--kind", "weekly", "--no-pdf", stdout=out)
    # The district, two streets, four communities.
    assert Report.objects.filter(kind="weekly").count() == 7
    assert "7 reports" in out.getvalue()


def test_settings_page_changes_weights_for_district_only(tree, login):
    street = login(tree["street_officer"])
    assert street.get(reverse("supervision:settings")).status_code == 200
    data = {"w_response": "0.2", "w_resolve": "0.4", "w_satisfaction": "0.4", "basic_factor": "0.8", "note": "调整"}
    assert street.post(reverse("supervision:settings"), data).status_code == 403
    district = login(tree["district_staff"])
    bad = district.post(reverse("supervision:settings"), {**data, "w_resolve": "0.5"})
    assert bad.status_code == 200 and KpiSettings.objects.count() == 0
    assert bad.context["form"].errors
    assert district.post(reverse("supervision:settings"), data).status_code == 302
    assert KpiSettings.objects.count() == 1


def test_dashboard_refreshes_the_rollup_and_keeps_queries_flat(tree, login, appeals, django_assert_max_num_queries):
    assert AppealFact.objects.count() == 0
    client = login(tree["district_staff"])
    client.get(reverse("supervision:dashboard"))
    assert AppealFact.objects.count() == 4
    facts.facts_refresh()
    with django_assert_max_num_queries(40):
        client.get(reverse("supervision:dashboard"))
