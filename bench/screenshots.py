"""Screenshot every page of the demo, as each demo role, at desktop and phone size.

Run the demo first (`make run`, or any server with the demo loaded and secure cookies off),
then:

    .venv/bin/python bench/screenshots.py [BASE_URL] [--out DIR] [--chromium PATH]

BASE_URL defaults to http://127.0.0.1:8000. The PNGs go to test-artifacts/screenshots/pages/
as <who>-<page>-<size>.png (whole pages, 1366×768 and 390×844 viewports). Playwright drives the
system Chromium; it never downloads one. `--only REGEX` takes only the roles that match.

The script exits 1 when a page reported a Content Security Policy violation. With TWOWAY_DEBUG=1
Django answers a missing page with its own technical 404 page, which has inline styles and so
reports two (one per size); serve with TWOWAY_DEBUG=0 to see the site's 404 page instead.
"""

import argparse
import re
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Demo@2026"  # noqa: S105  (the demo's published password, see twoway/org/demo.py)
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
ROLES = [
    "district_admin",
    "district_auditor",
    "dept_officer",
    "street_officer",
    "community_secretary",
    "group_leader",
    "grid_worker",
    "resident",
]
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Names from the demo district (twoway/org/demo.py): data, not interface text.
DEMO_STREET, DEMO_COMMUNITY, DEMO_GROUP = "市中街道", "黄河五路社区", "第1居民小组"


