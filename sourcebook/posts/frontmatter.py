"""Read, normalise and validate one post's Gatsby-style frontmatter.

This is the single place where the rules for a post's head live. The Sphinx build and
``sourcebook check`` both call :func:`parse_post`, so they report the same problems in
the same words. Pure: no Sphinx import; the only file access is :func:`check_image`,
which looks at the disk on purpose.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sourcebook.posts.slugs import normalise_slug, slugify

#: The keys Sourcebook understands; any other key is kept as-is in ``extra``.
KNOWN_KEYS = ("slug", "title", "date", "featuredImage", "description", "tags", "draft", "updated")

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg"})

_FENCE = re.compile(r"^---[ \t]*$")
_CLOSING_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_WORDY_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d", "%d/%m/%Y", "%d.%m.%Y")
#: Characters no page, feed or terminal can show: C0 but tab and newline, DEL and C1 (YAML's
#: double quotes can hold them: "\e[31m").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0", ""})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a post: where, what kind (a ``kb.<kind>`` warning), what to do."""

    line: int
    kind: str
    message: str


@dataclass
class FrontMatter:
    """A post's frontmatter after normalisation: typed values, defaults filled in."""

    title: str
    slug: str
    date: str | None = None
    updated: str | None = None
    description: str | None = None
    featured_image: str | None = None
    tags: list[str] = field(default_factory=list)
    draft: bool = False
    raw: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)

    @property
    def extra(self) -> dict[str, Any]:
        """The keys Sourcebook does not interpret, kept for templates and later features."""
        return {key: value for key, value in self.raw.items() if key not in KNOWN_KEYS}

    def line_of(self, key: str) -> int:
        """The file line of ``key``, or of the opening fence when the key is absent."""
        return self.key_lines.get(key, 1)

    def as_metadata(self) -> dict[str, str]:
        """Every key as a string, the way Sphinx stores page metadata (MyST's convention:
        lists and mappings JSON-encoded), with the normalised values for known keys."""
        metadata = {key: _metadata_string(value) for key, value in self.raw.items()}
        metadata["title"] = self.title
        metadata["slug"] = self.slug
        metadata["tags"] = json.dumps(self.tags, ensure_ascii=False)
        metadata["draft"] = "true" if self.draft else "false"
        for key, value in (
            ("date", self.date),
            ("updated", self.updated),
            ("description", self.description),
            ("featuredImage", self.featured_image),
        ):
            if value is not None:
                metadata[key] = value
            else:
                metadata.pop(key, None)
        return metadata


@dataclass
class ParsedPost:
    """The result of reading a post file: its frontmatter, its body, and its problems."""

    frontmatter: FrontMatter
    body: str
    body_line: int
    problems: list[Problem]

    def body_with_blank_head(self) -> str:
        """The body preceded by blank lines, so that body line numbers match the file."""
        return "\n" * (self.body_line - 1) + self.body


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """Decode a post file: UTF-8 with or without BOM, CRLF or LF line endings."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        return None, Problem(
            line,
            "encoding",
            f"the file is not UTF-8 text (byte 0x{byte:02x} on this line), so the build leaves "
            "it out; save it with UTF-8 encoding",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def parse_post(text: str, file_stem: str) -> ParsedPost:
    """Split ``text`` into frontmatter and body and validate every key.

    Never raises on bad content: each problem is returned with its line, and the
    frontmatter falls back to safe values (a title and slug made from ``file_stem``)
    so the post can still be built.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    fallback = FrontMatter(title=_title_from_stem(file_stem), slug=slugify(file_stem) or "post")
    if not text.strip():
        problem = Problem(
            1,
            "frontmatter",
            "the file is empty; write a frontmatter block "
            "(---, title: '...', date: 'YYYY-MM-DD', ---) and the post's text",
        )
        return ParsedPost(fallback, "", 1, [problem])

    lines = text.split("\n")
    if not _FENCE.match(lines[0]):
        problem = Problem(
            1,
            "frontmatter",
            "the post has no frontmatter; start the file with a "
            "line '---', then title: '...' and date: 'YYYY-MM-DD', then '---'",
        )
        return ParsedPost(fallback, text, 1, [problem])

    closing = next((i for i in range(1, len(lines)) if _CLOSING_FENCE.match(lines[i])), None)
    if closing is None:
        problem = Problem(
            1,
            "frontmatter",
            "the frontmatter opened on this line is never closed; add a line '---' after its last key",
        )
        return ParsedPost(fallback, "\n".join(lines[1:]), 2, [problem])

    yaml_text = "\n".join(lines[1:closing])
    body = "\n".join(lines[closing + 1 :])
    body_line = closing + 2
    data, key_lines, problems = _load_yaml(yaml_text, first_line=2)
    if data is None:
        return ParsedPost(fallback, body, body_line, problems)
    data = _without_control_characters(data, key_lines, problems)
    frontmatter, field_problems = _normalise(data, key_lines, fallback)
    all_problems = sorted(problems + field_problems, key=lambda problem: problem.line)
    return ParsedPost(frontmatter, body, body_line, all_problems)


