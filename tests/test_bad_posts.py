"""Bad input: one clear warning per problem, at its file and line, and every other post still built."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sphinx.testing.util import SphinxTestApp

from sourcebook.posts.store import get_domain

from conftest import html_of, warnings_of

EXPECTED = [
    "source/posts/01_no_frontmatter.md:1: WARNING: the post has no frontmatter; start the file with a line "
    "'---', then title: '...' and date: 'YYYY-MM-DD', then '---' [kb.frontmatter]",
    "source/posts/02_unclosed.md:1: WARNING: the frontmatter opened on this line is never closed; "
    "add a line '---' after its last key [kb.frontmatter]",
    "source/posts/03_unbalanced_quote.md:3: WARNING: a quote opened on this line is never closed; "
    "end the value with the same quote it starts with [kb.frontmatter]",
    "source/posts/04_tab.md:3: WARNING: the frontmatter is indented with a tab; YAML needs spaces: "
    "replace the tab with spaces [kb.frontmatter]",
    "source/posts/05_missing_title.md:1: WARNING: the post has no title; add a line such as "
    "title: 'How do I check goods before paying the balance?' [kb.title]",
    "source/posts/06_empty_title.md:2: WARNING: the post has no title; add a line such as "
    "title: 'How do I check goods before paying the balance?' [kb.title]",
    "source/posts/07_title_number.md:2: WARNING: the title must be text, but it is a number; "
    "put it in quotes: title: '2017' [kb.title]",
    "source/posts/08_impossible_date.md:3: WARNING: date '2017-02-30' is not a real calendar day; "
    "write an existing date as 'YYYY-MM-DD' [kb.date]",
    "source/posts/09_wordy_date.md:3: WARNING: date 'May 17, 2017' is not in YYYY-MM-DD form; "
    "write it as '2017-05-17' [kb.date]",
    "source/posts/10_duplicate_slug.md:2: WARNING: the slug 'GOOD-post' is already used by "
    "source/posts/00_good.md; give this post its own slug [kb.slug]",
    "source/posts/11_escaping_slug.md:2: WARNING: the slug '/../../x' would point outside the site; "
    "use letters, digits and hyphens, such as slug: '/x' [kb.slug]",
    "source/posts/12_missing_image.md:4: WARNING: featuredImage '../images/blog/nope.jpg' does not exist "
    "(source/images/blog/nope.jpg); add the file or correct the path [kb.image]",
    "source/posts/13_outside_image.md:4: WARNING: featuredImage '../../../../etc/passwd' points outside "
    "the site's source folder; keep images under source/images/ [kb.image]",
    "source/posts/14_not_utf8.md:2: WARNING: the file is not UTF-8 text (byte 0xe9 on this line), "
    "so the build leaves it out; save it with UTF-8 encoding [kb.encoding]",
    "source/posts/15_empty.md:1: WARNING: the file is empty; write a frontmatter block "
    "(---, title: '...', date: 'YYYY-MM-DD', ---) and the post's text [kb.frontmatter]",
    "source/posts/17_body_images.md:8: WARNING: image '../images/blog/missing.png' does not exist "
    "(source/images/blog/missing.png); add the file or correct the path [kb.image]",
    "source/posts/17_body_images.md:12: WARNING: image '../../../../../etc/hosts.png' points outside "
    "the site's source folder; keep images under source/images/ [kb.image]",
]


def test_each_problem_gives_exactly_one_warning(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("bad-posts"))
    assert sorted(warnings_of(app)) == sorted(EXPECTED)


def test_every_other_post_is_still_built(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("bad-posts"))
    built = sorted(path.stem for path in (app.outdir / "source" / "posts").glob("*.html"))
    every_post = sorted(path.stem for path in (app.srcdir / "source" / "posts").glob("*.md"))
    assert built == [name for name in every_post if name != "14_not_utf8"]
    assert len(get_domain(app.env).posts) == 17
    # Broken posts keep their text and get a title from their file name.
    page = html_of(app, "source/posts/05_missing_title")
    assert page.find("h1").get_text().rstrip("#¶") == "Missing title"
    assert "Body." in page.get_text()
    # The good post and the BOM/CRLF post are whole.
    assert html_of(app, "source/posts/00_good").select_one("img.kb-featured-image") is not None
    assert html_of(app, "source/posts/16_bom_crlf").find("h1").get_text().rstrip("#¶") == "BOM and CRLF"


def test_nothing_from_outside_the_site_reaches_the_output(
    site: Callable[[str], Path], build: Callable[..., SphinxTestApp]
) -> None:
    app = build(site("bad-posts"))
    copied = {path.name for path in app.outdir.rglob("*") if path.is_file()}
    assert "passwd" not in copied and "hosts.png" not in copied
    assert "nope.jpg" not in copied
    assert html_of(app, "source/posts/13_outside_image").select_one("img.kb-featured-image") is None


def test_strict_build_fails_and_lists_every_problem(site: Callable[[str], Path], tmp_path: Path) -> None:
    srcdir = site("bad-posts")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "--no-color",
            "-q",
            "-W",
            "--keep-going",
            "-b",
            "html",
            str(srcdir),
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    lines = [line.replace(f"{srcdir}/", "") for line in result.stderr.splitlines() if "WARNING" in line]
    assert sorted(line.replace("ERROR", "WARNING") for line in lines) == sorted(EXPECTED)
    assert (tmp_path / "out" / "source" / "posts" / "00_good.html").is_file()
