"""The glossary page, automatic term links in posts, and "Mentioned in", on a small site."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from docutils import nodes
from sphinx import addnodes
from sphinx.testing.util import SphinxTestApp
from sphinx.util.inventory import InventoryFile

from sourcebook.knowledge import term_links as term_links_module
from sourcebook.knowledge.term_links import found_again, term_linked_text

from conftest import clean_copy, html_of, warnings_of

INSPECTION = "Why book a pre-shipment inspection?"
PAYMENT = "How much deposit should I pay?"
LETTERS = "Letters and deposits"
PSI_SHORT = "An inspection of finished goods before the balance is paid."
REWORK_SHORT = "Sorting and repairing defective goods so that the order meets the standard."
QC_SHORT = 'Checks that goods match the "golden sample" & the spec <before> they ship.'
DEPOSIT_SHORT = "The upfront payment a supplier asks for before production starts."
PI_SHORT = "The supplier's quotation in the form of an invoice, used to pay a deposit."
LC_SHORT = "A bank's promise to pay the supplier when the agreed documents are presented."
GLOSSARY = "../glossary.html"

Build = Callable[..., SphinxTestApp]
Site = Callable[[str], Path]


def build_clean(site: Site, build: Build, **kwargs: Any) -> SphinxTestApp:
    app = build(site("glossary"), **kwargs)
    assert warnings_of(app) == []
    return app


@pytest.fixture
def glossary(site: Site, build: Build) -> SphinxTestApp:
    return build_clean(site, build)


def body(app: SphinxTestApp, page: str) -> Tag:
    main = html_of(app, page).select_one("div.body")
    assert main is not None
    return main


def term_links(app: SphinxTestApp, page: str) -> list[tuple[str, str, str]]:
    """Every automatic term link of a page: (text, href, hover text)."""
    return [(a.get_text(), a["href"], a["title"]) for a in body(app, page).select("a.kb-term-link")]


def entry_of(page: BeautifulSoup, anchor: str) -> Tag:
    """The <dd> of the glossary entry whose term has ``anchor``."""
    term = page.find("dt", id=anchor)
    assert term is not None
    definition = term.find_next_sibling("dd")
    assert isinstance(definition, Tag)
    return definition


def mentioned_in(app: SphinxTestApp) -> dict[str, list[str]]:
    """Each entry (by anchor) to the titles its "Mentioned in" line lists."""
    page = html_of(app, "source/glossary")
    return {
        term["id"]: [a.get_text() for a in entry_of(page, term["id"]).select(".kb-glossary-mentions a")]
        for term in page.select("dt.kb-glossary-term")
    }


# --- The glossary page ---------------------------------------------------------------


def test_the_glossary_is_a_real_sphinx_glossary(glossary: SphinxTestApp) -> None:
    page = html_of(glossary, "source/glossary")
    sections = page.select("section.kb-glossary-category")
    assert [section.find("h2").get_text().rstrip("¶") for section in sections] == [
        "Inspections and quality",
        "Payments",
    ]
    assert [len(section.select("dl.glossary > dt.kb-glossary-term")) for section in sections] == [3, 3]
    # The term, each abbreviation and each synonym are link targets, in that order.
    first = sections[0].select_one("dl.glossary")
    assert [(dt["id"], dt["class"][0]) for dt in first.find_all("dt")][:3] == [
        ("term-pre-shipment-inspection", "kb-glossary-term"),
        ("term-psi", "kb-glossary-abbreviation"),
        ("term-final-random-inspection", "kb-glossary-synonym"),
    ]
    assert page.find("dt", id="term-l-c") is not None and page.find("dt", id="term-lc") is not None


def test_an_entry_shows_its_chinese_term_definition_and_see_also(glossary: SphinxTestApp) -> None:
    rework = entry_of(html_of(glossary, "source/glossary"), "term-rework")
    chinese = rework.select_one(".kb-glossary-chinese")
    assert chinese.get_text() == "Chinese: 返工 (fǎn gōng)"
    assert chinese.find("span", lang="zh-Hans").get_text() == "返工"
    assert chinese.find("span", lang="zh-Latn-pinyin").get_text() == "fǎn gōng"
    assert rework.select_one(".kb-glossary-definition").get_text() == (
        "The factory sorts the goods and repairs or replaces the defective ones."
    )
    see_also = rework.select(".kb-glossary-see-also a")
    assert [(a.get_text(), a["href"]) for a in see_also] == [
        ("Pre-shipment inspection", "#term-pre-shipment-inspection")
    ]


def test_terms_are_in_the_inventory(glossary: SphinxTestApp) -> None:
    inventory = InventoryFile.loads(
        (glossary.outdir / "objects.inv").read_bytes(), uri="https://kb.example.com/"
    )
    terms = inventory.data["std:term"]
    assert terms["PSI"].uri == "https://kb.example.com/source/glossary.html#term-psi"
    assert terms["Pre-shipment inspection"].uri.endswith("#term-pre-shipment-inspection")
    assert {"Rework", "repair work", "L/C", "LC", "documentary credit"} <= set(terms)


def test_the_term_role_works_on_any_page(glossary: SphinxTestApp) -> None:
    page = body(glossary, "index")
    assert [(a.get_text(), a["href"]) for a in page.select("a.reference")] == [
        ("PSI", "source/glossary.html#term-psi")
    ]
    # Pages that are not posts get no automatic links.
    assert page.select(".kb-term-link") == []


# --- Automatic term links ------------------------------------------------------------


def test_the_first_mention_links_to_the_glossary(glossary: SphinxTestApp) -> None:
    assert term_links(glossary, "source/posts/inspection") == [
        ("pre-shipment inspection", f"{GLOSSARY}#term-pre-shipment-inspection", PSI_SHORT),
        ("rework", f"{GLOSSARY}#term-rework", REWORK_SHORT),
        ("Quality control", f"{GLOSSARY}#term-quality-control", QC_SHORT),
    ]
    page = body(glossary, "source/posts/inspection")
    [link] = page.select('a[href$="#term-pre-shipment-inspection"]')
    assert link.find_parent("p").get_text().startswith("A pre-shipment inspection tells you")
    assert "kb-term-link" in link["class"]
    assert link.get_text() == "pre-shipment inspection"  # the mention itself, no wrapper
    # The text around the links is whole: nothing lost, nothing added.
    assert "Book the pre-shipment\ninspection early, and read the PSI report" in page.get_text()


def test_the_hover_text_is_escaped(glossary: SphinxTestApp) -> None:
    html = (glossary.outdir / "source/posts/inspection.html").read_text()
    escaped = "Checks that goods match the &quot;golden sample&quot; &amp; the spec &lt;before&gt; they ship."
    assert f'title="{escaped}"' in html


def test_nothing_is_linked_in_titles_headings_links_or_code(glossary: SphinxTestApp) -> None:
    page = body(glossary, "source/posts/inspection")
    for selector in ("h1", "h2", ".kb-post-header", "code", "pre"):
        assert all(element.select(".kb-term-link") == [] for element in page.select(selector)), selector
    [external] = page.select('a[href="https://example.com/rework"]')
    assert external.get_text() == "rework guide" and external.select(".kb-term-link") == []
    [rework] = page.select('a[href$="#term-rework"]')
    assert rework.find_parent("p").get_text().startswith("Ask for rework")
    assert "Never link a deposit or QC here." in page.select_one("pre").get_text()


def test_abbreviations_plurals_and_case(glossary: SphinxTestApp) -> None:
    assert term_links(glossary, "source/posts/payment") == [
        ("deposits", f"{GLOSSARY}#term-deposit", DEPOSIT_SHORT),
        ("PI", f"{GLOSSARY}#term-proforma-invoice", PI_SHORT),
        ("PSI", f"{GLOSSARY}#term-pre-shipment-inspection", PSI_SHORT),
        ("L/C", f"{GLOSSARY}#term-letter-of-credit", LC_SHORT),
    ]
    assert [link[0] for link in term_links(glossary, "source/posts/letters")] == ["documentary credit"]


def test_links_per_section(site: Site, build: Build) -> None:
    app = build_clean(site, build, confoverrides={"kb_term_links_scope": "section"})
    sections = body(app, "source/posts/inspection").select("section")
    links = [
        [a.get_text() for a in section.select("a.kb-term-link") if a.find_parent("section") is section]
        for section in sections
    ]
    assert links == [
        ["pre-shipment inspection"],
        ["rework"],
        ["Quality control", "pre-shipment inspection", "rework"],
    ]


def test_skip_list(site: Site, build: Build) -> None:
    app = build_clean(site, build, confoverrides={"kb_term_links_skip": ["PSI", "rework"]})
    assert [link[0] for link in term_links(app, "source/posts/inspection")] == [
        "pre-shipment inspection",
        "Quality control",
    ]
    assert [link[0] for link in term_links(app, "source/posts/payment")] == ["deposits", "PI", "L/C"]


def test_term_links_off(site: Site, build: Build) -> None:
    app = build_clean(site, build, confoverrides={"kb_term_links": False})
    for post in ("inspection", "payment", "letters"):
        assert term_links(app, f"source/posts/{post}") == []
    assert html_of(app, "source/glossary").select(".kb-glossary-mentions") == []
    assert html_of(app, "source/glossary").select("dl.glossary")  # the glossary itself stays


def test_the_stored_doctree_holds_the_text_not_the_links(glossary: SphinxTestApp) -> None:
    """The links are put in as the page is written: the stored post has its text whole."""
    doctree = glossary.env.get_doctree("source/posts/payment")
    assert [node for node in doctree.findall(addnodes.pending_xref) if "kb_term" in node] == []
    assert list(doctree.findall(nodes.reference)) == []
    [paragraph] = [node for node in doctree.findall(nodes.paragraph) if node.astext().startswith("Pay the")]
    assert all(isinstance(child, nodes.Text) for child in paragraph.children)
    docname, texts = paragraph["kb_term_links"]
    assert docname == "source/posts/payment"
    assert [mention for _, _, mentions in texts for _, mention, _ in mentions] == ["deposits", "PI", "PSI"]


def with_posts_in_the_toctree(srcdir: Path) -> Path:
    index = srcdir / "index.md"
    posts = "source/posts/inspection\nsource/posts/payment\nsource/posts/letters\n"
    index.write_text(index.read_text().replace("source/glossary\n", f"source/glossary\n{posts}"))
    return srcdir


def page_html(app: SphinxTestApp, page: str) -> str:
    """A built page as written, without the assets' version numbers (``?v=``)."""
    return re.sub(r"\?v=[0-9a-f]+", "", (app.outdir / f"{page}.html").read_text(encoding="utf-8"))


