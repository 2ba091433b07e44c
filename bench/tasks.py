"""Server time of the forward-chain progress tree with 50,000 tasks (target: p95 ≤ 150 ms).

    python bench/tasks.py --database-url postgres://postgres@127.0.0.1:5432/twoway_forward_bench

An empty database gets the demo district (org/demo.py) and then `count` tasks from
twoway/forward/synth.py (whole cascades down to households, bulk_create in batches). Each page
is requested --requests times through Django's test client (in process: middleware, queries,
template), after two warm-up requests. Prints a Markdown table.

--profile breaks one page (the district tree by default) down instead: each query's own time in
the database (EXPLAIN ANALYZE, PostgreSQL) and the Python time of the request (cProfile).
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="sqlite:////tmp/twoway-forward-bench.sqlite3")
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--profile", action="store_true", help="break one page down instead of timing all")
    parser.add_argument("--url", default="/forward/tree/", help="the page --profile breaks down")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twoway.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from twoway.forward.models import Plan, Task
    from twoway.forward.synth import generate_tasks
    from twoway.org.demo import build_demo
    from twoway.org.models import OrgUnit

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    if not OrgUnit.objects.exists():
        build_demo(seed=2024)
    have = Task.objects.count()
    if have < args.tasks:
        t0 = time.perf_counter()
        made = generate_tasks(count=args.tasks - have)
        print(f"generated {made:,} tasks in {time.perf_counter() - t0:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fresh statistics, and the visibility map that index-only scans need.
            cursor.execute("VACUUM ANALYZE forward_task, forward_taskrollup")
    tasks = Task.objects.count()
    plan = Plan.objects.order_by("-id").first()
    street = OrgUnit.objects.filter(kind="street").order_by("path").first()
    community = OrgUnit.objects.filter(kind="community").order_by("path").first()
    if args.profile:
        profile(args.url, args.requests)
        return
    pages = [
        ("district_admin", "tree: district, all plans", "/forward/tree/"),
        ("district_admin", "tree: district, one plan", f"/forward/tree/?plan={plan.pk}"),
        ("district_admin", "tree: a street", f"/forward/tree/?unit={street.pk}"),
        ("street_officer", "tree: own street", "/forward/tree/"),
        ("community_secretary", "tree: own community", f"/forward/tree/?unit={community.pk}"),
        ("district_admin", "overdue list, page 1", "/forward/overdue/"),
        ("district_admin", "plans list", "/forward/"),
    ]
    clients = {}
    rows = []
    for username, label, url in pages:
        if username not in clients:
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            clients[username] = client
        client = clients[username]
        for _ in range(2):
            assert client.get(url).status_code == 200, url
        executed = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        times, cpu = [], []
        for _ in range(args.requests):
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        rows.append((label, username, len(executed), statistics.median(times), p95, statistics.median(cpu)))

    print(f"\n{connection.vendor}, {tasks:,} tasks, {args.requests} requests per page\n")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
    print("| page | as | queries | p50 ms | p95 ms | Python CPU p50 ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for label, username, q, p50, p95, cpu50 in rows:
        print(f"| {label} | {username} | {q} | {p50:.1f} | {p95:.1f} | {cpu50:.1f} |")


def profile(url: str, requests: int) -> None:
    """Each query of one request with its database time, then where the Python time goes."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="district_admin"))
    for _ in range(2):
        assert client.get(url).status_code == 200, url
    captured = []

    def keep(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        client.get(url)
    print(f"{url}: {len(captured)} queries, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
    total = 0.0
    for sql, params in captured:
        ms = None
        if connection.vendor == "postgresql" and sql.lstrip("( ").upper().startswith("SELECT"):
            runs = []
            for _ in range(5):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                    plan = cursor.fetchone()[0]
                    plan = plan[0] if isinstance(plan, list) else plan
                    runs.append(plan["Planning Time"] + plan["Execution Time"])
            ms = statistics.median(runs)
            total += ms
        shown = "n/a" if ms is None else f"{ms:7.2f} ms"
        print(f"{shown}  {sql[:150]}")
    print(f"\ndatabase time (EXPLAIN ANALYZE, planning + execution, median of 5): {total:.1f} ms\n")
    cpu = []
    profiler = cProfile.Profile()
    for _ in range(requests):
        c0 = time.process_time()
        profiler.enable()
        client.get(url)
        profiler.disable()
        cpu.append((time.process_time() - c0) * 1000)
    print(f"Python CPU per request (with the profiler on): p50 {statistics.median(cpu):.1f} ms\n")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue())


if __name__ == "__main__":
    main()
