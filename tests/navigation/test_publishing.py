"""The publishing surface: old Gatsby URLs, feeds, sitemap.xml, robots.txt, 404 page, canonical links."""

from __future__ import annotations

import html
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

from sourcebook.navigation.feeds import build_feed, serialise
from sourcebook.navigation.redirects import redirect_page, remove_stale_redirects
from sourcebook.posts.store import PostRecord

from conftest import clean_copy, html_of, warnings_of

BASE = "https://kb.example.com/docs/"
RTD = "https://proj.readthedocs.io/en/latest/"
NASTY = "Deposits </script><script>alert('x')</script> & \"quotes\""
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PUBLISHED = {
    "force-manufacturers-to-accept-rework-of-defective-goods": "source/posts/1_defective_goods.html",
    "Incoterms-And-You": "source/posts/2_incoterms.html",
    "3-deposits": "source/posts/3_deposits.html",
}
NEWEST_FIRST = ["source/posts/3_deposits", "source/posts/2_incoterms", "source/posts/1_defective_goods"]

Build = Callable[..., SphinxTestApp]
Site = Callable[[str], Path]


def with_base(base: str = BASE, **overrides: object) -> dict[str, object]:
    return {"confoverrides": {"html_baseurl": base, **overrides}}


def file_of(outdir: Path, url: str, base: str = BASE) -> Path:
    """The output file an absolute URL of the site is served from."""
    assert url.startswith(base), url
    path = outdir / unquote(url.removeprefix(base))
    return path / "index.html" if url.endswith("/") else path


def follow(page: Path, href: str) -> Path:
    """The file a relative link on ``page`` leads to."""
    target = (page.parent / unquote(urlsplit(href).path)).resolve()
    return target / "index.html" if href.endswith("/") else target


def atom_entries(outdir: Path) -> list[ET.Element]:
    return ET.parse(outdir / "atom.xml").getroot().findall(f"{ATOM}entry")


def rss_items(outdir: Path) -> list[ET.Element]:
    return ET.parse(outdir / "rss.xml").getroot().findall("channel/item")


def sitemap_urls(outdir: Path) -> list[str]:
    root = ET.parse(outdir / "sitemap.xml").getroot()
    return [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]


def published_files(outdir: Path) -> dict[str, bytes]:
    """Every file this feature writes, by path."""
    names = ["atom.xml", "rss.xml", "sitemap.xml", "robots.txt"]
    paths = [outdir / name for name in names] + sorted((outdir / "blog").rglob("*"))
    return {path.relative_to(outdir).as_posix(): path.read_bytes() for path in paths if path.is_file()}


def add_post(srcdir: Path, name: str, date: str, slug: str) -> None:
    (srcdir / "source" / "posts" / f"{name}.md").write_text(
        f"---\nslug: '/{slug}'\ntitle: 'Answer {name}'\ndate: '{date}'\ntags: [extra]\n---\n\n"
        f"Text of {name}.\n",
        encoding="utf-8",
    )


@pytest.fixture
def built(site: Site, build: Build) -> SphinxTestApp:
    return build(site("posts"), **with_base())


# Old URLs


def test_each_published_post_keeps_its_gatsby_url(built: SphinxTestApp) -> None:
    assert warnings_of(built) == []
    outdir = built.outdir
    redirects = {path.parent.name: path for path in (outdir / "blog").glob("*/index.html")}
    assert sorted(redirects) == sorted(PUBLISHED), "one per published post, none for the draft"
    for slug, target in PUBLISHED.items():
        page = BeautifulSoup(redirects[slug].read_text(encoding="utf-8"), "html.parser")
        [canonical] = page.find_all("link", rel="canonical")
        assert canonical["href"] == BASE + target
        [refresh] = page.find_all("meta", attrs={"http-equiv": "refresh"})
        delay, url = str(refresh["content"]).split("; url=")
        assert delay == "0" and url == "../../" + target
        [link] = page.find_all("a")
        assert link["href"] == url
        assert follow(redirects[slug], url) == (outdir / target).resolve()
        assert (outdir / target).is_file()


