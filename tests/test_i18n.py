"""Translations: the Chinese catalogue is complete, keeps every placeholder, is compiled, matches the
code, and is what the pages actually show.

The .po files are read with a small parser of our own, so these checks run without GNU gettext.
Only the "catalogue matches the code" check needs gettext (it runs `makemessages` on a temporary
copy of the code, never on the repository) and is skipped when xgettext is not installed.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
ZH_PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _catalogue_dirs() -> list[Path]:
    """The project's catalogue and each app's own (twoway/<app>/locale), which makemessages fills
    with the strings found under that app."""
    return [ROOT / "locale"] + sorted(d for d in (ROOT / "twoway").glob("*/locale") if (d / "zh_Hans").is_dir())


ZH_POS = [d / "zh_Hans" / "LC_MESSAGES" / "django.po" for d in _catalogue_dirs()]


def en_po_for(zh_po: Path) -> Path:
    return zh_po.parents[2] / "en" / "LC_MESSAGES" / "django.po"


# The same options as `make messages` and the translators' brief.
MAKEMESSAGES_IGNORES = [".venv", "static", "staticfiles", "tests", "bench"]


# --- a small .po reader -------------------------------------------------------------------------


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index -> text; a singular entry uses 0
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def key(self) -> tuple:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def label(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.line}: {context}{self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def _unquote(token: str, where: str) -> str:
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise ValueError(f"{where}: not a quoted string: {token!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), token[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Entries in file order, the header first. Handles continuation lines, plurals, contexts and flags."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # the field that continuation lines extend

    def finish():
        nonlocal current, target
        if current is not None and (current.msgstr or current.msgid or current.msgid_plural is not None):
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line:
            finish()
            continue
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if not line or line.startswith("|"):
                continue
        if line.startswith("#"):
            if target is not None and target[0] == "msgstr":  # a comment after a msgstr opens the next entry
                finish()
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, token = match.groups()
            if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
                finish()
            if current is None:
                current = Entry(line=number)
            current.obsolete = current.obsolete or obsolete
            value = _unquote(token, where)
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                current.msgstr[target[1]] = value
            else:
                target = (keyword, 0)
                setattr(current, keyword, value)
        elif line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{where}: a continuation line outside an entry")
            value = _unquote(line, where)
            if target[0] == "msgstr":
                current.msgstr[target[1]] += value
            else:
                setattr(current, target[0], getattr(current, target[0]) + value)
        else:
            raise ValueError(f"{where}: cannot read {raw!r}")
    finish()
    return entries


def header_fields(entries: list[Entry]) -> dict[str, str]:
    header = entries[0]
    assert header.is_header, "the catalogue must start with its header entry"
    pairs = (line.split(":", 1) for line in header.msgstr.get(0, "").splitlines() if ":" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if not e.is_header and not e.obsolete]


class Catalogue(list):
    """A parsed catalogue that remembers its file."""

    def __init__(self, path: Path):
        super().__init__(parse_po(path))
        self.path = path


@pytest.fixture(scope="module", params=ZH_POS, ids=lambda p: str(p.relative_to(ROOT).parents[2]))
def zh(request) -> Catalogue:
    return Catalogue(request.param)


# --- the parser itself -----------------------------------------------------------------------------


def test_the_parser_reads_continuations_plurals_contexts_and_flags(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"Long %(n)s "\n"text \\"quoted\\""\nmsgstr "长"\n"文"\n\n'
        'msgctxt "menu"\nmsgid "%(n)s record"\nmsgid_plural "%(n)s records"\nmsgstr[0] "%(n)s条"\n'
        'msgid "Untranslated"\nmsgstr ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr "旧"\n',
        encoding="utf-8",
    )
    header, long, plural, empty, gone = parse_po(po)
    assert header_fields([header]) == {"Language": "zh_Hans", "Plural-Forms": "nplurals=1; plural=0;"}
    assert long.msgid == 'Long %(n)s text "quoted"' and long.msgstr == {0: "长文"}
    assert long.flags == {"fuzzy", "python-format"}
    assert (plural.msgctxt, plural.msgid_plural, plural.msgstr) == ("menu", "%(n)s records", {0: "%(n)s条"})
    assert (empty.msgid, empty.msgstr) == ("Untranslated", {0: ""})
    assert gone.obsolete and gone.msgid == "Gone"


# --- the Chinese catalogue is complete -------------------------------------------------------------


def test_the_chinese_header_is_right(zh):
    header = header_fields(zh)
    assert header.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in header.get("Content-Type", "")
    assert header.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert "fuzzy" not in zh[0].flags, "a fuzzy header is left out by msgfmt, and with it the plural rule"


def test_every_chinese_entry_is_translated_and_none_is_fuzzy(zh):
    entries = messages(zh)
    if zh.path == ZH_PO:
        assert len(entries) > 100, "the catalogue looks empty: was makemessages run?"
    problems = []
    for e in entries:
        if "fuzzy" in e.flags:
            problems.append(f"fuzzy: {e.label()}")
        if set(e.msgstr) != {0}:  # zh has one plural form, and a singular entry one msgstr
            problems.append(f"plural forms {sorted(e.msgstr)} instead of [0]: {e.label()}")
        if not all(text.strip() for text in e.msgstr.values()):
            problems.append(f"untranslated: {e.label()}")
    assert not problems, f"{len(problems)} entries need a translator:\n" + "\n".join(problems)


def test_no_obsolete_entries_linger(zh):
    assert not [e.label() for e in zh if e.obsolete], "run makemessages with --no-obsolete"


_PLACEHOLDER = re.compile(
    r"%%"  # a literal percent sign, not a placeholder
    r"|%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"  # %(name)s
    r"|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"  # %s, %d
    r"|\{\{\s*[^}]+?\s*\}\}"  # {{ n }}
    r"|\{[A-Za-z_]\w*\}|\{\}"  # {name}, {}
)


def placeholders(text: str) -> Counter:
    return Counter(m.group(0) for m in _PLACEHOLDER.finditer(text) if m.group(0) != "%%")


def test_every_placeholder_survives_translation(zh):
    problems = []
    for e in messages(zh):
        if "fuzzy" in e.flags:
            continue  # not compiled, so not shown; the completeness test reports it
        # With one plural form, msgstr[0] stands for every n, so it must carry the plural's placeholders.
        source = placeholders(e.msgid_plural if e.msgid_plural is not None else e.msgid)
        if e.msgid_plural is not None:
            source |= placeholders(e.msgid)
        for index, text in e.msgstr.items():
            if text and placeholders(text) != source:
                problems.append(f"{e.label()} msgstr[{index}]={text!r}: {dict(placeholders(text))} != {dict(source)}")
    assert not problems, "placeholders differ:\n" + "\n".join(problems)


_CJK = r"[\u3400-\u9fff]"
_HALF_WIDTH = re.compile(rf"{_CJK}[,:;?!()]|[,:;?!()]{_CJK}|{_CJK}\.(?:\s|$)")


def test_chinese_text_uses_full_width_punctuation(zh):
    problems = []
    for e in messages(zh):
        for text in e.msgstr.values():
            bare = _PLACEHOLDER.sub("", text)
            if _HALF_WIDTH.search(bare):
                problems.append(f"{e.label()}: {text!r}")
    assert not problems, "use ，。：；？！（） in Chinese text:\n" + "\n".join(problems)


def test_both_catalogues_hold_the_same_messages(zh):
    en = parse_po(en_po_for(zh.path))
    assert {e.key for e in messages(en)} == {e.key for e in messages(zh)}, "run makemessages for both languages"


# --- the compiled catalogue matches its source -----------------------------------------------------


def _translate(catalog, e: Entry, n: int = 1) -> str:
    if e.msgid_plural is not None:
        if e.msgctxt is not None:
            return catalog.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
        return catalog.ngettext(e.msgid, e.msgid_plural, n)
    if e.msgctxt is not None:
        return catalog.pgettext(e.msgctxt, e.msgid)
    return catalog.gettext(e.msgid)


def test_the_compiled_chinese_catalogue_matches_the_po_file(zh):
    mo = zh.path.with_suffix(".mo")
    assert mo.exists(), "run compilemessages"
    with mo.open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    assert catalog.info().get("language") == "zh_Hans"
    stale = []
    for e in messages(zh):
        if "fuzzy" in e.flags:
            continue  # reported by the completeness test; msgfmt leaves these out
        for n in (1, 2, 5) if e.msgid_plural is not None else (1,):
            if _translate(catalog, e, n) != e.msgstr[0]:
                stale.append(f"{e.label()} (n={n}): .mo says {_translate(catalog, e, n)!r}, .po {e.msgstr[0]!r}")
    assert not stale, "the .mo is older than the .po: run compilemessages\n" + "\n".join(stale)
    in_mo = {k[0] if isinstance(k, tuple) else k for k in catalog._catalog} - {""}
    in_po = {(f"{e.msgctxt}\x04" if e.msgctxt is not None else "") + e.msgid for e in messages(zh)}
    assert in_mo <= in_po, f"the .mo holds messages the .po no longer has: {sorted(in_mo - in_po)[:10]}"


@pytest.mark.parametrize("zh_po", ZH_POS, ids=lambda p: str(p.relative_to(ROOT).parents[2]))
def test_the_english_catalogue_is_compiled(zh_po):
    mo = en_po_for(zh_po).with_suffix(".mo")
    assert mo.exists(), "run compilemessages"
    with mo.open("rb") as f:
        assert gettext.GNUTranslations(f).info().get("language") == "en"


def test_django_serves_every_chinese_translation(zh):
    """Django merges catalogues; ours (LOCALE_PATHS) must win over Django's own for every message."""
    wrong = []
    with translation.override("zh-hans"):
        for e in messages(zh):
            if "fuzzy" in e.flags:
                continue  # not compiled; the completeness test reports it
            if e.msgid_plural is not None:
                got = (
                    translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 3)
                    if e.msgctxt is not None
                    else translation.ngettext(e.msgid, e.msgid_plural, 3)
                )
            else:
                got = (
                    translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt is not None else translation.gettext(e.msgid)
                )
            if got != e.msgstr[0]:
                wrong.append(f"{e.label()}: {got!r}")
    assert not wrong, "Django shows other text:\n" + "\n".join(wrong)


