import pytest

from tests.factories import build_tree


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "zh-hans"


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
