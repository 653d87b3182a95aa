"""Bring the posts of another blog (Gatsby, Jekyll, Hugo, Docusaurus) into a Sourcebook site.

One small reader per engine turns each source file into an :class:`ImportedPost`: its
frontmatter in Sourcebook's keys, its body with image references rewritten to
``../images/blog/<name>``, and the image files to copy. :func:`import_blog` then plans
every write (post files numbered after the existing ones, image names made unique),
checks each post with :func:`sourcebook.posts.frontmatter.parse_post`, and writes nothing that
exists already. The :class:`ImportReport` says what was imported, renamed, skipped or
failed, and why.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import re
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from sourcebook.authoring.new import existing_slugs, free_post_path, render_post, unique_slug
from sourcebook.posts.frontmatter import IMAGE_SUFFIXES, decode, parse_date, parse_post
from sourcebook.posts.slugs import normalise_slug, slug_key, slugify

ENGINES = ("gatsby", "jekyll", "hugo", "docusaurus")

_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
_JEKYLL_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2}(?::\d{2})?)\s*([+-]\d{2}:?\d{2}|Z)?$")
_IMAGE_REF = re.compile(r"(!\[[^\]\n]*\]\()(\s*<?)([^)\s>]+)(>?(?:\s+\"[^\"\n]*\")?\s*\))")
_TRUNCATE = re.compile(
    r"^[ \t]*(<!--\s*truncate\s*-->|\{/\*\s*truncate\s*\*/\})[ \t]*(\n[ \t]*(?=\n))?\n?", re.MULTILINE
)
_LIQUID = re.compile(r"\{\{\s*site\.baseurl\s*\}\}|\{%-?\s*(link|post_url)\b[^%]*%\}")
_YAML_FENCE = re.compile(r"^---[ \t]*$")
_TOML_FENCE = re.compile(r"^\+\+\+[ \t]*$")


class PostImportError(Exception):
    """A source post that cannot be imported; the message says why and what to fix."""


class UsageError(Exception):
    """The import itself was asked for wrongly (no such folder, unknown layout)."""


@dataclass
class ImportedPost:
    """One source post, read and normalised, before anything is written."""

    source: Path
    frontmatter: dict[str, Any]
    body: str
    #: source image file -> the placeholder standing for it in ``body`` and ``frontmatter``
    images: dict[Path, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did (or, with ``--dry-run``, would do), line by line."""

    lines: list[str] = field(default_factory=list)
    imported: int = 0
    images: int = 0
    renamed: int = 0
    skipped: int = 0
    failed: int = 0
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        """0 when every post was imported or skipped for a stated reason, 1 when any failed."""
        return 1 if self.failed else 0

    def summary(self) -> str:
        text = (
            f"imported {self.imported} post(s) and {self.images} image(s); renamed {self.renamed}, "
            f"skipped {self.skipped}, failed {self.failed}"
        )
        return text + (" (dry run: nothing written)" if self.dry_run else "")


# -- reading frontmatter -------------------------------------------------------------------


def split_frontmatter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML (``---``) or TOML (``+++``) frontmatter from the body; values as loaded."""
    lines = text.split("\n")
    load: Callable[[str], Any]
    if lines and _YAML_FENCE.match(lines[0]):
        fence, load = _YAML_FENCE, _load_yaml
    elif lines and _TOML_FENCE.match(lines[0]):
        fence, load = _TOML_FENCE, tomllib.loads
    else:
        return {}, text
    closing = next((i for i in range(1, len(lines)) if fence.match(lines[i])), None)
    if closing is None:
        raise PostImportError("its frontmatter is never closed")
    try:
        data = load("\n".join(lines[1:closing]))
    except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError) as error:
        reason = " ".join(str(error).split())
        raise PostImportError(f"its frontmatter cannot be read ({reason})") from error
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PostImportError("its frontmatter is not a set of 'key: value' lines")
    return {str(key): value for key, value in data.items()}, "\n".join(lines[closing + 1 :])


def _load_yaml(text: str) -> Any:
    return yaml.safe_load(text)


def as_date(value: Any) -> str | None:
    """A frontmatter date (YAML/TOML date or datetime, or text) as Sourcebook's ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    match = _JEKYLL_DATETIME.match(text)
    if match:  # Jekyll's '2017-05-17 10:00:00 +0200'
        day, time, offset = match.groups()
        if len(time) <= 5:
            time += ":00"
        if offset and offset != "Z" and ":" not in offset:
            offset = offset[:3] + ":" + offset[3:]
        text = f"{day}T{time.zfill(8)}{offset or ''}"
    iso, reason = parse_date(text)
    if reason:
        raise PostImportError(f"its date '{value}' {reason}")
    return iso


