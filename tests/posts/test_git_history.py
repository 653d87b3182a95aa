"""Posts' last changes from one git log: additions and a shallow clone's edge are no updates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sourcebook.posts.git_history import History, later_update, parse_log, read_history


def git(folder: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org"}
    env |= {"GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.org"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


def repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    posts = repo / "site" / "source" / "posts"
    posts.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (posts / "a.md").write_text("a\n")
    (posts / "b.md").write_text("b\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "import", date="2022-01-01T10:00:00+00:00")
    (posts / "a.md").write_text("a, edited\n")
    git(repo, "commit", "-q", "-am", "edit a", date="2023-05-06T09:30:00+08:00")
    (posts / "a.md").write_text("a, edited again\n")
    git(repo, "commit", "-q", "-am", "edit a again", date="2024-02-02T12:00:00+00:00")
    return repo


def test_the_last_modification_counts_and_an_addition_does_not(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    # Run from the site's folder, a subfolder of the repository: paths are relative to it.
    history = read_history(repo / "site", "source/posts")
    assert history == History(changed={"source/posts/a.md": "2024-02-02T12:00:00+00:00"}, shallow=False)


def test_a_shallow_clones_edge_gives_no_date(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True, capture_output=True
    )
    history = read_history(clone / "site", "source/posts")
    assert history == History(changed={}, shallow=True)


def test_outside_a_repository_there_is_no_history(tmp_path: Path) -> None:
    assert read_history(tmp_path, "source/posts") == History()


def test_parse_log_keeps_each_paths_newest_date() -> None:
    log = "\x1eccc 2024-01-01T00:00:00+00:00\n\nx.md\n\x1ebbb 2023-01-01T00:00:00+00:00\n\nx.md\ny.md\n"
    assert parse_log(log, boundary=set()).changed == {
        "x.md": "2024-01-01T00:00:00+00:00",
        "y.md": "2023-01-01T00:00:00+00:00",
    }
    assert parse_log(log, boundary={"bbb"}).changed == {"x.md": "2024-01-01T00:00:00+00:00"}


def test_git_dates_count_only_on_a_later_day_than_the_post() -> None:
    assert later_update("2023-05-06T09:30:00+08:00", "2019-04-02") == "2023-05-06T09:30:00+08:00"
    assert later_update("2019-04-02T23:00:00+00:00", "2019-04-02") is None
    assert later_update(None, "2019-04-02") is None
