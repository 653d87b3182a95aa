"""Write new post files: the frontmatter text, a unique slug, a file name that is free.

Used by ``sourcebook new`` and by ``sourcebook import``. Frontmatter is written in the
seed post's style (``key: 'value'`` lines, single-quoted YAML scalars) so that any title,
with quotes, colons or ``#``, reads back through :func:`sourcebook.posts.frontmatter.parse_post`
unchanged. File names are ``<next number>_<slug with underscores>.md``, like the seed
posts (``1_defective_goods.md``). No function here ever overwrites a file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from sourcebook.posts.frontmatter import decode, parse_post
from sourcebook.posts.slugs import slug_key, slugify

#: The order keys are written in; the seed post's keys come first, in its order.
KEY_ORDER = ("slug", "title", "date", "updated", "description", "featuredImage", "tags", "draft")

NEW_POST_BODY = "Write the answer here. Use `##` for sections, no `#` heading: the title is the heading.\n"

_NUMBERED = re.compile(r"^(\d+)_")


def quote(value: str) -> str:
    """A single-quoted YAML scalar holding exactly ``value`` (on one line)."""
    return "'" + " ".join(value.split()).replace("'", "''") + "'"


def render_frontmatter(fields: Mapping[str, object]) -> str:
    """The ``---`` block for ``fields`` (Sourcebook keys), in :data:`KEY_ORDER`.

    ``slug`` is written with a leading slash, as the Gatsby posts did; ``tags`` as a flow
    list of quoted tags; ``draft`` only when true. Empty values are left out.
    """
    lines = ["---"]
    for key in KEY_ORDER:
        value = fields.get(key)
        if value is None or value == "" or value == [] or value is False:
            continue
        if key == "slug":
            lines.append(f"slug: {quote('/' + str(value).strip('/'))}")
        elif key == "tags":
            assert isinstance(value, list)
            lines.append("tags: [" + ", ".join(quote(str(tag)) for tag in value) + "]")
        elif key == "draft":
            lines.append("draft: true")
        else:
            lines.append(f"{key}: {quote(str(value))}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def render_post(fields: Mapping[str, object], body: str) -> str:
    """A whole post file: frontmatter, a blank line, the body ending in one newline."""
    return render_frontmatter(fields) + "\n" + body.strip("\n") + "\n"


def existing_slugs(posts_dir: Path) -> dict[str, Path]:
    """Every post's slug (compared case-insensitively, see :func:`slug_key`) and its file."""
    slugs: dict[str, Path] = {}
    if not posts_dir.is_dir():
        return slugs
    for path in sorted(posts_dir.rglob("*.md")):
        text, _problem = decode(path.read_bytes())
        if text is None:
            continue
        slugs.setdefault(slug_key(parse_post(text, path.stem).frontmatter.slug), path)
    return slugs


def unique_slug(wanted: str, taken: Iterable[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``… : the first not in ``taken`` (any case)."""
    keys = {slug_key(slug) for slug in taken}
    candidate, number = wanted, 1
    while slug_key(candidate) in keys:
        number += 1
        candidate = f"{wanted}-{number}"
    return candidate


def next_number(posts_dir: Path) -> int:
    """One more than the highest ``<number>_`` prefix of a post file (1 for none)."""
    numbers = [0]
    if posts_dir.is_dir():
        for path in posts_dir.glob("*.md"):
            match = _NUMBERED.match(path.name)
            if match:
                numbers.append(int(match.group(1)))
    return max(numbers) + 1


def post_file_name(number: int, slug: str) -> str:
    """``12_my_question.md`` for post number 12 with slug ``my-question``."""
    stem = slugify(slug.replace("/", " ")).replace("-", "_") or "post"
    return f"{number}_{stem}.md"


def free_post_path(posts_dir: Path, slug: str, reserved: Iterable[Path] = ()) -> Path:
    """A post path in ``posts_dir`` that is neither on disk nor in ``reserved``."""
    taken = set(reserved)
    number = next_number(posts_dir)
    for path in taken:
        match = _NUMBERED.match(path.name)
        if match and path.parent == posts_dir:
            number = max(number, int(match.group(1)) + 1)
    while True:
        path = posts_dir / post_file_name(number, slug)
        if not path.exists() and path not in taken:
            return path
        number += 1


def new_post_fields(title: str, tags: list[str], date: dt.date, taken: Iterable[str]) -> dict[str, object]:
    """The frontmatter of a new post: a unique slug made from the title, the date, tags."""
    clean_title = " ".join(title.split())
    slug = unique_slug(slugify(clean_title) or "post", taken)
    fields: dict[str, object] = {"slug": slug, "title": clean_title, "date": date.isoformat()}
    if tags:
        fields["tags"] = tags
    return fields


def write_new_post(posts_dir: Path, title: str, tags: list[str], date: dt.date) -> Path:
    """Create the post file and return its path; never overwrites (``open(mode='x')``)."""
    fields = new_post_fields(title, tags, date, existing_slugs(posts_dir))
    path = free_post_path(posts_dir, str(fields["slug"]))
    posts_dir.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(render_post(fields, NEW_POST_BODY))
    return path


def split_tags(text: str | None) -> list[str]:
    """``'a, b ,a'`` as ``['a', 'b']``: trimmed, empty ones dropped, first spelling kept."""
    tags: list[str] = []
    for item in (text or "").split(","):
        tag = " ".join(item.split())
        if tag and slug_key(tag) not in {slug_key(seen) for seen in tags}:
            tags.append(tag)
    return tags
