"""The scope test (R-1.3): every role, every URL, records of other units and guessed ids.

The viewer's area is written out by hand below, not taken from the scope module under test.
"""

import io

import openpyxl
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from twoway.org.models import Grid, Household, OrgUnit, Person

from .scope_registry import CASES, SEEDS, ById, Listing, Public

# viewer -> the unit key whose subtree they may see, or None for a resident (own household only)
AREAS = {
    "district_staff": "district",
    "district_auditor": "district",
    "dept_officer": "department",
    "street_officer": "street_A",
    "other_street_officer": "street_B",
    "community_secretary": "community_A1",
    "other_community_secretary": "community_A2",
    "grid_worker": "community_A1",
    "group_leader": "group_A1a",
    "resident": None,
    "far_resident": None,
}


# Co-building (双联共建, §5.1.3.2) names partners across the tree, written out by hand too: the
# district's departments and their heads are named to staff everywhere (the heads sit on the
# communities' co-building groups; a department is a public office), and a department sees the
# name of a community that declared a plan to it (seeded in tests/scope_cases/forward.py). Only
# the names: nothing of the partner's people or records.
PARTNER_UNITS = {"dept_officer": ["community_A1"]}


def _public_offices() -> tuple[set[int], set[int]]:
    """The ids of the department units and of the people heading one."""
    from twoway.org.models import Role, UnitKind

    units = set(OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT).values_list("pk", flat=True))
    heads = set(Role.objects.filter(unit__in=units, kind="leader").values_list("person_id", flat=True))
    return units, heads


def all_url_names() -> set[str]:
    names = set()

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{prefix}{p.namespace}:" if p.namespace else prefix)
            elif isinstance(p, URLPattern) and p.name:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_has_a_scope_case():
    missing = sorted(all_url_names() - set(CASES))
    assert not missing, f"URLs with no case in tests/scope_registry.py: {missing}"
    stale = sorted(set(CASES) - all_url_names())
    assert not stale, f"cases for URLs that no longer exist: {stale}"


def _in_area(tree, viewer_key: str, path: str, household_id=None) -> bool:
    area = AREAS[viewer_key]
    if area is None:
        return household_id is not None and household_id == tree[viewer_key].household_id
    return path.startswith(tree[area].path)


def _record_in_area(tree, viewer_key, case: ById, record) -> bool:
    viewer = tree[viewer_key]
    if case.personal:
        return case.concerns(record, viewer)
    if case.concerns is not None and case.concerns(record, viewer):
        return True
    paths = case.path_of(record)
    paths = (paths,) if isinstance(paths, str) else paths
    if AREAS[viewer_key] is None:
        if case.concerns is not None:
            return False
        hh = record.pk if case.model is Household else getattr(record, "household_id", None)
        return _in_area(tree, viewer_key, "", hh)
    return any(_in_area(tree, viewer_key, p) for p in paths)


