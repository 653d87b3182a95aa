"""Links between posts by slug, the kb:post role, backlinks and the inventory for intersphinx."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp
from sphinx.util.inventory import InventoryFile

from sourcebook.posts.slugs import slug_from_link

from conftest import clean_copy, html_of, warnings_of

REWORK = "How can I force Chinese manufacturers to accept rework of defective goods?"
PROTECT = "Protect your business when buying goods from China"
EXPECTED_WARNINGS = [
    "source/posts/protect.md:15: WARNING: no post has the slug 'force-manufacturer-to-accept-rework'; "
    "did you mean 'force-manufacturers-to-accept-rework-of-defective-goods'? [kb.link]",
    "source/posts/protect.md:15: WARNING: no post has the slug 'protect-your-busines'; "
    "did you mean 'protect-your-business-when-buying-goods-from-China'? [kb.link]",
]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/force-rework", ("force-rework", "")),
        ("/force-rework/", ("force-rework", "")),
        ("/blog/force-rework", ("force-rework", "")),
        ("/Blog/Force-Rework/#prepare", ("Force-Rework", "prepare")),
        ("force-rework", None),
        ("/images/blog/x.png", None),
        ("/source/posts/a.md", None),
        ("//cdn.example.com/x", None),
        ("/../etc", None),
    ],
)
def test_slug_from_link(target: str, expected: tuple[str, str] | None) -> None:
    assert slug_from_link(target) == expected


@pytest.fixture
def crossrefs(site: Callable[[str], Path], build: Callable[..., SphinxTestApp]) -> SphinxTestApp:
    app = build(site("crossrefs"))
    assert sorted(warnings_of(app)) == sorted(EXPECTED_WARNINGS)
    return app


def test_every_link_form_resolves_to_the_post(crossrefs: SphinxTestApp) -> None:
    page = html_of(crossrefs, "source/posts/protect")
    body = page.select_one("section")
    for block in body.select(".kb-backlinks, .kb-related"):
        block.decompose()
    links = [(a.get_text(), a["href"]) for a in body.select("a.reference.internal")]
    assert links == [
        ("how to force rework", "rework.html"),
        ("the same, Gatsby style", "rework.html"),
        ("preparing the field", "rework.html#prepare-the-field"),
        (REWORK, "rework.html"),  # the role shows the post's title
        ("read this", "#"),
    ]
    # Unknown slugs keep their text, without a link.
    assert "a typo" in body.get_text() and "protect-your-busines" in body.get_text()
    assert body.find("a", string="a typo") is None
    assert body.find("a", string="a site")["href"] == "https://example.com/blog/x"


def test_links_from_pages_that_are_not_posts(crossrefs: SphinxTestApp) -> None:
    link = html_of(crossrefs, "index").find("a", string="the rework answer")
    assert link is not None and link["href"] == "source/posts/rework.html"


def test_referenced_by(crossrefs: SphinxTestApp) -> None:
    backlinks = html_of(crossrefs, "source/posts/rework").select(".kb-backlinks a")
    assert [(a.get_text(), a["href"]) for a in backlinks] == [
        (PROTECT, "protect.html"),
        ("Cross-references", "../../index.html"),
    ]
    protect = html_of(crossrefs, "source/posts/protect").select(".kb-backlinks a")
    assert [a.get_text() for a in protect] == ["How much deposit?"]  # its own self-link does not count
    assert html_of(crossrefs, "source/posts/deposits").select(".kb-backlinks") == []


def test_referenced_by_stays_short_on_a_post_many_pages_link_to(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = site("crossrefs")
    for number in range(25):
        (srcdir / "source" / "posts" / f"fan_{number:02d}.md").write_text(
            f"---\ntitle: 'Fan {number:02d}'\ndate: '2021-01-{number + 1:02d}'\n---\n\n"
            "See [the deposit answer](/deposits).\n"
        )
    app = build(srcdir)
    block = html_of(app, "source/posts/deposits").select_one(".kb-backlinks")
    assert [a.get_text() for a in block.select("a")] == [f"Fan {number:02d}" for number in range(24, 4, -1)]
    assert block.select_one("p.kb-more").get_text() == "and 5 more"  # the five oldest


def test_inventory_lists_posts_under_their_slugs(crossrefs: SphinxTestApp) -> None:
    inventory = InventoryFile.loads(
        (crossrefs.outdir / "objects.inv").read_bytes(), uri="https://kb.example.com/"
    )
    posts = inventory.data["kb:post"]
    assert posts["force-manufacturers-to-accept-rework-of-defective-goods"].uri == (
        "https://kb.example.com/source/posts/rework.html"
    )
    assert posts["protect-your-business-when-buying-goods-from-China"].display_name == PROTECT


def test_a_new_linking_post_updates_backlinks_incrementally(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    srcdir = site("crossrefs")
    build(srcdir)
    (srcdir / "source" / "posts" / "moulds.md").write_text(
        "---\ntitle: 'Who owns the mould?'\ndate: '2020-02-02'\n---\n\nAsk for [a deposit plan](/deposits).\n"
    )
    incremental = build(srcdir)
    assert warnings_of(incremental) == []
    backlinks = html_of(incremental, "source/posts/deposits").select(".kb-backlinks a")
    assert [a.get_text() for a in backlinks] == ["Who owns the mould?"]

    clean_src = clean_copy(srcdir, tmp_path / "clean")
    clean = build(clean_src)
    for page in ("source/posts/deposits", "source/posts/rework", "source/posts/moulds"):
        assert (incremental.outdir / f"{page}.html").read_text() == (
            clean.outdir / f"{page}.html"
        ).read_text()


def test_parallel_build_resolves_the_same_links(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    serial_src = site("crossrefs")
    for number in range(8):
        (serial_src / "source" / "posts" / f"extra{number}.md").write_text(
            f"---\ntitle: 'Extra {number}'\ndate: '2021-01-0{number + 1}'\n---\n\n"
            "See [deposits](/deposits).\n"
        )
    parallel_src = tmp_path / "parallel"
    shutil.copytree(serial_src, parallel_src)
    serial = build(serial_src)
    parallel = build(parallel_src, parallel=2)
    assert sorted(warnings_of(parallel)) == sorted(warnings_of(serial))
    for page in ("source/posts/deposits", "source/posts/rework", "source/posts/protect"):
        assert (parallel.outdir / f"{page}.html").read_text() == (serial.outdir / f"{page}.html").read_text()