# --- the catalogue matches the code ----------------------------------------------------------------


_GETTEXT = all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msguniq"))


@pytest.fixture(scope="module")
def fresh_project(tmp_path_factory) -> Path:
    """A copy of the code with its catalogues extracted afresh (the repository is never written)."""
    before = {po: po.read_bytes() for po in ZH_POS}
    project = tmp_path_factory.mktemp("messages") / "project"
    shutil.copytree(ROOT / "twoway", project / "twoway", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(ROOT / "manage.py", project / "manage.py")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    command = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete"]
    command += [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORES]
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert {po: po.read_bytes() for po in ZH_POS} == before, "the check must not touch the repository's catalogues"
    return project


@pytest.mark.skipif(not _GETTEXT, reason="GNU gettext not installed")
def test_the_catalogue_matches_the_strings_in_the_code(fresh_project, zh):
    """Extract the strings from a copy of the code and compare with the committed catalogue."""
    fresh_po = fresh_project / zh.path.relative_to(ROOT)
    assert fresh_po.exists(), "makemessages wrote somewhere else"
    fresh = {e.key for e in messages(parse_po(fresh_po))}
    committed = {e.key for e in messages(zh)}
    missing = sorted(fresh - committed, key=str)
    unused = sorted(committed - fresh, key=str)
    assert not missing and not unused, (
        f"{zh.path.relative_to(ROOT)} is out of date: run `make messages`, translate, and compile.\n"
        + "".join(f"  new in the code: {k[1]!r}\n" for k in missing)
        + "".join(f"  gone from the code: {k[1]!r}\n" for k in unused)
    )


@pytest.mark.skipif(not _GETTEXT, reason="GNU gettext not installed")
def test_every_app_with_its_own_catalogue_lists_it_in_both_languages(fresh_project):
    made = sorted(
        p.relative_to(fresh_project) for p in fresh_project.glob("twoway/*/locale/zh_Hans/LC_MESSAGES/django.po")
    )
    assert made == sorted(p.relative_to(ROOT) for p in ZH_POS[1:])
    for po in ZH_POS:
        assert en_po_for(po).exists(), f"no English catalogue beside {po.relative_to(ROOT)}"


# xgettext finds only calls by these names (its Python defaults plus the keywords Django's makemessages adds);
# a string passed to, say, `_lazy(...)` never reaches the catalogue and stays English on every page.
EXTRACTED_NAMES = {
    "_",
    "gettext",
    "gettext_noop",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}


def test_translation_functions_are_imported_under_names_makemessages_extracts():
    problems = []
    for path in sorted((ROOT / "twoway").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for alias in node.names:
                    name = alias.asname or alias.name
                    if alias.name in EXTRACTED_NAMES and name not in EXTRACTED_NAMES:
                        problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {alias.name} as {name}")
    assert not problems, (
        "strings passed to these names are never extracted, so they cannot be translated; "
        "import the function as `_` or under its own name:\n" + "\n".join(problems)
    )


# --- the pages speak Chinese, and English on request -----------------------------------------------


def test_chinese_is_the_default_language():
    from twoway import settings as project_settings

    assert project_settings.LANGUAGE_CODE == "zh-hans"


@pytest.mark.django_db
def test_the_login_page_is_chinese_by_default_and_english_on_request(client):
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-CN"' in body
    assert "登录" in body and "密码" in body
    assert "Log in" not in body

    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="en"' in body
    assert "Log in" in body and "Password" in body
    assert "登录" not in body


def test_a_logged_in_page_is_chinese_by_default_and_english_on_request(tree, login):
    client = login(tree["resident"])
    body = client.get(reverse("home")).content.decode()
    assert "首页" in body and "退出登录" in body and "长辈模式" in body
    assert "Log out" not in body

    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    body = client.get(reverse("home")).content.decode()
    assert "Home" in body and "Log out" in body and "Elder mode" in body
    assert "退出登录" not in body
