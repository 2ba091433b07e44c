"""State that several app servers share: with REDIS_URL, Django's cache and the sessions use
Redis (sessions stay in the database too); without it, sessions are in the database alone.

The Redis checks run a private redis-server on a free port (skipped where none is installed):
a login lands in Redis and in the database, and when Redis goes away the logged-in person
carries on, read from the database.
"""

import json
import shutil
import socket
import subprocess
import sys
import time

import pytest
from django.contrib.sessions.models import Session

from tests.pgcluster import ROOT, django_env


def settings_with(**env: str) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], 'location': s.CACHES['default'].get('LOCATION'),"
        " 'sessions': s.SESSION_ENGINE, 'databases': sorted(s.DATABASES), 'routers': s.DATABASE_ROUTERS}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=django_env(**env), cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_without_redis_sessions_live_in_the_database():
    seen = settings_with()
    assert seen["sessions"] == "django.contrib.sessions.backends.db"
    assert seen["cache"].endswith("LocMemCache")
    assert seen["databases"] == ["default"]


def test_redis_url_puts_the_cache_and_the_sessions_on_redis():
    seen = settings_with(REDIS_URL="redis://10.0.0.5:6379/2")
    assert seen["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert seen["location"] == "redis://10.0.0.5:6379/2"
    assert seen["sessions"] == "twoway.core.sessions"


def test_a_replica_url_adds_the_replica_database():
    seen = settings_with(
        DATABASE_URL="postgres://u@10.0.0.1:5432/twoway", DATABASE_REPLICA_URL="postgres://u@10.0.0.2:5432/twoway"
    )
    assert seen["databases"] == ["default", "replica"]
    assert seen["routers"] == ["twoway.core.dbrouter.ReplicaRouter"]


@pytest.fixture
def redis_server():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs redis-server (Debian package redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    process.kill()
    process.wait()


@pytest.fixture
def on_redis(settings, redis_server):
    process, url = redis_server
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "twoway",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    settings.SESSION_ENGINE = "twoway.core.sessions"
    return process


def test_a_session_is_kept_in_redis_and_in_the_database(on_redis, tree, client):
    from django.core.cache import cache

    client.force_login(tree["street_officer"].user)
    assert client.get("/appeals/").status_code == 200
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    assert cache.get("django.contrib.sessions.cached_db" + key) is not None


def test_when_redis_goes_away_the_person_stays_logged_in(on_redis, tree, client):
    client.force_login(tree["street_officer"].user)
    assert client.get("/appeals/").status_code == 200
    on_redis.kill()
    on_redis.wait()
    response = client.get("/appeals/")
    assert response.status_code == 200  # read from the database, not a redirect to the login page
    assert response.wsgi_request.user == tree["street_officer"].user
    client.post("/logout/")
    assert client.get("/appeals/").status_code == 302  # logging out still ends the session
