"""Excel import and export (R-1): templates, all-or-nothing imports, scoped and masked exports.

The suite runs in Chinese, so these tests look at row and column numbers, error codes, Chinese
headers and the database, not at English words.
"""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import PersonFactory, make_id_number
from twoway.audit.models import AuditAction, AuditEntry
from twoway.org import excel
from twoway.org.models import Household, OrgUnit, Person, UnitKind

# The layouts, written out by hand: the file format users fill in is part of the contract.
UNIT_HEADERS = ["上级组织编码", "组织编码", "组织名称", "类型", "地址", "电话"]
HOUSEHOLD_HEADERS = ["居民小组编码", "楼号", "单元", "室", "地址"]
PEOPLE_HEADERS = ["居民小组编码", "楼号", "单元", "室", "姓名", "性别", "出生日期", "手机号", "身份证号", "与户主关系"]
HEADERS = {"units": UNIT_HEADERS, "households": HOUSEHOLD_HEADERS, "people": PEOPLE_HEADERS}


def xlsx(headers, rows, name="sheet.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type=excel.XLSX_CONTENT_TYPE)


def upload(client, kind, rows, headers=None):
    """POST a sheet to the import page; returns the response, whose context holds the result."""
    sheet = rows if isinstance(rows, SimpleUploadedFile) else xlsx(headers or HEADERS[kind], rows)
    response = client.post(reverse("org:import"), {"kind": kind, "file": sheet})
    assert response.status_code == 200
    return response


def sheet_rows(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()), read_only=True)
    return [tuple("" if v is None else v for v in row) for row in book.worksheets[0].iter_rows(values_only=True)]


def positions(result) -> set[tuple]:
    return {(e.row, e.col) for e in result.errors}


def snapshot():
    """Everything an import could change, to prove that a refused import changed nothing."""
    return (
        list(OrgUnit.objects.order_by("pk").values_list("pk", "code", "name", "address", "phone", "path")),
        list(Household.objects.order_by("pk").values_list("pk", "group_id", "building", "entrance", "room", "address")),
        list(
            Person.objects.order_by("pk").values_list(
                "pk", "unit_id", "household_id", "name", "phone", "id_number", "birth_date", "gender"
            )
        ),
    )


# ---- the page and the templates ---------------------------------------------------------------


def test_import_page_offers_each_kind_with_its_template(tree, login):
    response = login(tree["community_secretary"]).get(reverse("org:import"))
    assert response.status_code == 200
    body = response.content.decode()
    for kind in ("units", "households", "people"):
        assert reverse("org:import_template", args=[kind]) in body
        assert f'value="{kind}"' in body
    assert 'type="file"' in body and 'enctype="multipart/form-data"' in body
    assert "<script>" not in body and 'style="' not in body  # the CSP forbids both


def test_residents_cannot_open_the_import_page(tree, login):
    client = login(tree["resident"])
    assert client.get(reverse("org:import")).status_code == 403
    assert client.get(reverse("org:import_template", args=["people"])).status_code == 403
    assert client.get(reverse("org:export", args=["people"])).status_code == 403


