"""Keyboard: on each kind of page, at desktop and phone width, the Tab key reaches the skip link
first, and every element it reaches looks different focused than not focused, near where it is.

The test tabs through the whole page as a reader would and, for each element the focus lands
on, takes a screenshot of the page with the element focused and another with it blurred: the
two must differ, and the difference must touch the element's box (a card's ring is drawn
around the card, which holds its link). Elements alike (the same tag and classes, in the
same parents) are compared twice each, not hundreds of times: an archive has 150 links.
Transitions, the text caret, the theme's tooltips and the link previews (cards that focusing a
link to a post shows) are turned off, so that what differs is the focus indicator alone.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Browser, Page

from .conftest import PAGE_KINDS, CheckedSite
from .test_axe import VIEWPORTS

#: The focus indicator alone differs between two screenshots.
STILL = """
*, *::before, *::after {
  transition: none !important; animation: none !important; caret-color: transparent !important;
}
.tooltip, .kb-preview { display: none !important; }
"""

#: Where the focus is: whether it is back on the first stop, a signature of the element (tag
#: and classes, with its parent's and grandparent's), a name to report and its box.
FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const part = (node) =>
    node ? node.tagName.toLowerCase() + [...node.classList].map((name) => "." + name).join("") : "";
  const box = element.getBoundingClientRect();
  const again = element === window.kbFirstStop;
  window.kbFirstStop = window.kbFirstStop || element;
  return {
    again,
    kind: [element, element.parentElement, element.parentElement?.parentElement].map(part).join(" < "),
    name: (element.innerText || element.getAttribute("aria-label") || element.value || "").slice(0, 40),
    box: { x: box.x, y: box.y, width: box.width, height: box.height },
  };
}"""

#: How often each kind of element is compared.
SAMPLES = 2
#: More than any page has: an archive of 150 posts has about 450 stops.
MOST_STOPS = 2000
#: How far from the element's box its indicator may be drawn (outline offsets, rings).
NEAR = 8


def screenshot(page: Page) -> Image.Image:
    return Image.open(io.BytesIO(page.screenshot())).convert("RGB")


def touches(difference: tuple[int, int, int, int] | None, box: dict[str, float]) -> bool:
    """Whether the changed pixels' bounds touch the element's box, give or take NEAR pixels."""
    if difference is None:
        return False
    left, top, right, bottom = difference
    return (
        left <= box["x"] + box["width"] + NEAR
        and right >= box["x"] - NEAR
        and top <= box["y"] + box["height"] + NEAR
        and bottom >= box["y"] - NEAR
    )


def tab_through(page: Page, viewport: dict[str, int]) -> tuple[list[str], list[str]]:
    """Every stop of the Tab key, in order, and the elements shown no differently when focused."""
    stops: list[str] = []
    unmarked: list[str] = []
    compared: dict[str, int] = {}
    for _ in range(MOST_STOPS):
        page.keyboard.press("Tab")
        focused: dict[str, Any] | None = page.evaluate(FOCUSED)
        if focused is None or focused["again"]:
            break  # out of the page, or round to the first stop again
        stops.append(f"{focused['kind']} {focused['name']!r}")
        if compared.get(focused["kind"], 0) >= SAMPLES:
            continue
        compared[focused["kind"]] = compared.get(focused["kind"], 0) + 1
        box = focused["box"]
        on_screen = box["width"] > 0 and box["height"] > 0 and 0 <= box["y"] < viewport["height"]
        element = page.evaluate_handle("document.activeElement")
        with_focus = screenshot(page)
        element.evaluate("(element) => element.blur()")
        without_focus = screenshot(page)
        element.evaluate("(element) => element.focus()")
        if not on_screen or not touches(ImageChops.difference(with_focus, without_focus).getbbox(), box):
            unmarked.append(stops[-1])
    else:
        pytest.fail(f"more than {MOST_STOPS} stops")
    return stops, unmarked


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_every_focus_stop_is_shown_and_the_skip_link_is_first(
    browser: Browser, checked_site: CheckedSite, kind: str, width: str
) -> None:
    viewport = VIEWPORTS[width]
    page = browser.new_page(viewport=viewport)  # type: ignore[arg-type]
    try:
        page.goto(checked_site.base + PAGE_KINDS[kind], wait_until="networkidle")
        if "search.html" in PAGE_KINDS[kind]:
            page.wait_for_selector(".kb-search-result")
        page.add_style_tag(content=STILL)
        page.mouse.move(viewport["width"] - 1, viewport["height"] - 1)
        stops, unmarked = tab_through(page, viewport)
    finally:
        page.close()
    assert stops[0].startswith("a < div.skip-link"), stops[:3]
    assert len(stops) >= 5, stops
    assert unmarked == []
