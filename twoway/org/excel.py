"""Excel import and export of the tree, households and people.

Three sheet kinds share one column layout for the downloadable template, the import and the
export, so an exported units or households sheet can be imported back unchanged:

- ``units``: the tree, keyed by 组织编码 (unit code);
- ``households``: keyed by resident group + building + entrance + room;
- ``people``: keyed by 身份证号 (ID number), or by household (or unit) + name without one.

An import is all or nothing. The whole sheet is read and checked first, against the file
format, the rules of the tree and the importer's scope; any error refuses the whole sheet, with
each problem listed by row and column. A good sheet is written in one transaction, and only
rows that differ from what is stored are written, so importing a sheet twice changes nothing.

A row states the whole record: an empty cell empties the field, except an empty ID number,
which never removes a stored one. A row naming a household or person that has moved out
brings them back. Units are only added and renamed here; moving or retiring a unit is done on
its page, so a row that puts an existing unit under another parent is an error.
"""

import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO

import openpyxl
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from twoway.core.errors import DomainError

from . import actions
from .models import CHILD_KINDS, Gender, Household, OrgUnit, Person, UnitKind
from .scope import Scope, can_unmask, scope_for, visible_households, visible_people, visible_units
from .selectors import search_households, search_people, search_units
from .validation import clean_id_number, clean_phone, mask_id_number, mask_phone

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# An .xlsx is a zip: refuse one that would unpack to far more than its size suggests.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BATCH = 500

# The kind and gender names a sheet uses, and those it also accepts.
KIND_NAMES: dict[str, str] = {
    UnitKind.DISTRICT: "区",
    UnitKind.DEPARTMENT: "区直部门",
    UnitKind.STREET: "街道",
    UnitKind.COMMUNITY: "社区",
    UnitKind.GROUP: "居民小组",
}
_KIND_BY_NAME: dict[str, str] = {
    **{name: kind for kind, name in KIND_NAMES.items()},
    **{kind.value: kind.value for kind in UnitKind},
    "居民组": UnitKind.GROUP,
    "小组": UnitKind.GROUP,
    "部门": UnitKind.DEPARTMENT,
    "resident group": UnitKind.GROUP,
    "district department": UnitKind.DEPARTMENT,
}
GENDER_NAMES: dict[str, str] = {Gender.MALE: "男", Gender.FEMALE: "女"}
_GENDER_BY_NAME: dict[str, str] = {
    "男": Gender.MALE,
    "女": Gender.FEMALE,
    "m": Gender.MALE,
    "f": Gender.FEMALE,
    "male": Gender.MALE,
    "female": Gender.FEMALE,
}


# ---- the sheet layouts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its key, its fixed Chinese header and what it may hold."""

    key: str
    header: str
    note: str | Promise
    example: str = ""
    required: bool = False
    max_length: int | None = None
    width: int = 14


@dataclass(frozen=True)
class SheetSpec:
    """The layout of one kind of sheet."""

    kind: str
    title: str  # the worksheet's name in the file (part of the format, so not translated)
    label: str | Promise
    description: str | Promise
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def position(self, key: str) -> int:
        """The 1-based column number of a key."""
        return next(i for i, c in enumerate(self.columns, start=1) if c.key == key)

    def column(self, key: str) -> Column:
        return self.columns[self.position(key) - 1]


_GROUP_CODE = Column(
    "group_code",
    "居民小组编码",
    gettext_lazy("Code (组织编码) of the resident group the household belongs to."),
    "G0101",
    required=True,
    max_length=32,
)
_BUILDING = Column("building", "楼号", gettext_lazy("Building number."), "3", required=True, max_length=20, width=8)
_ENTRANCE = Column(
    "entrance", "单元", gettext_lazy("Unit (entrance) number."), "1", required=True, max_length=20, width=8
)
_ROOM = Column("room", "室", gettext_lazy("Room number."), "502", required=True, max_length=20, width=8)

UNITS = SheetSpec(
    kind="units",
    title="组织机构",
    label=gettext_lazy("Organisation units"),
    description=gettext_lazy("Streets, communities and resident groups, each under its parent unit."),
    columns=(
        Column(
            "parent_code",
            "上级组织编码",
            gettext_lazy("Code of the unit above. Leave empty only for a district."),
            "C01",
            max_length=32,
        ),
        Column(
            "code",
            "组织编码",
            gettext_lazy("The unit's own code, unique in the system. Importing the same code again updates the unit."),
            "G0101",
            required=True,
            max_length=32,
        ),
        Column(
            "name",
            "组织名称",
            gettext_lazy("Name of the unit."),
            "第一居民小组",
            required=True,
            max_length=100,
            width=24,
        ),
        Column(
            "kind",
            "类型",
            gettext_lazy("One of: 区, 区直部门, 街道, 社区, 居民小组. It must fit the level below the parent."),
            "居民小组",
            required=True,
            width=12,
        ),
        Column(
            "address", "地址", gettext_lazy("Office address (optional)."), "黄河五路100号", max_length=200, width=30
        ),
        Column("phone", "电话", gettext_lazy("Office phone (optional)."), "0543-3211234", max_length=32),
    ),
)