def test_a_slug_with_letters_beyond_ascii_keeps_its_spelling(site: Site, build: Build) -> None:
    srcdir = site("posts")
    add_post(srcdir, "5_contract", "2023-01-01", "合同-Vertrag-größe")
    app = build(srcdir, **with_base())
    assert warnings_of(app) == []
    redirect = app.outdir / "blog" / "合同-Vertrag-größe" / "index.html"
    page = BeautifulSoup(redirect.read_text(encoding="utf-8"), "html.parser")
    assert follow(redirect, page.find("a")["href"]) == (app.outdir / "source/posts/5_contract.html").resolve()


def test_only_our_stale_redirect_pages_are_removed(tmp_path: Path) -> None:
    page = redirect_page(title="T", target="../../x.html", canonical="", language="en")
    for name, text in {"old/deeper": page, "kept": page, "theirs": "<html>a page of the site</html>"}.items():
        (tmp_path / "blog" / name).mkdir(parents=True)
        (tmp_path / "blog" / name / "index.html").write_text(text, encoding="utf-8")
    remove_stale_redirects(tmp_path, {"blog/kept/index.html"})
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "blog",
        "blog/kept",
        "blog/kept/index.html",
        "blog/theirs",
        "blog/theirs/index.html",
    ]


def test_redirect_page_escapes_the_title(built: SphinxTestApp) -> None:
    raw = (built.outdir / "blog/3-deposits/index.html").read_text(encoding="utf-8")
    assert "<script" not in raw
    page = BeautifulSoup(raw, "html.parser")
    assert page.title is not None and page.title.get_text() == NASTY
    assert page.find("a") is not None and page.find("a").get_text() == NASTY


def test_dirhtml_redirects_and_links_point_at_folders(site: Site, build: Build) -> None:
    app = build(site("posts"), buildername="dirhtml", **with_base())
    assert warnings_of(app) == []
    redirect = app.outdir / "blog/Incoterms-And-You/index.html"
    page = BeautifulSoup(redirect.read_text(encoding="utf-8"), "html.parser")
    assert page.find("link", rel="canonical")["href"] == BASE + "source/posts/2_incoterms/"
    assert follow(redirect, page.find("a")["href"]).is_file()
    for url in sitemap_urls(app.outdir) + [
        entry.find(f"{ATOM}id").text for entry in atom_entries(app.outdir)
    ]:
        assert url.endswith("/") and file_of(app.outdir, str(url)).is_file(), url


# Canonical and feed links in every page's head


@pytest.mark.parametrize("theme", ["basic", "sphinx_book_theme"])
def test_every_page_has_a_canonical_url_and_feed_links(site: Site, build: Build, theme: str) -> None:
    app = build(site("posts"), **with_base(html_theme=theme))
    assert warnings_of(app) == []
    pages = [
        path
        for path in app.outdir.rglob("*.html")
        if path.relative_to(app.outdir).parts[0] not in ("blog", "_static")  # redirects, theme files
    ]
    assert len(pages) > 5
    for path in pages:
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        relative = path.relative_to(app.outdir).as_posix()
        assert [link["href"] for link in page.find_all("link", rel="canonical")] == [BASE + relative]
        feeds = {link["type"]: link["href"] for link in page.find_all("link", rel="alternate")}
        assert feeds == {"application/atom+xml": BASE + "atom.xml", "application/rss+xml": BASE + "rss.xml"}


@pytest.mark.parametrize("theme", ["basic", "sphinx_book_theme"])
def test_not_found_page_links_work_from_any_depth(site: Site, build: Build, theme: str) -> None:
    app = build(site("posts"), **with_base(html_theme=theme))
    assert warnings_of(app) == []
    page = html_of(app, "404")
    assert page.html is not None and page.html["data-content_root"] == "/docs/"
    stylesheets = [link["href"] for link in page.find_all("link", rel="stylesheet")]
    scripts = [script["src"] for script in page.find_all("script", src=True)]
    links = [a["href"] for a in page.find_all("a", href=True) if re.match(r"[^#:]+$", a["href"])]
    assert stylesheets and scripts and links
    for href in stylesheets + scripts + links:
        assert href.startswith("/docs/"), href
        assert (app.outdir / urlsplit(href).path.removeprefix("/docs/")).is_file(), href


