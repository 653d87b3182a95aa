"""The sourcebook command, called as a function on temporary sites."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from sourcebook.authoring.check import LARGEST_SHOWN_WIDTH, OVERSIZED_WIDTH
from sourcebook.authoring.cli import main
from sourcebook.posts.image_variants import WIDTHS

from knowledge.test_slug_links import EXPECTED_WARNINGS as CROSSREF_WARNINGS
from test_bad_posts import EXPECTED


def warning_lines(out: str) -> list[str]:
    """The WARNING lines of check's output (the NOTE lines left out), sorted."""
    return sorted(line for line in out.splitlines() if ": WARNING: " in line)


def test_check_reports_what_the_build_reports(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    srcdir = site("bad-posts")
    assert main(["--site", str(srcdir), "check"]) == 1
    out, err = capsys.readouterr()
    # The same problems, in the same words, as the Sphinx build; everything else is a note.
    assert warning_lines(out.replace(f"{srcdir}/", "")) == sorted(EXPECTED)
    assert all(": NOTE: " in line for line in out.splitlines() if ": WARNING: " not in line)
    assert "checked 18 post(s)" in err and "17 problem(s)" in err


def test_check_reports_unknown_slugs_like_the_build(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--site", str(site("crossrefs")), "check"]) == 1
    assert warning_lines(capsys.readouterr().out) == sorted(CROSSREF_WARNINGS)


# The notes on tests/roots/test-posts, a site that builds with --strict (test_build_writes_...):
# one post without tags or description, one without a description, a draft without either.
NO_DESCRIPTION = (
    "NOTE: the post has no description, so search engines and link previews show the start of "
    "its text instead; add a line description: '<the answer, in one sentence>' [kb.note.description]"
)
NO_TAGS = (
    "NOTE: the post has no tags, so no tag page lists it; add a line such as "
    "tags: [inspection, payment] [kb.note.tags]"
)
POSTS_NOTES = [
    f"source/posts/1_defective_goods.md:1: {NO_DESCRIPTION}",
    f"source/posts/1_defective_goods.md:1: {NO_TAGS}",
    f"source/posts/3_deposits.md:1: {NO_DESCRIPTION}",
    f"source/posts/4_draft.md:1: {NO_DESCRIPTION}",
    f"source/posts/4_draft.md:1: {NO_TAGS}",
    "source/posts/4_draft.md:5: NOTE: the post is a draft, left out of the published site "
    "(sourcebook serve shows it); remove the line draft: true to publish it [kb.note.draft]",
]


def test_check_prints_notes_but_passes_without_strict(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--site", str(site("posts")), "check"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == POSTS_NOTES  # in file order, all at once
    assert "checked 4 post(s)" in err
    assert "no problems, 6 note(s) (--strict fails on notes)" in err


def test_strict_check_fails_on_notes(site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--site", str(site("posts")), "check", "--strict"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == POSTS_NOTES
    assert err.rstrip().endswith("no problems, 6 note(s)")


def _complete(srcdir: Path) -> Path:
    """Make the posts fixture ready to publish: a description and tags on each post, no draft."""
    posts = srcdir / "source" / "posts"
    (posts / "4_draft.md").unlink()
    for name, head in (
        ("1_defective_goods.md", "description: 'Make rework part of the contract.'\ntags: [rework]\n"),
        ("3_deposits.md", "description: 'Thirty percent, against a signed contract.'\n"),
    ):
        text = (posts / name).read_text(encoding="utf-8")
        (posts / name).write_text(text.replace("\n---\n", f"\n{head}---\n", 1), encoding="utf-8")
    return srcdir


def test_strict_check_passes_a_complete_site(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--site", str(_complete(site("posts"))), "check", "--strict"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "checked 3 post(s)" in err and err.rstrip().endswith(": no problems")


def test_check_notes_an_image_far_wider_than_pages_show(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    srcdir = _complete(site("posts"))
    Image.new("RGB", (OVERSIZED_WIDTH + 1, 40)).save(srcdir / "source" / "images" / "blog" / "wide.jpg")
    # Turned a quarter by EXIF: displayed 40 px wide, as the build's variants see it.
    turned = Image.new("RGB", (OVERSIZED_WIDTH + 1, 40))
    exif = turned.getexif()
    exif[0x0112] = 6
    turned.save(srcdir / "source" / "images" / "blog" / "turned.jpg", exif=exif)
    post = srcdir / "source" / "posts" / "3_deposits.md"
    text = post.read_text(encoding="utf-8")
    text = text.replace("tags:", "featuredImage: '../images/blog/wide.jpg'\ntags:")
    post.write_text(text + "\n![Wide](../images/blog/wide.jpg)\n\n![Turned](../images/blog/turned.jpg)\n")
    assert main(["--site", str(srcdir), "check"]) == 0
    assert main(["--site", str(srcdir), "check", "--strict"]) == 1
    size = f"{OVERSIZED_WIDTH + 1}x40 px"
    advice = (
        f"but no page shows an image wider than {LARGEST_SHOWN_WIDTH} px and the original is "
        f"published too; save it at most {OVERSIZED_WIDTH} px wide [kb.note.image-size]"
    )
    weight = f"{-(-(srcdir / 'source' / 'images' / 'blog' / 'wide.jpg').stat().st_size // 1000)} kB"
    notes = capsys.readouterr().out.splitlines()
    assert notes[:2] == [
        f"source/posts/3_deposits.md:4: NOTE: featuredImage '../images/blog/wide.jpg' is {size} "
        f"({weight}), {advice}",
        f"source/posts/3_deposits.md:11: NOTE: image '../images/blog/wide.jpg' is {size} "
        f"({weight}), {advice}",
    ]
    assert len(notes) == 4  # the same two again, for --strict; not the turned image


def test_check_limits_of_image_size_follow_the_build() -> None:
    """No page shows an image wider than the widest variant the build makes."""
    assert WIDTHS[-1] == LARGEST_SHOWN_WIDTH


def test_check_honours_suppress_warnings_like_the_build(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    srcdir = site("bad-posts")
    with (srcdir / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('suppress_warnings = ["kb.image", "kb.note.*"]\n')
    assert main(["--site", str(srcdir), "check"]) == 1
    out = capsys.readouterr().out.replace(f"{srcdir}/", "")
    assert out.splitlines() == sorted(
        (line for line in EXPECTED if not line.endswith("[kb.image]")),
        key=lambda line: (line.split(":")[0], int(line.split(":")[1])),
    )


def test_build_writes_the_html_site_and_sums_up(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    srcdir = site("posts")
    assert main(["--site", str(srcdir), "build", "--strict", "-j", "1"]) == 0
    assert (srcdir / "_build" / "html" / "source" / "posts" / "1_defective_goods.html").is_file()
    out = capsys.readouterr().out
    assert "reading sources" in out  # Sphinx's own progress display
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("sourcebook: 4 pages, 3 posts, 0 warning(s), ")
    assert summary.endswith(f"-> {srcdir.resolve() / '_build' / 'html' / 'index.html'}")


def test_strict_build_fails_on_bad_posts_after_listing_them_all(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--site", str(site("bad-posts")), "build", "--strict", "-j", "1"]) == 1
    out, err = capsys.readouterr()
    assert err.count("[kb.") == len(EXPECTED)
    assert f", {len(EXPECTED)} warning(s), " in out.strip().splitlines()[-1]


def test_build_rejects_a_bad_job_count(site: Callable[[str], Path]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--site", str(site("posts")), "build", "-j", "zero"])
    assert exit_info.value.code == 2


def test_a_folder_without_conf_py_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--site", str(tmp_path), "check"]) == 2
    assert "no conf.py" in capsys.readouterr().err


def test_help_on_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("check", "build", "serve"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert f"usage: sourcebook {command}" in capsys.readouterr().out


def test_help_on_new_and_import(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("new", "import"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert f"usage: sourcebook {command}" in capsys.readouterr().out


def test_new_and_import_need_a_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--site", str(tmp_path), "new", "A title"]) == 2
    assert main(["--site", str(tmp_path), "import", str(tmp_path)]) == 2
    assert "no conf.py" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_clean_removes_the_previous_build(site: Callable[[str], Path]) -> None:
    srcdir = site("posts")
    stale = srcdir / "_build" / "html" / "stale.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    assert main(["--site", str(srcdir), "build", "--clean", "-j", "1"]) == 0
    assert not stale.exists()
    shutil.rmtree(srcdir / "_build")
