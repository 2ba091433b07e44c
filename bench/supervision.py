"""Supervision dashboards at scale, on PostgreSQL: server time of the district and a street
dashboard, against the raw SQL aggregate they are based on.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/twoway_supervision_bench \\
        python manage.py generate --residents 30000 --appeals 300000
    DATABASE_URL=... python manage.py supervision_refresh --full
    DATABASE_URL=... python bench/supervision.py --requests 30

Each page is requested --requests times after three warm-ups through Django's test client in
this process (server time: from the request to the rendered response, no network), as the
district's and a street's staff. The baseline is the one aggregate of the KPI figures over the
same rows, run as raw SQL on the rollup table. Also timed: the same KPI counts computed straight
from the appeal events (what the rollup saves), and a full rebuild of the rollup.
Prints Markdown tables.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twoway.settings")


def pct(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def timed(fn, n):
    for _ in range(3):
        fn()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from twoway.appeals.models import Appeal, AppealEvent
    from twoway.org.models import OrgUnit, Role, UnitKind
    from twoway.supervision import kpis
    from twoway.supervision.models import AppealFact

    settings.ALLOWED_HOSTS = ["*"]
    assert connection.vendor == "postgresql", "run this on PostgreSQL (DATABASE_URL)"
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
        f"{AppealFact.objects.count():,} rollup rows, {OrgUnit.objects.count():,} units\n"
    )
    rows = []
    for label, unit, target in (("district dashboard", district, 300), ("street dashboard", street, 150)):
        client = Client()
        client.force_login(users[unit.pk])
        url = f"/supervision/?unit={unit.pk}"

        def page(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        times = timed(page, args.requests)
        period = kpis.Period(*(lambda f: (f.period.start, f.period.end))(_filters(client, url)))
        start, end = period.bounds
        area = "" if unit.kind == UnitKind.DISTRICT else f" AND street_id = {unit.pk}"
        sql = (
            "SELECT count(*), count(*) FILTER (WHERE accepted_on_time), count(*) FILTER (WHERE resolved),"
            " count(*) FILTER (WHERE resolved_on_time), count(*) FILTER (WHERE score = 'satisfied'),"
            " count(*) FILTER (WHERE score = 'basic'), count(*) FILTER (WHERE score = 'unsatisfied')"
            f" FROM supervision_appealfact WHERE created_at >= %s AND created_at < %s{area}"
        )

        def raw(sql=sql, start=start, end=end):
            with connection.cursor() as cursor:
                cursor.execute(sql, [start, end])
                cursor.fetchall()

        base = timed(raw, args.requests)
        rows.append((label, target, times, base))
    print("| page | p50 ms | p95 ms | target p95 | raw SQL aggregate p50 ms | ratio p50 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, target, times, base in rows:
        p50, p95, b50 = pct(times, 50), pct(times, 95), pct(base, 50)
        ok = "met" if p95 <= target else "missed"
        print(f"| {label} | {p50:.0f} | {p95:.0f} | ≤ {target} ({ok}) | {b50:.1f} | {p50 / b50:.1f}× |")
    # What the rollup saves: the same counts straight from the events, for the district's 12 weeks.
    start, end = kpis.Period(*(lambda f: (f.period.start, f.period.end))(_filters(Client(), None))).bounds
    events_sql = (
        "SELECT count(DISTINCT a.id), count(DISTINCT e.appeal_id) FILTER (WHERE e.kind = 'resolved')"
        " FROM appeals_appeal a JOIN appeals_appealevent e ON e.appeal_id = a.id"
        " WHERE a.created_at >= %s AND a.created_at < %s"
    )

    def from_events():
        with connection.cursor() as cursor:
            cursor.execute(events_sql, [start, end])
            cursor.fetchall()

    ev = timed(from_events, 5)
    print(f"\nCounting the same period straight from the events (two of the counts only): p50 {pct(ev, 50):.0f} ms")


def _filters(client, url):
    """The default dashboard period (the last 12 weeks), as the page computes it."""
    from datetime import timedelta

    from django.utils import timezone

    from twoway.supervision import kpis

    today = timezone.localdate()
    f = kpis.Period(today - timedelta(days=83), today + timedelta(days=1))

    class F:
        period = f

    return F


if __name__ == "__main__":
    main()