HOUSEHOLDS = SheetSpec(
    kind="households",
    title="住户",
    label=gettext_lazy("Households"),
    description=gettext_lazy("Households by resident group, building, unit (entrance) and room."),
    columns=(
        _GROUP_CODE,
        _BUILDING,
        _ENTRANCE,
        _ROOM,
        Column(
            "address",
            "地址",
            gettext_lazy("Full address (optional)."),
            "黄河五路100号3号楼1单元502室",
            max_length=200,
            width=34,
        ),
    ),
)

PEOPLE = SheetSpec(
    kind="people",
    title="人员",
    label=gettext_lazy("People"),
    description=gettext_lazy("Residents by household; workers with no household by their unit."),
    columns=(
        Column(
            "group_code",
            "居民小组编码",
            gettext_lazy(
                "Code of the household's resident group. For a worker with no household: the code of the unit "
                "they work in, with building, unit and room left empty."
            ),
            "G0101",
            required=True,
            max_length=32,
        ),
        Column("building", "楼号", gettext_lazy("Building number of the household."), "3", max_length=20, width=8),
        Column(
            "entrance", "单元", gettext_lazy("Unit (entrance) number of the household."), "1", max_length=20, width=8
        ),
        Column("room", "室", gettext_lazy("Room number of the household."), "502", max_length=20, width=8),
        Column("name", "姓名", gettext_lazy("Full name."), "张三", required=True, max_length=50, width=12),
        Column("gender", "性别", gettext_lazy("男 or 女 (optional)."), "男", width=8),
        Column(
            "birth_date",
            "出生日期",
            gettext_lazy("Date of birth, e.g. 1980-05-17 (optional)."),
            "1980-05-17",
            width=12,
        ),
        Column("phone", "手机号", gettext_lazy("11-digit mobile or landline number (optional)."), "13800000000"),
        Column(
            "id_number",
            "身份证号",
            gettext_lazy(
                "18-digit resident ID number (optional). It identifies the person: importing the same number again "
                "updates them. Type it as text so Excel keeps every digit."
            ),
            "",
            width=22,
        ),
        Column("relation", "与户主关系", gettext_lazy("E.g. 户主, 配偶, 子女 (optional)."), "户主", max_length=20),
    ),
)

SHEETS: dict[str, SheetSpec] = {s.kind: s for s in (UNITS, HOUSEHOLDS, PEOPLE)}


def sheet_spec(kind: str) -> SheetSpec | None:
    """The layout for a kind slug (units, households, people), or None for an unknown kind."""
    return SHEETS.get(kind)


# ---- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in a sheet. `row` and `col` are 1-based; both are None for the whole file."""

    code: str
    message: str
    row: int | None = None
    col: int | None = None
    header: str = ""

    @property
    def col_letter(self) -> str:
        return get_column_letter(self.col) if self.col else ""

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.col is None:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("Row %(row)s, column %(col)s (%(header)s): %(message)s") % {
            "row": self.row,
            "col": self.col_letter,
            "header": self.header,
            "message": self.message,
        }


@dataclass
class ImportResult:
    """What an import did: counts for a good sheet, or the errors that refused it."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def label(self) -> str:
        return str(SHEETS[self.kind].label)

    def audit_detail(self) -> dict:
        detail = {"kind": self.kind, "rows": self.rows}
        if self.ok:
            detail.update(created=self.created, updated=self.updated, unchanged=self.unchanged)
        else:
            detail.update(refused=True, errors=len(self.errors))
        return detail


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: data rows, and how many of them show full personal numbers."""

    kind: str
    rows: int
    unmasked: int = 0


# ---- reading a sheet --------------------------------------------------------------------------


# Cells whose Excel type matters: a date cell, and an ID number that Excel turned into a number.
_RAW_KEYS = {"birth_date", "id_number"}


@dataclass
class SheetRow:
    """One non-empty data row: its row number in the sheet and its cells by column key.

    Cells are stripped text ('' when empty), except those in _RAW_KEYS, which keep Excel's value.
    """

    number: int
    values: dict[str, object]

    def text(self, key: str) -> str:
        value = self.values.get(key, "")
        return value if isinstance(value, str) else cell_text(value)


class _Errors:
    """Collects errors for one sheet, placing each at its row and column; one error per cell."""

    def __init__(self, spec: SheetSpec, items: Iterable[RowError] = ()):
        self.spec = spec
        self.items: list[RowError] = list(items)
        self._cells = {(e.row, e.col) for e in self.items if e.row is not None}

    def add(self, code: str, message: str, *, row: int | None = None, key: str | None = None) -> None:
        col = self.spec.position(key) if key else None
        if row is not None:
            if (row, col) in self._cells:
                return  # the first problem found in a cell is the one to fix
            self._cells.add((row, col))
        header = self.spec.column(key).header if key else ""
        self.items.append(RowError(code=code, message=message, row=row, col=col, header=header))

    def sorted(self) -> list[RowError]:
        return sorted(self.items, key=lambda e: (e.row or 0, e.col or 0))

    def file(self, code: str, message: str) -> None:
        self.items.append(RowError(code=code, message=message))

    def __bool__(self) -> bool:
        return bool(self.items)


