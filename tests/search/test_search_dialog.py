"""The search dialog: Ctrl+K, "/" or the theme's search button, results as you type, driven by
the keyboard alone in Chromium."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page, expect

from browser import build_html, serve

DIALOG = "#kb-search-dialog"
BOX = "#kb-search-dialog-input"
OPTION = f"{DIALOG} [role=option]"
RESULT = f"{DIALOG} .kb-search-dialog-result"
POST = "source/posts/moq.html"
DEPOSIT = "How much should I pay up front?"
#: What only the search needs: nothing of it may load before the dialog first opens.
SEARCH_FILES = (
    "kb-search-dialog.js",
    "kb-search-dialog.css",
    "kb-search-engine.js",
    "kb-search/",
    "language_data",
)


def open_page(browser: Browser, address: str) -> tuple[Page, list[str]]:
    """A page, and the addresses it (and its workers) ask for from then on."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(address)
    page.wait_for_load_state("networkidle")
    return page, asked


def active_option(page: Page) -> str:
    """The text of the option the box says is active."""
    chosen = page.locator(BOX).get_attribute("aria-activedescendant")
    assert chosen
    option = page.locator(f"#{chosen}")
    expect(option).to_have_attribute("aria-selected", "true")
    return option.inner_text()


def test_ctrl_k_opens_the_dialog_and_loads_the_search_only_then(browser: Browser, base: str) -> None:
    page, asked = open_page(browser, base + POST)
    assert not [url for url in asked if any(name in url for name in SEARCH_FILES)]
    expect(page.locator(DIALOG)).to_be_hidden()
    page.keyboard.press("Control+k")
    expect(page.locator(DIALOG)).to_be_visible()
    expect(page.locator(BOX)).to_be_focused()
    page.keyboard.type("deposit")
    first = page.locator(RESULT).first
    expect(first.locator(".kb-search-dialog-title")).to_have_text(DEPOSIT)
    expect(first.locator(".kb-search-dialog-date")).to_have_text("March 4, 2019")
    expect(first.locator(".kb-search-dialog-excerpt mark").first).to_have_text(re.compile("deposit", re.I))
    expect(page.locator(BOX)).to_have_attribute("aria-expanded", "true")
    # Said once the answer stays: a live region, not each key.
    expect(page.locator(f"{DIALOG} [role=status]")).to_have_text(re.compile(r"^\d+ results? for deposit$"))
    assert any("kb-search-engine.js" in url for url in asked)
    assert any("kb-search/index.json" in url for url in asked)
    # Ctrl+K again closes it.
    page.keyboard.press("Control+k")
    expect(page.locator(DIALOG)).to_be_hidden()
    page.close()


def test_arrows_move_through_results_and_sections_and_enter_opens(browser: Browser, base: str) -> None:
    page, _ = open_page(browser, base + POST)
    page.keyboard.press("Control+k")
    page.keyboard.type("can I get a shorter payment term from the factory")
    first = page.locator(RESULT).first
    expect(first.locator(".kb-search-dialog-title")).to_have_text(DEPOSIT)
    section = page.locator(f"{DIALOG} .kb-search-dialog-section").first
    expect(section).to_have_text("§ When the factory wants more")
    page.keyboard.press("ArrowDown")
    assert active_option(page).startswith(DEPOSIT)
    page.keyboard.press("ArrowDown")
    assert active_option(page) == "§ When the factory wants more"
    page.keyboard.press("ArrowUp")
    assert active_option(page).startswith(DEPOSIT)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/source/posts/deposit\.html#when-the-factory-wants-more$"))
    expect(page.locator("#when-the-factory-wants-more")).to_be_in_viewport()
    page.close()


def test_the_theme_s_search_button_opens_it_and_esc_gives_the_focus_back(browser: Browser, base: str) -> None:
    page, _ = open_page(browser, base + POST)
    button = page.locator(".bd-sidebar-primary .search-button__button")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(DIALOG)).to_be_visible()
    expect(page.locator(BOX)).to_be_focused()
    page.keyboard.type("golden sample")
    expect(page.locator(RESULT).first.locator(".kb-search-dialog-title")).to_have_text(
        "Why keep a golden sample?"
    )
    # The theme's own pop-up is not there to open too.
    expect(page.locator("#pst-search-dialog")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.locator(DIALOG)).to_be_hidden()
    expect(button).to_be_focused()
    page.close()


def test_slash_opens_it_except_while_typing(browser: Browser, base: str) -> None:
    page, _ = open_page(browser, base + POST)
    page.keyboard.press("/")
    expect(page.locator(DIALOG)).to_be_visible()
    expect(page.locator(BOX)).to_have_value("")  # the slash opened it, it was not typed
    page.keyboard.press("Escape")
    page.evaluate(
        "() => { const box = document.createElement('textarea'); box.id = 'notes';"
        " document.querySelector('article').append(box); }"
    )
    page.locator("#notes").focus()
    page.keyboard.press("/")
    expect(page.locator(DIALOG)).to_be_hidden()
    expect(page.locator("#notes")).to_have_value("/")
    page.close()


def test_enter_without_a_choice_and_see_all_open_the_search_page(browser: Browser, base: str) -> None:
    page, _ = open_page(browser, base + POST)
    page.keyboard.press("Control+k")
    page.keyboard.type("factory")
    expect(page.locator(RESULT).first).to_be_visible()
    expect(page.locator(f"{DIALOG} .kb-search-dialog-all")).to_have_attribute(
        "href", re.compile(r"search\.html\?q=factory$")
    )
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"search\.html\?q=factory$"))
    expect(page.locator(".kb-search-message")).to_have_text(re.compile(r"\d+ results for factory"))
    page.close()


