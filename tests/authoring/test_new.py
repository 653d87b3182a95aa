"""``sourcebook new``: a complete, checkable post with a unique slug, never overwriting."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from sourcebook.authoring.cli import main
from sourcebook.authoring.new import free_post_path, new_post_fields, quote, render_post, unique_slug
from sourcebook.posts.frontmatter import parse_post
from sourcebook.posts.schedule import build_day


def test_new_writes_a_post_that_checks_clean(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    srcdir = site("posts")
    assert main(["--site", str(srcdir), "new", "How do I pay a deposit?", "--tags", "payment, deposit"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == srcdir / "source" / "posts" / "5_how_do_i_pay_a_deposit.md"
    parsed = parse_post(path.read_text(encoding="utf-8"), path.stem)
    assert parsed.problems == []
    frontmatter = parsed.frontmatter
    assert frontmatter.title == "How do I pay a deposit?"
    assert frontmatter.slug == "how-do-i-pay-a-deposit"
    # The build's day, so that the new post is published by the next build.
    assert frontmatter.date == build_day("", os.environ)[0].isoformat()
    assert frontmatter.tags == ["payment", "deposit"]
    assert path.read_text(encoding="utf-8").startswith(
        "---\nslug: '/how-do-i-pay-a-deposit'\ntitle: 'How do I pay a deposit?'\n"
    )
    assert main(["--site", str(srcdir), "check"]) == 0


def test_the_slug_is_unique_in_any_case(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    srcdir = site("posts")
    # 2_incoterms.md has the slug '/Incoterms-And-You'.
    assert main(["--site", str(srcdir), "new", "incoterms and you", "--date", "2024-02-29"]) == 0
    first = Path(capsys.readouterr().out.strip())
    assert main(["--site", str(srcdir), "new", "Incoterms and you", "--date", "2024-02-29"]) == 0
    second = Path(capsys.readouterr().out.strip())
    slugs = [parse_post(path.read_text(), path.stem).frontmatter.slug for path in (first, second)]
    assert slugs == ["incoterms-and-you-2", "incoterms-and-you-3"]
    assert parse_post(first.read_text(), first.stem).frontmatter.date == "2024-02-29"
    assert first != second and first.name.startswith("5_") and second.name.startswith("6_")
    assert main(["--site", str(srcdir), "check"]) == 0


@pytest.mark.parametrize(
    "title",
    [
        'Incoterms: what "FOB" <really> means',
        "It's a 'quoted' title # not a comment",
        "- starts like a list: {and} [has] & | > * ! % @ `",
        "模具 costs: who pays?",
        "yes",
        "2019-01-01",
    ],
)
def test_any_title_round_trips(title: str) -> None:
    fields = new_post_fields(title, ["a: b", "it's"], dt.date(2020, 1, 2), [])
    parsed = parse_post(render_post(fields, "Body."), "x")
    assert parsed.problems == []
    assert parsed.frontmatter.title == title
    assert parsed.frontmatter.tags == ["a: b", "it's"]
    assert parsed.body.strip() == "Body."


def test_quote_keeps_text_on_one_line() -> None:
    assert quote("a\n  b 'c'") == "'a b ''c'''"


def test_helpers_never_pick_a_taken_name(tmp_path: Path) -> None:
    assert unique_slug("x", ["X", "x-2"]) == "x-3"
    (tmp_path / "7_x.md").write_text("taken")
    assert free_post_path(tmp_path, "x") == tmp_path / "8_x.md"
    assert free_post_path(tmp_path, "x", [tmp_path / "8_x.md"]) == tmp_path / "9_x.md"
    assert new_post_fields("  漢字  ", [], dt.date(2020, 1, 1), [])["slug"] == "post"


def test_usage_errors(site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    srcdir = site("posts")
    before = sorted((srcdir / "source" / "posts").iterdir())
    assert main(["--site", str(srcdir), "new", "Title", "--date", "2017-02-30"]) == 2
    assert "--date '2017-02-30'" in capsys.readouterr().err
    assert main(["--site", str(srcdir), "new", "   "]) == 2
    assert "title is empty" in capsys.readouterr().err
    assert sorted((srcdir / "source" / "posts").iterdir()) == before
    with pytest.raises(SystemExit) as exit_info:
        main(["new", "--help"])
    assert exit_info.value.code == 0
    assert "usage: sourcebook new" in capsys.readouterr().out