@pytest.mark.parametrize("kind", ["units", "households", "people"])
def test_template_downloads_with_chinese_headers_and_notes(tree, login, kind):
    response = login(tree["street_officer"]).get(reverse("org:import_template", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    data, notes = book.worksheets[0], book.worksheets[1]
    assert [c.value for c in data[1]] == HEADERS[kind]
    assert data.max_row == 1  # no example row to delete before filling it in
    noted = [row[0] for row in notes.iter_rows(min_row=2, values_only=True)]
    assert set(HEADERS[kind]) <= set(noted)  # every column is explained on the notes sheet


def test_unknown_template_kind_is_not_found(tree, login):
    assert login(tree["street_officer"]).get(reverse("org:import_template", args=["grids"])).status_code == 404


def test_the_empty_template_cannot_be_imported_as_data(tree, login):
    client = login(tree["community_secretary"])
    template = client.get(reverse("org:import_template", args=["households"])).getvalue()
    response = upload(client, "households", SimpleUploadedFile("t.xlsx", template))
    assert [e.code for e in response.context["result"].errors] == ["empty"]


# ---- good sheets ------------------------------------------------------------------------------


def test_units_sheet_imports_and_a_second_import_changes_nothing(tree, login):
    client = login(tree["community_secretary"])  # leads community A1
    rows = [
        ["CA1", "GA1c", "A1社区c组", "居民小组", "黄河五路1号", "0543-3211234"],
        ["CA1", "GA1d", "A1社区d组", "居民小组", "", ""],
        ["CA1", "GA1a", "A1社区第一组", "居民小组", "", ""],  # renames an existing group
        ["CA1", "GA1b", "A1社区b组", "居民小组", "", ""],  # as it is
    ]
    result = upload(client, "units", rows).context["result"]
    assert (result.created, result.updated, result.unchanged) == (2, 1, 1)
    new = OrgUnit.objects.get(code="GA1c")
    assert new.parent == tree["community_A1"] and new.kind == UnitKind.GROUP
    assert new.path.startswith(tree["community_A1"].path) and new.phone == "0543-3211234"
    assert OrgUnit.objects.get(code="GA1a").name == "A1社区第一组"
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT, detail__created=2).exists()

    before = snapshot()
    again = upload(client, "units", rows).context["result"]
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert snapshot() == before


def test_a_new_unit_may_sit_under_another_new_unit_of_the_same_sheet(tree, login):
    client = login(tree["street_officer"])
    rows = [
        ["CA3", "GA3a", "A3社区a组", "居民小组", "", ""],  # its parent comes in the next row
        ["SA", "CA3", "A3社区", "社区", "", ""],
    ]
    result = upload(client, "units", rows).context["result"]
    assert result.ok and result.created == 2
    assert OrgUnit.objects.get(code="GA3a").parent == OrgUnit.objects.get(code="CA3")


def test_households_sheet_imports_and_a_second_import_changes_nothing(tree, login):
    client = login(tree["community_secretary"])
    existing = Household.objects.filter(group=tree["group_A1b"]).first()
    rows = [
        ["GA1a", "9", "1", "101", "A1社区9号楼1单元101室"],
        ["GA1a", "9", "1", "102", ""],
        ["GA1b", existing.building, existing.entrance, existing.room, "新地址"],  # an address change
    ]
    result = upload(client, "households", rows).context["result"]
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    assert Household.objects.get(group=tree["group_A1a"], building="9", room="101").address == "A1社区9号楼1单元101室"
    existing.refresh_from_db()
    assert existing.address == "新地址"

    before = snapshot()
    again = upload(client, "households", rows).context["result"]
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot() == before


def test_people_sheet_imports_and_a_second_import_changes_nothing(tree, login):
    client = login(tree["community_secretary"])
    home = Household.objects.filter(group=tree["group_A1a"]).first()
    known = home.members.exclude(id_number="").first()
    place = ["GA1a", home.building, home.entrance, home.room]
    new_id = make_id_number(99001)
    rows = [
        [*place, "王新", "男", "1985-03-02", "13912345678", new_id, "子女"],
        [*place, "李无证", "女", "1990/7/8", "", "", "配偶"],  # no ID number: keyed by household and name
        [*place, known.name, "", "", "13700000000", known.id_number, ""],  # an existing person's new phone
        ["CA1", "", "", "", "社区干事", "", "", "", "", ""],  # a worker with no household
    ]
    result = upload(client, "people", rows).context["result"]
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated, result.unchanged) == (3, 1, 0)
    wang = Person.objects.get(id_number=new_id)
    assert (wang.household, wang.unit, wang.gender, str(wang.birth_date)) == (home, home.group, "M", "1985-03-02")
    assert Person.objects.get(name="李无证").household == home
    assert Person.objects.get(name="社区干事", household=None).unit == tree["community_A1"]
    known.refresh_from_db()
    assert known.phone == "13700000000"

    before = snapshot()
    again = upload(client, "people", rows).context["result"]
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert snapshot() == before