# libyaml's parser when PyYAML was built with it: several times faster, same results.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A safe loader that leaves dates as text, so that date errors get our own message
    (PyYAML would raise a bare ValueError on '2017-02-30' with no line)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(
    yaml_text: str, first_line: int
) -> tuple[dict[str, Any] | None, dict[str, int], list[Problem]]:
    """Load the YAML block; report syntax errors and duplicate keys with file lines."""
    loader = _Loader(yaml_text)
    try:
        # One parse: compose the node tree (it carries the lines), then build the values.
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        return None, {}, [_yaml_problem(error, yaml_text, first_line)]
    except yaml.YAMLError as error:  # pragma: no cover - PyYAML marks all syntax errors
        return None, {}, [Problem(first_line, "frontmatter", f"the frontmatter is not valid YAML: {error}")]
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(node, (yaml.MappingNode, type(None))):
        return (
            None,
            {},
            [
                Problem(
                    first_line,
                    "frontmatter",
                    "the frontmatter must be 'key: value' lines, such as title: 'My question'",
                )
            ],
        )
    key_lines: dict[str, int] = {}
    problems: list[Problem] = []
    for key_node, _value_node in node.value if node is not None else []:
        key = str(key_node.value)
        line = first_line + key_node.start_mark.line
        if key in key_lines:
            problems.append(
                Problem(
                    line,
                    "frontmatter",
                    f"the key '{key}' appears twice (first on line {key_lines[key]}); keep only one",
                )
            )
        else:
            key_lines[key] = line
    return {str(key): value for key, value in data.items()}, key_lines, problems


def _yaml_problem(error: yaml.MarkedYAMLError, yaml_text: str, first_line: int) -> Problem:
    """Turn a PyYAML error into one actionable sentence at the right file line."""
    mark = error.problem_mark
    problem = error.problem or "invalid syntax"
    quote_line = _unclosed_quote_line(yaml_text)
    if error.context and "quoted scalar" in error.context and error.context_mark is not None:
        quote_line = error.context_mark.line
    if quote_line is not None:
        return Problem(
            first_line + quote_line,
            "frontmatter",
            "a quote opened on this line is never closed; end the value with the same quote it starts with",
        )
    line = first_line + (mark.line if mark is not None else 0)
    lines = yaml_text.split("\n")
    indented_with_tab = next((number for number, text in enumerate(lines) if re.match(r"^ *\t", text)), None)
    if indented_with_tab is not None:
        line = first_line + indented_with_tab
        problem = "\t"
    if "\\t" in problem or "\t" in problem:
        return Problem(
            line,
            "frontmatter",
            "the frontmatter is indented with a tab; YAML needs spaces: replace the tab with spaces",
        )
    return Problem(
        line,
        "frontmatter",
        f"the frontmatter is not valid YAML ({problem}); "
        "write one 'key: value' per line and quote values that contain ': '",
    )


def _unclosed_quote_line(yaml_text: str) -> int | None:
    """The first 'key: 'value' line whose quote does not close on the same line.

    PyYAML reads such a quote on into the next lines and then fails somewhere else, so
    its own position would send the author to the wrong line.
    """
    for number, line in enumerate(yaml_text.split("\n")):
        match = re.match(r"^\s*[^\s:#][^:]*:\s+(['\"])(.*)$", line)
        if match and not match.group(2).rstrip().endswith(match.group(1)):
            return number
    return None