def _foreign(tree, viewer_key, case: ById, limit=4):
    """Records of the case's model that lie outside the viewer's area."""
    out = [r for r in case.model.objects.all().order_by("pk") if not _record_in_area(tree, viewer_key, case, r)]
    # Spread the sample over the tree rather than taking the first few.
    step = max(1, len(out) // limit)
    return out[::step][:limit]


def _body_text(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None
        )
    return response.content.decode("utf-8", "replace")


def _leak_texts(tree, viewer_key) -> list[str]:
    """Names of people and units outside the viewer's area that cannot occur by chance inside it."""
    inside_names = set()
    people = list(Person.objects.select_related("unit"))
    for p in people:
        if _in_area(tree, viewer_key, p.unit.path, p.household_id) or p.pk == tree[viewer_key].pk:
            inside_names.add(p.name)
    units = list(OrgUnit.objects.all())
    inside_units = [u.name for u in units if _in_area(tree, viewer_key, u.path)]
    offices, heads = _public_offices() if AREAS[viewer_key] is not None else (set(), set())
    partners = {tree[key].pk for key in PARTNER_UNITS.get(viewer_key, ())}
    texts = []
    for p in people:
        if p.name not in inside_names and not _in_area(tree, viewer_key, p.unit.path, p.household_id):
            if not any(p.name in n for n in inside_names | set(inside_units)) and p.pk not in heads:
                texts.append(p.name)
    for u in units:
        if not _in_area(tree, viewer_key, u.path) and not any(u.name in n for n in inside_units):
            if AREAS[viewer_key] is not None and u.pk not in offices | partners:
                # (residents may see their own chain of units by name)
                texts.append(u.name)
    return texts


@pytest.mark.parametrize("viewer_key", sorted(AREAS))
def test_no_role_reaches_records_outside_its_area(tree, login, viewer_key, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for seed in SEEDS:
        seed(tree)
    failures = scope_failures(login(tree[viewer_key]), tree, viewer_key, CASES)
    assert not failures, "\n".join(failures)


def scope_failures(client, tree, viewer_key, cases) -> list[str]:
    failures = []
    leak_texts = _leak_texts(tree, viewer_key)
    foreign_unit = next((u for u in OrgUnit.objects.order_by("-path") if not _in_area(tree, viewer_key, u.path)), None)
    for name, case in sorted(cases.items()):
        if isinstance(case, Public):
            continue
        if isinstance(case, Listing):
            url = reverse(name, kwargs=case.kwargs or None)
            queries = [case.query]
            if foreign_unit is not None:
                queries.append({**case.query, "unit": foreign_unit.pk})
            for query in queries:
                response = client.get(url, query)
                if response.status_code >= 500:
                    failures.append(f"{name} {query}: {response.status_code}")
                    continue
                if response.status_code == 200:
                    body = _body_text(response)
                    leaked = [t for t in leak_texts if t in body]
                    if leaked:
                        failures.append(f"{name} {query}: shows {leaked[:3]}")
            continue
        assert isinstance(case, ById)
        targets = _foreign(tree, viewer_key, case)
        guessed = case.model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        kwarg_sets = [
            ({"pk": r.pk, **(case.more_kwargs(r) if case.more_kwargs else {})}, case.text_of(r)) for r in targets
        ]
        sample = case.model.objects.first()
        extra = case.more_kwargs(sample) if case.more_kwargs and sample is not None else {}
        kwarg_sets.append(({"pk": guessed + 1000, **extra}, None))
        for kwargs, text in kwarg_sets:
            if case.query_param:
                url = reverse(name) + f"?{case.query_param}={kwargs['pk']}"
            else:
                url = reverse(name, kwargs=kwargs)
            for method in case.methods:
                response = client.get(url) if method == "GET" else client.post(url, {"name": "x", "unmask": "1"})
                if response.status_code not in (403, 404):
                    failures.append(f"{method} {url} ({name}): {response.status_code}")
                elif text and text in _body_text(response):
                    failures.append(f"{method} {url} ({name}): error page shows {text}")
    return failures


def test_the_scope_test_catches_an_unscoped_url(tree, login, settings):
    """Add a URL that lists everyone, unscoped: the registry check and the leak check both fail."""
    settings.ROOT_URLCONF = "tests.unscoped_urls"
    assert "everyone" in all_url_names() - set(CASES)
    client = login(tree["community_secretary"])
    failures = scope_failures(client, tree, "community_secretary", {"everyone": Listing()})
    assert failures and "everyone" in failures[0]


def test_auditor_can_read_but_not_change(tree, login):
    client = login(tree["district_auditor"])
    unit = tree["community_A1"]
    assert client.get(reverse("org:unit", args=[unit.pk])).status_code == 200
    assert client.post(reverse("org:unit_edit", args=[unit.pk]), {"name": "改名"}).status_code == 403
    unit.refresh_from_db()
    assert unit.name == "A1社区"


@pytest.mark.parametrize("model", [Household, Grid])
def test_models_in_registry_are_covered(model):
    assert any(isinstance(c, ById) and c.model is model for c in CASES.values())
