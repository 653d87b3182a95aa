"""The search page on a phone (390 by 844), on a site with many tags and years: the answers come
first, the filters wait behind a button that says how many are set, the page keeps the
theme's margins, and nothing moves when the results come."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import PAGE_KINDS, CheckedSite

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
QUERY = "search.html?q=how+much+deposit+should+I+pay"

#: Every layout shift, recorded from the first paint (layout-shift entries, as Lighthouse reads them).
RECORD_SHIFTS = """
window.kbShifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.kbShifts.push(entry.value);
}).observe({ type: "layout-shift", buffered: true });
"""


def open_page(browser: Browser, url: str, viewport: dict[str, int], *, slow: bool = False) -> Page:
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    context.add_init_script(RECORD_SHIFTS)
    page = context.new_page()
    if slow:
        # A phone's CPU and network, as Lighthouse simulates them: the results come late.
        session = context.new_cdp_session(page)
        session.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        session.send("Network.enable")
        session.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 150, "downloadThroughput": 200_000, "uploadThroughput": 90_000},
        )
    page.goto(url)
    return page


def content_left(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["x"]


def test_the_site_has_many_filters(checked_site: CheckedSite) -> None:
    """The case the layout is for: more tags and years than a phone's screen holds."""
    index = json.loads((checked_site.html / "kb-search" / "index.json").read_text(encoding="utf-8"))
    assert len(index["tags"]) >= 12
    assert len(index["years"]) >= 10


def test_on_a_phone_the_first_result_shows_without_scrolling(
    browser: Browser, checked_site: CheckedSite
) -> None:
    page = open_page(browser, checked_site.base + QUERY + "&tag=payment&year=2020&year=2021", PHONE)
    first = page.locator(".kb-search-result").first
    expect(first).to_be_visible()
    toggle = page.locator(".kb-search-filters-toggle")
    facets = page.locator(".kb-search-facets")
    expect(page.locator(".kb-search-facet-tag input").first).to_be_attached()  # the filters are there
    # The answers first: the whole first result's title in the first screen, the filters folded.
    title = first.locator(".kb-search-result-title").bounding_box()
    assert title is not None and title["y"] + title["height"] <= PHONE["height"], title
    expect(facets).to_be_hidden()
    expect(toggle).to_have_text("Filters (3 set)")
    expect(toggle).to_have_attribute("aria-expanded", "false")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(facets).to_be_visible()
    expect(page.locator(".kb-search-facet-year input[value='2020']")).to_be_checked()
    page.locator(".kb-search-facet-tag label", has_text="audit").click()
    expect(toggle).to_have_text("Filters (4 set)")
    toggle.click()
    expect(facets).to_be_hidden()
    page.context.close()


def test_on_a_wide_screen_the_filters_are_a_column(browser: Browser, checked_site: CheckedSite) -> None:
    page = open_page(browser, checked_site.base + QUERY, DESKTOP)
    expect(page.locator(".kb-search-result").first).to_be_visible()
    expect(page.locator(".kb-search-facet-tag")).to_be_visible()
    expect(page.locator(".kb-search-filters-toggle")).to_be_hidden()
    facets = page.locator(".kb-search-facets").bounding_box()
    answers = page.locator(".kb-search-answers").bounding_box()
    assert facets is not None and answers is not None
    assert facets["x"] + facets["width"] <= answers["x"]  # beside the answers, not above them
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_search_page_keeps_the_theme_s_margins(
    browser: Browser, checked_site: CheckedSite, viewport: dict[str, int]
) -> None:
    """Its content starts where a post's does, not at the screen's edge."""
    post = open_page(browser, checked_site.base + PAGE_KINDS["post"], viewport)
    expected = content_left(post, "article.bd-article h1")
    post.context.close()
    assert expected >= 16
    page = open_page(browser, checked_site.base + QUERY, viewport)
    expect(page.locator(".kb-search-result").first).to_be_visible()
    # The filters' column on a wide screen, their button and the answers below it on a phone.
    below = (".kb-search-message", ".kb-search-result") if viewport is PHONE else ()
    for selector in ("#kb-search h1", ".kb-search-input", ".kb-search-filters", *below):
        assert content_left(page, selector) == expected, selector
    box = page.locator(".kb-search-submit").bounding_box()
    assert box is not None and box["x"] + box["width"] <= viewport["width"] - 16
    page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_nothing_moves_when_the_results_come(
    browser: Browser, checked_site: CheckedSite, viewport: dict[str, int]
) -> None:
    """The space of the results is kept from the first paint (Lighthouse measured a layout
    shift of 0.26 when they came)."""
    page = open_page(browser, checked_site.base + QUERY, viewport, slow=True)
    expect(page.locator(".kb-search-message")).to_have_text(re.compile(r"^\d+ results for"), timeout=30_000)
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    shifts: list[float] = page.evaluate("window.kbShifts")
    assert sum(shifts) < 0.01, shifts
    page.context.close()
