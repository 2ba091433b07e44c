"""CSRF on every POST: walk the URL resolver and post to every URL, without a token, as an
anonymous visitor and as logged-in staff. Django's CSRF check must refuse each one before its
view runs (a `django.security.csrf` log record, 403). The only exceptions are machine APIs that
authenticate each request by a key, never by the session cookie: those must refuse the request
too, by their own check (4xx), so a forged form from another site cannot use a logged-in
browser's session."""

import itertools
import logging

import pytest
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

# Names (or namespace prefixes) of views that are exempt from the session CSRF check because
# they authenticate by an API key or token sent with each request.
KEY_AUTHENTICATED = ("api:", "open311:")
# Pages under those namespaces that do use the session (token and key management pages).
SESSION_PAGES = {"api:tokens", "api:token_revoke", "open311:keys", "open311:key_revoke"}

CANDIDATES = ["1", "json", "x"]


def _kwarg_names(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return []


def all_urls() -> list[tuple[str, str]]:
    """(name, path) for every named URL, its parameters filled with values its pattern accepts."""
    found = []

    def walk(patterns, prefix, kwargs):
        for p in patterns:
            names = kwargs + _kwarg_names(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix, names)
            elif isinstance(p, URLPattern) and p.name:
                found.append((prefix + p.name, names))

    walk(get_resolver().url_patterns, "", [])
    urls = {}
    for name, names in found:
        for values in itertools.product(CANDIDATES, repeat=len(names)):
            try:
                urls[name] = reverse(name, kwargs=dict(zip(names, values, strict=True)) or None)
                break
            except NoReverseMatch:
                continue
    return sorted(urls.items())


def _exempt(name: str) -> bool:
    return name.startswith(KEY_AUTHENTICATED) and name not in SESSION_PAGES


def _post_failures(client: Client, caplog) -> list[str]:
    failures = []
    for name, url in all_urls():
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
            response = client.post(url, {"name": "forged", "text": "forged"})
        refused = any(r.name == "django.security.csrf" for r in caplog.records)
        if refused and response.status_code == 403:
            continue
        if _exempt(name) and 400 <= response.status_code < 500:
            continue
        failures.append(f"POST {url} ({name}): {response.status_code}, no CSRF refusal")
    return failures


def test_the_walk_finds_the_project_urls():
    names = dict(all_urls())
    assert {"login", "logout", "set_language", "appeals:new", "appeals:act", "org:unit_add"} <= set(names)
    assert names["appeals:act"] == "/appeals/1/1/"


def test_every_post_without_a_token_is_refused_for_a_visitor(tree, caplog):
    failures = _post_failures(Client(enforce_csrf_checks=True), caplog)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who", ["district_staff", "community_secretary", "resident"])
def test_every_post_without_a_token_is_refused_for_a_logged_in_user(tree, caplog, who):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree[who].user)
    before = _row_counts()
    failures = _post_failures(client, caplog)
    assert not failures, "\n".join(failures)
    # Nothing was written by any of the forged posts (the session row may be touched).
    after = _row_counts()
    changed = {t for t in before if before[t] != after.get(t) and t not in {"django_session", "axes_accessattempt"}}
    assert not changed, changed


def _row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def test_the_same_post_with_a_token_gets_through(tree):
    """The refusal above is the CSRF check, not something else: with the token the post works."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree["community_secretary"].user)
    client.get(reverse("org:unit", args=[tree["community_A1"].pk]))
    token = client.cookies["csrftoken"].value
    url = reverse("org:unit_add", args=[tree["community_A1"].pk])
    response = client.post(url, {"kind": "group", "name": "有令牌组", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
