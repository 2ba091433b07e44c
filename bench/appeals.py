"""Appeals (反向诉求) under load, over real HTTP, on PostgreSQL:

a. sustained appeal submissions per second (POST /appeals/new/ as logged-in residents), against
   a bare view that does one INSERT (bench/bare_urls.py), on the same server in the same run,
   the two alternating in short slices;
b. server time of a community's appeal queue (GET /appeals/ as community_secretary).

    python bench/appeals.py --database-url postgres://postgres@127.0.0.1:5432/twoway_bench_appeals

The database is filled by `manage.py generate --residents 100000 --appeals 1000000` when it
has no units (that takes minutes). The script starts gunicorn itself (2 sync workers, on a free
port of 127.0.0.1, DJANGO_SETTINGS_MODULE=bench.settings, TWOWAY_SECURE_COOKIES=0,
TWOWAY_ALLOWED_HOSTS=127.0.0.1) and stops it at the end. bench.settings adds the bare view and
a middleware that returns each request's server time in a `Server-Timing` header.

Submissions: --residents residents get a login (users `bench_resident_<n>`, one shared known
password, created if missing and kept for the next run: deleting a user would rewrite the
audit log's login records) and log in through /login/ like a browser (CSRF cookie, then the
form); --concurrency threads (http.client) post the appeal form, a fresh idem_key each time.
A submission counts when it answers 302 (the redirect to the new appeal); the bare view
counts on 200. Each of --rounds rounds warms both up, then gives each
--duration seconds of load in --slices alternating slices (bare, appeals, bare, appeals …), and
reports requests per second over its slices and the ratio. Every appeal posted stays in the
database (they are ordinary pending appeals).

Queue: one client, one request at a time, --requests requests per page after three warm-ups,
the pages in turn; p50 and p95 of the server time (the header's `app`: wall time from the
outermost middleware to the response), p95 of the worker's CPU time for the request (`cpu`:
without the database's time or waits for a CPU, so a busy machine shows as server time above
it), and p50 and p95 of the latency seen by the client.

Prints Markdown tables.
"""

import argparse
import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
DEMO_PASSWORD = "Demo@2026"  # noqa: S105  (the demo's published password, see twoway/org/demo.py)
BENCH_PASSWORD = "Bench@2026x"  # noqa: S105  (only for the bench's own resident logins)
BENCH_USER = "bench_resident_"


# ---- a tiny browser ------------------------------------------------------------------------


class Answer(NamedTuple):
    status: int
    client_ms: float  # request sent to response read, seen by the client
    server_ms: float  # Server-Timing app: outermost middleware to response, in the worker
    cpu_ms: float  # Server-Timing cpu: CPU time of the worker process for the request
    body: bytes


