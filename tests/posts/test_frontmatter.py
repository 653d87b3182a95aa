"""Unit tests of the pure frontmatter module: every rule, every message, every line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sourcebook.posts.frontmatter import (
    Problem,
    check_image,
    decode,
    format_date,
    parse_date,
    parse_post,
)

SEED_HEAD = """---
slug: '/force-manufacturers-to-accept-rework-of-defective-goods'
title: 'How can I force Chinese manufacturers to accept rework of defective goods?'
date: '2017-05-17'
featuredImage: '../images/blog/1_thumbnail.jpg'
---

This question occurs very often.
"""


def problems(text: str) -> list[tuple[int, str]]:
    return [(problem.line, problem.kind) for problem in parse_post(text, "7_some_post").problems]


def test_seed_post_reads_cleanly() -> None:
    parsed = parse_post(SEED_HEAD, "1_defective_goods")
    frontmatter = parsed.frontmatter
    assert parsed.problems == []
    assert frontmatter.title == "How can I force Chinese manufacturers to accept rework of defective goods?"
    assert frontmatter.slug == "force-manufacturers-to-accept-rework-of-defective-goods"
    assert frontmatter.date == "2017-05-17"
    assert frontmatter.featured_image == "../images/blog/1_thumbnail.jpg"
    assert frontmatter.key_lines == {"slug": 2, "title": 3, "date": 4, "featuredImage": 5}
    assert parsed.body_line == 7
    assert parsed.body_with_blank_head().split("\n")[7] == "This question occurs very often."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("'2017-05-17'", "2017-05-17"),
        ("2017-05-17", "2017-05-17"),
        ("'2017-05-17T10:30:00+02:00'", "2017-05-17T10:30:00+02:00"),
        ("2017-05-17T10:30:00+02:00", "2017-05-17T10:30:00+02:00"),
        ("2017-05-17 10:30:00Z", "2017-05-17T10:30:00+00:00"),
        ("'2017-05-17T10:30'", "2017-05-17T10:30:00"),
    ],
)
def test_accepted_dates(value: str, expected: str) -> None:
    parsed = parse_post(f"---\ntitle: T\ndate: {value}\n---\n", "x")
    assert parsed.problems == []
    assert parsed.frontmatter.date == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "'2017-02-30'",
            "date '2017-02-30' is not a real calendar day; write an existing date as 'YYYY-MM-DD'",
        ),
        ("May 17, 2017", "date 'May 17, 2017' is not in YYYY-MM-DD form; write it as '2017-05-17'"),
        ("'17 May 2017'", "date '17 May 2017' is not in YYYY-MM-DD form; write it as '2017-05-17'"),
        ("last spring", "date 'last spring' is not a date; write it as 'YYYY-MM-DD', such as '2017-05-17'"),
        (
            "'2017-05-17T25:00:00'",
            "date '2017-05-17T25:00:00' is not a real date and time; write it as 'YYYY-MM-DDTHH:MM:SS+00:00'",
        ),
    ],
)
def test_bad_dates_say_what_to_write(value: str, message: str) -> None:
    parsed = parse_post(f"---\ntitle: T\ndate: {value}\n---\n", "x")
    assert parsed.problems == [Problem(3, "date", message)]
    assert parsed.frontmatter.date is None


def test_missing_date_is_reported_on_the_opening_fence() -> None:
    assert problems("---\ntitle: T\n---\nBody") == [(1, "date")]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("title: ''", [(2, "title")]),
        ("title: '   '", [(2, "title")]),
        ("slug: x", [(1, "title")]),
        ("title: 2017", [(2, "title")]),
        ("title: [a, b]", [(2, "title")]),
        ("title: true", [(2, "title")]),
    ],
)
def test_title_problems(head: str, expected: list[tuple[int, str]]) -> None:
    assert problems(f"---\n{head}\ndate: '2020-01-01'\n---\n") == expected


def test_title_that_is_not_text_says_how_to_quote_it() -> None:
    [problem] = parse_post("---\ntitle: 2017\ndate: '2020-01-01'\n---\n", "x").problems
    assert problem.message == "the title must be text, but it is a number; put it in quotes: title: '2017'"


def test_broken_posts_fall_back_to_a_title_and_slug_from_the_file_name() -> None:
    parsed = parse_post("---\ndate: '2020-01-01'\n---\nBody", "12_payment-terms_explained")
    assert parsed.frontmatter.title == "Payment terms explained"
    assert parsed.frontmatter.slug == "12-payment-terms-explained"


def test_title_is_kept_as_plain_text_with_whitespace_collapsed() -> None:
    parsed = parse_post("---\ntitle: 'Incoterms & you: what \"FOB\"\n  <really> means'\n---\n", "x")
    assert parsed.frontmatter.title == 'Incoterms & you: what "FOB" <really> means'


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "",
            1,
            "the file is empty; write a frontmatter block (---, title: '...', date: 'YYYY-MM-DD', ---) "
            "and the post's text",
        ),
        (
            "Just text\n",
            1,
            "the post has no frontmatter; start the file with a line '---', then title: '...' "
            "and date: 'YYYY-MM-DD', then '---'",
        ),
        (
            "---\ntitle: T\ndate: '2020-01-01'\nBody\n",
            1,
            "the frontmatter opened on this line is never closed; add a line '---' after its last key",
        ),
        (
            "---\nslug: x\ntitle: 'Unbalanced\ndate: '2020-01-01'\n---\n",
            3,
            "a quote opened on this line is never closed; end the value with the same quote it starts with",
        ),
        (
            "---\ntitle: T\n\tdate: '2020-01-01'\n---\n",
            3,
            "the frontmatter is indented with a tab; YAML needs spaces: replace the tab with spaces",
        ),
        (
            "---\n- a\n- b\n---\n",
            2,
            "the frontmatter must be 'key: value' lines, such as title: 'My question'",
        ),
        (
            "---\ntitle: T\ndate: '2020-01-01'\ntitle: U\n---\n",
            4,
            "the key 'title' appears twice (first on line 2); keep only one",
        ),
    ],
)
def test_structural_problems(text: str, line: int, message: str) -> None:
    assert parse_post(text, "x").problems[0] == Problem(line, "frontmatter", message)


def test_bom_and_crlf_are_accepted_silently() -> None:
    text, problem = decode(("\ufeff" + SEED_HEAD.replace("\n", "\r\n")).encode("utf-8"))
    assert problem is None and text is not None
    parsed = parse_post(text, "1_defective_goods")
    assert parsed.problems == []
    assert parsed.frontmatter.date == "2017-05-17"


def test_text_that_is_not_utf8_names_the_line() -> None:
    text, problem = decode("---\ntitle: 'Caf\u00e9'\n---\n".encode("latin-1"))
    assert text is None
    assert problem == Problem(
        2,
        "encoding",
        "the file is not UTF-8 text (byte 0xe9 on this line), "
        "so the build leaves it out; save it with UTF-8 encoding",
    )


@pytest.mark.parametrize(
    ("raw", "slug", "kind"),
    [
        ("'/force-manufacturers'", "force-manufacturers", None),
        (
            "'/blog/protect-your-business-when-buying-goods-from-China/'",
            "blog/protect-your-business-when-buying-goods-from-China",
            None,
        ),
        ("'/../../x'", "7-some-post", "slug"),
        ("'a//b'", "7-some-post", "slug"),
        ("'has space'", "7-some-post", "slug"),
        ("'https://evil.example/x'", "7-some-post", "slug"),
        ("'/'", "7-some-post", "slug"),
    ],
)
def test_slugs(raw: str, slug: str, kind: str | None) -> None:
    parsed = parse_post(f"---\nslug: {raw}\ntitle: T\ndate: '2020-01-01'\n---\n", "7_some_post")
    assert parsed.frontmatter.slug == slug
    assert [problem.kind for problem in parsed.problems] == ([kind] if kind else [])


def test_escaping_slug_message() -> None:
    [problem] = parse_post("---\nslug: '/../../x'\ntitle: T\ndate: '2020-01-01'\n---\n", "x").problems
    assert problem == Problem(
        2,
        "slug",
        "the slug '/../../x' would point outside the site; use letters, "
        "digits and hyphens, such as slug: '/x'",
    )


@pytest.mark.parametrize(
    ("raw", "tags"),
    [
        ("[Inspection, payment, inspection]", ["Inspection", "payment"]),
        ("'inspection, payment ,  ,deposit'", ["inspection", "payment", "deposit"]),
        ("[2017, QC]", ["2017", "QC"]),
    ],
)
def test_tags_from_lists_or_comma_separated_text(raw: str, tags: list[str]) -> None:
    parsed = parse_post(f"---\ntitle: T\ndate: '2020-01-01'\ntags: {raw}\n---\n", "x")
    assert parsed.problems == []
    assert parsed.frontmatter.tags == tags


@pytest.mark.parametrize(
    ("raw", "draft", "kinds"),
    [
        ("true", True, []),
        ("false", False, []),
        ("'yes'", True, []),
        ("maybe", False, ["frontmatter"]),
    ],
)
def test_draft(raw: str, draft: bool, kinds: list[str]) -> None:
    parsed = parse_post(f"---\ntitle: T\ndate: '2020-01-01'\ndraft: {raw}\n---\n", "x")
    assert parsed.frontmatter.draft is draft
    assert [problem.kind for problem in parsed.problems] == kinds


def test_updated_before_date_is_reported() -> None:
    assert problems("---\ntitle: T\ndate: '2020-05-01'\nupdated: '2020-01-01'\n---\n") == [(4, "date")]


def test_unknown_keys_are_kept_and_metadata_is_text() -> None:
    parsed = parse_post(
        "---\ntitle: T\ndate: 2020-01-01\ntags: a, b\nauthor: Li Wei\nseries: {name: S, part: 2}\n"
        "rating: 4.5\n---\n",
        "x",
    )
    assert parsed.frontmatter.extra == {"author": "Li Wei", "series": {"name": "S", "part": 2}, "rating": 4.5}
    assert parsed.frontmatter.as_metadata() == {
        "title": "T",
        "date": "2020-01-01",
        "tags": '["a", "b"]',
        "author": "Li Wei",
        "series": '{"name": "S", "part": 2}',
        "rating": "4.5",
        "slug": "x",
        "draft": "false",
    }


def test_format_date() -> None:
    assert format_date("2017-05-17") == "May 17, 2017"
    assert format_date("2017-05-07T10:00:00+02:00") == "May 7, 2017"
    assert parse_date("2017-5-17")[0] is None


def test_check_image(tmp_path: Path) -> None:
    (tmp_path / "source" / "posts").mkdir(parents=True)
    (tmp_path / "source" / "images").mkdir()
    (tmp_path / "source" / "images" / "a.jpg").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("x")
    post = tmp_path / "source" / "posts" / "p.md"
    assert check_image("../images/a.jpg", post, tmp_path) == (
        (tmp_path / "source/images/a.jpg").resolve(),
        None,
    )
    assert check_image("/source/images/a.jpg", post, tmp_path)[0] is not None
    assert check_image("../../../../etc/passwd", post, tmp_path)[1] == (
        "points outside the site's source folder; keep images under source/images/"
    )
    assert check_image("../../../../../tmp/x.jpg", post, tmp_path)[1] == (
        "points outside the site's source folder; keep images under source/images/"
    )
    assert check_image("../../notes.txt", post, tmp_path)[1] == (
        "is not an image file; use one of .avif, .gif, .jpeg, .jpg, .png, .svg, .webp"
    )
    assert check_image("../images/b.jpg", post, tmp_path)[1] == (
        "does not exist (source/images/b.jpg); add the file or correct the path"
    )


def test_image_links_outside_the_site_through_a_symlink_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"x")
    site = tmp_path / "site"
    (site / "source" / "posts").mkdir(parents=True)
    (site / "source" / "link.jpg").symlink_to(outside)
    _path, reason = check_image("../link.jpg", site / "source" / "posts" / "p.md", site)
    assert reason is not None and "outside" in reason


@pytest.mark.parametrize(
    "reference", ["javascript:alert(1)", "file:///etc/passwd.jpg", "data:image/png;base64,x"]
)
def test_featured_image_schemes_other_than_http_are_refused(reference: str) -> None:
    parsed = parse_post(f"---\ntitle: T\ndate: '2020-01-01'\nfeaturedImage: '{reference}'\n---\n", "x")
    assert [(problem.line, problem.kind) for problem in parsed.problems] == [(4, "image")]
    assert parsed.frontmatter.featured_image is None


def test_control_characters_are_left_out_of_every_value_with_one_problem_per_key() -> None:
    text = (
        "---\ntitle: \"Red \\e[31mtitle\\a\"\ndate: '2020-01-01'\n"
        'tags: ["qc\\e[0m", ok]\nnested: {a: "\\x9b2J"}\n---\n'
    )
    parsed = parse_post(text, "x")
    assert parsed.frontmatter.title == "Red [31mtitle"
    assert parsed.frontmatter.tags == ["qc[0m", "ok"]
    assert parsed.frontmatter.extra == {"nested": {"a": "2J"}}
    advice = "which no page can show; they are left out: remove them"
    assert [(problem.line, problem.message) for problem in parsed.problems] == [
        (2, f"the title holds control characters (U+001B, U+0007), {advice}"),
        (4, f"the tags holds control characters (U+001B), {advice}"),
        (5, f"the nested holds control characters (U+009B), {advice}"),
    ]
