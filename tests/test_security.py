"""Security from the start: passwords, lockout, sessions, CSRF, cookies, headers, audit."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from twoway.audit.log import audit_purge, audit_record
from twoway.audit.models import AppendOnlyError, AuditAction, AuditEntry

from .factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("password", ["short1a", "abcdefghij", "1234567890", "password123"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_mixed_password_of_eight_passes():
    validate_password("Binzhou2026")


def _post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_failures_lock_the_account_for_ten_minutes(tree, client):
    username = tree["street_officer"].user.username
    for _ in range(5):
        response = _post_login(client, username, "wrong-password-1")
    assert response.status_code in (200, 429)
    # Now even the right password is refused, with the lockout page.
    response = _post_login(client, username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, username=username).count() >= 5
    # After the cool-off the account opens again.
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=11))
    response = _post_login(client, username, PASSWORD)
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, username=username).exists()


def test_lockout_settings_are_ten_minutes_and_five_tries():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=10)


def test_session_expires_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # each request pushes the expiry on: idle, not absolute


def test_login_rotates_the_session_key(tree):
    client = Client()
    client.get(reverse("login"))
    client.cookies["sessionid"] = "attacker-chosen-key"
    _post_login(client, tree["street_officer"].user.username, PASSWORD)
    assert client.cookies["sessionid"].value != "attacker-chosen-key"


def test_posts_without_csrf_token_are_refused(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree["community_secretary"].user)
    url = reverse("org:unit_add", args=[tree["community_A1"].pk])
    response = client.post(url, {"kind": "group", "name": "无令牌"})
    assert response.status_code == 403


def test_secure_cookies_outside_debug():
    assert not settings.DEBUG
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY


def test_pages_carry_a_csp_without_inline_scripts(client, db):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.content.decode()


def test_audit_entries_cannot_be_changed_or_deleted(db):
    entry = audit_record(action=AuditAction.EXPORT, target="people", username="someone")
    entry.target = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_purge_never_deletes_entries_younger_than_180_days(db, settings):
    settings.TWOWAY_AUDIT_RETENTION_DAYS = 30  # a too-short setting is raised to 180
    now = timezone.now()
    young = audit_record(action=AuditAction.LOGIN, username="a")
    old = audit_record(action=AuditAction.LOGIN, username="b")
    AuditEntry.objects.filter(pk=young.pk).update(at=now - timedelta(days=179))
    AuditEntry.objects.filter(pk=old.pk).update(at=now - timedelta(days=181))
    assert audit_purge(now=now) == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [young.pk]


def test_auditor_reads_the_log_and_others_cannot(tree, login):
    audit_record(action=AuditAction.EXPORT, target="people.xlsx", username="street_officer")
    assert login(tree["street_officer"]).get(reverse("audit:list")).status_code == 403
    response = login(tree["district_auditor"]).get(reverse("audit:list"), {"action": "export"})
    assert response.status_code == 200
    assert "people.xlsx" in response.content.decode()


def test_healthz_answers_200_with_a_database(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["database"] == "ok"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthz_answers_503_when_the_database_is_unreachable():
    """A real server whose database address has nothing listening on it."""
    port, dead = _free_port(), _free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{dead}/none",
        "TWOWAY_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "twoway.settings",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "twoway.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        status = None
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)  # noqa: S310
                status = 200
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                time.sleep(0.1)
                continue
            break
        assert status == 503
    finally:
        server.terminate()
        server.wait(timeout=10)