def test_a_not_found_prefix_set_by_the_site_is_kept(site: Site, build: Build) -> None:
    app = build(site("posts"), **with_base(notfound_urls_prefix="/kb/"))
    stylesheets = [link["href"] for link in html_of(app, "404").find_all("link", rel="stylesheet")]
    assert stylesheets and all(href.startswith("/kb/_static/") for href in stylesheets)


# Feeds


def test_atom_feed_lists_published_posts_newest_first(built: SphinxTestApp) -> None:
    root = ET.parse(built.outdir / "atom.xml").getroot()
    assert root.findtext(f"{ATOM}id") == BASE
    assert root.findtext(f"{ATOM}title") == "Fixture KB"
    assert root.findtext(f"{ATOM}updated") == "2020-11-02T09:15:00+00:00"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": BASE + "atom.xml", "alternate": BASE}
    entries = atom_entries(built.outdir)
    assert [entry.findtext(f"{ATOM}id") for entry in entries] == [
        BASE + f"{doc}.html" for doc in NEWEST_FIRST
    ]
    for entry in entries:
        [link] = entry.findall(f"{ATOM}link")
        assert link.get("href") == entry.findtext(f"{ATOM}id")
        assert file_of(built.outdir, str(link.get("href"))).is_file()
    deposits, incoterms, defective = entries
    assert deposits.findtext(f"{ATOM}title") == NASTY
    assert incoterms.findtext(f"{ATOM}title") == 'Incoterms & you: what "FOB" <really> means'
    assert incoterms.findtext(f"{ATOM}summary") == (
        'Who pays for what, and when the <risk> passes to "you" & your forwarder.'
    )
    assert incoterms.findtext(f"{ATOM}published") == "2019-03-01T00:00:00+00:00"
    assert incoterms.findtext(f"{ATOM}updated") == "2019-03-05T08:30:00+08:00"
    assert [c.get("term") for c in incoterms.findall(f"{ATOM}category")] == ["Incoterms", "shipping", "FOB"]
    assert defective.findtext(f"{ATOM}summary", "").startswith("This question occurs very often")
    assert "Unfinished" not in (built.outdir / "atom.xml").read_text(encoding="utf-8")


def test_rss_feed_lists_published_posts_newest_first(built: SphinxTestApp) -> None:
    channel = ET.parse(built.outdir / "rss.xml").getroot().find("channel")
    assert channel is not None
    assert channel.findtext("link") == BASE
    assert channel.findtext("title") == "Fixture KB"
    assert channel.findtext("description")
    assert channel.findtext("lastBuildDate") == "Mon, 02 Nov 2020 09:15:00 +0000"
    items = rss_items(built.outdir)
    assert [item.findtext("link") for item in items] == [BASE + f"{doc}.html" for doc in NEWEST_FIRST]
    assert [item.findtext("guid") for item in items] == [item.findtext("link") for item in items]
    deposits, incoterms, _ = items
    assert deposits.findtext("title") == NASTY
    assert incoterms.findtext("pubDate") == "Fri, 01 Mar 2019 00:00:00 +0000"
    # Feed readers show an RSS description as HTML: the text arrives escaped as HTML, once more.
    assert incoterms.findtext("description") == (
        'Who pays for what, and when the &lt;risk&gt; passes to "you" &amp; your forwarder.'
    )
    assert [category.text for category in incoterms.findall("category")] == ["Incoterms", "shipping", "FOB"]


