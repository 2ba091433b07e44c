"""While the database cannot be reached, every request answers 503 with Retry-After (a short
page in the reader's language, the API's error shape, Open311's error list), never a 500; once
it is back, pages answer 200 again without restarting anything.

Both run gunicorn as in production, in a child process, and talk to it over HTTP: first with
a SQLite database in a folder that does not exist (any machine), then with a private PostgreSQL
server that is stopped and started again (when the suite runs on PostgreSQL).
"""

import http.client
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.pgcluster import ROOT, database_from_template, django_env, migrated_clusters, postgres_wanted

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the project with the given environment."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log = log
        self.process = subprocess.Popen(
            [str(gunicorn), "twoway.wsgi", "-w", "1", "-b", f"{HOST}:{self.port}", "--timeout", "60"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.get("/healthz")
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn exited:\n" + log.read_text()[-3000:]) from None
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer:\n" + log.read_text()[-3000:])

    def get(self, path: str, **headers: str) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Host": HOST, **{k.replace("_", "-"): v for k, v in headers.items()}})
            response = conn.getresponse()
            body = response.read().decode()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            conn.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def serve(tmp_path):
    servers = []

    def start(database_url: str) -> Server:
        server = Server(django_env(DATABASE_URL=database_url), tmp_path / f"gunicorn-{len(servers)}.log")
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def check_unavailable(server: Server) -> None:
    """Pages, the API and Open311 all answer 503 with Retry-After, in their own shapes."""
    # A page: a resident's browser, its session cookie sent (reading it needs the database).
    status, headers, body = server.get("/appeals/", Cookie="sessionid=" + "a" * 32)
    assert status == 503, body[:500]
    assert headers["retry-after"] == "30"
    assert headers["content-type"].startswith("text/html")
    assert "暂时无法使用" in body and "Traceback" not in body
    status, headers, body = server.get("/public/", Accept_Language="en")
    assert status == 503
    assert "Briefly unavailable" in body and headers["retry-after"] == "30"

    status, headers, body = server.get("/api/v1/categories", Authorization="Bearer tw_not_checked_yet")
    assert status == 503 and headers["retry-after"] == "30"
    error = json.loads(body)
    assert error["code"] == "unavailable" and error["field"] is None and error["message"]

    status, headers, body = server.get("/open311/v2/services.json", Accept_Language="en")
    assert status == 503 and headers["retry-after"] == "30"
    assert json.loads(body) == [{"code": 503, "description": json.loads(body)[0]["description"]}]
    assert "database" in json.loads(body)[0]["description"]
    status, headers, body = server.get("/open311/v2/services.xml")
    assert status == 503
    assert ET.fromstring(body.encode()).findtext("error/code") == "503"  # noqa: S314 - our own answer

    status, _headers, _body = server.get("/healthz")
    assert status == 503


def test_every_request_answers_503_when_the_database_cannot_be_opened(serve, tmp_path):
    server = serve(f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}")
    check_unavailable(server)
    assert "unreachable, answered 503" in server.log.read_text()


@pytest.mark.skipif(
    not postgres_wanted(),
    reason="stops and starts a private PostgreSQL server: run the suite with DATABASE_URL=postgres://…",
)
def test_a_stopped_database_answers_503_and_pages_come_back_when_it_starts(serve, request):
    primary, _standby = migrated_clusters(request.config)
    server = serve(primary.url(database_from_template(primary, "twoway_h_replica_down")))
    status, _headers, body = server.get("/public/")
    assert status == 200, body[:500]

    primary.stop("immediate")
    try:
        check_unavailable(server)
    finally:
        primary.start()
    for _attempt in range(3):  # the first request after the restart must already succeed
        status, _headers, body = server.get("/public/")
        assert status == 200, body[:500]
    assert server.get("/healthz")[0] == 200
