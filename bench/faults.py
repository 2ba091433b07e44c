"""Crash test: nothing acknowledged is lost when a worker dies or the database restarts.

    python bench/faults.py [--duration 60] [--residents 6] [--handlers 2] [--workers 3]

The script starts a private PostgreSQL 15 cluster of its own (initdb in a temporary folder,
run as the `postgres` OS user, on --pg-port, 55432 by default) so that restarting it disturbs
nobody, and serves the platform from it with gunicorn (sync workers, the project's settings).
It then runs, over HTTP, for --duration seconds:

- residents (one thread each, own login) posting the appeal form in a loop. Each submission
  carries a fresh idempotency key; when the answer is lost (connection reset, a 5xx) the
  client sends the SAME key again until it gets its 302, as the appeal page does on a retry;
- handlers (the group leader and the community secretary) taking the acknowledged appeals
  through accept → resolve, or accept → escalate → accept (community) → resolve;
- at 25% of the run: `kill -9` of one gunicorn worker (the master starts a new one);
- at 50%: an immediate restart of PostgreSQL (`pg_ctl restart -m immediate`: a crash, with
  recovery from the WAL on start);
- at 75%: `kill -9` of another worker.

Afterwards it checks, in the database:
- every submission the client saw acknowledged exists exactly once (by resident and key),
  and is the appeal the 302 pointed to; no key sent, acknowledged or not, exists twice;
- every appeal's status and handling unit equal a replay of its events
  (`twoway/appeals/history.py`), and every hash chain verifies;
- no request answered after the database came back (pg_ctl returned and it accepted a
  connection) got a 500.

It runs twice: with the settings as they are, and with Django's CONN_HEALTH_CHECKS on (a
settings module written to the temporary folder), so the table shows what that setting
changes. --variant picks one. Prints a Markdown table; docs/benchmarks.md (section "Faults") has the results.

Needs root (to run the cluster as `postgres`) and /usr/lib/postgresql/15/bin.
"""

import argparse
import http.client
import json
import os
import queue
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
HOST = "127.0.0.1"
PASSWORD = "Fault@2026x"  # noqa: S105  (only for this bench's own throw-away logins)
DB_NAME = "twoway_faults"


# ---- the private PostgreSQL cluster ----------------------------------------------------------


class Cluster:
    """A throw-away PostgreSQL cluster in a temporary folder, owned by the postgres OS user."""

    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="twoway-faults-"))
        self.data = self.dir / "data"
        shutil.chown(self.dir, "postgres", "postgres")
        self.dir.chmod(0o700)

    def _pg(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *args], capture_output=True, text=True, check=check, cwd="/"
        )

    def init(self) -> None:
        self._pg(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '{HOST}'\nunix_socket_directories = '{self.dir}'\n"
                "max_connections = 60\nshared_buffers = 64MB\n"
            )
        self.start()

    def start(self) -> None:
        self._pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "start")

    def restart(self) -> None:
        """A crash: stop without a checkpoint (recovery replays the WAL), then start again."""
        self._pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self.start()

    def stop(self) -> None:
        self._pg(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, name: str = DB_NAME) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{name}"

    def psql(self, sql: str) -> None:
        self._pg(str(PG_BIN / "psql"), "-h", HOST, "-p", str(self.port), "-d", "postgres", "-c", sql)

    def accepts(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=1):
                pass
        except OSError:
            return False
        return self._pg(str(PG_BIN / "pg_isready"), "-h", HOST, "-p", str(self.port), check=False).returncode == 0


# ---- Django steps, each in a child process with the cluster's DATABASE_URL ------------------


def django_env(database_url: str, settings: str = "twoway.settings", pythonpath: str = "") -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": settings,
        "TWOWAY_SECURE_COOKIES": "0",
        "TWOWAY_ALLOWED_HOSTS": HOST,
    }
    env["PYTHONPATH"] = os.pathsep.join(p for p in [pythonpath, str(ROOT), env.get("PYTHONPATH", "")] if p)
    return env