@pytest.mark.parametrize("title", ['"', "&", "<", "</script>", 'a]]>b <![CDATA[ & "q" </script>'])
def test_feed_text_is_escaped(title: str) -> None:
    post = PostRecord(
        docname="p", title=title, slug="p", date="2020-01-01", updated=None, description=title, tags=[title]
    )
    feed = build_feed(
        [post], site=BASE, title=title, language="en", url_of=lambda docname: f"{BASE}{docname}.html"
    )
    documents = serialise(feed, BASE)
    atom = ET.fromstring(documents["atom.xml"])
    assert atom.findtext(f"{ATOM}title") == title
    assert atom.findtext(f"{ATOM}entry/{ATOM}title") == title
    assert atom.findtext(f"{ATOM}entry/{ATOM}summary") == title
    assert atom.find(f"{ATOM}entry/{ATOM}category").get("term") == title
    rss = ET.fromstring(documents["rss.xml"])
    assert rss.findtext("channel/item/title") == title
    assert rss.findtext("channel/item/category") == title
    assert rss.findtext("channel/item/description") == html.escape(title, quote=False)


def test_feed_drops_characters_xml_cannot_hold() -> None:
    post = PostRecord(
        docname="p", title="Tab\tand\x0bform\x0c", slug="p", date="2020-01-01", updated=None, description=""
    )
    feed = build_feed([post], site=BASE, title="KB", language="en", url_of=lambda docname: BASE)
    atom = serialise(feed, BASE)["atom.xml"]
    assert ET.fromstring(atom).findtext(f"{ATOM}entry/{ATOM}title") == "Tab\tandform"


def test_drafts_stay_out_of_feeds_redirects_and_sitemap_even_in_preview(site: Site, build: Build) -> None:
    app = build(site("posts"), **with_base(kb_preview=True))
    assert warnings_of(app) == []
    assert (app.outdir / "source/posts/4_draft.html").is_file()
    assert len(atom_entries(app.outdir)) == len(rss_items(app.outdir)) == 3
    assert not (app.outdir / "blog/unfinished-thoughts").exists()
    assert BASE + "source/posts/4_draft.html" not in sitemap_urls(app.outdir)


def test_feeds_hold_the_newest_posts_up_to_kb_feed_size(site: Site, build: Build) -> None:
    app = build(site("posts"), **with_base(kb_feed_size=2))
    assert warnings_of(app) == []
    newest_two = [BASE + f"{doc}.html" for doc in NEWEST_FIRST[:2]]
    assert [entry.findtext(f"{ATOM}id") for entry in atom_entries(app.outdir)] == newest_two
    assert [item.findtext("link") for item in rss_items(app.outdir)] == newest_two
    # The feed's date is its newest post's, whatever it leaves out.
    assert (
        ET.parse(app.outdir / "atom.xml").getroot().findtext(f"{ATOM}updated") == "2020-11-02T09:15:00+00:00"
    )


# Sitemap and robots.txt


