"""Take the README's screenshots of the built site (run ``make html`` first).

Uses the system Chromium through Playwright, like the browser tests, on the site served over
HTTP (the search index cannot load from ``file://``):
``.venv/bin/python tools/take_screenshots.py`` writes ``docs/screenshots/*.png``.

The search screenshots are taken on a site with more than one post: the search-quality corpus,
built and indexed by ``benchmarks/search_quality.py --keep DIR``, passed with ``--site DIR/html
--only search.png --only search-dialog.png --only social-card.png``.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from sourcebook.navigation.card_images import draw_card, font_for, save_card

PROJECT = Path(__file__).resolve().parent.parent
SITE = PROJECT / "_build" / "html"
OUTPUT = PROJECT / "docs" / "screenshots"
PAGES = {
    "landing.png": "index.html",
    "post.png": "source/posts/1_defective_goods.html",
    "glossary.png": "source/glossary.html",
    "search.png": "search.html?q=how+much+deposit+should+I+pay+up+front",
    "search-dialog.png": "source/posts/1_defective_goods.html",
    "link-preview.png": "source/posts/1_defective_goods.html",
}
#: What a reader does on the page before the screenshot.
DIALOG_QUERY = "who pays for rework"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """No line per request."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=SITE, help="the built site (default: _build/html)")
    parser.add_argument(
        "--only", action="append", choices=[*sorted(PAGES), "social-card.png"], help="take only these"
    )
    args = parser.parse_args()
    site: Path = args.site
    pages = {name: path for name, path in PAGES.items() if not args.only or name in args.only}
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is not installed: apt-get install chromium")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        for name, path in pages.items():
            if (site / path.partition("?")[0]).is_file():
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                if name == "search.png":
                    page.wait_for_selector(".kb-search-result")
                if name == "search-dialog.png":
                    page.keyboard.press("Control+k")
                    page.keyboard.type(DIALOG_QUERY, delay=60)
                    page.wait_for_selector(".kb-search-dialog-result")
                    page.wait_for_timeout(800)  # the last key's results
                    page.keyboard.press("ArrowDown")
                if name == "link-preview.png":
                    link = page.locator("article a.kb-term-link").first
                    link.scroll_into_view_if_needed()
                    link.hover()
                    page.wait_for_selector("#kb-preview:not([hidden])")
                    page.wait_for_timeout(300)
                page.screenshot(path=str(OUTPUT / name))
        browser.close()
    server.shutdown()
    if not args.only or "social-card.png" in args.only:
        # A drawn social card (of a post without a featured image), as the site made it, or as
        # the build would draw one for a Chinese title.
        drawn = sorted((site / "_images" / "social").glob("*.png"))
        if drawn:
            shutil.copyfile(drawn[0], OUTPUT / "social-card.png")
        else:
            title = "模具归谁 Who owns the mould when the order is over?"
            card = draw_card(title, "Sourcebook", "September 1, 2021", font_for(title))
            save_card(card, OUTPUT / "social-card.png")


if __name__ == "__main__":
    main()
