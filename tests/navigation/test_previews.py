"""Link previews: a card for links to posts and glossary terms, by hover or keyboard focus, in
Chromium; the data the build writes for it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from sourcebook.navigation.preview_data import BUCKETS, bucket_files, bucket_of, shortened

from browser import build_html, serve
from conftest import ROOTS

CARD = "#kb-preview"
CREDIT = "source/posts/credit.html"
LINK_TO_DEPOSIT = "article a.reference.internal[href='deposit.html']"
TERM_LINK = "article a.kb-term-link"
PHOTO_POST = """---
title: 'A photographed answer'
date: '2022-02-02'
description: 'The description a card shows.'
featuredImage: '../images/blog/photo.jpg'
---

See [how much to pay](/deposit).
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The search fixture site with a post that has a featured photo."""
    import shutil

    root = tmp_path_factory.mktemp("previews")
    srcdir = root / "site"
    shutil.copytree(ROOTS / "test-search", srcdir)
    (srcdir / "source" / "images" / "blog").mkdir(parents=True)
    Image.new("RGB", (1200, 800), (30, 90, 160)).save(srcdir / "source" / "images" / "blog" / "photo.jpg")
    (srcdir / "source" / "posts" / "photo.md").write_text(PHOTO_POST, encoding="utf-8")
    outdir = root / "html"
    assert "WARNING" not in build_html(srcdir, outdir)
    return outdir


@pytest.fixture(scope="module")
def base(built: Path) -> Iterator[str]:
    with serve(built) as url:
        yield url


def open_page(browser: Browser, address: str, **options: object) -> tuple[Page, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)  # type: ignore[arg-type]
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(address)
    page.wait_for_load_state("networkidle")
    return page, asked


def move_away(page: Page) -> None:
    page.mouse.move(1270, 890)
    expect(page.locator(CARD)).to_be_hidden()


def test_the_build_writes_each_post_and_term_once_in_its_bucket(built: Path) -> None:
    folder = built / "kb-previews"
    assert sorted(path.name for path in folder.iterdir()) == sorted(f"{n}.json" for n in range(BUCKETS))
    found = {}
    for path in folder.iterdir():
        bucket = json.loads(path.read_text(encoding="utf-8"))
        assert all(bucket_of(address) == int(path.stem) for address in bucket)
        found.update(bucket)
    assert found["source/posts/deposit.html"] == {
        "kind": "post",
        "title": "How much should I pay up front?",
        "date": "March 4, 2019",
        "description": found["source/posts/deposit.html"]["description"],
    }
    photo = found["source/posts/photo.html"]
    assert photo["description"] == "The description a card shows."
    assert re.fullmatch(r"_images/variants/photo-[0-9a-f]{8}-400w\.webp", photo["image"])
    assert (built / photo["image"]).is_file() and (photo["width"], photo["height"]) == (400, 267)
    credit = found["source/glossary.html#term-letter-of-credit"]
    assert credit == {
        "kind": "term",
        "title": "Letter of credit",
        "description": "A bank's promise to pay the factory once the shipping documents match the terms.",
        "chinese": "信用证",
        "pinyin": "xìn yòng zhèng",
        "abbreviations": ["L/C"],
    }
    # Each name of the entry has its own anchor, and the same card.
    assert {address for address, preview in found.items() if preview == credit} == {
        "source/glossary.html#term-letter-of-credit",
        "source/glossary.html#term-l-c",
        "source/glossary.html#term-documentary-credit",
    }
    page = BeautifulSoup((built / CREDIT).read_text(encoding="utf-8"), "html.parser")
    [script] = [tag for tag in page.select("script[src]") if "kb-previews.js" in tag["src"]]
    assert script.has_attr("defer") and script["data-posts"] == "source/posts/"


def test_bucket_files_and_descriptions() -> None:
    files = bucket_files({"a.html": {"kind": "post"}, "b.html#term-x": {"kind": "term"}})
    assert len(files) == BUCKETS
    assert json.loads(files[f"{bucket_of('a.html')}.json"])["a.html"] == {"kind": "post"}
    assert bucket_of("source/posts/deposit.html") == bucket_of("source/posts/deposit.html")
    assert len({bucket_of(f"source/posts/{n}.html") for n in range(200)}) == BUCKETS
    assert shortened("word " * 100, 40).endswith("…") and len(shortened("word " * 100, 40)) <= 40
    assert shortened("  a   short\ntext ") == "a short text"


def test_the_page_hashes_addresses_as_the_build_does(browser: Browser, base: str) -> None:
    page, _ = open_page(browser, base + CREDIT)
    addresses = ["source/posts/deposit.html", "source/glossary.html#term-l-c", "source/posts/模具.html", ""]
    assert page.evaluate("(all) => all.map((a) => window.kbPreviews.bucketOf(a))", addresses) == [
        bucket_of(address) for address in addresses
    ]
    page.close()


def test_hovering_a_post_link_shows_its_card_fetched_once(browser: Browser, base: str) -> None:
    page, asked = open_page(browser, base + "source/posts/photo.html")
    assert not [url for url in asked if "kb-previews/" in url]  # nothing before a hover
    link = page.locator(LINK_TO_DEPOSIT).first
    link.hover()
    card = page.locator(CARD)
    expect(card).to_be_visible()
    expect(card.locator(".kb-preview-title")).to_have_text("How much should I pay up front?")
    expect(card.locator(".kb-preview-about")).to_have_text("March 4, 2019")
    expect(card.locator(".kb-preview-text")).to_contain_text("thirty percent")
    expect(card).to_have_attribute("role", "tooltip")
    expect(link).to_have_attribute("aria-describedby", "kb-preview")
    box, place = link.bounding_box(), card.bounding_box()
    assert box is not None and place is not None and place["y"] >= box["y"] + box["height"]
    fetched = [url for url in asked if "kb-previews/" in url]
    assert len(fetched) == 1
    # The pointer may move onto the card without it going.
    page.mouse.move(place["x"] + 20, place["y"] + 20, steps=4)
    page.wait_for_timeout(400)
    expect(card).to_be_visible()
    move_away(page)
    expect(link).not_to_have_attribute("aria-describedby", "kb-preview")
    link.hover()
    expect(card).to_be_visible()
    assert [url for url in asked if "kb-previews/" in url] == fetched  # kept, not fetched again
    page.close()


def test_a_post_card_shows_its_featured_image(browser: Browser, base: str) -> None:
    page, _ = open_page(browser, base + "source/posts/deposit.html")
    page.evaluate(
        "() => { const a = document.createElement('a'); a.href = 'photo.html'; a.id = 'to-photo';"
        " a.textContent = 'the photo post'; document.querySelector('article p').append(' ', a); }"
    )
    page.locator("#to-photo").hover()
    image = page.locator(f"{CARD} img.kb-preview-image")
    expect(image).to_be_visible()
    assert re.search(r"/_images/variants/photo-[0-9a-f]{8}-400w\.webp$", image.get_attribute("src") or "")
    # Its 400 px variant, once downloaded (a card shows before its image arrives).
    page.wait_for_function("() => document.querySelector('#kb-preview img').complete")
    assert page.evaluate("() => document.querySelector('#kb-preview img').naturalWidth") == 400
    expect(page.locator(f"{CARD} .kb-preview-title")).to_have_text("A photographed answer")
    page.close()


def test_a_term_card_shows_its_definition_chinese_name_and_abbreviations(browser: Browser, base: str) -> None:
    page, _ = open_page(browser, base + CREDIT)
    link = page.locator(TERM_LINK).first
    expect(link).to_have_text("L/C")
    hover_text = link.get_attribute("title")
    assert hover_text
    link.hover()
    card = page.locator(CARD)
    expect(card.locator(".kb-preview-title")).to_have_text("Letter of credit")
    expect(card.locator(".kb-preview-about")).to_have_text("L/C · 信用证 (xìn yòng zhèng)")
    expect(card.locator(".kb-preview-text")).to_have_text(hover_text)
    # The browser's own hover text would show too: it is taken off while the card shows.
    expect(link).not_to_have_attribute("title", hover_text)
    move_away(page)
    expect(link).to_have_attribute("title", hover_text)
    page.close()


def test_the_keyboard_shows_it_esc_hides_it_and_it_never_takes_the_focus(browser: Browser, base: str) -> None:
    page, _ = open_page(browser, base + CREDIT)
    card = page.locator(CARD)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('a.kb-term-link')"):
            break
    else:
        pytest.fail("Tab never reached the term link")
    expect(card).to_be_visible()
    expect(card.locator(".kb-preview-title")).to_have_text("Letter of credit")
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    assert page.evaluate("() => document.activeElement.matches('a.kb-term-link')")  # Esc left the focus
    page.keyboard.press("Tab")  # the next link: the card never holds the focus
    assert page.evaluate("() => !document.activeElement.closest('#kb-preview')")
    assert (
        page.evaluate("() => document.querySelectorAll('#kb-preview [tabindex], #kb-preview a').length") == 0
    )
    page.close()


def test_a_touch_opens_the_link_without_a_card(browser: Browser, base: str) -> None:
    page, _ = open_page(browser, base + CREDIT, has_touch=True, is_mobile=True)
    page.locator(LINK_TO_DEPOSIT).first.tap()
    expect(page).to_have_url(re.compile(r"/source/posts/deposit\.html$"))
    assert page.locator(CARD).count() == 0
    page.close()


@pytest.mark.parametrize(("motion", "duration"), [("no-preference", "0.15s"), ("reduce", "0s")])
def test_the_card_fades_in_unless_motion_is_reduced(
    browser: Browser, base: str, motion: str, duration: str
) -> None:
    page, _ = open_page(browser, base + CREDIT, reduced_motion=motion)
    page.locator(TERM_LINK).first.hover()
    expect(page.locator(CARD)).to_be_visible()
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('#kb-preview')).transitionDuration")
        == duration
    )
    page.close()


def test_previews_can_be_turned_off_and_follow_an_edit(site: Callable[[str], Path], tmp_path: Path) -> None:
    srcdir = site("search")
    off = tmp_path / "off"
    build_html(srcdir, off, "-D", "kb_link_previews=0")
    assert not (off / "kb-previews").exists()
    assert "kb-previews.js" not in (off / CREDIT).read_text(encoding="utf-8")
    outdir = srcdir / "_build" / "html"
    build_html(srcdir, outdir)
    post = srcdir / "source" / "posts" / "deposit.md"
    post.write_text(
        post.read_text(encoding="utf-8").replace("How much should", "How much must"), encoding="utf-8"
    )
    build_html(srcdir, outdir)
    bucket = json.loads(
        (outdir / "kb-previews" / f"{bucket_of('source/posts/deposit.html')}.json").read_text()
    )
    assert bucket["source/posts/deposit.html"]["title"] == "How much must I pay up front?"