def test_success_summary_shows_the_counts(tree, login):
    client = login(tree["community_secretary"])
    response = upload(client, "households", [["GA1a", "8", "1", "101", ""]])
    body = response.content.decode()
    assert 'class="alert alert-success"' in body
    assert '<dd class="col-5 col-sm-9 mb-1">1</dd>' in body  # one created


# ---- refused sheets ---------------------------------------------------------------------------


def test_people_sheet_with_three_errors_is_refused_whole(tree, login):
    client = login(tree["community_secretary"])
    home = Household.objects.filter(group=tree["group_A1a"]).first()
    place = ["GA1a", home.building, home.entrance, home.room]
    rows = [
        [*place, "好人", "男", "1980-01-01", "13911112222", "", ""],  # row 2: good, yet not saved
        [*place, "坏电话", "男", "1980-01-01", "12345", "", ""],  # row 3: phone (H)
        ["NOPE", "1", "1", "101", "无此组", "", "", "", "", ""],  # row 4: unknown group code (A)
        [*place, "坏日期", "女", "1980-13-45", "", "", ""],  # row 5: date (G)
    ]
    before = snapshot()
    response = upload(client, "people", rows)
    result = response.context["result"]
    assert not result.ok
    assert positions(result) == {(3, 8), (4, 1), (5, 7)}
    assert {e.header for e in result.errors} == {"手机号", "居民小组编码", "出生日期"}
    assert snapshot() == before
    assert not Person.objects.filter(name="好人").exists()
    body = response.content.decode()
    assert 'class="alert alert-danger"' in body
    for row, letter, header in [(3, "H", "手机号"), (4, "A", "居民小组编码"), (5, "G", "出生日期")]:
        assert f'<td>{row}</td>\n          <td>{letter}</td>\n          <td class="text-nowrap">{header}</td>' in body
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert entry.detail["refused"] is True and entry.detail["errors"] == 3


def test_units_sheet_with_level_duplicate_and_missing_errors_is_refused_whole(tree, login):
    client = login(tree["street_officer"])
    rows = [
        ["SA", "GX1", "直接挂在街道下的组", "居民小组", "", ""],  # row 2: a group cannot sit under a street (D)
        ["SA", "CX1", "", "社区", "", ""],  # row 3: no name (C)
        ["SA", "CX2", "新社区", "社区", "", ""],  # row 4: good
        ["SA", "CX2", "新社区", "社区", "", ""],  # row 5: duplicate code (B)
        ["SA", "CX3", "另一个社区", "大队", "", ""],  # row 6: unknown kind (D)
    ]
    before = snapshot()
    result = upload(client, "units", rows).context["result"]
    assert positions(result) == {(2, 4), (3, 3), (5, 2), (6, 4)}
    assert {e.code for e in result.errors} == {"kind_not_allowed", "required", "duplicate", "bad_kind"}
    assert snapshot() == before


def test_households_sheet_with_duplicate_rows_and_a_non_group_is_refused(tree, login):
    client = login(tree["community_secretary"])
    rows = [
        ["GA1a", "7", "1", "101", ""],
        ["GA1a", "7", "1", "101", ""],  # row 3: same household again (D, 室)
        ["CA1", "7", "1", "102", ""],  # row 4: a community, not a resident group (A)
        ["GA1a", "7", "", "103", ""],  # row 5: no entrance (C)
    ]
    result = upload(client, "households", rows).context["result"]
    assert positions(result) == {(3, 4), (4, 1), (5, 3)}
    assert not Household.objects.filter(building="7").exists()