class Browser:
    """One logged-in session over http.client: keeps its cookies and reads Server-Timing."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(self, method: str, path: str, fields: dict | None = None) -> "Answer":
        headers = {"Host": HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn's sync workers close every connection: open a new one and retry once.
                self.conn.close()
                if attempt == 2:
                    raise
        client_ms = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        timing = {"app": float("nan"), "cpu": float("nan")}
        for part in response.headers.get("Server-Timing", "").split(","):
            name, _, dur = part.strip().partition(";dur=")
            if dur:
                timing[name] = float(dur)
        if response.headers.get("Connection", "").lower() == "close":
            self.conn.close()
        return Answer(response.status, client_ms, timing["app"], timing["cpu"], data)

    def csrf(self) -> str:
        return self.cookies["csrftoken"]

    def login(self, username: str, password: str) -> None:
        self.request("GET", "/login/")
        answer = self.request(
            "POST", "/login/", {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()}
        )
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login as {username} failed ({answer.status})")


# ---- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(database_url: str, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "TWOWAY_SECURE_COOKIES": "0",
        "TWOWAY_ALLOWED_HOSTS": HOST,
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
    server = subprocess.Popen(
        [*command, "twoway.wsgi", "-w", str(workers), "-b", f"{HOST}:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
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
            raise SystemExit("gunicorn exited")
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# ---- the database --------------------------------------------------------------------------


def prepare(args):
    """Fill the database if empty; logins for the bench residents; the bare view's table."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from twoway.appeals.models import Appeal, Category
    from twoway.org.models import OrgUnit, Person, UnitKind

    call_command("migrate", verbosity=0)
    if not OrgUnit.objects.exists():
        call_command("generate", residents=args.generate_residents, appeals=args.generate_appeals)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare")
        cursor.execute(
            "CREATE TABLE bench_bare (id bigserial PRIMARY KEY, note text NOT NULL, at timestamptz DEFAULT now())"
        )

    User = get_user_model()
    password = make_password(BENCH_PASSWORD)  # hashed once, shared by the bench's logins
    groups = list(OrgUnit.objects.filter(kind=UnitKind.GROUP, retired_at__isnull=True).order_by("path"))
    usernames = []
    for i in range(args.residents):
        username = f"{BENCH_USER}{i + 1}"
        user, _ = User.objects.get_or_create(username=username, defaults={"password": password})
        if not Person.objects.filter(user=user).exists():
            group = groups[(i * len(groups)) // args.residents]  # spread over the district
            person = (
                Person.objects.filter(unit=group, household__isnull=False, user__isnull=True).order_by("id").first()
            )
            person.user = user
            person.save(update_fields=["user"])
        usernames.append(username)
    categories = list(Category.objects.filter(parent__isnull=False, active=True).values_list("pk", flat=True))
    return {
        "appeals": Appeal.objects.count(),
        "people": Person.objects.count(),
        "usernames": usernames,
        "categories": categories,
    }


def queue_pages() -> list[tuple[str, str]]:
    """The pages of the community secretary's queue: todo and all, page 1 and later pages."""
    import math

    from django.contrib.auth import get_user_model

    from twoway.appeals.selectors import appeal_list
    from twoway.core.pages import PAGE_SIZE

    user = get_user_model().objects.get(username="community_secretary")
    pages = []
    for tab in ("todo", "all"):
        last = max(1, math.ceil(appeal_list(user, tab=tab).count() / PAGE_SIZE))
        pages.append((f"{tab}, page 1", f"/appeals/?tab={tab}"))
        later = min(last, 100)
        pages.append((f"{tab}, page {later}", f"/appeals/?tab={tab}&page={later}"))
        if last > later:
            pages.append((f"{tab}, page {last} (last)", f"/appeals/?tab={tab}&page={last}"))
    pages.append(("all, also from my area, page 1", "/appeals/?tab=all&scope=area"))
    return pages


def cleanup() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare")


# ---- load ----------------------------------------------------------------------------------

DESCRIPTIONS = [
    "{b}号楼楼道堆放杂物，影响通行，存在消防隐患",
    "小区东侧路灯已坏一周，夜间很黑",
    "{b}号楼{e}单元电梯经常停运，老人上下楼困难",
    "有居民在楼道里给电动车充电，很危险",
    "希望社区开设老年食堂，方便独居老人就餐",
]


def run_load(browsers: list[Browser], concurrency: int, seconds: float, make_request) -> dict:
    """`concurrency` threads, each with its own browser, for `seconds`; counts what succeeded."""
    results = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(n):
        browser = browsers[n % len(browsers)]
        rng = random.Random(n)
        ok = bad = 0
        answers = []
        while time.perf_counter() < deadline:
            method, path, fields, expect = make_request(browser, rng)
            answer = browser.request(method, path, fields)
            # A browser follows the redirect, and the page it lands on shows the "received" message
            # and clears it; this client does not load that page, so it drops the message itself
            # (kept, the messages of every submission would pile up in the cookie and the session).
            browser.cookies.pop("messages", None)
            if answer.status == expect:
                ok += 1
                answers.append(answer)
            else:
                bad += 1
        with lock:
            results.append((ok, bad, answers))

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "elapsed": time.perf_counter() - started,
        "ok": sum(r[0] for r in results),
        "errors": sum(r[1] for r in results),
        "answers": [a for r in results for a in r[2]],
    }


def summarize(slices: list[dict]) -> dict:
    answers = [a for s in slices for a in s["answers"]]
    ok = sum(s["ok"] for s in slices)
    return {
        "ok": ok,
        "errors": sum(s["errors"] for s in slices),
        "rps": ok / sum(s["elapsed"] for s in slices),
        "server_p50": percentile([a.server_ms for a in answers], 50),
        "cpu_p50": percentile([a.cpu_ms for a in answers], 50),
        "client_p50": percentile([a.client_ms for a in answers], 50),
        "client_p95": percentile([a.client_ms for a in answers], 95),
    }


