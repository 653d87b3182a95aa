"""Social cards: every post's og:image and twitter:image is a 1200 by 630 card, made once."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup
from PIL import Image
from sphinx.testing.util import SphinxTestApp

from browser import build_html
from conftest import html_of, warnings_of

BASE = "https://kb.example.com/"
POSTS = ("1_defective_goods", "2_incoterms", "3_deposits")
CHINESE = "---\ntitle: '谁拥有模具 Who owns the mould'\ndate: '2021-06-01'\n---\n\nThe factory keeps it.\n"


def card_of(page: BeautifulSoup) -> tuple[str, str, list[str]]:
    """The post's og:image, its media type, and every other tag naming an image."""
    [image] = [tag["content"] for tag in page.find_all("meta", attrs={"property": "og:image"})]
    [media_type] = [tag["content"] for tag in page.find_all("meta", attrs={"property": "og:image:type"})]
    twitter = [tag["content"] for tag in page.find_all("meta", attrs={"name": "twitter:image"})]
    return str(image), str(media_type), [str(address) for address in twitter]


def cards(app: SphinxTestApp) -> dict[str, str]:
    return {post: card_of(html_of(app, f"source/posts/{post}"))[0] for post in (*POSTS, "5_chinese")}


def made(app: SphinxTestApp) -> tuple[int, int]:
    found = re.search(r"sourcebook: (\d+) social cards made, (\d+) reused", app.status.getvalue())
    assert found is not None
    return int(found[1]), int(found[2])


def test_every_post_has_a_1200_by_630_card(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = site("posts")
    (srcdir / "source" / "posts" / "5_chinese.md").write_text(CHINESE, encoding="utf-8")
    app = build(srcdir, confoverrides={"html_baseurl": BASE})
    assert warnings_of(app) == []
    for post, media_type in [
        ("1_defective_goods", "image/jpeg"),  # the featured photo, cropped
        ("2_incoterms", "image/jpeg"),  # a PNG featured image: a photo card too
        ("3_deposits", "image/png"),  # no featured image: a drawn card
        ("5_chinese", "image/png"),
    ]:
        page = html_of(app, f"source/posts/{post}")
        image, declared, twitter = card_of(page)
        assert twitter == [image] and declared == media_type, post
        assert image.startswith(f"{BASE}_images/social/")
        with Image.open(app.outdir / image.removeprefix(BASE)) as card:
            assert card.size == (1200, 630), post
            assert card.format == ("JPEG" if media_type == "image/jpeg" else "PNG")
        assert [tag["content"] for tag in page.find_all("meta", attrs={"name": "twitter:card"})] == [
            "summary_large_image"
        ]
    assert made(app) == (4, 0)
    # A drawn card shows the title: two posts' cards differ.
    drawn = [app.outdir / cards(app)[post].removeprefix(BASE) for post in ("3_deposits", "5_chinese")]
    assert drawn[0].read_bytes() != drawn[1].read_bytes()


def test_a_rebuild_makes_only_the_cards_whose_inputs_changed(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = site("posts")
    (srcdir / "source" / "posts" / "5_chinese.md").write_text(CHINESE, encoding="utf-8")
    first = build(srcdir, confoverrides={"html_baseurl": BASE})
    before = cards(first)
    folder = first.outdir / "_images" / "social"
    times = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}

    again = build(srcdir, confoverrides={"html_baseurl": BASE})
    assert made(again) == (0, 4)
    assert {path.name: path.stat().st_mtime_ns for path in folder.iterdir()} == times

    post = srcdir / "source" / "posts" / "3_deposits.md"
    post.write_text(post.read_text(encoding="utf-8").replace("Deposits", "Down payments"), encoding="utf-8")
    edited = build(srcdir, confoverrides={"html_baseurl": BASE})
    assert warnings_of(edited) == []
    assert made(edited) == (1, 3)
    after = cards(edited)
    assert after["3_deposits"] != before["3_deposits"]
    assert {key: value for key, value in after.items() if key != "3_deposits"} == {
        key: value for key, value in before.items() if key != "3_deposits"
    }
    # The old card is gone from the site, as after a clean build.
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        address.rsplit("/", 1)[1] for address in after.values()
    )


def test_a_parallel_build_names_the_same_cards(site: Callable[[str], Path], tmp_path: Path) -> None:
    srcdir = site("posts")
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    for outdir, extra in ((serial, ()), (parallel, ("-j", "2"))):
        warnings = build_html(srcdir, outdir, "-D", f"html_baseurl={BASE}", *extra)
        assert "WARNING" not in warnings
    for post in POSTS:
        pages = [
            BeautifulSoup((outdir / f"source/posts/{post}.html").read_text(encoding="utf-8"), "html.parser")
            for outdir in (serial, parallel)
        ]
        assert card_of(pages[0]) == card_of(pages[1])
    assert sorted(path.name for path in (serial / "_images" / "social").iterdir()) == sorted(
        path.name for path in (parallel / "_images" / "social").iterdir()
    )