def as_list(value: Any, separator: str | None) -> list[str]:
    """Tags or categories: a list, or text split on ``separator`` (None: whitespace)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [item.strip() for item in value.split(separator) if item.strip()]
    if isinstance(value, list):
        items: list[str] = []
        for item in value:
            if isinstance(item, dict):  # Docusaurus inline tags: {label, permalink}
                item = item.get("label")
            if item is not None and not isinstance(item, list | dict):
                items.append(" ".join(str(item).split()))
        return [item for item in items if item]
    return [str(value)]


def merge_tags(*groups: list[str]) -> list[str]:
    tags: list[str] = []
    for group in groups:
        for tag in group:
            if slug_key(tag) not in {slug_key(seen) for seen in tags}:
                tags.append(tag)
    return tags


def first_image(*values: Any) -> str | None:
    """The first usable image reference among frontmatter values (text, list, or mapping)."""
    for value in values:
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, dict):
            value = value.get("path") or value.get("image") or value.get("src")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


# -- the engines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Engine:
    """Where an engine keeps posts and images, and how its frontmatter maps to ours."""

    name: str
    #: the post files to import, sorted, with a reason for the ones to skip (None: import)
    find_posts: Callable[[Path], list[tuple[Path, str | None]]]
    #: folders that an absolute image path ('/images/x.png') is looked up under
    static_roots: Callable[[Path], list[Path]]
    read: Callable[[Path, str, dict[str, Any]], dict[str, Any]]


def _sorted_md(folder: Path, suffixes: tuple[str, ...] = (".md", ".markdown")) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*") if path.is_file() and path.suffix.lower() in suffixes)


def _common(data: dict[str, Any]) -> dict[str, Any]:
    """The keys every engine shares with Sourcebook."""
    return {
        "title": data.get("title"),
        "description": data.get("description"),
        "updated": as_date(data.get("updated")),
        "draft": data.get("draft") is True or str(data.get("draft")).lower() == "true",
    }


# Gatsby: src/posts/*.md, images in src/images/ referenced relatively, static/ for '/x.png'.


def _gatsby_posts(root: Path) -> list[tuple[Path, str | None]]:
    return [(path, None) for path in _sorted_md(root / "src" / "posts")]


def _gatsby_read(path: Path, stem: str, data: dict[str, Any]) -> dict[str, Any]:
    fields = _common(data)
    fields["slug"] = data.get("slug") or stem
    fields["date"] = as_date(data.get("date"))
    fields["featuredImage"] = first_image(data.get("featuredImage"))
    fields["tags"] = as_list(data.get("tags"), ",")
    return fields


# Jekyll: _posts/YYYY-MM-DD-name.md, categories/tags as lists or space-separated text.


def _jekyll_posts(root: Path) -> list[tuple[Path, str | None]]:
    found: list[tuple[Path, str | None]] = []
    for path in _sorted_md(root / "_posts"):
        dated = _DATED_NAME.match(path.stem)
        found.append((path, None if dated else "Jekyll publishes only files named YYYY-MM-DD-name.md"))
    return found


def _jekyll_read(path: Path, stem: str, data: dict[str, Any]) -> dict[str, Any]:
    day, name = _dated(stem)
    fields = _common(data)
    fields["slug"] = data.get("slug") or name
    fields["date"] = as_date(data.get("date")) or day
    fields["updated"] = as_date(data.get("last_modified_at")) or fields["updated"]
    fields["description"] = data.get("description") or data.get("excerpt")
    fields["featuredImage"] = first_image(
        data.get("featuredImage"), data.get("image"), data.get("featured_image")
    )
    fields["tags"] = merge_tags(as_list(data.get("categories"), None), as_list(data.get("tags"), None))
    if data.get("published") is False:
        fields["draft"] = True
    return fields


# Hugo: content/posts (or post, blog), single files or bundles (name/index.md); YAML or TOML.


def _hugo_posts(root: Path) -> list[tuple[Path, str | None]]:
    content = root / "content"
    folder = next(
        (content / name for name in ("posts", "post", "blog") if (content / name).is_dir()), content
    )
    found: list[tuple[Path, str | None]] = []
    for path in _sorted_md(folder):
        if path.name == "_index.md":
            found.append((path, "a Hugo section page (_index.md) lists posts; it is not one"))
        elif path.name == "index.md" or path.parent == folder:
            found.append((path, None))
    return found


def _hugo_read(path: Path, stem: str, data: dict[str, Any]) -> dict[str, Any]:
    fields = _common(data)
    fields["slug"] = data.get("slug") or (path.parent.name if path.name == "index.md" else stem)
    fields["date"] = as_date(data.get("date") or data.get("publishDate"))
    fields["updated"] = as_date(data.get("lastmod")) or fields["updated"]
    fields["description"] = data.get("description") or data.get("summary")
    cover = data.get("cover")
    fields["featuredImage"] = first_image(
        data.get("featuredImage"),
        data.get("featured_image"),
        data.get("image"),
        data.get("images"),
        cover.get("image") if isinstance(cover, dict) else cover,
    )
    fields["tags"] = merge_tags(as_list(data.get("tags"), ","), as_list(data.get("categories"), ","))
    return fields


# Docusaurus: blog/YYYY-MM-DD-name.md or blog/YYYY-MM-DD-name/index.md; images in static/.


def _docusaurus_posts(root: Path) -> list[tuple[Path, str | None]]:
    found: list[tuple[Path, str | None]] = []
    for path in _sorted_md(root / "blog", (".md", ".mdx", ".markdown")):
        if path.suffix.lower() == ".mdx":
            found.append((path, "MDX (JSX components) is not Markdown; convert it to .md by hand"))
        else:
            found.append((path, None))
    return found


def _docusaurus_read(path: Path, stem: str, data: dict[str, Any]) -> dict[str, Any]:
    day, name = _dated(path.parent.name if path.stem == "index" else stem)
    fields = _common(data)
    fields["slug"] = data.get("slug") or name
    fields["date"] = as_date(data.get("date")) or day
    fields["featuredImage"] = first_image(data.get("image"), data.get("featuredImage"))
    fields["tags"] = as_list(data.get("tags"), ",")
    return fields


def _dated(name: str) -> tuple[str | None, str]:
    """``('2020-01-02', 'name')`` for ``2020-01-02-name``; ``(None, name)`` otherwise."""
    match = _DATED_NAME.match(name)
    return (match.group(1), match.group(2)) if match else (None, name)


ENGINE_TABLE: dict[str, Engine] = {
    "gatsby": Engine("gatsby", _gatsby_posts, lambda root: [root / "static", root], _gatsby_read),
    "jekyll": Engine("jekyll", _jekyll_posts, lambda root: [root], _jekyll_read),
    "hugo": Engine("hugo", _hugo_posts, lambda root: [root / "static", root / "assets", root], _hugo_read),
    "docusaurus": Engine(
        "docusaurus", _docusaurus_posts, lambda root: [root / "static", root], _docusaurus_read
    ),
}


def detect(root: Path) -> str | None:
    """Which engine's layout ``root`` has, or None."""
    if any((root / f"docusaurus.config.{ext}").is_file() for ext in ("js", "ts", "mjs", "cjs")):
        return "docusaurus"
    if (root / "content").is_dir() and any(
        (root / name).is_file()
        for name in ("hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml", "config.json")
    ):
        return "hugo"
    if (root / "_posts").is_dir():
        return "jekyll"
    if (root / "src" / "posts").is_dir():
        return "gatsby"
    if (root / "blog").is_dir():
        return "docusaurus"
    return None


