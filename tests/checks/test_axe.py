"""axe-core in Chromium on each kind of page, at desktop and at phone width: no violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from .conftest import PAGE_KINDS, CheckedSite, node_tool

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def violations(browser: Browser, url: str, viewport: dict[str, int]) -> list[dict[str, Any]]:
    page = browser.new_page(viewport=viewport)  # type: ignore[arg-type]
    try:
        page.goto(url, wait_until="networkidle")
        if "search.html" in url:
            page.wait_for_selector("ol.kb-search-results li", timeout=15_000)
        page.add_script_tag(path=str(node_tool("axe-core", "axe.min.js")))
        found: list[dict[str, Any]] = page.evaluate("async () => (await axe.run(document)).violations")
        return found
    finally:
        page.close()


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_no_axe_violations(browser: Browser, checked_site: CheckedSite, kind: str, width: str) -> None:
    found = violations(browser, checked_site.base + PAGE_KINDS[kind], VIEWPORTS[width])
    summary = [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes'][:3]]}"
        for violation in found
    ]
    assert summary == []
