"""schemathesis against /api/v1/openapi.json on a live server: a bounded number of examples
from a fixed seed, failing on any server error or any answer that breaks the schema."""

import subprocess
import sys
import time

import pytest

from twoway.api.models import AccessToken
from twoway.open311.models import digest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MAX_EXAMPLES = 6
MAX_SECONDS = 45  # a guard against a slow machine; the run takes about 30 s
SEED = 20241128


def test_schemathesis_finds_no_server_error_and_no_schema_violation(tree, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from .scope_registry import _seed_appeals, _seed_meetings

    _seed_appeals(tree)
    _seed_meetings(tree)
    from .scope_cases.station import _seed_station  # after the registry, which that module imports

    _seed_station(tree)
    raw = "tw_schemathesis_token"
    AccessToken.objects.create(
        user=tree["community_secretary"].user, name="fuzz", prefix=raw[:16], digest=digest(raw), rate_per_minute=100000
    )
    started = time.monotonic()
    run = subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--checks",
            "not_a_server_error,response_schema_conformance,content_type_conformance",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--phases",
            "examples,fuzzing",
            "--max-time",
            str(MAX_SECONDS),
            "--request-timeout",
            "20",
            "-H",
            f"Authorization: Bearer {raw}",
            "--warnings",
            "off",
        ],
        cwd=tmp_path,  # schemathesis and hypothesis leave their folders here, not in the repository
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
    )
    took = time.monotonic() - started
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "operations" in run.stdout.lower() or "passed" in run.stdout.lower(), run.stdout[-2000:]
    print(f"schemathesis: {took:.0f} s")
    print(run.stdout[-900:])
