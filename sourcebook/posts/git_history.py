"""When git last saw each post change (pure: no Sphinx import).

A post's "Updated" date comes from its frontmatter's ``updated`` when given, else from git:
the author date of the last commit that *modified* the file. The commit that added it is no
update (a blog imported in one commit would show every post updated that day), and a commit
at the edge of a shallow clone stands for all the history cut off, so its dates are not used.
One ``git log`` reads the whole post folder: a build runs it once, not once per post.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

#: Separates commits in the log: a character no path or date holds.
_RECORD = "\x1e"


@dataclass
class History:
    """Each file's last change (ISO datetime), by path relative to the folder git ran in."""

    changed: dict[str, str] = field(default_factory=dict)
    shallow: bool = False
    """The clone is shallow: files last changed before its first commit have no date."""


def read_history(folder: Path, posts_dir: str) -> History:
    """The last modification of every file under ``posts_dir``, from one ``git log``.

    No git, or a folder outside any repository, is no history (an empty one), not an error.
    """
    try:
        shallow_file = _git(folder, "rev-parse", "--git-path", "shallow").strip()
        log = _git(
            folder,
            "log",
            "--relative",
            "--no-renames",
            "--diff-filter=M",
            f"--format={_RECORD}%H %aI",
            "--name-only",
            "--",
            posts_dir,
        )
    except (OSError, subprocess.CalledProcessError):
        return History()
    shallow_path = Path(shallow_file) if Path(shallow_file).is_absolute() else folder / shallow_file
    boundary = set(shallow_path.read_text().split()) if shallow_path.is_file() else set()
    return parse_log(log, boundary)


def parse_log(log: str, boundary: set[str]) -> History:
    """Each path's newest date in a ``git log`` (newest first) of ``<sep>hash date`` lines
    followed by paths; commits in ``boundary`` (a shallow clone's edge) are skipped."""
    history = History(shallow=bool(boundary))
    for record in log.split(_RECORD)[1:]:
        head, *paths = record.strip("\n").split("\n")
        commit, _, date = head.partition(" ")
        if commit in boundary:
            continue
        for path in paths:
            if path:
                history.changed.setdefault(path, date)
    return history


def later_update(changed: str | None, date: str | None) -> str | None:
    """The git date as the post's "Updated" date when it is a later day than the post's date."""
    if changed is None or (date is not None and changed[:10] <= date[:10]):
        return None
    return changed


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=True, timeout=120
    ).stdout
