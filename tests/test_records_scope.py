"""The scope test's attack, run on the records URLs alone (the whole registry takes long): every
viewer, records of other units and guessed ids."""

import pytest

from tests import scope_registry  # first: it loads every app's scope cases, ours among them
from tests.test_scope import AREAS, scope_failures

CASES = {name: case for name, case in scope_registry.CASES.items() if name.startswith("records:")}


@pytest.mark.parametrize("viewer_key", sorted(AREAS))
def test_records_urls_stay_in_the_viewers_area(tree, login, viewer_key):
    from tests.scope_cases.records import seed_records

    assert len(CASES) == 22
    seed_records(tree)
    failures = scope_failures(login(tree[viewer_key]), tree, viewer_key, CASES)
    assert not failures, "\n".join(failures)
