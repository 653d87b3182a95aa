"""The theme's stylesheets and icon font, cut down to what the pages use: exact after
incremental and parallel builds, and left as shipped when a site turns it off."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tinycss2
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

from sourcebook import theme_assets
from sourcebook.icon_font import font_characters

from conftest import clean_copy, warnings_of

THEME_CSS = "_static/styles/pydata-sphinx-theme.css"
SOLID_FONT = "_static/vendor/fontawesome/webfonts/fa-solid-900.woff2"
#: Font Awesome's bars (the sidebar button), list (the page's contents) and github icons.
BARS, LIST, GITHUB = 0xF0C9, 0xF03A, 0xF09B

NOTE_POST = """---
title: 'Can I cancel an order after paying the deposit?'
date: '2023-02-01'
---

Only if the contract says so.

```{caution}
Read the cancellation clause before you pay.
```
"""


def selectors(css: str) -> set[str]:
    """Every selector of a stylesheet, at any depth of ``@media`` and the like."""
    found: set[str] = set()

    def walk(rules: list[tinycss2.ast.Node]) -> None:
        for rule in rules:
            if rule.type == "qualified-rule":
                found.update(part.strip() for part in tinycss2.serialize(rule.prelude).split(","))
            elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword == "media":
                walk(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))

    walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return found


def static_files(outdir: Path) -> dict[str, bytes]:
    """The stylesheets and fonts of a build, by path."""
    return {
        path.relative_to(outdir).as_posix(): path.read_bytes()
        for path in sorted((outdir / "_static").rglob("*"))
        if path.suffix in {".css", ".woff2"}
    }


def test_pages_link_the_theme_s_files_cut_down_to_what_they_use(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    srcdir = site("theme")
    app = build(srcdir)
    assert warnings_of(app) == []
    shipped = build(clean_copy(srcdir, tmp_path / "shipped"), confoverrides={"kb_trim_theme_assets": False})
    trimmed, whole = static_files(app.outdir), static_files(shipped.outdir)
    assert trimmed.keys() == whole.keys()  # the same files, under the same names

    css = trimmed[THEME_CSS].decode()
    assert len(css) < len(whole[THEME_CSS]) / 3
    kept = selectors(css)
    # What the pages' markup uses, and what the theme's scripts add to it, stays.
    assert {".bd-header", ".bd-sidebar-primary", ".fa-bars", ".prev-next-area"} <= kept
    assert ".sd-card" in selectors(trimmed["_static/sphinx-design.min.css"].decode())
    assert ".dropdown-menu.show" in kept  # Bootstrap adds "show" to an open dropdown
    assert "html[data-theme=dark]" in kept  # the dark mode's colours
    assert any(selector.startswith(".theme-switch-button") for selector in kept)
    # What no page uses goes: other icons, notebook cells, API signatures, cautions.
    assert not kept & {".fa-github", ".nboutput", ".sig-param", "div.admonition.caution"}
    # Sphinx's basic.css, which theme.css imports, is in it: one request less before the page shows.
    assert "@import" not in trimmed["_static/styles/theme.css"].decode()
    assert "table.docutils" in selectors(trimmed["_static/styles/theme.css"].decode())

    icons = font_characters(trimmed[SOLID_FONT])
    assert {BARS, LIST} <= icons and GITHUB not in icons
    assert len(icons) < 40 < len(font_characters(whole[SOLID_FONT]))
    assert len(trimmed[SOLID_FONT]) < len(whole[SOLID_FONT]) / 10

    # The pages still link the theme's files, by their names.
    page = BeautifulSoup((app.outdir / "index.html").read_text(), "html.parser")
    links = [link["href"].split("?")[0] for link in page.select('link[rel="stylesheet"]')]
    assert "_static/styles/pydata-sphinx-theme.css" in links


def test_a_rebuild_keeps_what_a_new_page_uses_and_gives_the_clean_build_s_files(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    srcdir = site("theme")
    first = build(srcdir)
    assert "div.admonition.caution" not in selectors((first.outdir / THEME_CSS).read_text())
    posts = srcdir / "source" / "posts"
    (posts / "cancel.md").write_text(NOTE_POST)  # the site's first caution
    (posts / "samples.md").unlink()
    again = build(srcdir)
    assert warnings_of(again) == []
    assert "div.admonition.caution" in selectors((again.outdir / THEME_CSS).read_text())
    clean = build(clean_copy(srcdir, tmp_path / "clean"))
    assert static_files(again.outdir) == static_files(clean.outdir)

    # And back: without the note, its rules go again.
    (posts / "cancel.md").unlink()
    third = build(srcdir)
    assert "div.admonition.caution" not in selectors((third.outdir / THEME_CSS).read_text())


def test_a_parallel_build_gives_a_serial_build_s_files(
    site: Callable[[str], Path],
    build: Callable[..., SphinxTestApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    serial_src = site("theme")
    parallel_src = tmp_path / "parallel"
    shutil.copytree(serial_src, parallel_src)
    serial = build(serial_src)
    # Pages read in a second process too, however few they are.
    forked: list[int] = []

    class CountedWorkers(theme_assets.Workers):
        def start(self, *args: Any, **kwargs: Any) -> Any:
            forked.append(1)
            return super().start(*args, **kwargs)

    monkeypatch.setattr(theme_assets, "PAGES_PER_PROCESS", 1)
    monkeypatch.setattr(theme_assets, "Workers", CountedWorkers)
    parallel = build(parallel_src, parallel=2)
    assert warnings_of(parallel) == []
    assert forked == [1]
    assert static_files(parallel.outdir) == static_files(serial.outdir)


def test_an_unchanged_rebuild_reads_no_page_and_writes_the_same_files(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = site("theme")
    first = build(srcdir)
    before = static_files(first.outdir)
    again = build(srcdir)
    assert static_files(again.outdir) == before


def test_a_first_build_parses_the_stylesheets_while_it_waits_and_a_later_one_not(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At html-collect-pages, the main process waits for the search index next: a first build
    parses the stylesheets then, and its trim parses only what changed since (pygments.css)."""
    parsed: list[tuple[str, str]] = []
    phase = ""

    def during(step: Callable[..., Any], name: str) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            nonlocal phase
            phase = name
            try:
                return step(*args)
            finally:
                phase = ""

        return run

    class Recorded(theme_assets.Stylesheet):
        @classmethod
        def parse(cls, text: str) -> theme_assets.Stylesheet:
            parsed.append((phase, text))
            return super().parse(text)

    monkeypatch.setattr(theme_assets, "Stylesheet", Recorded)
    monkeypatch.setattr(
        theme_assets, "parse_stylesheets_early", during(theme_assets.parse_stylesheets_early, "early")
    )
    monkeypatch.setattr(theme_assets, "trim_theme_assets", during(theme_assets.trim_theme_assets, "trim"))
    srcdir = site("theme")
    first = build(srcdir)
    assert warnings_of(first) == []
    early = [text for when, text in parsed if when == "early"]
    late = [text for when, text in parsed if when == "trim"]
    assert len(early) > 5
    # pydata-sphinx-theme's pygments.css, for its light and dark themes.
    assert len(late) == 1 and late[0].startswith('html[data-theme="light"] .highlight')
    assert not set(late) & set(early)

    # A later build: no parsing ahead of its trim, which reuses the last one's files.
    parsed.clear()
    (srcdir / "source" / "posts" / "cancel.md").write_text(NOTE_POST)
    build(srcdir)
    assert [when for when, _text in parsed if when != "trim"] == []


def test_the_theme_s_catalogs_and_macros_are_not_shipped_and_still_translate(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("theme"), confoverrides={"language": "fr"})
    assert warnings_of(app) == []
    static = Path(app.outdir) / "_static"
    shipped = {path.relative_to(static).as_posix() for path in static.rglob("*")}
    # sphinx-book-theme ships its translation catalogs and both themes their Jinja macros in
    # their static folders; no page loads them.
    assert not any(name.startswith("locales") or name.endswith("webpack-macros.html") for name in shipped)
    assert {"styles/theme.css", "scripts/sphinx-book-theme.js", "basic.css"} <= shipped
    # The theme translates from its own package's catalogs: its French labels are on the page.
    assert "Mode plein écran" in (Path(app.outdir) / "index.html").read_text(encoding="utf-8")