# -- reading one post ------------------------------------------------------------------------


def read_post(engine: Engine, root: Path, path: Path) -> ImportedPost:
    """Read one source post into Sourcebook's keys, its images rewritten; raises PostImportError."""
    text, problem = decode(path.read_bytes())
    if text is None:
        assert problem is not None
        raise PostImportError(problem.message)
    data, body = split_frontmatter(text)
    head_lines = text.count("\n") - body.count("\n")  # so that notes give file lines
    fields = engine.read(path, path.stem, data)
    post = ImportedPost(path, {}, body)

    title = fields.get("title")
    if not isinstance(title, str) or not title.strip():
        raise PostImportError("it has no title; add title: '...' to its frontmatter")
    raw_slug = str(fields.get("slug") or "")
    slug, _reason = normalise_slug(raw_slug)
    if slug is None:
        slug = slugify(raw_slug) or slugify(title) or "post"
    if not fields.get("date"):
        raise PostImportError("it has no date (neither in its frontmatter nor in its file name)")
    description = fields.get("description")

    image = fields.get("featuredImage")
    if image and ("{{" in image or "{%" in image):
        raise PostImportError(f"its featured image '{image}' uses Liquid tags; write a plain path")
    # A web address stays as it is; a local file becomes a placeholder for its copy.
    featured = (_rewrite_image(engine, root, post, image, "featuredImage") or image) if image else None

    post.body = _IMAGE_REF.sub(
        lambda match: (
            match.group(1)
            + match.group(2)
            + (
                _rewrite_image(engine, root, post, match.group(3), _line_of(body, match.start(), head_lines))
                or match.group(3)
            )
            + match.group(4)
        ),
        body,
    )
    if _TRUNCATE.search(post.body):
        post.body = _TRUNCATE.sub("", post.body)
        post.notes.append("removed the <!-- truncate --> marker (every page shows the whole post)")
    for match in _LIQUID.finditer(post.body):
        line = _line_of(post.body, match.start(), head_lines)
        post.notes.append(f"{line} keeps Jekyll's {match.group(0)!s}: left alone, fix the link by hand")
    dropped = sorted(set(data) - _USED_KEYS[engine.name])
    if dropped:
        post.notes.append("left out frontmatter keys: " + ", ".join(dropped))

    post.frontmatter = {
        "slug": slug,
        "title": " ".join(title.split()),
        "date": fields["date"],
        "updated": fields.get("updated"),
        "description": description if isinstance(description, str) else None,
        "featuredImage": featured,
        "tags": fields.get("tags") or [],
        "draft": bool(fields.get("draft")),
    }
    return post


