"""Frontmatter is untrusted: no value of it becomes markup anywhere in what the build writes.

The shipped site (its conf.py, theme, pages and glossary) is built with posts whose every
frontmatter field holds markup. Then every file of the output is read the way its client reads
it: HTML with an HTML5 parser (html5lib parses as browsers do), XML as XML (and the HTML a feed
carries as HTML), JSON as JSON, the EPUB's pages as XML, llms.txt as Markdown; and each kind of
page is opened in Chromium with a hook that records any injected handler that runs (on some, a
query is typed into the search dialog, or a link preview shown). Marked payloads make a breakout
visible as an element or attribute named ``kb-injected``, or a call of ``kbInjected``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt
from PIL import Image
from playwright.sync_api import Browser

from browser import serve
from conftest import PROJECT, ROOTS

HOSTILE_POSTS = ROOTS / "test-untrusted" / "source" / "posts"
#: The featured image of the first post: a real file whose name is markup.
HOSTILE_IMAGE = 'img" data-kb-injected="image" onerror="kbInjected(1)" x="<kb-injected data-field=image>.png'
MARKER = "kb-injected"
HANDLER = "kbInjected"
#: Attributes whose value a browser runs or follows.
ACTIVE_ATTRIBUTES = re.compile(r"^on[a-z]+$")
#: Terminal control: C0 but tab and newline, DEL, C1, and the bidirectional overrides.
TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
JSON_SCRIPT_TYPES = {"application/ld+json", "application/json"}
#: The children print as into a log (Read the Docs' build log, a pipe). Under CI=true or
#: FORCE_COLOR, Sphinx's own progress lines would start with its erase-line sequence.
PIPE_ENV = {**os.environ, "NO_COLOR": "1"}


@dataclass
class HostileSite:
    srcdir: Path
    html: Path
    epub: Path
    html_warnings: str
    epub_warnings: str


def shipped_site_with(posts: Path, target: Path) -> Path:
    """The shipped site's configuration, pages and glossary, with ``posts`` as its posts."""
    target.mkdir()
    for name in ("conf.py", "index.md"):
        shutil.copy2(PROJECT / name, target / name)
    shutil.copytree(PROJECT / "_static", target / "_static")
    shutil.copytree(PROJECT / "source", target / "source", ignore=shutil.ignore_patterns("posts", "images"))
    shutil.copytree(posts, target / "source" / "posts")
    images = target / "source" / "images" / "blog"
    images.mkdir(parents=True)
    Image.new("RGB", (640, 360), (200, 60, 40)).save(images / HOSTILE_IMAGE, "PNG")
    return target