def test_html_builders_write_each_linked_text_as_sphinx_writes_references(
    site: Site, build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTML builders get one node per linked text, whose links are written straight to HTML:
    the pages are those Sphinx writes from reference nodes, byte for byte."""
    srcdir = site("glossary")
    fast = build_clean(lambda _: srcdir, build)
    resolved = fast.env.get_and_resolve_doctree("source/posts/payment", fast.builder, tags=fast.tags)
    assert [node.astext() for node in resolved.findall(term_linked_text)] != []
    assert [node for node in resolved.findall(nodes.reference) if "kb-term-link" in node["classes"]] == []

    monkeypatch.setattr(term_links_module, "translator_writes", lambda app, node_class: False)
    generic = build(clean_copy(srcdir, tmp_path / "generic"))
    assert warnings_of(generic) == []
    resolved = generic.env.get_and_resolve_doctree("source/posts/payment", generic.builder, tags=generic.tags)
    assert list(resolved.findall(term_linked_text)) == []
    assert [node for node in resolved.findall(nodes.reference) if "kb-term-link" in node["classes"]] != []
    for post in ("inspection", "payment", "letters"):
        page = f"source/posts/{post}"
        assert term_links(fast, page) != []
        assert page_html(fast, page) == page_html(generic, page), post


def test_a_builder_without_the_glossary_page_keeps_the_mentions_as_text(site: Site, build: Build) -> None:
    """LaTeX with the posts in its document but not the glossary (no book appendix, not in the
    toctree): the mentions stay text."""
    srcdir = with_posts_in_the_toctree(site("glossary"))
    index = srcdir / "index.md"
    index.write_text(index.read_text().replace("source/glossary\n", ""))
    app = build(srcdir, "latex", confoverrides={"kb_book_appendices": ()})
    (document,) = Path(app.outdir).glob("*.tex")
    text = document.read_text(encoding="utf-8")
    assert "documentary credit" in text
    assert "term-" not in text  # no link to a glossary entry


def test_links_noted_before_smartquotes_arefound_again_in_its_text() -> None:
    """SmartQuotes may replace a text after its mentions were noted, and change its length
    (``--`` becomes a dash): the mentions are found again in order; one that is gone is left
    for the writer to match again."""
    before = nodes.Text("Ask -- then PSI and QC.")
    after = nodes.Text("Ask \u2013 then PSI and QC.")
    paragraph = nodes.paragraph("", "", nodes.Text("Lead "), after)
    stored = (1, len(before), ((12, "PSI", "psi"), (20, "QC", "qc")))
    assert found_again(paragraph, before, stored) == (1, len(after), ((11, "PSI", "psi"), (19, "QC", "qc")))
    gone = nodes.paragraph("", "", nodes.Text("Lead "), nodes.Text("Ask for a \u201cP.S.I.\u201d"))
    assert found_again(gone, before, stored) == stored


def test_a_single_page_build_links_the_posts_in_it(site: Site, build: Build) -> None:
    srcdir = site("glossary")
    index = srcdir / "index.md"
    posts = "source/posts/inspection\nsource/posts/payment\nsource/posts/letters\n"
    index.write_text(index.read_text().replace("source/glossary\n", f"source/glossary\n{posts}"))
    app = build(srcdir, "singlehtml")
    assert warnings_of(app) == []
    page = BeautifulSoup((app.outdir / "index.html").read_text(), "html.parser")
    assert [(a.get_text(), a["title"]) for a in page.select("a.kb-term-link")] == [
        ("pre-shipment inspection", PSI_SHORT),
        ("rework", REWORK_SHORT),
        ("Quality control", QC_SHORT),
        ("deposits", DEPOSIT_SHORT),
        ("PI", PI_SHORT),
        ("PSI", PSI_SHORT),
        ("L/C", LC_SHORT),
        ("documentary credit", LC_SHORT),
    ]
    # The glossary page as Sphinx gives it to the {term} role on the same page (the role names
    # the abbreviation's anchor, the link the entry's).
    [role] = [
        a for a in page.select("a.reference") if a.get_text() == "PSI" and "kb-term-link" not in a["class"]
    ]
    [link] = [a for a in page.select("a.kb-term-link") if a.get_text() == "PSI"]
    assert link["href"] == role["href"].replace("term-psi", "term-pre-shipment-inspection")


def test_a_text_changed_after_reading_is_matched_again(site: Site, build: Build) -> None:
    """A transform that rewrites a text before the links go in: they are found in the new text."""
    srcdir = site("glossary")
    with (srcdir / "conf.py").open("a") as conf:
        conf.write(REWORDING_EXTENSION)
    app = build(srcdir)
    assert warnings_of(app) == []
    assert [link[0] for link in term_links(app, "source/posts/payment")] == ["deposits", "PI", "PSI", "L/C"]
    assert body(app, "source/posts/payment").get_text().count("Always pay the deposits against a PI") == 1


REWORDING_EXTENSION = """

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform


class Reword(SphinxPostTransform):
    default_priority = 100

    def run(self, **kwargs):
        for text in list(self.document.findall(nodes.Text)):
            if text.startswith("Pay the deposits"):
                text.parent.replace(text, nodes.Text("Always pay" + text[3:]))


def setup(app):
    app.add_post_transform(Reword)
"""


# --- Mentioned in --------------------------------------------------------------------


def test_mentioned_in_lists_the_posts_newest_first(glossary: SphinxTestApp) -> None:
    assert mentioned_in(glossary) == {
        "term-pre-shipment-inspection": [PAYMENT, INSPECTION],
        "term-quality-control": [INSPECTION],
        "term-rework": [INSPECTION],
        "term-deposit": [PAYMENT],
        "term-letter-of-credit": [PAYMENT, LETTERS],
        "term-proforma-invoice": [PAYMENT],
    }
    links = entry_of(html_of(glossary, "source/glossary"), "term-rework").select(".kb-glossary-mentions a")
    assert [a["href"] for a in links] == ["posts/inspection.html"]


def test_mentioned_in_shows_ten_posts_then_a_count(site: Site, build: Build) -> None:
    srcdir = site("glossary")
    for number in range(12):
        (srcdir / "source" / "posts" / f"extra{number:02}.md").write_text(
            f"---\ntitle: 'Extra {number:02}'\ndate: '2020-01-{number + 1:02}'\n---\n\nOn rework.\n"
        )
    app = build(srcdir)
    assert warnings_of(app) == []
    line = entry_of(html_of(app, "source/glossary"), "term-rework").select_one(".kb-glossary-mentions")
    posts = line.select("a:not(.kb-mentions-rest)")
    assert [a.get_text() for a in posts] == [f"Extra {number:02}" for number in range(11, 1, -1)]
    assert line.get_text().endswith("Extra 02 and 3 more")
    # The rest are a search for the term away: its posts are indexed with its names.
    rest = line.select_one("a.kb-mentions-rest")
    assert (rest.get_text(), rest["href"]) == ("3 more", "../search.html?q=rework")
    assert (app.outdir / "search.html").is_file()


# --- Rebuilds ------------------------------------------------------------------------


def same_pages(first: SphinxTestApp, second: SphinxTestApp, pages: list[str]) -> None:
    for page in pages:
        assert (first.outdir / f"{page}.html").read_text() == (second.outdir / f"{page}.html").read_text(), (
            page
        )


PAGES = ["source/glossary", "source/posts/inspection", "source/posts/payment", "source/posts/letters"]


def test_a_new_post_updates_mentioned_in_incrementally(site: Site, build: Build, tmp_path: Path) -> None:
    srcdir = site("glossary")
    assert warnings_of(build(srcdir)) == []
    (srcdir / "source" / "posts" / "moulds.md").write_text(
        "---\ntitle: 'Who owns the mould?'\ndate: '2020-02-02'\n---\n\nAsk for rework, and a QC check.\n"
    )
    incremental = build(srcdir)
    assert warnings_of(incremental) == []
    # Only the new post is read; the glossary page is written again with its new lists.
    assert "1 added, 0 changed, 0 removed" in incremental.status.getvalue()
    mentions = mentioned_in(incremental)
    assert mentions["term-rework"] == ["Who owns the mould?", INSPECTION]
    assert mentions["term-quality-control"] == ["Who owns the mould?", INSPECTION]
    clean = build(clean_copy(srcdir, tmp_path / "clean"))
    assert warnings_of(clean) == []
    same_pages(incremental, clean, [*PAGES, "source/posts/moulds"])

    moulds = srcdir / "source" / "posts" / "moulds.md"
    moulds.write_text(moulds.read_text().replace("Who owns the mould?", "Moulds"))
    retitled = build(srcdir)
    assert warnings_of(retitled) == []
    assert mentioned_in(retitled)["term-rework"] == ["Moulds", INSPECTION]

    moulds.unlink()
    removed = build(srcdir)
    assert warnings_of(removed) == []
    assert mentioned_in(removed)["term-rework"] == [INSPECTION]


def test_editing_the_glossary_updates_the_posts(site: Site, build: Build, tmp_path: Path) -> None:
    srcdir = site("glossary")
    assert warnings_of(build(srcdir)) == []
    yaml_file = srcdir / "source" / "glossary.yaml"
    yaml_file.write_text(yaml_file.read_text().replace(REWORK_SHORT, "Fixing what failed."))
    incremental = build(srcdir)
    assert warnings_of(incremental) == []
    assert ("rework", f"{GLOSSARY}#term-rework", "Fixing what failed.") in term_links(
        incremental, "source/posts/inspection"
    )
    clean = build(clean_copy(srcdir, tmp_path / "clean"))
    assert warnings_of(clean) == []
    same_pages(incremental, clean, PAGES)


def test_an_edited_post_moves_its_links_incrementally(site: Site, build: Build, tmp_path: Path) -> None:
    srcdir = site("glossary")
    assert warnings_of(build(srcdir)) == []
    post = srcdir / "source" / "posts" / "payment.md"
    post.write_text(post.read_text().replace("Pay the deposits against a PI", "Pay against a quote"))
    incremental = build(srcdir)
    assert warnings_of(incremental) == []
    assert [link[0] for link in term_links(incremental, "source/posts/payment")] == [
        "PIs",
        "down payment",
        "PSI",
        "L/C",
    ]
    clean = build(clean_copy(srcdir, tmp_path / "clean"))
    assert warnings_of(clean) == []
    same_pages(incremental, clean, PAGES)


def test_parallel_build_equals_serial(site: Site, build: Build, tmp_path: Path) -> None:
    serial_src = site("glossary")
    for number in range(8):
        (serial_src / "source" / "posts" / f"extra{number}.md").write_text(
            f"---\ntitle: 'Extra {number}'\ndate: '2021-01-0{number + 1}'\n---\n\n"
            "A PSI, then a down payment by L/C.\n"
        )
    parallel_src = clean_copy(serial_src, tmp_path / "parallel")
    serial = build(serial_src)
    parallel = build(parallel_src, parallel=2)
    assert warnings_of(serial) == warnings_of(parallel) == []
    same_pages(serial, parallel, [*PAGES, "source/posts/extra0", "source/posts/extra7"])
    assert len(mentioned_in(parallel)["term-pre-shipment-inspection"]) == 10


# --- Problems ------------------------------------------------------------------------


def test_problems_in_the_glossary_file_are_warnings_at_their_line(site: Site, build: Build) -> None:
    srcdir = site("glossary")
    yaml_file = srcdir / "source" / "glossary.yaml"
    yaml_file.write_text(
        yaml_file.read_text().replace("  see_also: [Rework, Quality control]", "  see_also: [Rework, QA]")
        + "\n- term: Tooling\n  category: Production\n  definition: Moulds and fixtures.\n"
    )
    app = build(srcdir)
    assert warnings_of(app) == [
        "source/glossary.yaml:12: WARNING: 'see_also' of 'Pre-shipment inspection' names 'QA', which is not "
        "in the glossary; write the exact term of another entry [kb.glossary]",
        "source/glossary.yaml:67: WARNING: 'Tooling' has no 'short'; every entry needs term, category, "
        "short, definition [kb.glossary]",
    ]
    # The rest of the glossary is whole.
    see_also = entry_of(html_of(app, "source/glossary"), "term-pre-shipment-inspection")
    assert [a.get_text() for a in see_also.select(".kb-glossary-see-also a")] == ["Rework"]


def test_option_problems_are_config_warnings(site: Site, build: Build) -> None:
    app = build(
        site("glossary"),
        confoverrides={"kb_term_links_scope": "chapter", "kb_term_links_skip": ["Widget", "PSI"]},
    )
    assert warnings_of(app) == [
        "WARNING: kb_term_links_scope must be 'page' or 'section', not 'chapter'; using 'page' [kb.config]",
        "WARNING: kb_term_links_skip names 'Widget', which is no term, abbreviation or synonym in "
        "source/glossary.yaml [kb.config]",
    ]
    assert [link[0] for link in term_links(app, "source/posts/payment")] == ["deposits", "PI", "L/C"]


def test_a_missing_glossary_file(site: Site, build: Build) -> None:
    app = build(site("glossary"), confoverrides={"kb_glossary": "source/terms.yaml"})
    assert warnings_of(app) == [
        "WARNING: kb_glossary is 'source/terms.yaml', but there is no such file in the source folder; "
        "fix the path or set kb_glossary = '' [kb.config]"
    ]
    assert term_links(app, "source/posts/inspection") == []
    # The page shows the file its directive names.
    assert html_of(app, "source/glossary").select("dl.glossary")


def test_term_links_without_a_glossary_page(site: Site, build: Build) -> None:
    srcdir = site("glossary")
    (srcdir / "source" / "glossary.md").unlink()
    (srcdir / "index.md").write_text("# Glossary KB\n\nNo glossary page.\n")
    app = build(srcdir)
    assert warnings_of(app) == [
        "WARNING: posts mention terms of source/glossary.yaml, but no page shows it, so they are not "
        "linked; add a page with ```{kb:glossary}``` or set kb_term_links = False [kb.glossary]"
    ]
    page = body(app, "source/posts/inspection")
    assert page.select("a.kb-term-link") == [] and page.select(".kb-term") == []
    assert "A pre-shipment inspection tells you" in page.get_text()
