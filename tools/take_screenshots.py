"""Take the README's screenshots of the built site (run ``make html`` first).

Uses the system Chromium through Playwright, like the browser tests:
``.venv/bin/python tools/take_screenshots.py`` writes ``docs/screenshots/*.png``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

PROJECT = Path(__file__).resolve().parent.parent
SITE = PROJECT / "_build" / "html"
OUTPUT = PROJECT / "docs" / "screenshots"
PAGES = {
    "landing.png": "index.html",
    "post.png": "source/posts/1_defective_goods.html",
    "glossary.png": "source/glossary.html",
}
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is not installed: apt-get install chromium")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        for name, path in PAGES.items():
            if (SITE / path).is_file():
                page.goto((SITE / path).as_uri())
                page.screenshot(path=str(OUTPUT / name))
        browser.close()


if __name__ == "__main__":
    main()
