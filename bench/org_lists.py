"""Server time of the org list pages with ~100,000 residents.

    python bench/org_lists.py                                  # SQLite file under /tmp
    python bench/org_lists.py --database-url postgres://postgres@127.0.0.1:5432/twoway_bench

The database is filled by `manage.py generate` when it is empty. Each page is requested
--requests times through Django's test client (in process, so the time is server time:
middleware, queries, template), after two warm-up requests. Prints a Markdown table.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="sqlite:////tmp/twoway-bench.sqlite3")
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twoway.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from twoway.org.models import OrgUnit, Person

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    if not OrgUnit.objects.exists():
        call_command("generate", residents=args.residents)
    people = Person.objects.count()
    district = OrgUnit.objects.get(parent=None)
    community = OrgUnit.objects.filter(kind="community").order_by("path").first()
    sample = Person.objects.filter(unit__parent=community).order_by("id")[100]

    pages = [
        ("district_admin", "home", "/"),
        ("district_admin", "unit page: district", f"/org/units/{district.pk}/"),
        ("district_admin", "people, page 1", "/org/people/"),
        ("district_admin", "people, page 2000", "/org/people/?page=2000"),
        ("district_admin", "people, search by name", f"/org/people/?q={sample.name}"),
        ("district_admin", "people, search by phone tail", f"/org/people/?q={sample.phone[-4:]}"),
        ("district_admin", "households, page 1", "/org/households/"),
        ("district_admin", "households, search 3-1-502", "/org/households/?q=3-1-502"),
        ("community_secretary", "people, one community", "/org/people/"),
        ("community_secretary", "unit page: community", f"/org/units/{community.pk}/"),
    ]
    clients = {}
    from django.contrib.auth import get_user_model

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
        times = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        rows.append((label, username, len(executed), statistics.median(times), p95))

    engine = connection.vendor
    print(f"\n{engine}, {people:,} people, {args.requests} requests per page\n")
    print("| page | as | queries | p50 ms | p95 ms |")
    print("| --- | --- | ---: | ---: | ---: |")
    for label, username, q, p50, p95 in rows:
        print(f"| {label} | {username} | {q} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