def step_setup(residents: int) -> None:
    """Migrate, build the small test district, add the bench's residents; print the logins."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.factories import build_tree, person_with_login
    from twoway.appeals.models import Category
    from twoway.org.models import Household, RoleKind

    tree = build_tree()
    group = tree["group_A1a"]
    names = []
    for i in range(residents):
        home = Household.objects.create(group=group, building="9", entrance="1", room=f"{101 + i}")
        person = person_with_login(f"fault_resident_{i + 1}", group, RoleKind.RESIDENT, home)
        person.user.set_password(PASSWORD)
        person.user.save(update_fields=["password"])
        names.append(person.user.username)
    for key in ("group_leader", "community_secretary"):
        user = tree[key].user
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    category = Category.objects.filter(active=True, parent__isnull=False).order_by("pk").first()
    print(json.dumps({"residents": names, "category": category.pk}))


def step_check(acked_file: str) -> None:
    """Exactly-once, replay and chain checks; prints a JSON summary."""
    import django

    django.setup()
    from django.db.models import Count

    from twoway.appeals.history import chain_breaks, replay
    from twoway.appeals.models import Appeal, AppealEvent

    sent = json.loads(Path(acked_file).read_text())
    by_key = {}
    for row in Appeal.objects.exclude(idem_key="").values("idem_key", "pk", "raised_by__user__username"):
        by_key.setdefault((row["raised_by__user__username"], row["idem_key"]), []).append(row["pk"])
    acked_missing = acked_twice = acked_wrong = 0
    for item in sent["acked"]:
        rows = by_key.get((item["user"], item["key"]), [])
        if not rows:
            acked_missing += 1
        elif len(rows) > 1:
            acked_twice += 1
        elif rows[0] != item["pk"]:
            acked_wrong += 1
    unacked_saved = sum(1 for item in sent["unacked"] if by_key.get((item["user"], item["key"])))
    duplicates = Appeal.objects.values("raised_by", "idem_key").exclude(idem_key="")
    duplicates = duplicates.annotate(n=Count("pk")).filter(n__gt=1).count()

    events: dict[int, list] = {}
    for e in AppealEvent.objects.order_by("appeal_id", "seq").iterator(chunk_size=2000):
        events.setdefault(e.appeal_id, []).append(e)
    mismatched = broken = no_events = 0
    statuses: dict[str, int] = {}
    for appeal in Appeal.objects.all().iterator(chunk_size=2000):
        statuses[appeal.status] = statuses.get(appeal.status, 0) + 1
        history = events.get(appeal.pk)
        if not history:
            no_events += 1
            continue
        state = replay(history)
        if (state.status, state.handling_unit_id) != (appeal.status, appeal.handling_unit_id):
            mismatched += 1
        if chain_breaks(history):
            broken += 1
    print(
        json.dumps(
            {
                "appeals": Appeal.objects.count(),
                "events": AppealEvent.objects.count(),
                "statuses": statuses,
                "acked_missing": acked_missing,
                "acked_twice": acked_twice,
                "acked_wrong_appeal": acked_wrong,
                "unacked_but_saved": unacked_saved,
                "duplicate_keys": duplicates,
                "state_not_replay": mismatched,
                "chain_breaks": broken,
                "appeals_without_events": no_events,
            }
        )
    )


# ---- HTTP clients ----------------------------------------------------------------------------


class Lost(Exception):
    """The request got no answer (connection refused or reset: a worker died)."""


@dataclass
class Log:
    """Every answer with its time, shared by the threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: list = field(default_factory=list)  # (time, kind, status or "lost")

    def add(self, kind: str, status) -> None:
        with self.lock:
            self.answers.append((time.monotonic(), kind, status))