def _without_control_characters(
    data: dict[str, Any], key_lines: dict[str, int], problems: list[Problem]
) -> dict[str, Any]:
    """Every value with its control characters left out, and one problem per key that held any."""
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        found: list[str] = []
        cleaned[key] = _strip_control(value, found)
        if found:
            names = ", ".join(f"U+{ord(character):04X}" for character in dict.fromkeys(found))
            problems.append(
                Problem(
                    key_lines.get(key, 1),
                    "frontmatter",
                    f"the {_CONTROL.sub('', key)} holds control characters ({names}), which no page "
                    "can show; they are left out: remove them",
                )
            )
    return cleaned


def _strip_control(value: Any, found: list[str]) -> Any:
    if isinstance(value, str):
        found.extend(_CONTROL.findall(value))
        return _CONTROL.sub("", value)
    if isinstance(value, list):
        return [_strip_control(item, found) for item in value]
    if isinstance(value, dict):
        return {_strip_control(key, found): _strip_control(item, found) for key, item in value.items()}
    return value


def _normalise(
    data: dict[str, Any], key_lines: dict[str, int], fallback: FrontMatter
) -> tuple[FrontMatter, list[Problem]]:
    problems: list[Problem] = []

    def report(key: str, kind: str, message: str) -> None:
        problems.append(Problem(key_lines.get(key, 1), kind, message))

    title = fallback.title
    raw_title = data.get("title")
    if raw_title is None or (isinstance(raw_title, str) and not raw_title.strip()):
        report(
            "title",
            "title",
            "the post has no title; add a line such as "
            "title: 'How do I check goods before paying the balance?'",
        )
    elif not isinstance(raw_title, str):
        report(
            "title",
            "title",
            f"the title must be text, but it is {_kind_of(raw_title)}; "
            f"put it in quotes: title: '{_plain(raw_title)}'",
        )
    else:
        title = " ".join(raw_title.split())

    slug = fallback.slug
    if "slug" in data:
        raw_slug = data["slug"]
        if not isinstance(raw_slug, str | int):
            report(
                "slug",
                "slug",
                f"the slug must be text, but it is {_kind_of(raw_slug)}; "
                f"write it as slug: '/{fallback.slug}'",
            )
        else:
            normalised, reason = normalise_slug(str(raw_slug))
            if normalised is None:
                report(
                    "slug",
                    "slug",
                    f"the slug '{raw_slug}' {reason}; use letters, digits and "
                    f"hyphens, such as slug: '/{slugify(str(raw_slug)) or fallback.slug}'",
                )
            else:
                slug = normalised

    date = _date_field(data, "date", report)
    if "date" not in data:
        report(
            "date",
            "date",
            "the post has no date; add a line date: 'YYYY-MM-DD' with the day it was first published",
        )
    updated = _date_field(data, "updated", report)
    if date and updated and updated[:10] < date[:10]:
        report(
            "updated",
            "date",
            f"updated '{updated}' is earlier than date '{date}'; "
            "updated is the day of the last change, on or after date",
        )

    description = None
    if "description" in data and data["description"] is not None:
        if isinstance(data["description"], str):
            description = " ".join(data["description"].split()) or None
        else:
            report("description", "frontmatter", "the description must be text; put it in quotes")

    tags = _tags(data.get("tags"), lambda message: report("tags", "frontmatter", message))
    draft = _draft(data.get("draft", False), lambda message: report("draft", "frontmatter", message))

    featured_image = None
    raw_image = data.get("featuredImage")
    if raw_image not in (None, ""):
        if not isinstance(raw_image, str):
            report(
                "featuredImage",
                "image",
                "featuredImage must be a path in quotes, such as featuredImage: '../images/blog/photo.jpg'",
            )
        else:
            reason = image_reference_problem(raw_image)
            if reason:
                report("featuredImage", "image", f"featuredImage '{raw_image}' {reason}")
            else:
                featured_image = raw_image.strip()

    frontmatter = FrontMatter(
        title=title,
        slug=slug,
        date=date,
        updated=updated,
        description=description,
        featured_image=featured_image,
        tags=tags,
        draft=draft,
        raw=data,
        key_lines=key_lines,
    )
    return frontmatter, problems


