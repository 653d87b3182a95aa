"""Related answers at the end of each post: the lists, and that every kind of build agrees."""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from docutils import nodes
from sphinx.testing.util import SphinxTestApp

from sourcebook.knowledge import related as related_module
from sourcebook.knowledge.related import (
    STORE_ATTRIBUTE,
    RelatedCollector,
    RelatedStore,
    kb_related_list,
    related_store,
)

from conftest import clean_copy, html_of, warnings_of

POSTS = "source/posts"

#: Each post's topic: its topic-mates share tags and words, so they always come first.
TOPICS = {
    "mould-ownership": "moulds",
    "tooling-cost": "moulds",
    "mould-life": "moulds",
    "deposit-size": "payments",
    "balance-payment": "payments",
    "letter-of-credit": "payments",
    "pre-shipment-inspection": "inspections",
    "aql-sampling": "inspections",
    "incoterms": "shipping",
    "container-loading": "shipping",
}

#: Topic-mates first, best first; then the posts that share a few words (the balance is paid
#: after the final inspection, a letter of credit needs shipping documents...). A post that
#: shares words with only two others lists two.
EXPECTED = {
    "mould-ownership": ["tooling-cost", "mould-life", "deposit-size", "letter-of-credit"],
    "tooling-cost": ["mould-life", "mould-ownership", "container-loading"],
    "mould-life": ["tooling-cost", "mould-ownership", "deposit-size", "container-loading"],
    "deposit-size": ["balance-payment", "letter-of-credit", "mould-ownership", "mould-life"],
    "balance-payment": ["deposit-size", "letter-of-credit", "pre-shipment-inspection", "aql-sampling"],
    "letter-of-credit": ["deposit-size", "balance-payment", "incoterms", "mould-ownership"],
    "pre-shipment-inspection": ["aql-sampling", "balance-payment", "letter-of-credit", "mould-ownership"],
    "aql-sampling": ["pre-shipment-inspection", "balance-payment"],
    "incoterms": ["container-loading", "letter-of-credit", "mould-ownership", "balance-payment"],
    "container-loading": ["incoterms", "tooling-cost", "pre-shipment-inspection", "balance-payment"],
}

SIMILAR_POST = """---
slug: '/letter-of-credit-fees'
title: 'What does a letter of credit cost in bank fees?'
date: '2022-05-05'
tags: [payment, bank]
---

The bank fees of a letter of credit: the issuing bank, the advising bank and the confirming
bank each charge for the credit, and every discrepancy in the documents costs another fee.
Compare them with [the letter of credit answer](/letter-of-credit) before you open one.
"""


def related_of(app: SphinxTestApp, post: str) -> list[str]:
    """The related posts a reader sees at the end of a post, as file names."""
    links = html_of(app, f"{POSTS}/{post}").select(".kb-related a")
    return [str(link["href"]).removesuffix(".html") for link in links]


def post_pages(app: SphinxTestApp) -> dict[str, str]:
    return {
        path.name: path.read_text(encoding="utf-8") for path in sorted((app.outdir / POSTS).glob("*.html"))
    }


def clean_build_of(srcdir: Path, build: Callable[..., SphinxTestApp], target: Path) -> SphinxTestApp:
    app = build(clean_copy(srcdir, target))
    assert warnings_of(app) == []
    return app


@pytest.fixture
def related(site: Callable[[str], Path], build: Callable[..., SphinxTestApp]) -> SphinxTestApp:
    app = build(site("related"))
    assert warnings_of(app) == []
    return app


def test_each_post_lists_its_related_posts_best_first(related: SphinxTestApp) -> None:
    assert {post: related_of(related, post) for post in TOPICS} == EXPECTED
    for post, others in EXPECTED.items():
        mates = [other for other in TOPICS if TOPICS[other] == TOPICS[post] and other != post]
        assert sorted(others[: len(mates)]) == sorted(mates)
        assert post not in others


def test_drafts_are_never_related(related: SphinxTestApp) -> None:
    # The draft is all about moulds, but it is not published.
    assert not (related.outdir / POSTS / "mould-draft.html").exists()
    assert all("mould-draft" not in others for others in EXPECTED.values())