def test_recent_searches_are_remembered_shown_when_empty_and_cleared(browser: Browser, base: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + POST)
    page.keyboard.press("Control+k")
    expect(page.locator(BOX)).to_be_focused()
    expect(page.locator(OPTION)).to_have_count(0)  # nothing searched yet
    page.keyboard.type("mould")
    expect(page.locator(RESULT).first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/source/posts/mould\.html$"))
    page.wait_for_load_state("networkidle")
    page.keyboard.press("Control+k")
    expect(page.locator(f"{DIALOG} .kb-search-dialog-heading")).to_have_text("Recent searches")
    expect(page.locator(OPTION)).to_have_text(["mould"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # searches it again
    expect(page.locator(BOX)).to_have_value("mould")
    expect(page.locator(RESULT).first).to_be_visible()
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    expect(page.locator(OPTION)).to_have_text(["mould"])
    # The clear button is reached with Tab: the box, the close button, then it.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(f"{DIALOG} .kb-search-dialog-clear")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(OPTION)).to_have_count(0)
    assert page.evaluate("() => localStorage.getItem('kb-search-recent')") is None
    context.close()


def test_the_dialog_passes_axe(browser: Browser, base: str) -> None:
    """axe-core finds nothing wrong in the open dialog: with results, and with recent searches."""
    page, _ = open_page(browser, base + POST)
    page.keyboard.press("Control+k")
    page.keyboard.type("can I get a shorter payment term from the factory")
    expect(page.locator(f"{DIALOG} .kb-search-dialog-section").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    axe = Axe()
    results = axe.run(page, context=DIALOG)
    assert results.violations_count == 0, results.generate_report()
    page.evaluate("() => localStorage.setItem('kb-search-recent', JSON.stringify(['mould', 'L/C']))")
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    expect(page.locator(OPTION)).to_have_count(2)
    results = axe.run(page, context=DIALOG)
    assert results.violations_count == 0, results.generate_report()
    page.close()


def test_a_page_opened_from_disk_falls_back_to_the_search_page(browser: Browser, indexed: Path) -> None:
    """A file:// page cannot start the worker: the dialog says so, and Enter opens search.html."""
    page = browser.new_page()
    page.goto((indexed / POST).as_uri())
    page.keyboard.press("Control+k")
    page.keyboard.type("deposit")
    expect(page.locator(f"{DIALOG} [role=status]")).to_have_text("Press Enter to search on the search page.")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"search\.html\?q=deposit$"))
    page.close()


def test_every_page_has_the_dialog_and_only_its_loader(indexed: Path) -> None:
    for name in ("index.html", POST, "source/glossary.html", "search.html"):
        html = BeautifulSoup((indexed / name).read_text(encoding="utf-8"), "html.parser")
        dialog = html.select_one(DIALOG)
        assert dialog is not None and dialog.name == "dialog", name
        box = dialog.select_one("input[name=q]")
        assert box is not None and box["role"] == "combobox"
        assert box["aria-controls"] == "kb-search-dialog-options"
        assert dialog.select_one("#kb-search-dialog-options[role=listbox]") is not None
        sources = [script.get("src", "") for script in html.select("script")]
        assert [src for src in sources if "kb-search-dialog" in src] == [
            src for src in sources if "kb-search-dialog-loader.js" in src
        ]
        assert len([src for src in sources if "kb-search-dialog-loader.js" in src]) == 1, name


HOSTILE = """---
title: "<img src=x onerror=\\"window.pwned=1\\"> Zeppelin & \\"deposit\\" </script>"
date: '2020-02-02'
---

A zeppelin deposit, paid <b>up front</b>, see [the section](#a-b-heading).

## <b>A</b> & b heading

The zeppelin section.
"""


def test_frontmatter_lands_in_the_dialog_as_text(
    browser: Browser, site: Callable[[str], Path], tmp_path: Path
) -> None:
    srcdir = site("search")
    (srcdir / "source" / "posts" / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    outdir = tmp_path / "html"
    build_html(srcdir, outdir)
    title = '<img src=x onerror="window.pwned=1"> Zeppelin & "deposit" </script>'
    with serve(outdir) as url:
        page, _ = open_page(browser, url + POST)
        page.keyboard.press("Control+k")
        page.keyboard.type("zeppelin")
        expect(page.locator(f"{RESULT} .kb-search-dialog-title")).to_have_text([title])
        assert page.locator(f"{DIALOG} img, {DIALOG} b").count() == 0
        assert page.evaluate("() => window.pwned") is None
        page.close()


@pytest.mark.parametrize("width", [390])
def test_on_a_phone_the_dialog_fills_the_screen(browser: Browser, base: str, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800}, has_touch=True)
    page.goto(base + POST)
    page.wait_for_load_state("networkidle")
    page.locator(".search-button__button:visible").first.tap()
    expect(page.locator(BOX)).to_be_focused()
    page.keyboard.type("deposit")
    expect(page.locator(RESULT).first).to_be_visible()
    box = page.locator(DIALOG).bounding_box()
    assert box is not None and box["width"] == width
    page.close()


def test_on_a_mac_cmd_k_opens_it_and_the_hint_says_so(browser: Browser, base: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script("Object.defineProperty(navigator, 'platform', { get: () => 'MacIntel' })")
    page = context.new_page()
    page.goto(base + POST)
    page.wait_for_load_state("networkidle")
    expect(page.locator(".bd-sidebar-primary .search-button__kbd-shortcut kbd").first).to_have_text("⌘")
    page.keyboard.press("Control+k")  # not the shortcut on a Mac
    expect(page.locator(DIALOG)).to_be_hidden()
    page.keyboard.press("Meta+k")
    expect(page.locator(BOX)).to_be_focused()
    context.close()