def test_people_sheet_refuses_a_bad_id_number_and_a_repeated_one(tree, login):
    client = login(tree["community_secretary"])
    home = Household.objects.filter(group=tree["group_A1a"]).first()
    place = ["GA1a", home.building, home.entrance, home.room]
    good = make_id_number(99002)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # wrong check digit
    rows = [
        [*place, "甲", "", "", "", good, ""],
        [*place, "乙", "", "", "", good, ""],  # row 3: the same number again (I)
        [*place, "丙", "未知", "", "", bad, ""],  # row 4: gender (F) and ID number (I)
    ]
    result = upload(client, "people", rows).context["result"]
    assert positions(result) == {(3, 9), (4, 6), (4, 9)}
    assert not Person.objects.filter(name__in=["甲", "乙", "丙"]).exists()


def test_wrong_header_row_is_refused(tree, login):
    client = login(tree["community_secretary"])
    headers = ["居民小组编码", "楼号", "室", "单元", "地址"]  # two columns swapped
    result = upload(client, "households", [["GA1a", "6", "101", "1", ""]], headers=headers).context["result"]
    assert positions(result) == {(1, 3), (1, 4)}
    assert {e.code for e in result.errors} == {"bad_header"}
    assert not Household.objects.filter(building="6").exists()


def test_a_sheet_of_another_kind_is_recognised(tree, login):
    client = login(tree["community_secretary"])
    result = upload(client, "units", [["GA1a", "6", "1", "101", ""]], headers=HOUSEHOLD_HEADERS).context["result"]
    assert [(e.code, e.row) for e in result.errors] == [("wrong_kind", 1)]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("people.csv", "居民小组编码,楼号\nGA1a,1\n".encode(), "not_xlsx"),
        ("people.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "not_xlsx"),
        ("people.xlsx", b"PK\x03\x04" + b"broken" * 100, "corrupt"),
    ],
)
def test_a_file_that_is_not_xlsx_gets_a_clear_error(tree, login, name, content, code):
    client = login(tree["community_secretary"])
    before = snapshot()
    response = upload(client, "people", SimpleUploadedFile(name, content))
    result = response.context["result"]
    assert [e.code for e in result.errors] == [code]
    assert result.errors[0].row is None  # about the whole file, not a cell
    assert result.errors[0].message in response.content.decode()
    assert snapshot() == before


def test_an_upload_without_a_file_shows_a_form_error(tree, login):
    client = login(tree["community_secretary"])
    response = client.post(reverse("org:import"), {"kind": "people"})
    assert response.status_code == 200
    assert response.context["result"] is None
    assert response.context["form"].errors["file"]


def test_too_large_a_file_is_refused(tree, login, monkeypatch):
    monkeypatch.setattr(excel, "MAX_BYTES", 1000)
    client = login(tree["community_secretary"])
    rows = [["GA1a", "5", "1", str(100 + i), "某地址" * 10] for i in range(50)]
    result = upload(client, "households", rows).context["result"]
    assert [e.code for e in result.errors] == ["too_large"]
    assert not Household.objects.filter(building="5").exists()


def test_too_many_rows_are_refused(tree, login, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 3)
    client = login(tree["community_secretary"])
    rows = [["GA1a", "5", "1", str(100 + i), ""] for i in range(4)]
    result = upload(client, "households", rows).context["result"]
    assert [e.code for e in result.errors] == ["too_many_rows"]
    assert not Household.objects.filter(building="5").exists()


# ---- scope ------------------------------------------------------------------------------------


def test_import_under_a_unit_outside_the_importers_area_is_refused(tree, login):
    client = login(tree["street_officer"])  # street A
    before = snapshot()
    units = upload(client, "units", [["CB1", "GB1x", "越界小组", "居民小组", "", ""]]).context["result"]
    assert positions(units) == {(2, 1)}  # the parent code
    households = upload(client, "households", [["GB1a", "1", "1", "999", ""]]).context["result"]
    assert positions(households) == {(2, 1)}
    assert snapshot() == before


