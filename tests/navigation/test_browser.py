"""A reader in a real browser: landing cards, click through to a post, back, old Gatsby URL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, expect

from browser import build_html, serve


def test_landing_cards_lead_to_posts_and_back(
    browser: Browser, site: Callable[[str], Path], tmp_path: Path
) -> None:
    outdir = tmp_path / "html"
    warnings = build_html(site("listings"), outdir)
    assert warnings.count("WARNING") == 1  # the fixture's undated post
    with serve(outdir) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "index.html")
        cards = page.locator(".sd-card.kb-card")
        expect(cards).to_have_count(3)
        expect(cards.first).to_be_visible()
        page.screenshot(path=str(tmp_path / "landing.png"), full_page=True)

        cards.nth(1).click()  # the whole card is a link
        expect(page).to_have_url(base + "source/posts/dupro.html")
        expect(page.locator("h1")).to_have_text("When is a during-production inspection worth it?¶")
        expect(page.locator("time.kb-published")).to_have_text("September 15, 2019")
        page.screenshot(path=str(tmp_path / "post.png"), full_page=True)

        page.go_back()
        expect(page).to_have_url(base + "index.html")
        expect(cards).to_have_count(3)

        # The address the Gatsby site published still leads to the post.
        page.goto(base + "blog/mould-ownership/")
        expect(page).to_have_url(base + "source/posts/mould.html")
        expect(page.locator("article h1, section > h1").first).to_contain_text("Who owns the mould")

        page.goto(base + "source/posts/dupro.html")
        page.locator(".kb-post-tags a", has_text="Inspection").click()
        expect(page).to_have_url(base + "tags/inspection.html")
        expect(page.locator(".kb-tag-page li a")).to_have_count(2)
        page.close()
    assert (tmp_path / "landing.png").stat().st_size > 10_000
    assert (tmp_path / "post.png").stat().st_size > 10_000


def test_theme_icons_are_drawn_without_the_icon_script(
    browser: Browser, site: Callable[[str], Path], tmp_path: Path
) -> None:
    """Pages leave out Font Awesome's script (540 KB compressed); the theme's CSS and web font
    still draw every icon of its header."""
    outdir = tmp_path / "html"
    build_html(site("posts"), outdir, "-D", "html_theme=sphinx_book_theme")
    with serve(outdir) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "index.html")
        assert page.evaluate("() => [...document.scripts].every((s) => !s.src.includes('fontawesome'))")
        menu = page.get_by_role("button", name="Toggle primary sidebar").locator(".fa-bars")
        expect(menu).to_be_visible()
        assert menu.evaluate("(icon) => getComputedStyle(icon, '::before').content").startswith('"\uf0c9"')
        page.evaluate("() => document.fonts.ready")
        assert page.evaluate(
            "() => [...document.fonts].some((face) => face.family.includes('Font Awesome')"
            " && face.weight === '900' && face.status === 'loaded')"
        )
        page.close()