_SHARED_KEYS = {"title", "description", "updated", "draft", "slug", "date", "tags"}
_USED_KEYS = {
    "gatsby": _SHARED_KEYS | {"featuredImage"},
    "jekyll": _SHARED_KEYS
    | {"last_modified_at", "excerpt", "featuredImage", "image", "featured_image", "categories", "published"}
    | {"layout"},
    "hugo": _SHARED_KEYS
    | {"publishDate", "lastmod", "summary", "featuredImage", "featured_image", "image", "images", "cover"}
    | {"categories"},
    "docusaurus": _SHARED_KEYS | {"image", "featuredImage"},
}


def _line_of(text: str, offset: int, head_lines: int) -> str:
    return f"line {head_lines + text.count(chr(10), 0, offset) + 1}"


def _rewrite_image(engine: Engine, root: Path, post: ImportedPost, reference: str, where: str) -> str | None:
    """The new reference for one image (and note the file to copy); None to leave it as is."""
    text = reference.strip()
    if "{{" in text or "{%" in text:
        post.notes.append(f"{where}: image '{text}' uses Jekyll's Liquid tags: left alone, fix it by hand")
        return None
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", text) or text.startswith("//"):
        return None  # a web address: nothing to copy
    relative = unquote(text.split("?", 1)[0].split("#", 1)[0])
    if Path(relative).suffix.lower() not in IMAGE_SUFFIXES:
        raise PostImportError(f"{where}: '{text}' is not an image file")
    if relative.startswith("/"):
        candidates = [base / relative.lstrip("/") for base in engine.static_roots(root)]
    else:
        candidates = [post.source.parent / relative]
    found = next((path.resolve() for path in candidates if path.is_file()), None)
    if found is None:
        raise PostImportError(f"{where}: image '{text}' not found (looked for {candidates[0]})")
    if not found.is_relative_to(root.resolve()):
        raise PostImportError(f"{where}: image '{text}' lies outside the blog's folder")
    # A placeholder, replaced by '../images/blog/<final name>' once names are planned.
    return post.images.setdefault(found, f"\x00image{len(post.images)}\x00")


# -- planning and writing --------------------------------------------------------------------