class Browser:
    def __init__(self, port: int, log: Log):
        self.port, self.log = port, log
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict | None = None, kind: str = "page"):
        headers = {"Host": HOST, "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=40)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.log.add(kind, "lost")
            raise Lost(str(error)) from error
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        self.log.add(kind, response.status)
        return response.status, response.headers.get("Location", ""), data

    def login(self, username: str) -> None:
        self.request("GET", "/login/")
        status, _, _ = self.request(
            "POST",
            "/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.cookies["csrftoken"]},
        )
        if status != 302:
            raise SystemExit(f"login as {username} failed ({status})")


DETAIL = re.compile(r"/appeals/(\d+)/$")


def resident_loop(browser, username, category, stop, log, handed, ledger):
    """Submit appeals until told to stop; retry each with its own key until acknowledged."""
    rng = random.Random(username)
    while not stop.is_set():
        key = uuid.uuid4().hex
        form = {
            "category": category,
            "description": f"楼道灯坏了，编号{rng.randint(1, 10**6)}，请尽快修理",
            "place": "9号楼1单元",
            "idem_key": key,
            "csrfmiddlewaretoken": browser.cookies.get("csrftoken", ""),
        }
        acked = None
        tries = 0
        deadline = time.monotonic() + 120
        while acked is None and time.monotonic() < deadline:
            tries += 1
            try:
                status, location, _ = browser.request("POST", "/appeals/new/", form, kind="submit")
            except Lost:
                time.sleep(0.2)
                continue
            match = DETAIL.search(location) if status == 302 else None
            if match:
                acked = int(match.group(1))
            elif status in (403,) or 400 <= status < 500:
                break  # refused for good (would be a bug in this script)
            else:
                time.sleep(0.2)  # 5xx: the database is away; the same key goes again
            if stop.is_set() and acked is None and tries > 50:
                break
        with ledger["lock"]:
            ledger["sent"] += 1
            ledger["retried"] += tries > 1
            if acked is None:
                ledger["unacked"].append({"user": username, "key": key})
            else:
                ledger["acked"].append({"user": username, "key": key, "pk": acked})
        if acked is not None:
            handed.put(acked)


def handler_loop(leader, secretary, stop, log, handed, tally):
    """The group leader and community secretary take acknowledged appeals through their steps."""
    rng = random.Random(threading.get_ident())

    def act(browser, pk, action, fields=None):
        data = {"csrfmiddlewaretoken": browser.cookies.get("csrftoken", ""), **(fields or {})}
        for _attempt in range(40):
            try:
                status, _, _ = browser.request("POST", f"/appeals/{pk}/{action}/", data, kind="transition")
            except Lost:
                time.sleep(0.2)
                continue
            if status == 302:
                tally[action] = tally.get(action, 0) + 1
                return True
            time.sleep(0.2)
        return False

    while not stop.is_set():
        try:
            pk = handed.get(timeout=0.5)
        except queue.Empty:
            continue
        if not act(leader, pk, "accept"):
            continue
        if rng.random() < 0.5:
            act(leader, pk, "resolve", {"outcome": "已维修，灯已亮"})
        elif act(leader, pk, "escalate", {"reason": "需社区统筹"}) and act(secretary, pk, "accept"):
            act(secretary, pk, "resolve", {"outcome": "社区已协调物业修复"})


# ---- the run ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
    server = subprocess.Popen(
        [*command, "twoway.wsgi", "-w", str(workers), "-b", f"{HOST}:{port}", "--timeout", "30"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(env["TWOWAY_FAULTS_LOG"], "a"),  # noqa: SIM115  (closed with the process)
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see " + env["TWOWAY_FAULTS_LOG"])
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz")


def workers_of(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True, check=False)
    return [int(p) for p in out.stdout.split()]


def run_variant(args, cluster: Cluster, variant: str) -> dict:
    cluster.psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    cluster.psql(f"CREATE DATABASE {DB_NAME}")
    pythonpath, settings = "", "twoway.settings"
    if variant == "health-checks":
        (cluster.dir / "faults_settings.py").write_text(
            "from twoway.settings import *  # noqa\nDATABASES['default']['CONN_HEALTH_CHECKS'] = True\n"
        )
        pythonpath, settings = str(cluster.dir), "faults_settings"
    env = django_env(cluster.url(), settings, pythonpath)
    env["TWOWAY_FAULTS_LOG"] = str(cluster.dir / f"gunicorn-{variant}.log")
    setup = subprocess.run(
        [sys.executable, __file__, "setup", "--residents", str(args.residents)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    people = json.loads(setup.stdout.strip().splitlines()[-1])

    server, port = start_gunicorn(env, args.workers)
    log, stop, handed = Log(), threading.Event(), queue.Queue()
    ledger = {"lock": threading.Lock(), "sent": 0, "retried": 0, "acked": [], "unacked": []}
    tally: dict[str, int] = {}
    # Logins first (a password hash takes a while on a busy machine): the clock starts after.
    residents = {u: Browser(port, log) for u in people["residents"]}
    handlers = [(Browser(port, log), Browser(port, log)) for _ in range(args.handlers)]
    logins = [(b, u) for u, b in residents.items()]
    logins += [
        (b, name) for pair in handlers for b, name in zip(pair, ["group_leader", "community_secretary"], strict=True)
    ]
    login_threads = [threading.Thread(target=b.login, args=(u,)) for b, u in logins]
    for t in login_threads:
        t.start()
    for t in login_threads:
        t.join()
    log.answers.clear()
    threads = [
        threading.Thread(target=resident_loop, args=(b, u, people["category"], stop, log, handed, ledger))
        for u, b in residents.items()
    ] + [threading.Thread(target=handler_loop, args=(*pair, stop, log, handed, tally)) for pair in handlers]
    events = {}
    try:
        start = time.monotonic()
        for t in threads:
            t.start()

        def at(fraction: float) -> None:
            time.sleep(max(0.0, start + args.duration * fraction - time.monotonic()))

        at(0.25)
        victim = random.choice(workers_of(server.pid))
        os.kill(victim, signal.SIGKILL)
        events["worker_killed_1"] = time.monotonic()
        at(0.5)
        events["db_down"] = time.monotonic()
        cluster.restart()
        while not cluster.accepts():
            time.sleep(0.05)
        events["db_back"] = time.monotonic()
        at(0.75)
        victim = random.choice(workers_of(server.pid))
        os.kill(victim, signal.SIGKILL)
        events["worker_killed_2"] = time.monotonic()
        at(1.0)
        stop.set()
        for t in threads:
            t.join(timeout=180)
        elapsed = time.monotonic() - start
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    ledger_file = cluster.dir / f"ledger-{variant}.json"
    ledger_file.write_text(json.dumps({"acked": ledger["acked"], "unacked": ledger["unacked"]}))
    check = subprocess.run(
        [sys.executable, __file__, "check", "--ledger", str(ledger_file)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(check.stdout.strip().splitlines()[-1])

    back = events["db_back"]
    answers = log.answers
    errors_500_after = [a for a in answers if a[0] >= back and a[2] == 500]
    first_ok_after = min((a[0] for a in answers if a[0] >= events["db_down"] and a[2] in (200, 302)), default=back)
    result.update(
        {
            "variant": variant,
            "seconds": round(elapsed, 1),
            "requests": len(answers),
            "submissions_sent": ledger["sent"],
            "submissions_acked": len(ledger["acked"]),
            "submissions_retried": ledger["retried"],
            "submissions_unacked": len(ledger["unacked"]),
            "transitions": dict(sorted(tally.items())),
            "lost_connections": sum(1 for a in answers if a[2] == "lost"),
            "status_500_total": sum(1 for a in answers if a[2] == 500),
            "status_500_while_db_down": sum(1 for a in answers if events["db_down"] <= a[0] < back and a[2] == 500),
            "status_500_after_db_back": len(errors_500_after),
            "status_5xx_other": sum(1 for a in answers if isinstance(a[2], int) and a[2] >= 500 and a[2] != 500),
            "db_restart_seconds": round(back - events["db_down"], 2),
            "first_success_after_restart_s": round(first_ok_after - events["db_down"], 2),
        }
    )
    return result


ROWS = [
    ("seconds", "run (s)"),
    ("requests", "HTTP requests"),
    ("submissions_sent", "submissions (distinct keys)"),
    ("submissions_acked", "acknowledged (302)"),
    ("submissions_retried", "needed a retry with the same key"),
    ("submissions_unacked", "never acknowledged"),
    ("unacked_but_saved", "…of which saved anyway"),
    ("acked_missing", "acknowledged but missing"),
    ("acked_twice", "acknowledged and stored twice"),
    ("acked_wrong_appeal", "acknowledged, 302 to another appeal"),
    ("duplicate_keys", "keys stored more than once"),
    ("appeals", "appeals in the database"),
    ("events", "appeal events"),
    ("transitions", "transitions acknowledged"),
    ("state_not_replay", "state ≠ replay of events"),
    ("chain_breaks", "broken hash chains"),
    ("appeals_without_events", "appeals without events"),
    ("lost_connections", "requests with no answer (worker killed, reset)"),
    ("status_500_while_db_down", "500 while the database was down"),
    ("status_500_after_db_back", "**500 after the database came back**"),
    ("status_5xx_other", "other 5xx"),
    ("db_restart_seconds", "database restart (s)"),
    ("first_success_after_restart_s", "first success after the restart began (s)"),
]


def table(results: list[dict]) -> str:
    lines = ["| | " + " | ".join(r["variant"] for r in results) + " |", "|---" * (len(results) + 1) + "|"]
    for key, label in ROWS:
        cells = []
        for r in results:
            value = r.get(key, "")
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v}" for k, v in value.items())
            cells.append(str(value))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="step")
    p_setup = sub.add_parser("setup")
    p_setup.add_argument("--residents", type=int, default=6)
    p_check = sub.add_parser("check")
    p_check.add_argument("--ledger", required=True)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--residents", type=int, default=6)
    parser.add_argument("--handlers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--pg-port", type=int, default=55432)
    parser.add_argument("--variant", choices=["as-configured", "health-checks", "both"], default="both")
    parser.add_argument("--keep", action="store_true", help="keep the cluster folder (logs) afterwards")
    args = parser.parse_args()
    if args.step == "setup":
        step_setup(args.residents)
        return
    if args.step == "check":
        step_check(args.ledger)
        return

    cluster = Cluster(args.pg_port)
    print(f"private cluster in {cluster.dir} on port {args.pg_port}", file=sys.stderr)
    try:
        cluster.init()
        variants = ["as-configured", "health-checks"] if args.variant == "both" else [args.variant]
        results = []
        for variant in variants:
            result = run_variant(args, cluster, variant)
            print(json.dumps(result, ensure_ascii=False), file=sys.stderr)
            results.append(result)
        print(table(results))
    finally:
        if args.keep:
            cluster.stop()
        else:
            cluster.remove()


if __name__ == "__main__":
    main()