def test_sitemap_lists_every_page_with_absolute_urls(built: SphinxTestApp) -> None:
    outdir = built.outdir
    urls = sitemap_urls(outdir)
    assert urls == sorted(urls)
    for url in urls:
        assert url.startswith(BASE) and file_of(outdir, url).is_file(), url
    on_disk = {
        BASE + path.relative_to(outdir).as_posix()
        for path in outdir.rglob("*.html")
        if path.relative_to(outdir).parts[0] not in ("blog", "_static")
    }
    not_listed = {BASE + page for page in ("404.html", "search.html", "genindex.html")}
    assert set(urls) == on_disk - not_listed, "generated pages (tags…) too"
    assert {BASE + "index.html", *(BASE + target for target in PUBLISHED.values())} <= set(urls)
    root = ET.parse(outdir / "sitemap.xml").getroot()
    modified = {entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod") for entry in root}
    assert modified[BASE + "source/posts/2_incoterms.html"] == "2019-03-05T08:30:00+08:00"
    assert modified[BASE + "source/posts/1_defective_goods.html"] == "2017-05-17"
    assert modified[BASE + "index.html"] is None


def test_robots_txt_points_to_the_sitemap(built: SphinxTestApp) -> None:
    assert (built.outdir / "robots.txt").read_text(encoding="utf-8") == (
        f"User-agent: *\nDisallow:\n\nSitemap: {BASE}sitemap.xml\n"
    )


@pytest.mark.parametrize("extra", ["extra", "extra/robots.txt"])
def test_a_robots_txt_shipped_by_the_site_is_kept(site: Site, build: Build, extra: str) -> None:
    srcdir = site("posts")
    (srcdir / "extra").mkdir()
    (srcdir / "extra" / "robots.txt").write_text("User-agent: *\nDisallow: /\n", encoding="utf-8")
    app = build(srcdir, **with_base(html_extra_path=[extra]))
    assert warnings_of(app) == []
    assert (app.outdir / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow: /\n"


# Base URL: none, or Read the Docs'


def test_without_a_base_url_nothing_absolute_is_written(site: Site, build: Build) -> None:
    app = build(site("posts"))
    assert warnings_of(app) == []
    assert "no base URL" in app.status.getvalue()
    for name in ("atom.xml", "rss.xml", "sitemap.xml", "robots.txt"):
        assert not (app.outdir / name).exists(), name
    redirect = app.outdir / "blog/Incoterms-And-You/index.html"
    page = BeautifulSoup(redirect.read_text(encoding="utf-8"), "html.parser")
    assert page.find_all("link", rel="canonical") == []
    assert (
        follow(redirect, page.find("a")["href"]) == (app.outdir / "source/posts/2_incoterms.html").resolve()
    )
    index = html_of(app, "index")
    assert index.find_all("link", rel="alternate") == index.find_all("link", rel="canonical") == []
    stylesheets = [link["href"] for link in html_of(app, "404").find_all("link", rel="stylesheet")]
    assert stylesheets and all(href.startswith("/_static/") for href in stylesheets)


def test_read_the_docs_canonical_url_is_used_everywhere(
    site: Site, build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READTHEDOCS_CANONICAL_URL", RTD)
    app = build(site("posts"), **with_base())
    assert warnings_of(app) == []
    outputs = [*app.outdir.rglob("*.html"), *app.outdir.glob("*.xml"), app.outdir / "robots.txt"]
    found: set[str] = set()
    for path in outputs:
        text = path.read_text(encoding="utf-8")
        assert "kb.example.com" not in text, path
        found |= {url for url in re.findall(r"https://proj\.readthedocs\.io/[^\"'<\s]*", text)}
    assert RTD + "source/posts/2_incoterms.html" in found
    assert all(url.startswith(RTD) for url in found)
    assert sitemap_urls(app.outdir) and all(url.startswith(RTD) for url in sitemap_urls(app.outdir))
    assert [entry.findtext(f"{ATOM}id") for entry in atom_entries(app.outdir)] == [
        RTD + f"{doc}.html" for doc in NEWEST_FIRST
    ]
    assert (app.outdir / "robots.txt").read_text(encoding="utf-8").endswith(f"Sitemap: {RTD}sitemap.xml\n")
    redirect = BeautifulSoup((app.outdir / "blog/3-deposits/index.html").read_text(), "html.parser")
    assert redirect.find("link", rel="canonical")["href"] == RTD + "source/posts/3_deposits.html"
    stylesheets = [link["href"] for link in html_of(app, "404").find_all("link", rel="stylesheet")]
    assert stylesheets and all(href.startswith("/en/latest/_static/") for href in stylesheets)


# Incremental and parallel builds


def test_incremental_build_updates_feeds_sitemap_and_redirects(
    site: Site, build: Build, tmp_path: Path
) -> None:
    srcdir = site("posts")
    first = build(srcdir, **with_base())
    assert warnings_of(first) == []
    add_post(srcdir, "5_moulds", "2023-04-01", "who-owns-the-mould")
    (srcdir / "source/posts/3_deposits.md").unlink()
    incoterms = srcdir / "source/posts/2_incoterms.md"
    incoterms.write_text(incoterms.read_text(encoding="utf-8").replace("Incoterms-And-You", "fob-explained"))
    incremental = build(srcdir, **with_base())
    assert warnings_of(incremental) == []
    assert "1 added, 1 changed, 1 removed" in incremental.status.getvalue()
    outdir = incremental.outdir
    assert sorted(path.parent.name for path in (outdir / "blog").glob("*/index.html")) == [
        "fob-explained",
        "force-manufacturers-to-accept-rework-of-defective-goods",
        "who-owns-the-mould",
    ]
    assert not (outdir / "blog/3-deposits").exists()
    new_url = BASE + "source/posts/5_moulds.html"
    assert [entry.findtext(f"{ATOM}id") for entry in atom_entries(outdir)] == [
        new_url,
        BASE + "source/posts/2_incoterms.html",
        BASE + "source/posts/1_defective_goods.html",
    ]
    assert rss_items(outdir)[0].findtext("link") == new_url
    assert new_url in sitemap_urls(outdir)
    assert BASE + "source/posts/1_defective_goods.html" in sitemap_urls(outdir), "unchanged pages stay"
    assert (outdir / "blog/who-owns-the-mould/index.html").is_file()

    clean_src = clean_copy(srcdir, tmp_path / "clean")
    clean = build(clean_src, **with_base())
    assert published_files(outdir) == published_files(clean.outdir)


def test_unchanged_rebuild_leaves_published_files_untouched(site: Site, build: Build) -> None:
    srcdir = site("posts")
    first = build(srcdir, **with_base())
    times = {path: (first.outdir / path).stat().st_mtime_ns for path in published_files(first.outdir)}
    before = published_files(first.outdir)
    again = build(srcdir, **with_base())
    assert published_files(again.outdir) == before
    for path in ("atom.xml", "rss.xml", "robots.txt", "blog/3-deposits/index.html"):
        assert (again.outdir / path).stat().st_mtime_ns == times[path], path


def test_feeds_are_generated_again_only_when_what_they_show_changes(site: Site, build: Build) -> None:
    srcdir = site("posts")
    first = build(srcdir, **with_base())
    atom = first.outdir / "atom.xml"
    written = atom.stat().st_mtime_ns
    post = srcdir / "source/posts/1_defective_goods.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nA last paragraph, past the excerpt.\n")
    build(srcdir, **with_base())
    assert atom.stat().st_mtime_ns == written, "the feeds show no post text beyond the excerpt"
    post.write_text(post.read_text(encoding="utf-8").replace("How can I force", "How do I make"))
    again = build(srcdir, **with_base())
    assert "How do I make" in atom.read_text(encoding="utf-8")
    assert "How do I make" in (again.outdir / "rss.xml").read_text(encoding="utf-8")


def test_a_rebuild_from_scratch_checks_the_feeds_once(site: Site, build: Build) -> None:
    """Regenerated with the same content, the feeds are kept, marked as checked, and left alone after."""
    srcdir = site("posts")
    first = build(srcdir, **with_base())
    atom = first.outdir / "atom.xml"
    content = atom.read_bytes()
    build(srcdir, freshenv=True, **with_base())
    assert atom.read_bytes() == content
    checked = atom.stat().st_mtime_ns
    build(srcdir, **with_base())
    assert atom.stat().st_mtime_ns == checked


def test_parallel_build_publishes_the_same_files(site: Site, build: Build, tmp_path: Path) -> None:
    serial_src = site("posts")
    for number in range(12):
        add_post(serial_src, f"extra_{number:02d}", f"2022-02-{number + 1:02d}", f"extra-{number}")
    parallel_src = tmp_path / "parallel"
    shutil.copytree(serial_src, parallel_src)
    serial = build(serial_src, **with_base())
    parallel = build(parallel_src, parallel=2, **with_base())
    assert " .. " in parallel.status.getvalue(), "Sphinx read and wrote in chunks, in parallel"
    assert warnings_of(serial) == warnings_of(parallel) == []
    assert len(atom_entries(parallel.outdir)) == 15
    assert published_files(parallel.outdir) == published_files(serial.outdir)