class _ImagePlan:
    """Gives each source image one name under ``images/blog/``: its own when free or when
    the same bytes are already there, else ``name-2.png``, ``name-3.png``…"""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.chosen: dict[Path, str] = {}
        self.planned: dict[str, Path] = {}

    def name_for(self, source: Path) -> tuple[str, bool, bool]:
        """``(name, copy_needed, renamed)`` for ``source``."""
        if source in self.chosen:
            return self.chosen[source], False, False
        stem, suffix = Path(source.name).stem, Path(source.name).suffix
        number = 1
        while True:
            name = source.name if number == 1 else f"{stem}-{number}{suffix}"
            target = self.folder / name
            if name in self.planned:
                pass
            elif target.exists():
                if target.is_file() and filecmp.cmp(source, target, shallow=False):
                    self.chosen[source] = name
                    return name, False, number > 1
            else:
                self.chosen[source] = name
                self.planned[name] = source
                return name, True, number > 1
            number += 1


def import_blog(
    source: Path, site: Path, posts_dir: str, engine_name: str | None, dry_run: bool
) -> ImportReport:
    """Import every post of the blog at ``source`` into ``site``; raises UsageError."""
    if not source.is_dir():
        raise UsageError(f"{source} is not a folder")
    source = source.resolve()
    name = engine_name or detect(source)
    if name is None:
        raise UsageError(
            f"{source} has no blog layout this command knows: src/posts/ (Gatsby), _posts/ (Jekyll), "
            "content/ with hugo.toml or config.toml (Hugo), blog/ (Docusaurus); or use --from"
        )
    engine = ENGINE_TABLE[name]
    posts_folder = site / posts_dir
    images_folder = posts_folder.parent / "images" / "blog"
    report = ImportReport(dry_run=dry_run)
    slugs = existing_slugs(posts_folder)
    batch_slugs: dict[str, Path] = {}
    reserved: list[Path] = []
    images = _ImagePlan(images_folder)

    def shown(path: Path) -> str:
        return path.relative_to(source).as_posix()

    for path, skip_reason in engine.find_posts(source):
        if skip_reason:
            report.skipped += 1
            report.lines.append(f"skipped {shown(path)}: {skip_reason}")
            continue
        try:
            post = read_post(engine, source, path)
        except PostImportError as failure:
            report.failed += 1
            report.lines.append(f"failed {shown(path)}: {failure}")
            continue
        slug = str(post.frontmatter["slug"])
        owner = slugs.get(slug_key(slug))
        if owner is not None:
            report.skipped += 1
            where = owner.relative_to(site).as_posix()
            report.lines.append(f"skipped {shown(path)}: the slug '{slug}' is already used by {where}")
            continue
        if slug_key(slug) in batch_slugs:
            new_slug = unique_slug(slug, [*batch_slugs, *slugs])
            report.renamed += 1
            report.lines.append(
                f"renamed slug '{slug}' -> '{new_slug}' ({shown(path)}): "
                f"{shown(batch_slugs[slug_key(slug)])} has it too"
            )
            slug = post.frontmatter["slug"] = new_slug
        batch_slugs[slug_key(slug)] = path

        copies: list[tuple[Path, Path]] = []
        for image_source, token in post.images.items():
            image_name, copy_needed, renamed = images.name_for(image_source)
            if renamed:
                report.renamed += 1
                report.lines.append(
                    f"renamed image {shown(image_source)} -> "
                    f"{(images_folder / image_name).relative_to(site).as_posix()}: "
                    f"another {image_source.name} is already there"
                )
            if copy_needed:
                copies.append((image_source, images_folder / image_name))
            reference = f"../images/blog/{image_name}"
            post.body = post.body.replace(token, reference)
            if post.frontmatter.get("featuredImage") == token:
                post.frontmatter["featuredImage"] = reference

        target = free_post_path(posts_folder, slug, reserved)
        text = render_post(post.frontmatter, post.body)
        problems = parse_post(text, target.stem).problems
        if problems:
            report.failed += 1
            reasons = "; ".join(problem.message for problem in problems)
            report.lines.append(f"failed {shown(path)}: {reasons}")
            continue
        reserved.append(target)
        if not dry_run:
            images_folder.mkdir(parents=True, exist_ok=True)
            for image_source, image_target in copies:
                # 'x': never overwrite, even a file that appeared since the plan was made.
                with image_source.open("rb") as reader, image_target.open("xb") as writer:
                    shutil.copyfileobj(reader, writer)
            posts_folder.mkdir(parents=True, exist_ok=True)
            with target.open("x", encoding="utf-8") as handle:
                handle.write(text)
        report.imported += 1
        report.images += len(copies)
        report.lines.append(f"imported {shown(path)} -> {target.relative_to(site).as_posix()}")
        for note in post.notes:
            report.lines.append(f"note {shown(path)}: {note}")
    return report
