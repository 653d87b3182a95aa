"""Which posts a book holds and in what order (pure parts of sourcebook.books.contents)."""

from __future__ import annotations

from sourcebook.books.contents import by_year, select_posts
from sourcebook.posts.store import PostRecord


def post(name: str, date: str | None, *tags: str, draft: bool = False) -> PostRecord:
    return PostRecord(
        docname=f"source/posts/{name}",
        title=name,
        slug=name,
        date=date,
        updated=None,
        description="",
        tags=list(tags),
        draft=draft,
    )


POSTS = [
    post("a", "2019-04-02", "inspection"),
    post("b", "2021-09-14", "Payment"),
    post("c", "2021-03-08T10:00:00+08:00", "moulds"),
    post("d", None, "payment"),
    post("e", "2022-01-01", draft=True),
]


def test_every_published_post_newest_first_by_year_undated_last() -> None:
    chosen = select_posts(POSTS, limit=0, tags=())
    assert [p.title for p in chosen] == ["b", "c", "a", "d"]
    assert by_year(chosen) == [
        ("2021", ["source/posts/b", "source/posts/c"]),
        ("2019", ["source/posts/a"]),
        ("Undated", ["source/posts/d"]),
    ]


def test_a_selection_by_tag_in_any_case_then_the_newest() -> None:
    assert [p.title for p in select_posts(POSTS, limit=0, tags=("PAYMENT",))] == ["b", "d"]
    assert [p.title for p in select_posts(POSTS, limit=2, tags=())] == ["b", "c"]
    assert [p.title for p in select_posts(POSTS, limit=1, tags=("payment", "inspection"))] == ["b"]
