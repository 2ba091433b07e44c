"""The login backend reads the person with the user, in one statement compiled once per process
(twoway/org/auth.py, twoway/core/prepared.py): what it gives must be what the ORM gives, and a
page must not ask for the person again."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PASSWORD
from twoway.org.auth import Backend
from twoway.org.scope import scope_for

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_their_person_unit_household_and_whether_they_have_roles(tree):
    resident = tree["neighbour"]  # a resident with no role: one statement in all
    resident.user = get_user_model().objects.create_user("neighbour", password=PASSWORD)
    resident.save(update_fields=["user"])
    with CaptureQueriesContext(connection) as queries:
        user = Backend().get_user(resident.user_id)
        person = user.person
        assert (person.pk, person.unit.name, person.household.pk) == (
            resident.pk,
            resident.unit.name,
            resident.household_id,
        )
        scope = scope_for(user)
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert scope.person.pk == resident.pk
    assert person._has_roles is False
    # Someone with roles: their roles are the one more statement.
    with CaptureQueriesContext(connection) as queries:
        leader = Backend().get_user(tree["group_leader"].user_id)
        assert leader.person._has_roles is True
        assert scope_for(leader).is_staff
    assert len(queries) == 2 and 'FROM "org_role"' in queries[1]["sql"]
    assert user.username == resident.user.username and user.check_password(PASSWORD)


def test_staff_get_the_same_scope_as_without_the_backend(tree):
    for key in ("street_officer", "community_secretary", "group_leader", "resident", "district_auditor"):
        person = tree[key]
        via_backend = scope_for(Backend().get_user(person.user_id))
        plain = scope_for(get_user_model().objects.get(pk=person.user_id))
        assert (via_backend.read_paths, via_backend.write_paths, via_backend.is_staff) == (
            plain.read_paths,
            plain.write_paths,
            plain.is_staff,
        ), key
        assert [r.pk for r in via_backend.roles] == [r.pk for r in plain.roles], key


def test_a_login_without_a_person_an_inactive_login_and_unknown_ids():
    User = get_user_model()
    bare = User.objects.create_user("no_person", password=PASSWORD)
    user = Backend().get_user(bare.pk)
    assert user.pk == bare.pk and scope_for(user).person is None

    bare.is_active = False
    bare.save(update_fields=["is_active"])
    assert Backend().get_user(bare.pk) is None
    assert Backend().get_user(bare.pk + 1000) is None
    assert Backend().get_user("not a number") is None


def test_a_page_after_a_real_login_reads_the_person_once(client, tree):
    resident = tree["resident"]
    response = client.post("/login/", {"username": resident.user.username, "password": PASSWORD})
    assert response.status_code == 302
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/appeals/new/").status_code == 200
    person_reads = [q["sql"] for q in queries if 'FROM "org_person"' in q["sql"]]
    assert person_reads == [], person_reads
    # The user's own read carries the person (on PostgreSQL as the statement prepared for it).
    user_read = [q["sql"] for q in queries if q["sql"].startswith(("EXECUTE twoway_prepared_", 'SELECT "core_user"'))]
    assert len(user_read) == 1, [q["sql"] for q in queries]
    if connection.vendor != "postgresql":
        assert '"org_person"' in user_read[0]


@pytest.mark.django_db(transaction=True)
def test_the_user_read_survives_a_new_database_connection(tree):
    """On PostgreSQL the user read is prepared on the server once per connection: a new
    connection (after a restart, or when CONN_MAX_AGE ends one) prepares it again."""
    leader = tree["group_leader"]
    first = Backend().get_user(leader.user_id)
    connection.close()
    again = Backend().get_user(leader.user_id)
    assert (first.pk, first.person.pk) == (again.pk, again.person.pk) == (leader.user_id, leader.pk)
    assert Backend().get_user(-1) is None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'twoway_prepared_%%'")
            assert cursor.fetchone()[0] == 1