def sphinx_build(srcdir: Path, builder: str, outdir: Path, *extra: str) -> str:
    """Build in a child process (see browser.build_html); return everything it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "--no-color", "-b", builder, *extra, str(srcdir), str(outdir)],
        capture_output=True,
        text=True,
        check=True,
        env=PIPE_ENV,
    )
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileSite:
    root = tmp_path_factory.mktemp("untrusted")
    srcdir = shipped_site_with(HOSTILE_POSTS, root / "site")
    # A public address, so that the feeds and the sitemap are written too.
    address = ("-D", "html_baseurl=https://kb.example/")
    # One entry a page: every list goes on over further pages, whose links and titles show posts.
    parts = ("-D", "kb_posts_per_page=1")
    html_warnings = sphinx_build(srcdir, "html", root / "html", "-j", "2", *address, *parts)
    epub_warnings = sphinx_build(srcdir, "epub", root / "epub", "-d", str(root / "doctrees"), *address)
    (epub_file,) = (root / "epub").glob("*.epub")
    return HostileSite(srcdir, root / "html", epub_file, html_warnings, epub_warnings)


def injected_in_html(markup: str) -> list[str]:
    """What a browser would make of frontmatter in ``markup``: elements, attributes, scripts."""
    found = []
    soup = BeautifulSoup(markup, "html5lib")
    for element in soup.find_all(True):
        if element.name == MARKER or element.name.startswith(MARKER):
            found.append(f"element <{element.name}>")
        for name, value in element.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if MARKER in name:
                found.append(f"attribute {name} on <{element.name}>")
            elif ACTIVE_ATTRIBUTES.match(name) and HANDLER in text:
                found.append(f"handler {name}={text!r} on <{element.name}>")
            elif name in ("href", "src", "action") and text.strip().lower().startswith("javascript:"):
                found.append(f"{name}={text!r} on <{element.name}>")
        if element.name == "script":
            found.extend(injected_in_script(element))
    return found


def injected_in_script(script: Tag) -> list[str]:
    """A script runs unless it is data; data must parse whole and hold nothing that runs."""
    text = script.string or ""
    if script.get("type") in JSON_SCRIPT_TYPES:
        try:
            json.loads(text)
        except ValueError as error:
            return [f"a {script.get('type')} script that is not JSON: {error}"]
        return []
    if f"{HANDLER}(" in text or f"<{MARKER}" in text:
        return [f"a script that runs frontmatter: {text[:120]!r}"]
    return []


def output_files(folder: Path, *suffixes: str) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in suffixes and ".doctrees" not in path.parts:
            yield path


def test_the_hostile_site_builds_with_the_expected_warnings(hostile: HostileSite) -> None:
    assert hostile.html.joinpath("source/posts/1_hostile_title.html").is_file()
    warnings = [line for line in hostile.html_warnings.splitlines() if "WARNING" in line]
    relative = [line.replace(str(hostile.srcdir) + "/", "") for line in warnings]
    assert relative == [
        "source/posts/3_terminal.md:2: WARNING: the slug '/<kb-injected>' may only hold letters, "
        "digits, '-', '_', '.', '~' and '/'; use letters, digits and hyphens, such as slug: "
        "'/kb-injected' [kb.slug]",
        "source/posts/3_terminal.md:3: WARNING: the title holds control characters (U+001B, U+0007), "
        "which no page can show; they are left out: remove them [kb.frontmatter]",
        "source/posts/3_terminal.md:4: WARNING: date '<kb-injected data-field=\"date\">' is not a date; "
        "write it as 'YYYY-MM-DD', such as '2017-05-17' [kb.date]",
        "source/posts/3_terminal.md:5: WARNING: the author holds control characters (U+001B), which "
        "no page can show; they are left out: remove them [kb.frontmatter]",
    ]


def test_no_html_file_holds_markup_from_frontmatter(hostile: HostileSite) -> None:
    pages = list(output_files(hostile.html, ".html"))
    assert len(pages) > 15
    found = {
        str(page.relative_to(hostile.html)): problems
        for page in pages
        if (problems := injected_in_html(page.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_no_xml_file_holds_markup_from_frontmatter(hostile: HostileSite) -> None:
    """Feeds and the sitemap parse as XML; the HTML a feed carries parses to no injected markup."""
    files = list(output_files(hostile.html, ".xml", ".atom", ".rss"))
    assert {path.name for path in files} >= {"sitemap.xml", "atom.xml", "rss.xml"}
    found: dict[str, list[str]] = {}
    for path in files:
        tree = ET.parse(path)  # raises on anything that is not well-formed
        for element in tree.iter():
            if MARKER in element.tag or any(MARKER in name for name in element.attrib):
                found.setdefault(path.name, []).append(f"element {element.tag}")
            # A feed reader shows Atom's type="html" texts and RSS descriptions as HTML.
            if element.text and (element.get("type") == "html" or element.tag.endswith("description")):
                found.setdefault(path.name, []).extend(injected_in_html(element.text))
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_every_json_file_parses(hostile: HostileSite) -> None:
    files = list(output_files(hostile.html, ".json"))
    assert files
    for path in files:
        json.loads(path.read_text(encoding="utf-8"))


# Each page is also read as a browser would (html5lib), which bs4 notes for an XML file.
@pytest.mark.filterwarnings("ignore::bs4.XMLParsedAsHTMLWarning")
def test_no_epub_page_holds_markup_from_frontmatter(hostile: HostileSite) -> None:
    """E-readers parse the EPUB's pages as XML: each must be well-formed and inject nothing."""
    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(hostile.epub) as epub:
        names = [name for name in epub.namelist() if name.endswith((".xhtml", ".opf", ".ncx"))]
        assert any("1_hostile_title" in name for name in names)
        for name in names:
            text = epub.read(name).decode("utf-8")
            try:
                ET.fromstring(text)
            except ET.ParseError as error:
                found.setdefault(name, []).append(f"not well-formed XML: {error}")
            if name.endswith(".xhtml"):
                found.setdefault(name, []).extend(injected_in_html(text))
            elif MARKER in re.sub(r"&lt;|&gt;|&quot;|&amp;", "", text).replace(f"&lt;{MARKER}", ""):
                tree = ET.fromstring(text)
                if any(MARKER in element.tag for element in tree.iter()):
                    found.setdefault(name, []).append("an injected element")
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_terminal_output_holds_no_control_characters(hostile: HostileSite) -> None:
    """What the build and ``sourcebook check`` print shows control characters, never sends them."""
    check = subprocess.run(
        [sys.executable, "-m", "sourcebook", "--site", str(hostile.srcdir), "check"],
        capture_output=True,
        text=True,
        check=False,
        env=PIPE_ENV,
    )
    assert check.returncode == 1  # the bad slug, the control characters and the date are problems
    for printed in (hostile.html_warnings, hostile.epub_warnings, check.stdout, check.stderr):
        assert TERMINAL_CONTROL.findall(printed) == []
    assert "the slug '/<kb-injected>'" in check.stdout
    assert "the title holds control characters (U+001B, U+0007)" in check.stdout