def test_the_list_shows_titles_and_dates_before_referenced_by(related: SphinxTestApp) -> None:
    page = html_of(related, f"{POSTS}/deposit-size")
    section = page.select_one("section")
    blocks = [
        child for child in section.find_all("div", recursive=False) if "kb-post-header" not in child["class"]
    ]
    assert [block["class"][0] for block in blocks] == ["kb-related", "kb-backlinks"]
    related_block = blocks[0]
    assert related_block.select_one(".rubric").get_text() == "Related answers"
    assert "no-search" in related_block["class"]  # other posts' titles are not this page's words
    first = related_block.select_one("li")
    assert first.a.get_text() == "When should I pay the balance?"
    assert first.time["datetime"] == "2018-11-20" and first.time.get_text() == "November 20, 2018"


def related_blocks(app: SphinxTestApp, post: str) -> tuple[list[kb_related_list], list[nodes.container]]:
    """The "Related answers" of a post's resolved doctree: as one node, and as a container."""
    resolved = app.env.get_and_resolve_doctree(f"{POSTS}/{post}", app.builder, tags=app.tags)
    containers = [node for node in resolved.findall(nodes.container) if "kb-related" in node["classes"]]
    return list(resolved.findall(kb_related_list)), containers


def test_html_builders_write_the_list_as_sphinx_writes_its_nodes(
    site: Callable[[str], Path],
    build: Callable[..., SphinxTestApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HTML builders get the list as one node written straight to HTML: the pages are the ones
    Sphinx writes from the container, rubric and list that other builders get, byte for byte."""
    fast = build(site("related"))
    assert warnings_of(fast) == []
    single, containers = related_blocks(fast, "deposit-size")
    assert len(single) == 1 and containers == []

    monkeypatch.setattr(related_module, "translator_writes", lambda app, node_class: False)
    generic = clean_build_of(fast.srcdir, build, tmp_path / "generic")
    single, containers = related_blocks(generic, "deposit-size")
    assert single == [] and len(containers) == 1
    assert related_of(fast, "deposit-size") == EXPECTED["deposit-size"]
    assert post_pages(fast) == post_pages(generic)


def test_other_builders_get_the_list_as_nodes(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("related"), "text")
    text = (app.outdir / POSTS / "deposit-size.txt").read_text(encoding="utf-8")
    assert "Related answers" in text
    assert "When should I pay the balance? · November 20, 2018" in text


def test_pages_that_are_not_posts_list_nothing(related: SphinxTestApp) -> None:
    assert html_of(related, "index").select(".kb-related") == []
    assert html_of(related, "source/glossary").select(".kb-related") == []


def test_glossary_terms_and_profiles_are_stored_per_post(related: SphinxTestApp) -> None:
    store = related_store(related.env)
    assert store.terms[f"{POSTS}/aql-sampling"] == ["aql"]
    assert store.terms[f"{POSTS}/deposit-size"] == ["t/t"]
    assert f"{POSTS}/mould-ownership" not in store.terms
    assert sorted(store.profiles) == sorted(f"{POSTS}/{post}" for post in TOPICS)
    # The header (dates, tags) is not text of the post; the title is.
    assert "payment" not in store.profiles[f"{POSTS}/deposit-size"]  # only a tag there
    assert store.profiles[f"{POSTS}/mould-life"]["mould"] >= 6


@pytest.mark.parametrize(("count", "shown"), [(2, 2), (0, 0)])
def test_kb_related_count(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], count: int, shown: int
) -> None:
    app = build(site("related"), confoverrides={"kb_related_count": count})
    assert warnings_of(app) == []
    assert {post: related_of(app, post) for post in TOPICS} == {
        post: others[:shown] for post, others in EXPECTED.items()
    }
    if not count:
        assert html_of(app, f"{POSTS}/deposit-size").select(".kb-related") == []
        assert related_store(app.env).profiles == {}


def test_previewed_drafts_are_shown_but_never_related(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("related"), confoverrides={"kb_preview": True})
    assert warnings_of(app) == []
    assert html_of(app, f"{POSTS}/mould-draft").select(".kb-related") == []
    assert {post: related_of(app, post) for post in TOPICS} == EXPECTED


def test_two_builds_give_the_same_pages(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    first = build(site("related"))
    second = clean_build_of(first.srcdir, build, tmp_path / "again")
    assert warnings_of(first) == []
    assert post_pages(first) == post_pages(second)


def test_a_new_similar_post_updates_related_posts_incrementally(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    srcdir = site("related")
    first = build(srcdir)
    assert warnings_of(first) == []
    read_at = dict(first.env.all_docs)
    (srcdir / POSTS / "letter-of-credit-fees.md").write_text(SIMILAR_POST, encoding="utf-8")
    incremental = build(srcdir)
    assert warnings_of(incremental) == []
    # Only the new post was read; the others were written again from their stored doctrees.
    assert {doc for doc, when in incremental.env.all_docs.items() if read_at.get(doc) != when} == {
        f"{POSTS}/letter-of-credit-fees"
    }
    assert related_of(incremental, "letter-of-credit")[0] == "letter-of-credit-fees"
    backlinks = html_of(incremental, f"{POSTS}/letter-of-credit").select(".kb-backlinks a")
    assert [link.get_text() for link in backlinks] == ["What does a letter of credit cost in bank fees?"]
    clean = clean_build_of(srcdir, build, tmp_path / "clean-added")
    assert post_pages(incremental) == post_pages(clean)

    # And back: deleting it restores every list, still without a full rebuild.
    (srcdir / POSTS / "letter-of-credit-fees.md").unlink()
    removed = build(srcdir)
    assert warnings_of(removed) == []
    assert {post: related_of(removed, post) for post in TOPICS} == EXPECTED
    assert post_pages(removed) == post_pages(clean_build_of(srcdir, build, tmp_path / "clean-removed"))


def test_an_environment_from_before_related_answers_reads_the_posts_again(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    srcdir = site("related")
    first = build(srcdir)
    pickled = first.doctreedir / "environment.pickle"
    env = pickle.loads(pickled.read_bytes())
    delattr(env, STORE_ATTRIBUTE)
    pickled.write_bytes(pickle.dumps(env, pickle.HIGHEST_PROTOCOL))
    second = build(srcdir)
    assert warnings_of(second) == []
    assert "0 added, 10 changed, 0 removed" in second.status.getvalue()  # the posts, nothing else
    assert {post: related_of(second, post) for post in TOPICS} == EXPECTED
    assert post_pages(second) == post_pages(first)


def test_a_parallel_build_equals_a_serial_build(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp], tmp_path: Path
) -> None:
    serial_src = site("related")
    parallel_src = tmp_path / "parallel"
    shutil.copytree(serial_src, parallel_src)
    serial = build(serial_src)
    parallel = build(parallel_src, parallel=2)
    assert warnings_of(serial) == warnings_of(parallel) == []
    assert {post: related_of(parallel, post) for post in TOPICS} == EXPECTED
    assert post_pages(parallel) == post_pages(serial)


def test_merged_profiles_share_their_terms() -> None:
    """A reading batch's profiles arrive unpickled, each with strings of its own; merged, posts
    that share a term share one string, which the environment's next pickle writes once."""
    first = pickle.loads(pickle.dumps({"mould": 3, "steel": 2}))
    second = pickle.loads(pickle.dumps({"mould": 1, "tooling": 2}))
    assert next(iter(first)) is not next(iter(second))
    theirs = SimpleNamespace(**{STORE_ATTRIBUTE: RelatedStore(profiles={"a": first, "b": second})})
    ours = SimpleNamespace(**{STORE_ATTRIBUTE: RelatedStore()})
    RelatedCollector().merge_other(cast("Any", None), cast("Any", ours), {"a", "b"}, cast("Any", theirs))
    merged = related_store(cast("Any", ours)).profiles
    assert merged == {"a": first, "b": second}
    assert next(iter(merged["a"])) is next(iter(merged["b"]))