def percentile(values: list[float], p: int) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[max(0, -(-len(values) * p // 100) - 1)]


def submit_request(categories):
    def make(browser, rng):
        fields = {
            "category": rng.choice(categories),
            "description": rng.choice(DESCRIPTIONS).format(b=rng.randint(1, 30), e=rng.randint(1, 3)),
            "place": f"{rng.randint(1, 30)}号楼{rng.randint(1, 3)}单元",
            "idem_key": uuid.uuid4().hex,
            "csrfmiddlewaretoken": browser.csrf(),
        }
        return "POST", "/appeals/new/", fields, 302

    return make


def bare_request(browser, rng):
    return "POST", "/bench/bare/", {"note": "bench", "csrfmiddlewaretoken": browser.csrf()}, 200


# ---- main ----------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--concurrency", type=int, default=6, help="client threads posting at once")
    parser.add_argument("--residents", type=int, default=6, help="residents logged in for the submissions")
    parser.add_argument("--duration", type=float, default=20, help="seconds of load per view and round")
    parser.add_argument("--slices", type=int, default=4, help="alternating slices the duration is cut into")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before each measurement")
    parser.add_argument("--rounds", type=int, default=2, help="bare view, then appeals, this many times")
    parser.add_argument("--requests", type=int, default=60, help="requests per queue page")
    parser.add_argument("--skip-submit", action="store_true")
    parser.add_argument("--skip-queue", action="store_true")
    parser.add_argument("--generate-residents", type=int, default=100_000)
    parser.add_argument("--generate-appeals", type=int, default=1_000_000)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("--database-url must point at PostgreSQL")

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.db import connection

    info = prepare(args)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    pages = queue_pages()
    connection.close()  # the server has its own connections; keep ours out of the way

    server, port = start_gunicorn(args.database_url, args.workers)
    try:
        print(f"\nPostgreSQL {pg_version}, {info['appeals']:,} appeals, {info['people']:,} people, ", end="")
        print(f"gunicorn {args.workers} sync workers on port {port}\n")
        if not args.skip_queue:
            bench_queue(port, pages, args.requests, info["usernames"][0])
        if not args.skip_submit:
            bench_submit(port, info, args)
    finally:
        stop(server)
        cleanup()


def bench_queue(port: int, pages, requests: int, resident: str) -> None:
    browser = Browser(port)
    browser.login("community_secretary", DEMO_PASSWORD)
    print(f"Queue of community_secretary: {requests} requests per page, one at a time, pages in turn\n")
    _bench_pages(browser, pages, requests)
    # A resident's own list: their appeals, those theirs were merged into, their household's.
    browser = Browser(port)
    browser.login(resident, BENCH_PASSWORD)
    print(f"A resident's own appeals ({resident}), {requests} requests\n")
    _bench_pages(browser, [("My appeals", "/appeals/mine/")], requests)


def _bench_pages(browser, pages, requests: int) -> None:
    for _label, path in pages:
        for _ in range(3):
            assert browser.request("GET", path).status == 200, path
    answers = {path: [] for _label, path in pages}
    # Round robin, so a burst of load from elsewhere on the machine hits every page alike.
    for _ in range(requests):
        for _label, path in pages:
            answer = browser.request("GET", path)
            assert answer.status == 200, (path, answer.status)
            answers[path].append(answer)
    print("| page | server p50 ms | server p95 ms | server CPU p95 ms | client p50 ms | client p95 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, path in pages:
        got = answers[path]
        server = [a.server_ms for a in got]
        client = [a.client_ms for a in got]
        print(
            f"| {label} | {percentile(server, 50):.1f} | {percentile(server, 95):.1f} "
            f"| {percentile([a.cpu_ms for a in got], 95):.1f} "
            f"| {percentile(client, 50):.1f} | {percentile(client, 95):.1f} |"
        )
    print()


def bench_submit(port: int, info, args) -> None:
    browsers = []
    for username in info["usernames"]:
        browser = Browser(port)
        browser.login(username, BENCH_PASSWORD)
        browsers.append(browser)
    # The same browsers (session and CSRF cookies) post to both views.
    submit = submit_request(info["categories"])
    print(
        f"Submissions: {args.concurrency} client threads, {len(browsers)} residents; per round each view gets "
        f"{args.duration:.0f} s in {args.slices} alternating slices, after {args.warmup:.0f} s of warm-up each\n"
    )
    print(
        "| round | view | ok | errors | per second | server p50 ms | server CPU p50 ms "
        "| client p50 ms | client p95 ms | ratio |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    views = (("bare INSERT", bare_request), ("POST /appeals/new/", submit))
    for n in range(1, args.rounds + 1):
        for _name, make in views:
            if args.warmup:
                run_load(browsers, args.concurrency, args.warmup, make)
        # Alternate the two views in short slices, so a burst of load from elsewhere on the
        # machine falls on both alike.
        slices = {name: [] for name, _make in views}
        for _ in range(args.slices):
            for name, make in views:
                slices[name].append(run_load(browsers, args.concurrency, args.duration / args.slices, make))
        rows = {name: summarize(got) for name, got in slices.items()}
        ratio = rows["POST /appeals/new/"]["rps"] / rows["bare INSERT"]["rps"]
        for name, r in rows.items():
            shown = "" if name.startswith("bare") else f"{ratio:.2f}"
            print(
                f"| {n} | {name} | {r['ok']} | {r['errors']} | {r['rps']:.1f} | {r['server_p50']:.1f} "
                f"| {r['cpu_p50']:.1f} | {r['client_p50']:.1f} | {r['client_p95']:.1f} | {shown} |"
            )
    print()


if __name__ == "__main__":
    main()
