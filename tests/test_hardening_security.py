"""Security, beyond tests/test_security.py: no session fixation with a real anonymous session,
the lockout keyed on the account, the CSP header on every page with nothing inline in any page
or template, and audit-log retention enforced by a command that never deletes younger rows."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from twoway.audit.log import audit_record
from twoway.audit.models import AuditAction, AuditEntry

from .factories import PASSWORD
from .scope_registry import CASES, SEEDS, ById, Listing, Public

ROOT = Path(__file__).resolve().parent.parent

TEMPLATES = sorted(p for p in (ROOT / "twoway").rglob("templates/**/*.html"))

# A data block (`json_script`: type="application/json") is not run, and the CSP allows it.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\b(?:src\s*=|type=[\"']application/json))[^>]*>\s*\S", re.I | re.S)
STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I | re.S)
STYLE_TAG = re.compile(r"<style\b", re.I)
HANDLER_ATTR = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def inline_code(html: str) -> list[str]:
    found = []
    for label, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("style= attribute", STYLE_ATTR),
        ("<style> block", STYLE_TAG),
        ("on*= handler", HANDLER_ATTR),
        ("javascript: URL", JS_URL),
    ]:
        for m in pattern.finditer(html):
            found.append(f"{label}: {m.group(0)[:80]!r}")
    return found


# ---- session fixation and lockout -----------------------------------------------------------


def test_a_planted_anonymous_session_is_not_the_one_logged_in(tree):
    """The attacker gets a real session from the site, plants its key in the victim's browser;
    after the victim logs in, the attacker's key is not logged in and the victim's key is new."""
    attacker = Client()
    attacker.post(reverse("set_language"), {"language": "en", "next": "/"})
    attacker.session["planted"] = True
    session = attacker.session
    session["planted"] = True
    session.save()
    planted = session.session_key
    assert planted

    victim = Client()
    victim.cookies["sessionid"] = planted
    response = victim.post(reverse("login"), {"username": "street_officer", "password": PASSWORD})
    assert response.status_code == 302
    assert victim.cookies["sessionid"].value != planted
    attacker.cookies["sessionid"] = planted
    assert attacker.get(reverse("home")).wsgi_request.user.is_anonymous
    assert "_auth_user_id" not in attacker.session


def test_logout_ends_the_session_on_the_server(tree):
    client = Client()
    client.post(reverse("login"), {"username": "street_officer", "password": PASSWORD})
    key = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert stolen.get(reverse("home")).wsgi_request.user.is_anonymous


def test_the_lockout_is_per_account_not_per_office(tree):
    """A community office shares one address: one locked account does not lock the others."""
    client = Client(REMOTE_ADDR="10.0.0.8")
    for _ in range(5):
        client.post(reverse("login"), {"username": "street_officer", "password": "wrong-Passw0rd"})
    assert client.post(reverse("login"), {"username": "street_officer", "password": PASSWORD}).status_code == 429
    colleague = Client(REMOTE_ADDR="10.0.0.8")
    response = colleague.post(reverse("login"), {"username": "community_secretary", "password": PASSWORD})
    assert response.status_code == 302


def test_four_failures_do_not_lock(tree):
    client = Client()
    for _ in range(4):
        client.post(reverse("login"), {"username": "street_officer", "password": "wrong-Passw0rd"})
    assert client.post(reverse("login"), {"username": "street_officer", "password": PASSWORD}).status_code == 302


# ---- CSP and nothing inline -----------------------------------------------------------------


def test_the_inline_detector_finds_what_it_should():
    bad = '<script>alert(1)</script><p style="color:red" onclick="x()"><a href="javascript:x()">'
    assert len(inline_code(bad)) == 4
    good = '<script src="/static/js/twoway.js" defer></script><p class="x" data-on-click="y">'
    good += '<script id="d" type="application/json">{"a": 1}</script>'
    assert inline_code(good) == []


def pdf_only_templates() -> set[str]:
    """Templates rendered to a string for WeasyPrint (PDF), never served as a page: the CSP does
    not apply to them, and WeasyPrint needs their <style> block."""
    names = set()
    for py in (ROOT / "twoway").rglob("*.py"):
        text = py.read_text()
        if "write_pdf" in text:
            names |= set(re.findall(r"render_to_string\(\s*\"([^\"]+\.html)\"", text))
    return names


def test_templates_hold_no_inline_script_style_or_handler():
    assert len(TEMPLATES) > 30
    pdf_only = pdf_only_templates()
    assert "notices/print.html" in pdf_only
    failures = [
        f"{p.relative_to(ROOT)}: {f}"
        for p in TEMPLATES
        if p.as_posix().split("/templates/", 1)[1] not in pdf_only
        for f in inline_code(p.read_text())
    ]
    assert not failures, "\n".join(failures)


def _page_urls(tree) -> list[tuple[str, str]]:
    """A URL for every page of the registry, with records that exist."""
    urls = []
    for name, case in sorted(CASES.items()):
        try:
            if isinstance(case, Listing):
                urls.append((name, reverse(name, kwargs=case.kwargs or None)))
            elif isinstance(case, Public):
                urls.append((name, reverse(name)))
            elif isinstance(case, ById):
                record = case.model.objects.order_by("pk").first()
                if record is None:
                    continue
                if case.query_param:
                    urls.append((name, reverse(name) + f"?{case.query_param}={record.pk}"))
                else:
                    more = case.more_kwargs(record) if case.more_kwargs else {}
                    urls.append((name, reverse(name, kwargs={"pk": record.pk, **more})))
        except Exception:  # noqa: S112  (a URL that needs parameters the registry does not give)
            continue
    return urls


@pytest.mark.parametrize("who", [None, "district_staff", "community_secretary", "resident"])
def test_every_page_has_the_csp_and_nothing_inline(tree, login, client, who, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for seed in SEEDS:
        seed(tree)
    if who:
        client = login(tree[who])
    failures, pages = [], 0
    for name, url in _page_urls(tree):
        response = client.get(url)
        csp = response.get("Content-Security-Policy", "")
        if "script-src 'self'" not in csp or "unsafe-inline" in csp or "unsafe-eval" in csp:
            failures.append(f"{url} ({name}): CSP {csp!r}")
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            pages += 1
            failures += [f"{url} ({name}): {f}" for f in inline_code(response.content.decode())]
    assert pages >= (3 if who is None else 10)
    assert not failures, "\n".join(failures)


# ---- audit retention ------------------------------------------------------------------------


def _aged(days: float, username: str) -> AuditEntry:
    entry = audit_record(action=AuditAction.LOGIN, username=username)
    AuditEntry.objects.filter(pk=entry.pk).update(at=timezone.now() - timedelta(days=days))
    return entry


@pytest.mark.parametrize("setting", [0, 30, 179, 180])
def test_the_purge_command_never_deletes_a_row_younger_than_180_days(db, settings, setting):
    settings.TWOWAY_AUDIT_RETENTION_DAYS = setting
    young = [_aged(d, f"young{d}") for d in (0, 1, 90, 179, 179.99)]
    old = [_aged(d, f"old{d}") for d in (180.01, 200, 400)]
    out = io.StringIO()
    call_command("purge_audit", stdout=out)
    left = set(AuditEntry.objects.values_list("pk", flat=True))
    assert {e.pk for e in young} <= left
    assert not {e.pk for e in old} & left
    assert "3 audit entries older than 180 days removed" in out.getvalue()


def test_a_longer_retention_keeps_more(db, settings):
    settings.TWOWAY_AUDIT_RETENTION_DAYS = 365
    kept = _aged(300, "kept")
    gone = _aged(366, "gone")
    call_command("purge_audit", stdout=io.StringIO())
    assert AuditEntry.objects.filter(pk=kept.pk).exists()
    assert not AuditEntry.objects.filter(pk=gone.pk).exists()


def test_the_purge_can_be_previewed(db):
    _aged(400, "old")
    out = io.StringIO()
    call_command("purge_audit", "--dry-run", stdout=out)
    assert AuditEntry.objects.count() == 1
    assert "1 audit entries older than" in out.getvalue() and "would be removed" in out.getvalue()
