"""Supervision dashboards at scale, on PostgreSQL: server time of the district and a street
dashboard, against the raw SQL aggregate they are based on.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/twoway_supervision_bench \\
        python manage.py generate --residents 100000 --appeals 1000000
    DATABASE_URL=... python manage.py supervision_refresh --full
    DATABASE_URL=... python bench/supervision.py --requests 30

Each page is requested --requests times after three warm-ups through Django's test client in
this process (server time: from the request to the rendered response, no network), as the
district's and a street's staff, for the default period (the last 12 weeks). Per request it
also records this process's CPU time (Python: the view, the ORM, the template; it does not
depend on the machine's load the way wall time does) and the number of SQL statements.

Baselines, each run as raw SQL for the same area and period:
- the KPI aggregate over the daily rollup (`supervision_dailyfact`), which the dashboard's
  figures are sums of: the floor a page that runs it, and nine more, and renders, cannot beat;
- the same aggregate over the per-appeal rollup (`supervision_appealfact`), what the dashboard
  read before the daily rollup, and the previous baseline;
- two of the counts straight from the appeal events, what the rollups save.
Also timed: a refresh with nothing new (what every dashboard request does first), and the
incremental refresh of 100 appeals (their rows and daily cells rebuilt, then rolled back).
The load average is printed before and after. Prints Markdown tables.
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twoway.settings")


def pct(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def timed(fn, n, warm=3):
    for _ in range(warm):
        fn()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


class Rollback(Exception):
    pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from twoway.appeals.models import Appeal, AppealEvent
    from twoway.org.models import OrgUnit, Role, UnitKind
    from twoway.supervision import facts, kpis
    from twoway.supervision.models import AppealFact, AppealTerms, DailyFact, DailyHours

    settings.ALLOWED_HOSTS = ["*"]
    assert connection.vendor == "postgresql", "run this on PostgreSQL (DATABASE_URL)"
    print(f"Load average (1/5/15 min) at the start: {load()}\n")
    district = OrgUnit.objects.get(kind=UnitKind.DISTRICT, parent=None)
    street = OrgUnit.objects.filter(kind=UnitKind.STREET).order_by("path").first()
    users = {}
    for unit in (district, street):
        role = Role.objects.filter(unit=unit, kind__in=["staff", "leader"]).select_related("person__user").first()
        if role.person.user is None:  # generated staff have no login: give this one a bench login
            from django.contrib.auth import get_user_model

            user, _new = get_user_model().objects.get_or_create(username=f"bench_supervision_{unit.pk}")
            role.person.user = user
            role.person.save(update_fields=["user"])
        users[unit.pk] = role.person.user
    print(
        f"Data: {Appeal.objects.count():,} appeals, {AppealEvent.objects.count():,} events, "
        f"{AppealFact.objects.count():,} per-appeal rollup rows, {DailyFact.objects.count():,} daily rows, "
        f"{DailyHours.objects.count():,} daily hour-histogram rows (one per daily row, plus one per area and day "
        "for all categories), "
        f"{AppealTerms.objects.count():,} appeals' hotspot words, {OrgUnit.objects.count():,} units\n"
    )
    today = timezone.localdate()
    period = kpis.Period(today - timedelta(days=83), today + timedelta(days=1))
    start, end = period.bounds
    kpi_counts = (
        "count(*), count(*) FILTER (WHERE accepted_on_time), count(*) FILTER (WHERE resolved),"
        " count(*) FILTER (WHERE resolved_on_time), count(*) FILTER (WHERE score = 'satisfied'),"
        " count(*) FILTER (WHERE score = 'basic'), count(*) FILTER (WHERE score = 'unsatisfied')"
    )
    kpi_sums = (
        "sum(received), sum(accepted_on_time), sum(resolved), sum(resolved_on_time), sum(satisfied),"
        " sum(basic), sum(unsatisfied)"
    )

    def raw(sql, params):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        return run

    rows = []
    for label, unit, target in (("district dashboard", district, 300), ("street dashboard", street, 150)):
        client = Client()
        client.force_login(users[unit.pk])
        url = f"/supervision/?unit={unit.pk}"
        cpu, statements = [], []

        def page(client=client, url=url, cpu=cpu, statements=statements):
            c = time.process_time()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            cpu.append((time.process_time() - c) * 1000)
            statements.append(len(ctx))
            assert response.status_code == 200, response.status_code

        times = timed(page, args.requests)
        cpu[:] = cpu[3:]
        if unit.kind == UnitKind.DISTRICT:
            area, area_params = (
                "street_id IN (SELECT id FROM org_orgunit WHERE kind = 'street' AND path LIKE %s)",
                [unit.path + "%"],
            )
        else:
            area, area_params = "street_id = %s", [unit.pk]
        daily = raw(
            f"SELECT {kpi_sums} FROM supervision_dailyfact WHERE {area} AND day >= %s AND day < %s",
            [*area_params, period.start, period.end],
        )
        per_appeal = raw(
            f"SELECT {kpi_counts} FROM supervision_appealfact WHERE {area} AND created_at >= %s AND created_at < %s",
            [*area_params, start, end],
        )
        rows.append(
            (label, target, times, cpu, statements, timed(daily, args.requests), timed(per_appeal, args.requests))
        )
    print("| page | p50 ms | p95 ms | target p95 | Python CPU p50 ms | SQL statements |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, target, times, cpu, statements, _d, _a in rows:
        ok = "met" if pct(times, 95) <= target else "missed"
        print(
            f"| {label} | {pct(times, 50):.0f} | {pct(times, 95):.0f} | ≤ {target} ({ok}) "
            f"| {pct(cpu, 50):.0f} | {max(statements)} |"
        )
    print(
        "\n| page | raw KPI aggregate, daily rollup: p50 ms | page ÷ it (p50) "
        "| same over the per-appeal rollup: p50 ms | page ÷ it (p50) |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, _t, times, _c, _s, daily_t, appeal_t in rows:
        p50 = pct(times, 50)
        print(
            f"| {label} | {pct(daily_t, 50):.1f} | {p50 / pct(daily_t, 50):.0f}× "
            f"| {pct(appeal_t, 50):.1f} | {p50 / pct(appeal_t, 50):.1f}× |"
        )
    events_sql = (
        "SELECT count(DISTINCT a.id), count(DISTINCT e.appeal_id) FILTER (WHERE e.kind = 'resolved')"
        " FROM appeals_appeal a JOIN appeals_appealevent e ON e.appeal_id = a.id"
        " WHERE a.created_at >= %s AND a.created_at < %s"
    )
    ev = timed(raw(events_sql, [start, end]), 3, warm=1)
    print(f"\nTwo of the district's counts straight from the events, same period: p50 {pct(ev, 50):.0f} ms")

    # Hotspots (not a target): the stored words of the newest 3,000 appeals of the period.
    for label, unit in (("district hotspots", district), ("street hotspots", street)):
        client = Client()
        client.force_login(users[unit.pk])
        cpu = []

        def hot(client=client, unit=unit, cpu=cpu):
            c = time.process_time()
            assert client.get(f"/supervision/hotspots/?unit={unit.pk}").status_code == 200
            cpu.append((time.process_time() - c) * 1000)

        t = timed(hot, max(5, args.requests // 3))
        print(f"{label}: p50 {pct(t, 50):.0f} ms, p95 {pct(t, 95):.0f} ms, Python CPU p50 {pct(cpu[3:], 50):.0f} ms")

    idle = timed(lambda: facts.facts_refresh(max_appeals=2000), 10)
    print(f"\nRefresh with nothing new (each dashboard request starts with it): p50 {pct(idle, 50):.1f} ms")
    ids = random.Random(7).sample(list(Appeal.objects.order_by("-pk").values_list("pk", flat=True)[:200_000]), 100)
    took = []
    for _ in range(3):
        t = time.perf_counter()
        try:
            with transaction.atomic():
                facts._store(ids, facts._Rules(), facts._Units())
                took.append((time.perf_counter() - t) * 1000)
                raise Rollback
        except Rollback:
            pass
    print(f"Incremental refresh of 100 appeals (rows and daily cells rebuilt): p50 {pct(took, 50):.0f} ms")
    print(f"\nLoad average (1/5/15 min) at the end: {load()}")


if __name__ == "__main__":
    main()
