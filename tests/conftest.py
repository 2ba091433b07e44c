import pytest

from tests.factories import build_tree


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    from twoway.core import cache

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "zh-hans"
    # A test's rolled-back rows send no signal: start every test with no process-wide copies.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tree(db):
    return build_tree()


@pytest.fixture
def login(client):
    """Log the test client in as a person from the tree: login(tree["street_officer"])."""

    def _login(person):
        client.logout()
        client.force_login(person.user)
        return client

    return _login


# Data migrations whose rows tests rely on; a transactional test's flush removes them.
DATA_MIGRATIONS = [
    ("twoway.appeals.migrations.0002_categories", "seed"),
    ("twoway.deadlines.migrations.0002_default_rules", "add_defaults"),
    ("twoway.meetings.migrations.0002_types", "seed"),
    ("twoway.station.migrations.0002_time_limits", "add_rules"),
    ("twoway.forward.migrations.0002_task_time_limits", "add_rules"),
]


def restore_migration_data():
    """Run the data migrations' functions again (they are idempotent: get_or_create)."""
    import importlib

    from django.apps import apps

    from twoway.core import cache

    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)
    cache.clear()
