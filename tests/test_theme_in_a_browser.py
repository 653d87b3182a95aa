"""The theme's pages in Chromium, with its trimmed stylesheets and icon font and its scripts
loaded without blocking: they look exactly as with the theme's whole files, in every state a
reader can put them in, and every control works from the first touch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Browser, Page, expect

from browser import build_html, serve

POST = "source/posts/deposit.html"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The fixture site built twice, served: with the trimmed files, and as the theme ships them."""
    root = Path(__file__).parent / "roots" / "test-theme"
    built = tmp_path_factory.mktemp("theme")
    assert build_html(root, built / "trimmed", "-d", str(built / "trimmed-doctrees")) == ""
    assert (
        build_html(root, built / "whole", "-d", str(built / "whole-doctrees"), "-D", "kb_trim_theme_assets=0")
        == ""
    )
    with ExitStack() as stack:
        yield {name: stack.enter_context(serve(built / name)) for name in ("trimmed", "whole")}


def open_page(
    browser: Browser, base: str, path: str, viewport: dict[str, int], scheme: str = "light"
) -> Page:
    page = browser.new_page(viewport=viewport, color_scheme=scheme)  # type: ignore[arg-type]
    page.goto(base + path)
    page.wait_for_load_state("load")
    page.evaluate("() => document.fonts.ready")
    return page


def open_colour_menu(page: Page) -> None:
    page.get_by_role("button", name="Color mode").click()
    expect(page.locator(".theme-switch-container .dropdown-menu")).to_be_visible()


def choose_dark(page: Page) -> None:
    open_colour_menu(page)
    page.locator(".theme-change-button[data-mode=dark]").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")


def open_sidebar(page: Page) -> None:
    """On a phone the sidebar opens as a dialog over the page."""
    page.get_by_role("button", name="Toggle primary sidebar").click()
    expect(page.locator("#pst-primary-sidebar-modal[open] .bd-links")).to_be_visible()


def second_tab(page: Page) -> None:
    page.get_by_text("Balance", exact=True).click()
    expect(page.get_by_text("The rest after the inspection passes.")).to_be_visible()


def search_results(page: Page) -> None:
    expect(page.locator(".kb-search-results li").first).to_be_visible()


STATES: dict[str, tuple[str, dict[str, int], str, Callable[[Page], None] | None]] = {
    "post, desktop": (POST, DESKTOP, "light", None),
    "post, phone, dark system": (POST, PHONE, "dark", None),
    "landing, phone": ("index.html", PHONE, "light", None),
    "landing, phone, sidebar open": ("index.html", PHONE, "light", open_sidebar),
    "post, colour menu open": (POST, DESKTOP, "light", open_colour_menu),
    "post, dark chosen": (POST, DESKTOP, "light", choose_dark),
    "tabs, second tab": ("source/tabs.html", DESKTOP, "light", second_tab),
    "tag page, phone": ("tags/payment.html", PHONE, "light", None),
    "search with results": ("search.html?q=deposit", DESKTOP, "light", search_results),
    "404": ("404.html", PHONE, "dark", None),
}


def screenshot(browser: Browser, base: str, state: str, path: Path) -> Image.Image:
    address, viewport, scheme, action = STATES[state]
    page = open_page(browser, base, address, viewport, scheme)
    if action is not None:
        action(page)
    page.mouse.move(0, 0)  # no hover left on a control, no focus (the search box takes it)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(400)  # the dropdown's and the sidebar's transitions
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    page.close()
    return Image.open(path).convert("RGB")


#: Chromium does not always draw the same page the same way from one load to the next: a pixel
#: or two of antialiased text, a level or two of a colour apart. Nothing a missing rule does.
NOISE = 8


def difference(first: Image.Image, second: Image.Image) -> tuple[int, int, int, int] | None:
    """Where two screenshots differ by more than Chromium's own noise."""
    if first.size != second.size:
        return (0, 0, *max(first.size, second.size))
    return ImageChops.difference(first, second).point(lambda level: 255 if level > NOISE else 0).getbbox()


@pytest.mark.parametrize("state", STATES)
def test_trimmed_pages_look_exactly_like_the_theme_s(
    browser: Browser, sites: dict[str, str], state: str, tmp_path: Path
) -> None:
    """The whole page, pixel for pixel (within Chromium's noise, and a difference must be there
    again in two more pairs of loads to count)."""
    differences = []
    for attempt in range(3):
        trimmed, whole = (
            screenshot(browser, sites[name], state, tmp_path / f"{name}-{attempt}.png")
            for name in ("trimmed", "whole")
        )
        differences.append(difference(trimmed, whole))
        if differences[-1] is None:
            break
    assert differences[-1] is None, f"{state}: the pages differ, at {differences}"


#: A script in the head that the page waits for.
BLOCKING = "script[src]:not([defer]):not([async]):not([type=module])"


@pytest.mark.parametrize(
    "path", [POST, "index.html", "source/tabs.html", "tags/payment.html", "search.html?q=deposit", "404.html"]
)
def test_no_script_keeps_the_page_from_showing_and_none_fails(
    browser: Browser, sites: dict[str, str], path: str
) -> None:
    page = browser.new_page(viewport=PHONE)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(sites["trimmed"] + path)
    page.wait_for_load_state("networkidle")
    assert problems == []  # the theme's "Got invalid theme mode" among them
    assert page.evaluate(f"() => [...document.head.querySelectorAll({BLOCKING!r})].map((s) => s.src)") == []
    assert page.evaluate("() => DOCUMENTATION_OPTIONS.pagename") == path.split(".html")[0]
    # Bootstrap's script waits for the reader's first move; sphinx-design's tabs script comes
    # only where there are tabs.
    assert not any("bootstrap.js" in url for url in requested)
    assert any("design-tabs.js" in url for url in requested) == (path == "source/tabs.html")
    assert page.locator("html").get_attribute("data-theme") == "light"  # the system's, at once
    page.close()


def test_every_control_works_from_the_first_touch(browser: Browser, sites: dict[str, str]) -> None:
    page = open_page(browser, sites["trimmed"], POST, DESKTOP)
    # The colour menu opens on the first click, although Bootstrap's script only starts
    # loading as the pointer reaches the button.
    choose_dark(page)
    assert page.evaluate("() => localStorage.getItem('mode')") == "dark"
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    # A tooltip on hover.
    page.get_by_role("button", name="Toggle primary sidebar").hover()
    expect(page.locator(".tooltip")).to_have_text("Toggle primary sidebar")
    page.close()

    page = open_page(browser, sites["trimmed"], POST, PHONE)
    open_sidebar(page)
    page.keyboard.press("Escape")
    expect(page.locator("#pst-primary-sidebar-modal .bd-links")).to_be_hidden()
    # Back to top: shown when the reader scrolls back up from far down.
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(300)
    page.mouse.wheel(0, -200)
    expect(page.locator("#pst-back-to-top")).to_be_visible()
    page.close()
