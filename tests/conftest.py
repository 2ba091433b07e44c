import pytest

from tests.factories import build_tree


def _flushes_without_restoring(item) -> bool:
    """A transactional test without serialized rollback (live_server among them) empties the
    database afterwards and lets post_migrate recreate the content types under new ids; a
    serialized-rollback test after it would then fail to put its rows back. Such tests go last."""
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("serialized_rollback"):
        return False  # its flush keeps the content types (post_migrate is held back)
    if "live_server" in item.fixturenames or "transactional_db" in item.fixturenames:
        return True
    return bool(marker and marker.kwargs.get("transaction"))


def pytest_collection_modifyitems(config, items):
    """Tests that flush without restoring run after all others (browser tests then go last of all,
    tests/browser/conftest.py). Here, not in the browser folder, so it holds whatever is collected."""
    items[:] = [i for i in items if not _flushes_without_restoring(i)] + [
        i for i in items if _flushes_without_restoring(i)
    ]


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
