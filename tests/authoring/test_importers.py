"""``sourcebook import``: tiny Gatsby, Jekyll, Hugo and Docusaurus blogs, made here, imported
into a copy of the ``posts`` fixture site, checked and built."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from sphinx.testing.util import SphinxTestApp

from sourcebook.authoring.cli import main
from sourcebook.authoring.importers import as_date, as_list, split_frontmatter
from sourcebook.posts.frontmatter import parse_post

from conftest import html_of, warnings_of

ImportRun = Callable[..., tuple[int, list[str]]]


def png(path: Path, colour: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), colour).save(path)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def gatsby_blog(root: Path) -> Path:
    write(
        root / "src" / "posts" / "moulds.md",
        "---\nslug: '/who-owns-the-mould'\ntitle: 'Who owns the mould?'\ndate: '2018-04-01'\n"
        "featuredImage: '../images/mould.png'\ntags: 'tooling, moulds'\n---\n\n"
        "The factory keeps it.\n\n![A mould](../images/mould.png)\n\n![A ship](../images/2_ship.png)\n",
    )
    png(root / "src" / "images" / "mould.png", (200, 10, 10))
    # The site already has a different 2_ship.png: this one must be renamed, not overwrite it.
    png(root / "src" / "images" / "2_ship.png", (10, 200, 10))
    return root


def jekyll_blog(root: Path) -> Path:
    write(root / "_config.yml", "title: Old blog\n")
    write(
        root / "_posts" / "2019-06-10-sample-orders.md",
        "---\nlayout: post\ntitle: 'Sample orders: what to ask for'\ndate: 2019-06-10 10:00:00 +0200\n"
        "categories: sourcing samples\ntags: [quality]\nimage: /assets/img/sample.png\n---\n\n"
        "Ask for three.\n\n![Sample](/assets/img/sample.png)\n\n"
        "See [the other post]({{ site.baseurl }}{% link _posts/2019-06-10-sample-orders.md %}).\n",
    )
    write(root / "_posts" / "notes.md", "---\ntitle: Notes\n---\n\nNot a dated post.\n")
    png(root / "assets" / "img" / "sample.png", (10, 10, 200))
    return root


def hugo_blog(root: Path) -> Path:
    write(root / "hugo.toml", "title = 'Old blog'\n")
    write(root / "content" / "posts" / "_index.md", "---\ntitle: Posts\n---\n")
    write(
        root / "content" / "posts" / "factory-audit.md",
        "---\ntitle: Factory audits, explained\ndate: 2020-09-01\nlastmod: 2020-09-03\n"
        "tags: [audit]\ncategories: [quality]\nimages: [/images/audit.png]\nauthor: Ana\n---\n\n"
        "What an audit checks.\n\n![Audit](/images/audit.png)\n",
    )
    write(
        root / "content" / "posts" / "payment-terms" / "index.md",
        '+++\ntitle = "Payment terms: T/T or L/C?"\ndate = 2021-03-04T09:00:00+08:00\n'
        'tags = ["payment"]\ndraft = false\nfeatured_image = "cover.png"\n'
        'description = "Which one protects you"\n+++\n\n'
        'Pay 30% up front.\n\n![Cover](cover.png)\n\n![Chart](chart.png "Deposits by month")\n',
    )
    png(root / "static" / "images" / "audit.png", (50, 50, 50))
    png(root / "content" / "posts" / "payment-terms" / "cover.png", (90, 90, 0))
    png(root / "content" / "posts" / "payment-terms" / "chart.png", (0, 90, 90))
    return root


def docusaurus_blog(root: Path) -> Path:
    write(root / "docusaurus.config.js", "module.exports = {};\n")
    write(root / "blog" / "authors.yml", "ana:\n  name: Ana\n")
    write(
        root / "blog" / "2022-01-15-qc.md",
        "---\nslug: quality-control\ntitle: Quality control in three steps\n"
        "tags: [qc, inspection]\nimage: /img/qc.png\n---\n\n"
        "Three steps.\n\n<!-- truncate -->\n\nIn detail:\n\n![Detail](./qc-detail.png)\n",
    )
    write(root / "blog" / "2022-02-01-welcome.mdx", "---\ntitle: Welcome\n---\n\n<Hello />\n")
    png(root / "static" / "img" / "qc.png", (1, 2, 3))
    png(root / "blog" / "qc-detail.png", (3, 2, 1))
    return root


BLOGS = {"gatsby": gatsby_blog, "jekyll": jekyll_blog, "hugo": hugo_blog, "docusaurus": docusaurus_blog}


@pytest.fixture
def run_import(capsys: pytest.CaptureFixture[str]) -> ImportRun:
    def run(srcdir: Path, *args: str) -> tuple[int, list[str]]:
        code = main(["--site", str(srcdir), "import", *args])
        return code, capsys.readouterr().out.splitlines()

    return run


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()
    }


def read(srcdir: Path, relative: str) -> tuple[dict[str, object], str]:
    path = srcdir / relative
    parsed = parse_post(path.read_text(encoding="utf-8"), path.stem)
    assert parsed.problems == []
    frontmatter = parsed.frontmatter
    fields: dict[str, object] = {
        "slug": frontmatter.slug,
        "title": frontmatter.title,
        "date": frontmatter.date,
        "updated": frontmatter.updated,
        "description": frontmatter.description,
        "featuredImage": frontmatter.featured_image,
        "tags": frontmatter.tags,
        "draft": frontmatter.draft,
    }
    return fields, parsed.body


def same_image(srcdir: Path, name: str, original: Path) -> bool:
    return (srcdir / "source" / "images" / "blog" / name).read_bytes() == original.read_bytes()


def test_gatsby(site: Callable[[str], Path], tmp_path: Path, run_import: ImportRun) -> None:
    srcdir, blog = site("posts"), gatsby_blog(tmp_path / "gatsby")
    ship_before = (srcdir / "source" / "images" / "blog" / "2_ship.png").read_bytes()
    code, lines = run_import(srcdir, str(blog))
    assert code == 0
    assert lines == [
        "renamed image src/images/2_ship.png -> source/images/blog/2_ship-2.png: "
        "another 2_ship.png is already there",
        "imported src/posts/moulds.md -> source/posts/5_who_owns_the_mould.md",
        "imported 1 post(s) and 2 image(s); renamed 1, skipped 0, failed 0",
    ]
    fields, body = read(srcdir, "source/posts/5_who_owns_the_mould.md")
    assert fields == {
        "slug": "who-owns-the-mould",
        "title": "Who owns the mould?",
        "date": "2018-04-01",
        "updated": None,
        "description": None,
        "featuredImage": "../images/blog/mould.png",
        "tags": ["tooling", "moulds"],
        "draft": False,
    }
    assert "![A mould](../images/blog/mould.png)" in body
    assert "![A ship](../images/blog/2_ship-2.png)" in body
    assert (srcdir / "source" / "images" / "blog" / "2_ship.png").read_bytes() == ship_before
    assert same_image(srcdir, "2_ship-2.png", blog / "src" / "images" / "2_ship.png")
    assert same_image(srcdir, "mould.png", blog / "src" / "images" / "mould.png")
    # The seed style: quoted values, slug with a leading slash, the seed's key order.
    text = (srcdir / "source" / "posts" / "5_who_owns_the_mould.md").read_text()
    assert text.startswith(
        "---\nslug: '/who-owns-the-mould'\ntitle: 'Who owns the mould?'\ndate: '2018-04-01'\n"
        "featuredImage: '../images/blog/mould.png'\ntags: ['tooling', 'moulds']\n---\n\nThe factory"
    )


def test_jekyll(site: Callable[[str], Path], tmp_path: Path, run_import: ImportRun) -> None:
    srcdir, blog = site("posts"), jekyll_blog(tmp_path / "jekyll")
    code, lines = run_import(srcdir, str(blog))
    assert code == 0
    assert lines == [
        "imported _posts/2019-06-10-sample-orders.md -> source/posts/5_sample_orders.md",
        "note _posts/2019-06-10-sample-orders.md: line 14 keeps Jekyll's {{ site.baseurl }}: "
        "left alone, fix the link by hand",
        "note _posts/2019-06-10-sample-orders.md: line 14 keeps Jekyll's "
        "{% link _posts/2019-06-10-sample-orders.md %}: left alone, fix the link by hand",
        "skipped _posts/notes.md: Jekyll publishes only files named YYYY-MM-DD-name.md",
        "imported 1 post(s) and 1 image(s); renamed 0, skipped 1, failed 0",
    ]
    fields, body = read(srcdir, "source/posts/5_sample_orders.md")
    assert fields["slug"] == "sample-orders"
    assert fields["title"] == "Sample orders: what to ask for"
    assert fields["date"] == "2019-06-10T10:00:00+02:00"
    assert fields["tags"] == ["sourcing", "samples", "quality"]
    assert fields["featuredImage"] == "../images/blog/sample.png"
    assert "![Sample](../images/blog/sample.png)" in body
    assert "{{ site.baseurl }}{% link _posts/2019-06-10-sample-orders.md %}" in body
    assert same_image(srcdir, "sample.png", blog / "assets" / "img" / "sample.png")


def test_hugo_yaml_toml_and_bundles(
    site: Callable[[str], Path], tmp_path: Path, run_import: ImportRun
) -> None:
    srcdir, blog = site("posts"), hugo_blog(tmp_path / "hugo")
    code, lines = run_import(srcdir, str(blog))
    assert code == 0
    assert lines == [
        "skipped content/posts/_index.md: a Hugo section page (_index.md) lists posts; it is not one",
        "imported content/posts/factory-audit.md -> source/posts/5_factory_audit.md",
        "note content/posts/factory-audit.md: left out frontmatter keys: author",
        "imported content/posts/payment-terms/index.md -> source/posts/6_payment_terms.md",
        "imported 2 post(s) and 3 image(s); renamed 0, skipped 1, failed 0",
    ]
    fields, body = read(srcdir, "source/posts/5_factory_audit.md")
    assert fields["date"] == "2020-09-01" and fields["updated"] == "2020-09-03"
    assert fields["tags"] == ["audit", "quality"]
    assert fields["featuredImage"] == "../images/blog/audit.png"
    assert "![Audit](../images/blog/audit.png)" in body
    fields, body = read(srcdir, "source/posts/6_payment_terms.md")
    assert fields["title"] == "Payment terms: T/T or L/C?"
    assert fields["date"] == "2021-03-04T09:00:00+08:00"
    assert fields["description"] == "Which one protects you"
    assert fields["featuredImage"] == "../images/blog/cover.png"
    assert '![Chart](../images/blog/chart.png "Deposits by month")' in body
    assert same_image(srcdir, "chart.png", blog / "content" / "posts" / "payment-terms" / "chart.png")


def test_docusaurus(site: Callable[[str], Path], tmp_path: Path, run_import: ImportRun) -> None:
    srcdir, blog = site("posts"), docusaurus_blog(tmp_path / "docusaurus")
    code, lines = run_import(srcdir, str(blog))
    assert code == 0
    assert lines == [
        "imported blog/2022-01-15-qc.md -> source/posts/5_quality_control.md",
        "note blog/2022-01-15-qc.md: removed the <!-- truncate --> marker (every page shows the whole post)",
        "skipped blog/2022-02-01-welcome.mdx: "
        "MDX (JSX components) is not Markdown; convert it to .md by hand",
        "imported 1 post(s) and 2 image(s); renamed 0, skipped 1, failed 0",
    ]
    fields, body = read(srcdir, "source/posts/5_quality_control.md")
    assert fields["slug"] == "quality-control" and fields["date"] == "2022-01-15"
    assert fields["featuredImage"] == "../images/blog/qc.png"
    assert "truncate" not in body
    assert "Three steps.\n\nIn detail:\n\n![Detail](../images/blog/qc-detail.png)" in body


@pytest.mark.parametrize("engine", sorted(BLOGS))
def test_dry_run_writes_nothing_and_a_second_import_skips(
    engine: str, site: Callable[[str], Path], tmp_path: Path, run_import: ImportRun
) -> None:
    srcdir, blog = site("posts"), BLOGS[engine](tmp_path / engine)
    before = files_under(srcdir)
    code, dry_lines = run_import(srcdir, str(blog), "--dry-run", "--from", engine)
    assert code == 0
    assert files_under(srcdir) == before
    assert dry_lines[-1].endswith("(dry run: nothing written)")
    code, lines = run_import(srcdir, str(blog))
    assert code == 0
    assert lines[:-1] == dry_lines[:-1]  # the dry run said exactly what the import did
    assert main(["--site", str(srcdir), "check"]) == 0
    after_first = files_under(srcdir)
    code, lines = run_import(srcdir, str(blog))
    assert code == 0
    assert files_under(srcdir) == after_first
    imported = [line for line in lines if line.startswith("imported ") and " -> " in line]
    assert imported == []
    assert any("is already used by source/posts/" in line for line in lines)


def test_a_failed_post_is_reported_and_the_others_imported(
    site: Callable[[str], Path], tmp_path: Path, run_import: ImportRun
) -> None:
    srcdir, blog = site("posts"), hugo_blog(tmp_path / "hugo")
    write(
        blog / "content" / "posts" / "broken.md",
        "---\ntitle: Broken\ndate: 2020-01-01\n---\n\n![x](/images/no.png)\n",
    )
    write(blog / "content" / "posts" / "undated.md", "---\ntitle: Undated\n---\n\nText.\n")
    code, lines = run_import(srcdir, str(blog))
    assert code == 1
    assert "failed content/posts/broken.md: line 6: image '/images/no.png' not found" in "\n".join(lines)
    assert (
        "failed content/posts/undated.md: it has no date (neither in its frontmatter nor in its file name)"
        in lines
    )
    assert lines[-1] == "imported 2 post(s) and 3 image(s); renamed 0, skipped 1, failed 2"
    assert main(["--site", str(srcdir), "check"]) == 0


def test_same_slug_twice_in_one_blog_and_a_reused_image(
    site: Callable[[str], Path], tmp_path: Path, run_import: ImportRun
) -> None:
    srcdir, blog = site("posts"), tmp_path / "jekyll"
    image = "image: https://example.com/a.png\n"
    write(blog / "_posts" / "2019-01-01-faq.md", f"---\ntitle: FAQ 2019\n{image}---\n\n![s](/s.png)\n")
    write(blog / "_posts" / "2020-01-01-faq.md", "---\ntitle: FAQ 2020\n---\n\n![s](/s.png)\n")
    # The very same bytes as the site's own 2_ship.png: reused, not copied again.
    (blog / "s.png").write_bytes((srcdir / "source" / "images" / "blog" / "2_ship.png").read_bytes())
    (blog / "s.png").rename(blog / "2_ship.png")
    for path in (blog / "_posts").iterdir():
        path.write_text(path.read_text().replace("/s.png", "/2_ship.png"))
    code, lines = run_import(srcdir, str(blog))
    assert code == 0
    assert lines == [
        "imported _posts/2019-01-01-faq.md -> source/posts/5_faq.md",
        "renamed slug 'faq' -> 'faq-2' (_posts/2020-01-01-faq.md): _posts/2019-01-01-faq.md has it too",
        "imported _posts/2020-01-01-faq.md -> source/posts/6_faq_2.md",
        "imported 2 post(s) and 0 image(s); renamed 1, skipped 0, failed 0",
    ]
    fields, body = read(srcdir, "source/posts/5_faq.md")
    assert fields["featuredImage"] == "https://example.com/a.png"
    assert "![s](../images/blog/2_ship.png)" in body
    assert read(srcdir, "source/posts/6_faq_2.md")[0]["slug"] == "faq-2"
    assert main(["--site", str(srcdir), "check"]) == 0


def test_usage_errors(
    site: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srcdir = site("posts")
    assert main(["--site", str(srcdir), "import", str(tmp_path / "missing")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["--site", str(srcdir), "import", str(tmp_path / "empty")]) == 2
    assert "no blog layout" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "--help"])
    assert exit_info.value.code == 0
    assert "usage: sourcebook import" in capsys.readouterr().out


def test_frontmatter_readers() -> None:
    assert split_frontmatter("+++\ntitle = 'x'\n+++\nbody") == ({"title": "x"}, "body")
    assert split_frontmatter("no frontmatter") == ({}, "no frontmatter")
    assert as_date("2019-06-10 10:00 +0200") == "2019-06-10T10:00:00+02:00"
    assert as_list("a b  c", None) == ["a", "b", "c"]
    assert as_list([{"label": "QC"}, "x"], ",") == ["QC", "x"]


@pytest.mark.sphinx("html")
def test_imported_posts_build_without_warnings_and_show_their_images(
    site: Callable[[str], Path],
    tmp_path: Path,
    run_import: ImportRun,
    build: Callable[..., SphinxTestApp],
) -> None:
    srcdir = site("posts")
    for engine, make in BLOGS.items():
        code, _lines = run_import(srcdir, str(make(tmp_path / engine)))
        assert code == 0
    assert main(["--site", str(srcdir), "check"]) == 0
    app = build(srcdir)
    assert warnings_of(app) == []
    expected = {
        "5_who_owns_the_mould": {"mould", "2_ship-2"},
        "6_sample_orders": {"sample"},
        "7_factory_audit": {"audit"},
        "8_payment_terms": {"cover", "chart"},
        "9_quality_control": {"qc", "qc-detail"},
    }
    for page, stems in expected.items():
        soup = html_of(app, f"source/posts/{page}")
        images = [str(img["src"]) for img in soup.find_all("img")]
        assert all((app.outdir / "source" / "posts" / src).resolve().is_file() for src in images)
        sources = {Path(src).stem for src in images}
        for stem in stems:
            assert any(source == stem or source.startswith(f"{stem}-") for source in sources), (page, sources)