def parse_date(value: Any) -> tuple[str | None, str | None]:
    """Return ``(iso_text, None)`` for a valid date or datetime, or ``(None, reason)``.

    Accepted: 'YYYY-MM-DD' (quoted or not) and ISO 8601 datetimes, with or without an
    offset. The ISO text is what ``<time datetime>`` and JSON-LD carry.
    """
    text = str(value).strip() if isinstance(value, str | int | float) else None
    if not text:
        return None, "is empty"
    if _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text).isoformat(), None
        except ValueError:
            return None, "is not a real calendar day; write an existing date as 'YYYY-MM-DD'"
    if _ISO_DATETIME.match(text):
        try:
            return dt.datetime.fromisoformat(text.replace(" ", "T", 1)).isoformat(), None
        except ValueError:
            return None, "is not a real date and time; write it as 'YYYY-MM-DDTHH:MM:SS+00:00'"
    for fmt in _WORDY_DATE_FORMATS:
        try:
            guess = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return None, f"is not in YYYY-MM-DD form; write it as '{guess.isoformat()}'"
    return None, "is not a date; write it as 'YYYY-MM-DD', such as '2017-05-17'"


def format_date(iso_text: str) -> str:
    """'2017-05-17' (or a datetime on that day) as 'May 17, 2017'."""
    day = dt.date.fromisoformat(iso_text[:10])
    return f"{day:%B} {day.day}, {day.year}"


def image_reference_problem(reference: str) -> str | None:
    """Why an image reference is unusable on its face, before looking at the disk."""
    text = reference.strip()
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", text) and not text.startswith(("http://", "https://")):
        return "is not a file path or an http(s) address; write a path such as '../images/blog/photo.jpg'"
    if "\\" in text:
        return "uses backslashes; write the path with '/'"
    return None


def check_image(reference: str, post_path: Path, site_root: Path) -> tuple[Path | None, str | None]:
    """Resolve a local image reference against the post; ``(path, None)`` when usable.

    A leading '/' means the site root. The resolved file must lie inside ``site_root``
    (symlinks followed), be an image and exist: frontmatter is untrusted and must never
    pull a file from elsewhere on the machine into the published site.
    """
    root = site_root.resolve()
    relative = reference.strip().split("?", 1)[0].split("#", 1)[0]
    base = root if relative.startswith("/") else post_path.parent
    target = (base / relative.lstrip("/")).resolve()
    if not target.is_relative_to(root):
        return None, "points outside the site's source folder; keep images under source/images/"
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        allowed = ", ".join(sorted(IMAGE_SUFFIXES))
        return None, f"is not an image file; use one of {allowed}"
    if not target.is_file():
        shown = target.relative_to(root).as_posix()
        return None, f"does not exist ({shown}); add the file or correct the path"
    return target, None


def _date_field(data: dict[str, Any], key: str, report: Any) -> str | None:
    if key not in data or data[key] is None:
        return None
    iso, reason = parse_date(data[key])
    if reason:
        report(key, "date", f"{key} '{_plain(data[key])}' {reason}")
    return iso


def _tags(value: Any, report: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        report("tags must be a list (tags: [inspection, payment]) or comma-separated text")
        return []
    tags: list[str] = []
    for item in items:
        if isinstance(item, dict | list):
            report("each tag must be a word or phrase, not a nested list or mapping")
            continue
        tag = " ".join(str(item).split())
        if tag and tag.casefold() not in {seen.casefold() for seen in tags}:
            tags.append(tag)
    return tags


def _draft(value: Any, report: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold() if value is not None else ""
    if text in _TRUE:
        return True
    if text not in _FALSE:
        report(f"draft must be true or false, not '{_plain(value)}'")
    return False


def _title_from_stem(stem: str) -> str:
    words = re.sub(r"^\d+[_-]", "", stem).replace("_", " ").replace("-", " ").split()
    return " ".join(words).capitalize() or stem


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _metadata_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)
