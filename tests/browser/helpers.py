"""What the browser tests do with a page: log in and out, switch, measure, take a screenshot."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"


def shot(page, name: str) -> Path:
    """Save what the page shows now as test-artifacts/screenshots/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, username: str, password: str) -> None:
    """Log in through the real form, as a person would (opening the login page unless it is open)."""
    if page.locator("#id_password").count() == 0:
        page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")


def visible(page, selector: str):
    """The matches a person can see (the top bar has a wide-screen and a phone copy of its tools)."""
    return page.locator(selector).locator("visible=true")


def press_in_menu(page, selector: str) -> None:
    """Click a top-bar control; on a phone, open the folded menu first when it hides it."""
    target = page.locator(selector).locator("visible=true")
    if target.count() == 0 and page.locator(".navbar-toggler").is_visible():
        page.locator(".navbar-toggler").click()
        page.locator("#nav.show").wait_for()
    page.locator(selector).locator("visible=true").first.click()
    page.wait_for_load_state("load")


def log_out(page) -> None:
    press_in_menu(page, "form[action='/logout/'] button")


def in_chinese(make) -> str:
    """What make() renders to in the Chinese interface (the English text while it is untranslated)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(make())


def zh(message: str) -> str:
    """`message` as the Chinese interface shows it."""
    from django.utils.translation import gettext

    return in_chinese(lambda: gettext(message))


def font_size(page, selector: str = "body") -> float:
    return page.evaluate(f"parseFloat(getComputedStyle(document.querySelector({selector!r})).fontSize)")