def test_an_existing_unit_outside_the_area_cannot_be_renamed(tree, login):
    client = login(tree["community_secretary"])  # community A1 only
    result = upload(client, "units", [["SA", "CA2", "改名社区", "社区", "", ""]]).context["result"]
    assert positions(result) == {(2, 2)}
    assert OrgUnit.objects.get(code="CA2").name == "A2社区"


def test_a_group_leader_cannot_add_households_to_a_neighbouring_group(tree, login):
    client = login(tree["group_leader"])  # group A1a
    result = upload(client, "households", [["GA1b", "1", "1", "999", ""]]).context["result"]
    assert positions(result) == {(2, 1)}
    assert upload(client, "households", [["GA1a", "1", "1", "999", ""]]).context["result"].created == 1


def test_an_auditor_may_read_but_an_import_that_writes_is_refused(tree, login):
    client = login(tree["district_auditor"])
    result = upload(client, "households", [["GA1a", "1", "1", "998", ""]]).context["result"]
    assert [e.code for e in result.errors] == ["outside_scope"]
    assert not Household.objects.filter(room="998").exists()


def test_an_id_number_held_outside_the_area_is_not_taken_over(tree, login):
    client = login(tree["community_secretary"])
    far = tree["far_resident"]  # street B
    home = Household.objects.filter(group=tree["group_A1a"]).first()
    rows = [["GA1a", home.building, home.entrance, home.room, "冒名", "", "", "", far.id_number, ""]]
    result = upload(client, "people", rows).context["result"]
    assert positions(result) == {(2, 9)}
    far.refresh_from_db()
    assert far.name != "冒名" and far.unit == tree["group_B2b"]


# ---- export -----------------------------------------------------------------------------------


def test_people_export_masks_numbers_for_a_role_without_unmask_rights(tree, login):
    leader = tree["group_leader"]
    response = login(leader).get(reverse("org:export", args=["people"]))
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    rows = sheet_rows(response)
    assert list(rows[0]) == PEOPLE_HEADERS
    expected = Person.objects.filter(unit=tree["group_A1a"], retired_at=None)
    assert len(rows) - 1 == expected.count()
    others = {p.name: p for p in expected.exclude(pk=leader.pk)}
    assert others
    for row in rows[1:]:
        if row[4] in others:
            person = others[row[4]]
            assert row[7] != person.phone and "****" in row[7] and row[7][-4:] == person.phone[-4:]
            assert row[8] != person.id_number and "*" in row[8]


def test_people_export_shows_full_numbers_to_a_community_secretary(tree, login):
    response = login(tree["community_secretary"]).get(reverse("org:export", args=["people"]))
    rows = sheet_rows(response)
    people = Person.objects.filter(unit__path__startswith=tree["community_A1"].path, retired_at=None)
    assert len(rows) - 1 == people.count()
    phones = {row[4]: row[7] for row in rows[1:]}
    for person in people:
        assert phones[person.name] == person.phone


def test_export_writes_an_audit_entry(tree, login):
    client = login(tree["street_officer"])
    response = client.get(reverse("org:export", args=["households"]), {"q": "", "unit": tree["community_A1"].pk})
    rows = sheet_rows(response)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.user == tree["street_officer"].user
    assert entry.target == "export:households"
    assert entry.detail["rows"] == len(rows) - 1 == 4  # two groups with two households each
    assert entry.detail["unit"] == tree["community_A1"].pk


def test_street_officer_export_holds_no_one_from_another_street(tree, login):
    response = login(tree["street_officer"]).get(reverse("org:export", args=["people"]))
    rows = sheet_rows(response)
    exported_ids = {row[8] for row in rows[1:]}
    exported_names = {row[4] for row in rows[1:]}
    other_street = Person.objects.filter(unit__path__startswith=tree["street_B"].path)
    assert other_street.exists()
    for person in other_street:
        assert person.id_number not in exported_ids
        assert person.name not in exported_names
    a_codes = set(OrgUnit.objects.filter(path__startswith=tree["street_A"].path).values_list("code", flat=True))
    assert {row[0] for row in rows[1:]} <= a_codes
    assert len(rows) - 1 == Person.objects.filter(unit__path__startswith=tree["street_A"].path).count()