class Shooter:
    def __init__(self, base: str, out: Path):
        self.base = base.rstrip("/")
        self.out = out
        self.count = 0
        self.csp_errors: list[str] = []

    def watch(self, page: Page) -> None:
        def on_console(msg):
            if "Content Security Policy" in msg.text:
                self.csp_errors.append(f"{page.url}: {msg.text}")

        page.on("console", on_console)

    def go(self, page: Page, path: str) -> None:
        page.goto(self.base + path if path.startswith("/") else path)
        page.wait_for_load_state("load")

    def shot(self, page: Page, who: str, name: str, size: str) -> None:
        path = self.out / f"{who}-{name}-{size}.png"
        page.screenshot(path=str(path), full_page=True)
        self.count += 1
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  ({page.url})")

    def login(self, page: Page, username: str) -> None:
        self.go(page, "/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("form.card button[type=submit]")
        page.wait_for_load_state("load")
        if "/login/" in page.url:
            raise SystemExit(f"could not log in as {username}: is the demo loaded (make demo)?")

    def press(self, page: Page, selector: str) -> None:
        """Click the first visible match, opening the phone menu first when it hides the button."""
        target = page.locator(selector).locator("visible=true")
        if target.count() == 0 and page.locator(".navbar-toggler").is_visible():
            page.click(".navbar-toggler")
            page.locator("#nav.show").wait_for()
        page.locator(selector).locator("visible=true").first.click()
        page.wait_for_load_state("load")

    def href(self, page: Page, selector: str) -> str:
        return page.locator(selector).first.get_attribute("href")


def staff_tour(s: Shooter, page: Page, who: str, size: str) -> None:
    """Every staff page, walking down the demo district from the top."""
    pages = [("tree", "/org/")]
    s.go(page, "/org/")
    s.go(page, s.href(page, "table a[href^='/org/units/']"))
    pages.append(("district", page.url))
    s.go(page, page.get_by_role("link", name=DEMO_STREET, exact=True).first.get_attribute("href"))
    pages.append(("street", page.url))
    s.go(page, page.get_by_role("link", name=DEMO_COMMUNITY, exact=True).first.get_attribute("href"))
    pages.append(("community", page.url))
    s.go(page, page.get_by_role("link", name=DEMO_GROUP, exact=True).first.get_attribute("href"))
    pages.append(("group", page.url))
    group_url = page.url
    pages.append(("unit-edit", group_url + "edit/"))
    pages.append(("unit-add", pages[3][1] + "add/"))
    household = s.href(page, ".household-grid a")
    s.go(page, household)
    pages.append(("household", page.url))
    person = s.href(page, ".list-group a[href^='/org/people/']")
    pages += [
        ("households", "/org/households/"),
        ("people", "/org/people/"),
        ("person", person),
        ("person-edit", person.rstrip("/") + "/edit/"),
        ("person-new", "/org/people/new/"),
        ("household-new", "/org/households/new/"),
        ("grids", "/org/grids/"),
        ("grid-new", "/org/grids/new/"),
        ("import", "/org/import/"),
        ("search", "/org/?q=" + DEMO_COMMUNITY[:2]),
        ("not-found", "/org/units/99999999/"),
    ]
    for name, url in pages:
        s.go(page, url)
        s.shot(page, who, name, size)
    # The edit form with errors, as a person sees them after a bad save.
    s.go(page, group_url + "edit/")
    page.fill("#id_name", "")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state("load")
    s.shot(page, who, "unit-edit-error", size)


def resident_tour(s: Shooter, page: Page, who: str, size: str) -> None:
    s.go(page, "/")
    household = s.href(page, "a[href^='/org/households/']")
    me = s.href(page, "a[href^='/org/people/']")
    for name, url in [("household", household), ("person", me)]:
        s.go(page, url)
        s.shot(page, who, name, size)
    # Elder mode on, looked at, then off again so the demo stays as it was.
    s.go(page, "/")
    s.press(page, "form[action$='/prefs/elder/'] button")
    s.shot(page, who, "home-elder", size)
    s.go(page, household)
    s.shot(page, who, "household-elder", size)
    s.press(page, "form[action$='/prefs/elder/'] button")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(ROOT / "test-artifacts" / "screenshots" / "pages"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--only", help="a regular expression: take only the roles that match")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    s = Shooter(args.base_url, out)
    started = time.monotonic()
    roles = [r for r in ROLES if not args.only or re.search(args.only, r)]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=LAUNCH_ARGS)
        for size, viewport in SIZES.items():
            phone = size == "phone"
            # Logged out: the login page in both languages, and a page that does not exist.
            ctx = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone)
            page = ctx.new_page()
            s.watch(page)
            s.go(page, "/login/")
            s.shot(page, "anonymous", "login", size)
            page.fill("#id_username", f"nobody{time.time_ns() % 10**6}")  # a fresh name: no lockout
            page.fill("#id_password", "wrong")
            page.click("form.card button[type=submit]")
            page.wait_for_load_state("load")
            s.shot(page, "anonymous", "login-error", size)
            s.go(page, "/no-such-page/")
            s.shot(page, "anonymous", "not-found", size)
            s.go(page, "/login/")
            s.press(page, "form[action$='/i18n/setlang/'] button")
            s.shot(page, "anonymous", "login-en", size)
            ctx.close()
            for who in roles:
                ctx = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone)
                ctx.set_default_timeout(10_000)
                page = ctx.new_page()
                s.watch(page)
                s.login(page, who)
                s.shot(page, who, "home", size)
                if phone:
                    page.click(".navbar-toggler")
                    page.wait_for_timeout(400)
                    s.shot(page, who, "menu", size)
                if who == "district_admin":
                    staff_tour(s, page, who, size)
                elif who == "district_auditor":
                    s.go(page, "/audit/")
                    s.shot(page, who, "audit", size)
                    # The longest menu, in the longer language.
                    s.press(page, "form[action$='/i18n/setlang/'] button")
                    s.shot(page, who, "audit-en", size)
                    s.go(page, "/")
                    s.shot(page, who, "home-en", size)
                elif who == "resident":
                    resident_tour(s, page, who, size)
                ctx.close()
        browser.close()
    print(f"{s.count} screenshots in {out} ({time.monotonic() - started:.0f} s)")
    for error in s.csp_errors:
        print("CSP:", error, file=sys.stderr)
    return 1 if s.csp_errors else 0


if __name__ == "__main__":
    sys.exit(main())
