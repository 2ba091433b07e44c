"""Browser tests: a real Chromium, driven by Playwright, against the demo district on a live server.

The demo district is built once for the whole package (about five seconds) and served by one
live server thread; the database is put back as it was when the package is done. Each test
opens its own browser context, so cookies and language never leak from one test to the next.

Every page a test opens is watched for Content Security Policy violations: a test that meets
one fails at teardown, naming the page and the message.

These tests run after all the others. From its first use to the end of the session Playwright's
sync API keeps an asyncio loop running in the test thread, and while a loop runs Django keeps
its database connections per context instead of per thread: a test after them that relies on
state kept on the connection (serialized rollback does) would find a fresh one.
"""

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SKIP_REASON = f"Chromium not found at {CHROMIUM}: browser tests skipped"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CSP_MARK = "Content Security Policy"
# Turns a violation the page reports to itself into a console error too, in case the browser's
# own console line is ever missed. Playwright injects it, so the CSP does not apply to it.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error("Content Security Policy violation: " + e.violatedDirective + " blocked " + e.blockedURI);
});
"""
_SKIPPED = pytest.StashKey[int]()


# pytest-playwright's own base_url fixture trips a pytest deprecation warning; not ours to fix.
PLUGIN_WARNING = "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    others = [item for item in items if not item.get_closest_marker("browser")]
    items[:] = others + browser_items  # last: see the module docstring (the rest is ordered in tests/conftest.py)
    for item in browser_items:
        item.add_marker(pytest.mark.filterwarnings(PLUGIN_WARNING))
    if CHROMIUM.exists():
        return
    if os.environ.get("TWOWAY_REQUIRE_BROWSER") == "1" and browser_items:
        # CI installs Chromium: a missing browser there is a failure, not a quiet skip.
        raise pytest.UsageError(f"TWOWAY_REQUIRE_BROWSER is set but {SKIP_REASON}")
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in browser_items:
        item.add_marker(skip)
    config.stash[_SKIPPED] = len(browser_items)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if config.stash.get(_SKIPPED, 0):
        terminalreporter.write_line(SKIP_REASON, yellow=True)


@pytest.fixture(scope="package", autouse=True)
def _orm_beside_playwright():
    """Playwright's loop runs in the test thread, yet the ORM calls made between page actions
    are plain synchronous calls: let Django make them."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, pointed at the system Chromium (nothing is downloaded)."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@dataclass
class Demo:
    url: str
    logins: list  # twoway.org.demo.DemoLogin, one per role
    password: str


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    """The demo district in the test database, served on a live server for the whole package.

    Built once and committed, before any test starts; flushed and the migrations' rows put back
    when the package is done. Each test module is also marked `django_db`, so pytest-django sets
    the test database up and wraps each test in a transaction. With the default in-memory SQLite
    the live server shares that connection, so what a test changes through the browser is rolled
    back after it; on PostgreSQL the server's own connections commit, so tests undo their changes
    through the pages where they can.
    """
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    from twoway.org.demo import DEMO_PASSWORD, build_demo

    with django_db_blocker.unblock():
        # Never build the demo into a real database: only into the one the test run made.
        name = str(connection.settings_dict["NAME"])
        if not (name.startswith("test_") or "memory" in name):
            pytest.fail("no test database: mark browser test modules with pytest.mark.django_db")
        # A transactional test that ran before may have flushed the rows the migrations put in
        # (categories, meeting types, time limits): put them back.
        from twoway.appeals.models import Category

        if not Category.objects.exists():
            from tests.conftest import restore_migration_data

            restore_migration_data()
        # What the migrations put in (categories, rules...), to be put back afterwards.
        before = connection.creation.serialize_db_to_string()
        with override_settings(PASSWORD_HASHERS=MD5):  # the hasher the tests log in with
            logins = build_demo()
        server = LiveServer("localhost", start=False)
        if server.thread.connections_override:
            server.thread.static_handler = _one_request_at_a_time(server.thread.static_handler)
        server.start()
        server._live_server_modified_settings.enable()
        try:
            yield Demo(url=server.url, logins=logins, password=DEMO_PASSWORD)
        finally:
            server._live_server_modified_settings.disable()
            _let_requests_finish()
            server.stop()
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(before)


def _one_request_at_a_time(handler_class):
    """The live server answers each request in its own thread. With in-memory SQLite all of them
    share the test's one connection, and two at once (a page and the photo it shows) break each
    other's savepoints; serve them one after another instead, as the shared connection can."""
    lock = threading.Lock()

    class OneAtATime(handler_class):
        def __call__(self, environ, start_response):
            with lock:
                return super().__call__(environ, start_response)

    return OneAtATime


def _let_requests_finish(timeout: float = 5.0) -> None:
    """Wait for the live server's request threads (kept open by the browser) to end before it
    stops; one still closing its database connection afterwards would fail noisily."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any("process_request_thread" in t.name for t in threading.enumerate()):
            return
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The live server speaks plain http, so cookies must not be marked Secure."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@dataclass
class CspWatch:
    messages: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        def on_console(msg):
            if CSP_MARK in msg.text:
                self.messages.append(f"{page.url}: {msg.text}")

        page.on("console", on_console)


@pytest.fixture
def csp():
    """Collects CSP violations from every page the test opens; any at all fail the test."""
    watch = CspWatch()
    yield watch
    assert not watch.messages, "Content Security Policy violations:\n" + "\n".join(watch.messages)


@pytest.fixture
def open_page(new_context, demo, csp):
    """open_page("phone") -> a fresh page in its own context (own cookies), Chinese browser, on the demo."""

    def _open(size: str = "desktop"):
        phone = size == "phone"
        context = new_context(
            base_url=demo.url,
            viewport=SIZES[size],
            locale="zh-CN",
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        csp.watch(page)
        return page

    return _open