def cell_text(value: object) -> str:
    """A cell's value as stripped text: whole numbers without '.0', dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")


def parse_date(value: object) -> date | None:
    """A date from an Excel date cell or text like 1980-05-17, 1980/5/17, 1980年5月17日 or 19800517.

    Empty gives None; anything else that is not a date raises ValueError.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    match = _DATE_TEXT.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    if not match:
        raise ValueError(text)
    year, month, day = (int(g) for g in match.groups())
    return date(year, month, day)


def _file_size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is not None:
        return size
    position = file.tell()
    file.seek(0, 2)
    size = file.tell()
    file.seek(position)
    return size


def _check_container(*, file: IO[bytes], errors: _Errors) -> bool:
    """Whether the upload is a plausible .xlsx: small enough, a zip, and not a zip bomb."""
    if _file_size(file) > MAX_BYTES:
        errors.file(
            "too_large",
            _("The file is larger than %(mb)s MB. Split it into smaller sheets.") % {"mb": MAX_BYTES // (1024 * 1024)},
        )
        return False
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not head.startswith(b"PK\x03\x04"):
        errors.file(
            "not_xlsx",
            _(
                "This is not an .xlsx file. In Excel or WPS choose “Save as”, pick “Excel workbook (*.xlsx)” "
                "and upload that file."
            ),
        )
        return False
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        errors.file("corrupt", _("The file could not be read: it may be damaged. Save it again and retry."))
        return False
    finally:
        file.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        errors.file(
            "too_large",
            _("The file is larger than %(mb)s MB. Split it into smaller sheets.") % {"mb": MAX_BYTES // (1024 * 1024)},
        )
        return False
    return True


def _check_headers(*, spec: SheetSpec, found: list[str], errors: _Errors) -> None:
    """Check the header row; `found` may run past the spec's columns (those are ignored)."""
    if found[: len(spec.columns)] == spec.headers:
        return
    for other in SHEETS.values():
        if other is not spec and found[: len(other.columns)] == other.headers:
            errors.add(
                "wrong_kind",
                _("This is a sheet of %(other)s, not of %(kind)s. Choose the right kind, or use the template.")
                % {"other": other.label, "kind": spec.label},
                row=1,
            )
            return
    for column, text in zip(spec.columns, found, strict=False):
        if text != column.header:
            errors.add(
                "bad_header",
                _("The header must be “%(expected)s”, but it is “%(found)s”. Use the template’s header row.")
                % {"expected": column.header, "found": text},
                row=1,
                key=column.key,
            )


def read_sheet(*, file: IO[bytes], spec: SheetSpec) -> tuple[list[SheetRow], list[RowError]]:
    """Read the first worksheet of an uploaded .xlsx laid out as `spec`.

    Checks the file itself (size, format, row count), the header row, and each cell's
    required value and length. Returns the non-empty data rows and the errors found; when the
    file or its header row is wrong, there are no rows.
    """
    errors = _Errors(spec)
    if not _check_container(file=file, errors=errors):
        return [], errors.items
    width = len(spec.columns)
    lines: list[tuple[int, tuple]] = []
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error on a damaged or foreign zip
        errors.file("corrupt", _("The file could not be read: it may be damaged. Save it again and retry."))
        return [], errors.items
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read what is really there
        widest = max(len(s.columns) for s in SHEETS.values())  # to recognise a sheet of another kind
        for number, values in enumerate(sheet.iter_rows(min_row=1, max_col=widest, values_only=True), start=1):
            cells = (*values, *([None] * widest))[: widest if number == 1 else width]
            if number > 1 and all(cell_text(v) == "" for v in cells):
                continue
            if len(lines) > MAX_ROWS:
                errors.file(
                    "too_many_rows",
                    _("The sheet has more than %(n)s rows. Split it into smaller sheets.") % {"n": f"{MAX_ROWS:,}"},
                )
                return [], errors.items
            lines.append((number, cells))
    except Exception:  # a damaged worksheet can fail part-way through
        errors.file("corrupt", _("The file could not be read: it may be damaged. Save it again and retry."))
        return [], errors.items
    finally:
        book.close()
    if not lines:
        errors.file("empty", _("The sheet is empty: it has no header row."))
        return [], errors.items
    _check_headers(spec=spec, found=[cell_text(v) for v in lines[0][1]], errors=errors)
    if errors:
        return [], errors.items
    rows = [
        SheetRow(
            number=number,
            values={
                c.key: (v if c.key in _RAW_KEYS else cell_text(v)) for c, v in zip(spec.columns, cells, strict=True)
            },
        )
        for number, cells in lines[1:]
    ]
    if not rows:
        errors.file("empty", _("The sheet has no data rows under the header row."))
    for row in rows:
        _check_cells(spec=spec, row=row, errors=errors)
    return rows, errors.items


def _check_cells(*, spec: SheetSpec, row: SheetRow, errors: _Errors) -> None:
    for column in spec.columns:
        text = row.text(column.key)
        if column.required and not text:
            errors.add("required", _("This field is required."), row=row.number, key=column.key)
        elif column.max_length and len(text) > column.max_length:
            errors.add(
                "too_long",
                _("At most %(n)s characters (it has %(len)s).") % {"n": column.max_length, "len": len(text)},
                row=row.number,
                key=column.key,
            )


# ---- importing --------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("refused")
        self.errors = errors


def import_sheet(*, user, kind: str, file: IO[bytes]) -> ImportResult:
    """Import an uploaded .xlsx of `kind` as `user`: the whole sheet, or nothing.

    Returns the counts of records created, updated and unchanged, or, when anything is
    wrong, the list of errors and no change at all.
    """
    spec = SHEETS[kind]
    rows, errors = read_sheet(file=file, spec=spec)
    result = ImportResult(kind=kind, rows=len(rows))
    if not rows:
        result.errors = errors
        return result
    planner = {"units": _UnitsImport, "households": _HouseholdsImport, "people": _PeopleImport}[kind]
    try:
        with transaction.atomic():
            job = planner(scope=scope_for(user), is_superuser=user.is_superuser, rows=rows, errors=errors)
            job.check()
            if job.errors:
                raise _Refused(job.errors.sorted())
            job.apply()
    except _Refused as refused:
        result.errors = refused.errors
        return result
    except (IntegrityError, DomainError):
        # Someone else changed the same records between our checks and our writes.
        result.errors = [
            RowError(
                code="changed_meanwhile",
                message=_("The records changed while the sheet was being imported. Nothing was saved; try again."),
            )
        ]
        return result
    result.created, result.updated, result.unchanged = job.created, job.updated, job.unchanged
    return result


class _Import:
    """The checks and writes shared by the three kinds of sheet."""

    spec: SheetSpec

    def __init__(self, *, scope: Scope, is_superuser: bool, rows: list[SheetRow], errors: Iterable[RowError] = ()):
        self.scope = scope
        self.is_superuser = is_superuser
        self.rows = rows
        self.errors = _Errors(self.spec, errors)
        self.created = self.updated = self.unchanged = 0

    def error(self, code: str, message: str, row: SheetRow, key: str) -> None:
        self.errors.add(code, message, row=row.number, key=key)

    def units_by_code(self, codes: Iterable[str]) -> dict[str, OrgUnit]:
        codes = sorted({c for c in codes if c})
        found: dict[str, OrgUnit] = {}
        for i in range(0, len(codes), _BATCH):
            for unit in OrgUnit.objects.filter(code__in=codes[i : i + _BATCH]).select_related("parent"):
                found[unit.code] = unit
        return found

    def readable_unit(self, units: dict[str, OrgUnit], row: SheetRow, key: str) -> OrgUnit | None:
        """The unit whose code is in this cell, if the importer may see it; else an error."""
        code = row.text(key)
        if not code:
            return None
        unit = units.get(code)
        if unit is None or not self.scope.covers(unit.path):
            self.error("unknown_code", _("No unit with code %(code)s in your area.") % {"code": code}, row, key)
            return None
        return unit

    def check_writable(self, unit: OrgUnit, row: SheetRow, key: str, *, active: bool = True) -> bool:
        """Whether the importer may change records in this unit (and, with `active`, add to it
        because it is not retired); else an error."""
        if not self.scope.covers(unit.path, write=True):
            self.error(
                "outside_scope",
                _("%(name)s (%(code)s) is outside the area you may change.") % {"name": unit.name, "code": unit.code},
                row,
                key,
            )
            return False
        if active and unit.is_retired:
            self.error(
                "retired",
                _("%(name)s is retired: nothing can be added or changed in it.") % {"name": unit.name},
                row,
                key,
            )
            return False
        return True

    def clean(self, cleaner, row: SheetRow, key: str) -> str:
        """Run a validation.clean_* function on a cell; its DomainError becomes a cell error."""
        try:
            return cleaner(row.text(key))
        except DomainError as error:
            self.error(error.code, error.message, row, key)
            return ""

    def check(self) -> None:
        raise NotImplementedError

    def apply(self) -> None:
        raise NotImplementedError


class _UnitsImport(_Import):
    spec = UNITS

    def check(self) -> None:
        self.existing = self.units_by_code(
            [r.text("code") for r in self.rows] + [r.text("parent_code") for r in self.rows]
        )
        self.kinds: dict[int, str] = {}
        first_row: dict[str, int] = {}
        self.new_rows: dict[str, SheetRow] = {}
        self.changes: list[tuple[OrgUnit, dict]] = []
        for row in self.rows:
            kind_text = row.text("kind")
            kind = _KIND_BY_NAME.get(kind_text) or _KIND_BY_NAME.get(kind_text.lower())
            if kind_text and kind is None:
                self.error(
                    "bad_kind",
                    _("Unknown kind “%(value)s”: use one of %(choices)s.")
                    % {"value": kind_text, "choices": "、".join(KIND_NAMES.values())},
                    row,
                    "kind",
                )
            elif kind:
                self.kinds[row.number] = kind
            code = row.text("code")
            if not code:
                continue
            if code in first_row:
                self.error(
                    "duplicate",
                    _("Code %(code)s appears twice: it is already in row %(first)s.")
                    % {"code": code, "first": first_row[code]},
                    row,
                    "code",
                )
                continue
            first_row[code] = row.number
            if code in self.existing:
                self._check_existing(row, self.existing[code])
            else:
                self.new_rows[code] = row
        self.creation_order = self._order_new_units()

    def _check_existing(self, row: SheetRow, unit: OrgUnit) -> None:
        if not self.scope.covers(unit.path):
            self.error(
                "code_taken", _("Code %(code)s is already used by another unit.") % {"code": unit.code}, row, "code"
            )
            return
        kind = self.kinds.get(row.number)
        if kind and kind != unit.kind:
            self.error(
                "kind_mismatch",
                _("%(name)s is a %(kind)s; the kind of an existing unit cannot be changed.")
                % {"name": unit.name, "kind": KIND_NAMES[unit.kind]},
                row,
                "kind",
            )
        parent_code = unit.parent.code if unit.parent else ""
        if row.text("parent_code") != parent_code:
            self.error(
                "parent_mismatch",
                _("%(name)s is under %(parent)s. To move a unit, use Move on its page.")
                % {"name": unit.name, "parent": parent_code or _("the top level")},
                row,
                "parent_code",
            )
        changed = {}
        for key in ("name", "address", "phone"):
            value = row.text(key)
            if value != getattr(unit, key):
                changed[key] = value
        if "phone" in changed:
            changed["phone"] = self.clean(clean_phone, row, "phone")
            if changed["phone"] == unit.phone:
                del changed["phone"]  # the same number, written with spaces
        if changed and self.check_writable(unit, row, "code"):
            self.changes.append((unit, changed))
        elif not changed:
            self.unchanged += 1

    def _order_new_units(self) -> list[tuple[SheetRow, str]]:
        """New units, each after its parent; checks each one's parent, level and scope."""
        depth: dict[str, int] = {}
        for code, row in self.new_rows.items():
            if row.text("phone"):
                self.clean(clean_phone, row, "phone")
            chain = [code]
            parent = row.text("parent_code")
            while parent in self.new_rows and parent not in chain and parent not in depth:
                chain.append(parent)
                parent = self.new_rows[parent].text("parent_code")
            if parent in chain:
                self.error(
                    "loop", _("Code %(code)s is its own ancestor in this sheet.") % {"code": code}, row, "parent_code"
                )
                depth[code] = 0
                continue
            base = depth.get(parent, 0)
            for offset, link in enumerate(reversed(chain), start=1):
                depth.setdefault(link, base + offset)
            self._check_new_parent(row)
        ordered = sorted(self.new_rows.items(), key=lambda item: depth.get(item[0], 0))
        return [(row, row.text("parent_code")) for _code, row in ordered]

    def _check_new_parent(self, row: SheetRow) -> None:
        kind = self.kinds.get(row.number)
        parent_code = row.text("parent_code")
        if not parent_code:
            if not self.is_superuser:
                self.error(
                    "top_level",
                    _("Give the code of the parent unit. Only a system administrator can add a top-level unit."),
                    row,
                    "parent_code",
                )
            elif kind and kind not in CHILD_KINDS[None]:
                self._kind_not_allowed(row, kind, None)
            return
        if parent_code in self.existing:
            parent = self.readable_unit(self.existing, row, "parent_code")
            if parent is None or not self.check_writable(parent, row, "parent_code"):
                return
            parent_kind = parent.kind
        elif parent_code in self.new_rows:
            parent_kind = self.kinds.get(self.new_rows[parent_code].number)
        else:
            self.error(
                "unknown_code",
                _("No unit with code %(code)s in your area.") % {"code": parent_code},
                row,
                "parent_code",
            )
            return
        if kind and parent_kind and kind not in CHILD_KINDS.get(UnitKind(parent_kind), []):
            self._kind_not_allowed(row, kind, parent_kind)

    def _kind_not_allowed(self, row: SheetRow, kind: str, parent_kind: str | None) -> None:
        allowed = CHILD_KINDS.get(UnitKind(parent_kind) if parent_kind else None, [])
        self.error(
            "kind_not_allowed",
            _("A %(kind)s cannot be placed under a %(parent)s; allowed here: %(allowed)s.")
            % {
                "kind": KIND_NAMES[kind],
                "parent": KIND_NAMES[parent_kind] if parent_kind else _("the top level"),
                "allowed": "、".join(KIND_NAMES[k] for k in allowed) or "—",
            },
            row,
            "kind",
        )

    def apply(self) -> None:
        by_code = dict(self.existing)
        for row, parent_code in self.creation_order:
            unit = actions.unit_create(
                parent=by_code[parent_code] if parent_code else None,
                kind=self.kinds[row.number],
                name=row.text("name"),
                code=row.text("code"),
                address=row.text("address"),
                phone=clean_phone(row.text("phone")),
            )
            by_code[unit.code] = unit
            self.created += 1
        for unit, changed in self.changes:
            if "name" in changed:
                actions.unit_rename(unit=unit, name=changed.pop("name"))
            if changed:
                for key, value in changed.items():
                    setattr(unit, key, value)
                unit.save(update_fields=list(changed))
            self.updated += 1


class _HouseholdsImport(_Import):
    spec = HOUSEHOLDS

    def check(self) -> None:
        groups = self.units_by_code(r.text("group_code") for r in self.rows)
        existing = _households_of([u.pk for u in groups.values() if u.kind == UnitKind.GROUP])
        first_row: dict[tuple, int] = {}
        self.new: list[Household] = []
        self.changed: list[Household] = []
        for row in self.rows:
            group = self.readable_unit(groups, row, "group_code")
            if group is None or not _check_group(self, group, row, "group_code"):
                continue
            place = tuple(row.text(k) for k in ("building", "entrance", "room"))
            if not all(place):
                continue
            key = (group.pk, *place)
            if key in first_row:
                self.error(
                    "duplicate",
                    _("This household appears twice: it is already in row %(first)s.") % {"first": first_row[key]},
                    row,
                    "room",
                )
                continue
            first_row[key] = row.number
            address = row.text("address")
            household = existing.get(key)
            if household is not None and household.address == address and household.retired_at is None:
                self.unchanged += 1
                continue
            if not self.check_writable(group, row, "group_code"):
                continue
            if household is None:
                self.new.append(
                    Household(group=group, building=place[0], entrance=place[1], room=place[2], address=address)
                )
            else:
                household.address, household.retired_at = address, None
                self.changed.append(household)

    def apply(self) -> None:
        Household.objects.bulk_create(self.new, batch_size=_BATCH)
        Household.objects.bulk_update(self.changed, ["address", "retired_at"], batch_size=_BATCH)
        self.created, self.updated = len(self.new), len(self.changed)


def _check_group(job: _Import, unit: OrgUnit, row: SheetRow, key: str) -> bool:
    if unit.kind != UnitKind.GROUP:
        job.error(
            "not_a_group",
            _("%(name)s (%(code)s) is a %(kind)s, not a resident group.")
            % {"name": unit.name, "code": unit.code, "kind": KIND_NAMES[unit.kind]},
            row,
            key,
        )
        return False
    return True


def _households_of(group_ids: list[int]) -> dict[tuple, Household]:
    found = {}
    for i in range(0, len(group_ids), _BATCH):
        for h in Household.objects.filter(group_id__in=group_ids[i : i + _BATCH]):
            found[(h.group_id, h.building, h.entrance, h.room)] = h
    return found


_PERSON_FIELDS = ("unit", "household", "name", "gender", "birth_date", "phone", "id_number", "relation", "retired_at")


class _PeopleImport(_Import):
    spec = PEOPLE

    def check(self) -> None:
        units = self.units_by_code(r.text("group_code") for r in self.rows)
        households = _households_of([u.pk for u in units.values() if u.kind == UnitKind.GROUP])
        today = timezone.localdate()
        self.new: list[Person] = []
        self.changed: list[Person] = []
        planned = []
        for row in self.rows:
            values = self._values(row, today)
            place = self._place(row, units, households)
            if place is not None and values is not None:
                values["unit"], values["household"] = place
                planned.append((row, values))
        self._match(planned)

    def _values(self, row: SheetRow, today: date) -> dict | None:
        """The person's own fields from a row, or None when one of them is wrong."""
        count = len(self.errors.items)
        gender_text = row.text("gender")
        gender = _GENDER_BY_NAME.get(gender_text.lower(), "") if gender_text else ""
        if gender_text and not gender:
            self.error("bad_gender", _("Enter 男 or 女."), row, "gender")
        birth_date = None
        try:
            birth_date = parse_date(row.values.get("birth_date"))
        except ValueError:
            self.error("bad_date", _("Enter a date such as 1980-05-17."), row, "birth_date")
        if birth_date and not date(1900, 1, 1) <= birth_date <= today:
            self.error("bad_date", _("The date of birth must lie between 1900 and today."), row, "birth_date")
        phone = self.clean(clean_phone, row, "phone")
        if isinstance(row.values.get("id_number"), int | float) and len(row.text("id_number")) > 15:
            # Excel keeps 15 significant digits: an 18-digit number typed into a number cell is lost.
            self.error(
                "bad_id_number",
                _(
                    "ID number: Excel stored it as a number and lost its last digits. "
                    "Format the column as text and type it again."
                ),
                row,
                "id_number",
            )
        id_number = self.clean(clean_id_number, row, "id_number")
        if len(self.errors.items) > count or not row.text("name"):
            return None
        return {
            "name": row.text("name"),
            "gender": gender,
            "birth_date": birth_date,
            "phone": phone,
            "id_number": id_number,
            "relation": row.text("relation"),
            "retired_at": None,
        }

    def _place(self, row: SheetRow, units: dict, households: dict) -> tuple[OrgUnit, Household | None] | None:
        """The unit and household a row puts the person in, or None when they are wrong."""
        unit = self.readable_unit(units, row, "group_code")
        keys = ("building", "entrance", "room")
        place = tuple(row.text(k) for k in keys)
        if any(place):
            for key, value in zip(keys, place, strict=True):
                if not value:
                    self.error("required", _("This field is required."), row, key)
            if unit is None or not all(place) or not _check_group(self, unit, row, "group_code"):
                return None
            household = households.get((unit.pk, *place))
            if household is None:
                self.error(
                    "no_household",
                    _(
                        "%(group)s has no household at building %(b)s, unit %(e)s, room %(r)s. "
                        "Import it in a households sheet first."
                    )
                    % {"group": unit.name, "b": place[0], "e": place[1], "r": place[2]},
                    row,
                    "room",
                )
                return None
            return unit, household
        if unit is None:
            return None
        return unit, None

    def _match(self, planned: list[tuple[SheetRow, dict]]) -> None:
        by_id = _people_by_id_number([v["id_number"] for _row, v in planned if v["id_number"]])
        by_name = _people_by_place(
            household_ids=[v["household"].pk for _row, v in planned if v["household"] and not v["id_number"]],
            unit_ids=[v["unit"].pk for _row, v in planned if not v["household"] and not v["id_number"]],
        )
        first_row: dict[object, int] = {}
        target_row: dict[int, int] = {}
        for row, values in planned:
            if values["id_number"]:
                key, column = values["id_number"], "id_number"
                matches = [p for p in [by_id.get(key)] if p is not None]
            else:
                key = (values["household"].pk if values["household"] else None, values["unit"].pk, values["name"])
                column = "name"
                matches = by_name.get(key, [])
            if key in first_row:
                self.error(
                    "duplicate",
                    _("This person appears twice: they are already in row %(first)s.") % {"first": first_row[key]},
                    row,
                    column,
                )
                continue
            first_row[key] = row.number
            if len(matches) > 1:
                self.error(
                    "ambiguous",
                    _("Several people named %(name)s live here: give each one's ID number.") % {"name": values["name"]},
                    row,
                    "id_number",
                )
                continue
            person = matches[0] if matches else None
            if person is not None:
                if person.pk in target_row:
                    self.error(
                        "duplicate",
                        _("This person appears twice: they are already in row %(first)s.")
                        % {"first": target_row[person.pk]},
                        row,
                        column,
                    )
                    continue
                target_row[person.pk] = row.number
            self._plan_person(row, values, person)

    def _check_household(self, row: SheetRow, household: Household | None) -> bool:
        if household is None or household.retired_at is None:
            return True
        self.error(
            "retired",
            _("This household has moved out. Import it again in a households sheet first."),
            row,
            "room",
        )
        return False

    def _plan_person(self, row: SheetRow, values: dict, person: Person | None) -> None:
        """Plan the creation or update of one person, or count them unchanged."""
        if person is None:
            if self.check_writable(values["unit"], row, "group_code") and self._check_household(
                row, values["household"]
            ):
                self.new.append(Person(**values))
            return
        if not self.scope.covers(person.unit.path):
            self.error("id_number_taken", _("ID number: another person already has this number."), row, "id_number")
            return
        if not values["id_number"]:
            values["id_number"] = person.id_number  # an empty cell never removes a stored number
        if all(_same(getattr(person, f), values[f]) for f in _PERSON_FIELDS):
            self.unchanged += 1
            return
        if not self.check_writable(person.unit, row, "group_code", active=False):
            return
        if not self.check_writable(values["unit"], row, "group_code"):
            return
        if not self._check_household(row, values["household"]):
            return
        for name, value in values.items():
            setattr(person, name, value)
        self.changed.append(person)

    def apply(self) -> None:
        Person.objects.bulk_create(self.new, batch_size=_BATCH)
        Person.objects.bulk_update(self.changed, list(_PERSON_FIELDS), batch_size=_BATCH)
        self.created, self.updated = len(self.new), len(self.changed)


def _same(stored: object, new: object) -> bool:
    if isinstance(stored, OrgUnit | Household) or isinstance(new, OrgUnit | Household):
        return getattr(stored, "pk", None) == getattr(new, "pk", None)
    return stored == new


def _people_by_id_number(numbers: list[str]) -> dict[str, Person]:
    numbers = sorted(set(numbers))
    found = {}
    for i in range(0, len(numbers), _BATCH):
        qs = (
            Person.objects.annotate(id_upper=Upper("id_number"))
            .filter(id_upper__in=numbers[i : i + _BATCH])
            .select_related("unit", "household")
        )
        for person in qs:
            found[person.id_number.upper()] = person
    return found


def _people_by_place(*, household_ids: list[int], unit_ids: list[int]) -> dict[tuple, list[Person]]:
    """The people of these households, and those with no household in these units, by
    (household, unit, name): how rows without an ID number find the person they mean."""
    found: dict[tuple, list[Person]] = {}
    batches = [Person.objects.filter(household_id__in=chunk) for chunk in _chunks(sorted(set(household_ids)))] + [
        Person.objects.filter(unit_id__in=chunk, household__isnull=True) for chunk in _chunks(sorted(set(unit_ids)))
    ]
    for qs in batches:
        for person in qs.select_related("unit", "household"):
            found.setdefault((person.household_id, person.unit_id, person.name), []).append(person)
    return found


def _chunks(items: list) -> Iterator[list]:
    for i in range(0, len(items), _BATCH):
        yield items[i : i + _BATCH]


# ---- the template -----------------------------------------------------------------------------

_BOLD = Font(bold=True)


def write_template(*, kind: str, out: IO[bytes]) -> None:
    """Write the empty import template for `kind`: the header row, and a notes sheet."""
    spec = SHEETS[kind]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = spec.title
    sheet.append(spec.headers)
    for i, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(i)
        sheet[f"{letter}1"].font = _BOLD
        sheet.column_dimensions[letter].width = column.width
        if column.key != "birth_date":
            # Text, so Excel keeps leading zeros and all 18 digits of an ID number.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    choices = {"kind": KIND_NAMES.values(), "gender": GENDER_NAMES.values()}
    for key, names in choices.items():
        if any(c.key == key for c in spec.columns):
            letter = get_column_letter(spec.position(key))
            validation = DataValidation(type="list", formula1='"' + ",".join(names) + '"', allow_blank=True)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            sheet.add_data_validation(validation)

    notes = book.create_sheet(_("Notes"))
    notes.append([_("Column"), _("Required"), _("What to enter"), _("Example")])
    for cell in notes[1]:
        cell.font = _BOLD
    for column in spec.columns:
        notes.append([column.header, _("yes") if column.required else _("no"), str(column.note), column.example])
    notes.append([])
    for line in (
        _("Fill in the first sheet, one row per record, below the header row. Do not change the header row."),
        _("A sheet with any error is refused whole, with a list of the problems by row and column."),
        _("Importing the same sheet again changes nothing; changed values are updated."),
        _("At most %(mb)s MB and %(rows)s rows per file.")
        % {"mb": MAX_BYTES // (1024 * 1024), "rows": f"{MAX_ROWS:,}"},
    ):
        notes.append([line])
    for letter, width in zip("ABCD", (14, 8, 70, 24), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2, max_col=3):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    book.save(out)


# ---- exporting --------------------------------------------------------------------------------


def export_queryset(*, user, kind: str, unit: OrgUnit | None = None, q: str = "", role: str = "") -> QuerySet:
    """The active records of `kind` the user may see, narrowed to `unit`'s subtree and a search.

    `unit` must already be checked as visible (scope.unit_get); `role` narrows people to
    those holding that role.
    """
    if kind == "units":
        qs = visible_units(user).active().select_related("parent")
        if unit is not None:
            qs = qs.filter(path__startswith=unit.path)
        return search_units(qs, q).order_by("path")
    if kind == "households":
        qs = visible_households(user).filter(retired_at__isnull=True).select_related("group")
        if unit is not None:
            qs = qs.filter(group__path__startswith=unit.path)
        return search_households(qs, q).order_by("group__path", "building", "entrance", "room")
    qs = visible_people(user).filter(retired_at__isnull=True).select_related("unit", "household")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if role:
        qs = qs.filter(roles__kind=role).distinct()
    return search_people(qs, q).order_by("unit__path", "household_id", "id")


def _unit_row(unit: OrgUnit) -> list:
    return [
        unit.parent.code if unit.parent else "",
        unit.code,
        unit.name,
        KIND_NAMES[unit.kind],
        unit.address,
        unit.phone,
    ]


def _household_row(household: Household) -> list:
    return [household.group.code, household.building, household.entrance, household.room, household.address]


def _person_row(person: Person, *, full: bool) -> list:
    household = person.household
    return [
        person.unit.code,
        household.building if household else "",
        household.entrance if household else "",
        household.room if household else "",
        person.name,
        GENDER_NAMES.get(person.gender, ""),
        person.birth_date,
        person.phone if full else mask_phone(person.phone),
        person.id_number if full else mask_id_number(person.id_number),
        person.relation,
    ]


# Only the columns an export writes: loading whole rows of three tables costs twice the time.
_EXPORT_FIELDS = {
    "units": ("parent__code", "code", "name", "kind", "address", "phone", "path"),
    "households": ("group__code", "group__path", "building", "entrance", "room", "address"),
    "people": (
        "unit__code",
        "unit__path",
        "household__building",
        "household__entrance",
        "household__room",
        "name",
        "gender",
        "birth_date",
        "phone",
        "id_number",
        "relation",
    ),
}


def write_export(
    *, user, kind: str, out: IO[bytes], unit: OrgUnit | None = None, q: str = "", role: str = ""
) -> ExportResult:
    """Write the records of `kind` the user may see to `out` as .xlsx, streaming row by row.

    Rows go from a database cursor (.iterator) straight into a write-only workbook, so memory
    stays flat however many there are. Phone and ID numbers are masked unless the user may
    see that person's in full (scope.can_unmask).
    """
    spec = SHEETS[kind]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(spec.title)
    for i, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for text in spec.headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = _BOLD
        header.append(cell)
    sheet.append(header)
    rows = unmasked = 0
    records = export_queryset(user=user, kind=kind, unit=unit, q=q, role=role).only(*_EXPORT_FIELDS[kind])
    for record in records.iterator(chunk_size=2000):
        if kind == "units":
            values = _unit_row(record)
        elif kind == "households":
            values = _household_row(record)
        else:
            full = can_unmask(user, record)
            unmasked += full
            values = _person_row(record, full=full)
        sheet.append([None if v == "" else v for v in values])  # empty cells are not written at all
        rows += 1
    book.save(out)
    return ExportResult(kind=kind, rows=rows, unmasked=unmasked)


def export_filename(*, kind: str) -> str:
    """A download name such as 人员-20260131.xlsx."""
    return f"{SHEETS[kind].title}-{timezone.localdate():%Y%m%d}.xlsx"


def template_filename(*, kind: str) -> str:
    """A download name such as 人员导入模板.xlsx."""
    return f"{SHEETS[kind].title}导入模板.xlsx"