#: Every kind of page, with what a reader does there before we look.
PAGE_KINDS = [
    "index.html",
    "source/posts/1_hostile_title.html",
    "source/posts/2_hostile_description.html",
    "source/posts/3_terminal.html",
    "tags/kb-injected-data-field-tag-kb-injected.html",
    "tags/kb-injected-data-field-tag-kb-injected/page-2.html",
    "source/tags.html",
    "source/archive.html",
    "source/archive/page-2.html",
    "source/tags/page-2.html",
    "source/glossary.html",
    "search.html?q=rework",
    "404.html",
    "blog/rework-hostile/index.html",
]


#: Pages where a query is typed into the search dialog and a result opened.
DIALOG_PAGES = {"index.html", "source/posts/1_hostile_title.html"}


def test_no_injected_handler_runs_in_chromium(hostile: HostileSite, browser: Browser) -> None:
    """Each kind of page in a real browser, with a hook recording any handler that runs."""
    with serve(hostile.html) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(
            "window.kbRan = [];"
            f"window.{HANDLER} = (field) => window.kbRan.push(String(field));"
            "window.alert = (text) => window.kbRan.push('alert ' + text);"
        )
        ran: dict[str, list[str]] = {}
        for address in PAGE_KINDS:
            page = context.new_page()
            page.on(
                "dialog",
                lambda dialog: (ran.setdefault("dialog", []).append(dialog.message), dialog.dismiss()),
            )
            response = page.goto(base + address, wait_until="networkidle")
            assert response is not None and response.ok, address
            if address.startswith("search.html"):
                page.wait_for_selector("ol.kb-search-results li", timeout=10_000)
                assert page.locator("ol.kb-search-results li").count() >= 2
            if address in DIALOG_PAGES:
                # The search dialog shows the hostile posts as results (their titles, dates,
                # excerpts and sections), then its recent searches.
                page.keyboard.press("Control+k")
                page.keyboard.type("rework")
                page.wait_for_selector("#kb-search-dialog .kb-search-dialog-result", timeout=10_000)
                assert page.locator("#kb-search-dialog .kb-search-dialog-result").count() >= 2
                page.keyboard.press("ArrowDown")
                with page.expect_navigation():
                    page.keyboard.press("Enter")
                page.wait_for_load_state("networkidle")
                page.keyboard.press("Control+k")
                page.wait_for_selector("#kb-search-dialog .kb-search-dialog-recent", timeout=10_000)
            if address == "source/posts/2_hostile_description.html":
                # The link preview of a hostile post: its title, description and date in a card.
                page.locator("article a[href*='1_hostile_title']").first.hover()
                page.wait_for_selector("#kb-preview:not([hidden])", timeout=10_000)
            # Hovering and focusing every element fires what is bound to those events.
            page.evaluate(
                "() => document.querySelectorAll('body *').forEach((element) => {"
                "  for (const type of ['mouseover', 'focus'])"
                "    element.dispatchEvent(new Event(type)); })"
            )
            page.wait_for_timeout(100)
            if calls := page.evaluate("() => window.kbRan"):
                ran[address] = calls
            if page.locator(MARKER).count():
                ran.setdefault(address, []).append("element in the live DOM")
            page.close()
        context.close()
    assert ran == {}


def test_llms_txt_has_one_item_and_one_link_per_post(hostile: HostileSite) -> None:
    """A language model reads llms.txt as Markdown: frontmatter adds no item, link, image or HTML."""
    tokens = []
    for token in MarkdownIt("commonmark").parse((hostile.html / "llms.txt").read_text(encoding="utf-8")):
        tokens += [token, *(token.children or [])]
    kinds = [token.type for token in tokens]
    posts = sorted(path.name for path in HOSTILE_POSTS.glob("*.md"))
    assert kinds.count("list_item_open") == len(posts)
    hrefs = sorted(str(token.attrs["href"]) for token in tokens if token.type == "link_open")
    assert hrefs == [f"https://kb.example/source/posts/{name.removesuffix('.md')}.html.md" for name in posts]
    assert [kind for kind in kinds if kind.startswith("html") or kind == "image"] == []