def test_export_of_a_unit_outside_the_area_is_not_found(tree, login):
    client = login(tree["street_officer"])
    response = client.get(reverse("org:export", args=["people"]), {"unit": tree["community_B1"].pk})
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_search_narrows_the_rows(tree, login):
    client = login(tree["community_secretary"])
    target = Person.objects.filter(unit=tree["group_A1b"]).first()
    rows = sheet_rows(client.get(reverse("org:export", args=["people"]), {"q": target.name}))
    assert [row[4] for row in rows[1:]] == [target.name]


def test_exported_units_and_households_import_back_unchanged(tree, login):
    client = login(tree["street_officer"])
    for kind in ("units", "households"):
        exported = client.get(reverse("org:export", args=[kind])).getvalue()
        rows = sheet_rows(client.get(reverse("org:export", args=[kind])))
        assert list(rows[0]) == HEADERS[kind]
        before = snapshot()
        result = upload(client, kind, SimpleUploadedFile(f"{kind}.xlsx", exported)).context["result"]
        assert result.ok, [str(e) for e in result.errors]
        assert (result.created, result.updated, result.unchanged) == (0, 0, len(rows) - 1)
        assert snapshot() == before


def test_units_export_names_kinds_in_chinese(tree, login):
    rows = sheet_rows(login(tree["street_officer"]).get(reverse("org:export", args=["units"])))
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code["SA"][0] == "D" and by_code["SA"][3] == "街道"
    assert by_code["GA1a"][0] == "CA1" and by_code["GA1a"][3] == "居民小组"
    assert "SB" not in by_code


def test_people_export_with_full_numbers_imports_back_unchanged(tree, login):
    client = login(tree["community_secretary"])
    exported = client.get(reverse("org:export", args=["people"])).getvalue()
    before = snapshot()
    result = upload(client, "people", SimpleUploadedFile("people.xlsx", exported)).context["result"]
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == result.updated == 0
    assert snapshot() == before


def test_export_queries_do_not_grow_with_the_number_of_people(tree, login):
    client = login(tree["street_officer"])
    url = reverse("org:export", args=["people"])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    group = tree["group_A1a"]
    for home in Household.objects.filter(group=group):
        PersonFactory.create_batch(20, unit=group, household=home)
    with CaptureQueriesContext(connection) as many:
        rows = sheet_rows(client.get(url))
    assert len(rows) - 1 > 40
    assert len(many) == len(few)


def test_people_export_honours_the_role_filter_of_the_people_page(tree, login):
    client = login(tree["community_secretary"])
    rows = sheet_rows(client.get(reverse("org:export", args=["people"]), {"role": "grid_worker"}))
    assert [row[4] for row in rows[1:]] == [tree["grid_worker"].name]


def test_an_id_number_that_excel_turned_into_a_number_is_refused(tree, login):
    client = login(tree["community_secretary"])
    home = Household.objects.filter(group=tree["group_A1a"]).first()
    number = int(make_id_number(99003)[:17] + "0")  # what Excel keeps of a number typed into a number cell
    rows = [["GA1a", home.building, home.entrance, home.room, "数字证号", "", "", "", number, ""]]
    result = upload(client, "people", rows).context["result"]
    assert [(e.code, e.row, e.col) for e in result.errors] == [("bad_id_number", 2, 9)]
    assert not Person.objects.filter(name="数字证号").exists()


def test_a_household_that_moved_out_comes_back_when_imported_again(tree, login):
    client = login(tree["community_secretary"])
    home = Household.objects.filter(group=tree["group_A1b"]).first()
    Household.objects.filter(pk=home.pk).update(retired_at=timezone.now())
    rows = [["GA1b", home.building, home.entrance, home.room, home.address]]
    result = upload(client, "households", rows).context["result"]
    assert (result.created, result.updated) == (0, 1)
    home.refresh_from_db()
    assert home.retired_at is None
