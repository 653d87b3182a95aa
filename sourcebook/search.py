"""Full-text search with Pagefind: post pages marked for it, the index built after Sphinx.

While the HTML is written (``html-page-context``), each published post's body is wrapped in
a ``data-pagefind-body`` element carrying its title and date (meta, shown in results), its
tags and year (filters) and its ISO date (sort), and ending with a hidden list of the
glossary names of every term the post mentions (term, abbreviations, synonyms, Chinese), so
that "L/C", "letter of credit" and "信用证" all find a post that says one of them. The terms
come from the term links (``glossary.py``'s mentions), never from matching again. Only post
pages carry ``data-pagefind-body``, so Pagefind indexes posts only.

After Sphinx, :func:`build_search_index` runs the Pagefind binary (PyPI's ``pagefind_bin``)
on the output folder: ``sourcebook build``, ``make html`` and Read the Docs'
``post_build`` job call it (``python -m sourcebook.search _build/html``). The site's
``search.html`` (a template shipped here) shows Pagefind's UI for ``?q=`` when the bundle
exists, and Sphinx's own search when it does not.
"""

from __future__ import annotations

import hashlib
import html
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sourcebook.frontmatter import format_date
from sourcebook.glossary import mentions_of
from sourcebook.glossary_data import GlossaryEntry
from sourcebook.posts import get_domain, is_post
from sourcebook.publishing import builds_website, write_if_changed
from sourcebook.search_corpus import SKIPPED_CLASSES
from sourcebook.search_query import SEARCH_DATA, terms_payload
from sourcebook.term_links import term_glossary

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sphinx.application import Sphinx
    from sphinx.config import Config

#: Parts of a post page that are not its text, which Pagefind ignores (``--exclude-selectors``);
#: the command line's reading of the pages skips the same ones.
NOT_INDEXED = tuple(f".{name}" for name in SKIPPED_CLASSES)
#: The bundle's folder inside the output.
BUNDLE = "pagefind"
#: In the bundle: a digest of what it was built from (see :func:`_index_inputs`).
INPUTS_DIGEST = "sourcebook-inputs.sha256"
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
#: A section's opening with its heading: Pagefind links sub-results to headings with an id.
_SECTION_HEADING = re.compile(r'<section id="([^"]+)">(\s*)<h([2-6])>')


def _mark(kind: str, key: str, value: str) -> str:
    """An empty element giving Pagefind one ``key`` (meta, filter or sort) and its value.

    The value is read from an attribute (``key[data-kb-value]``), so it needs HTML escaping
    only: no Pagefind syntax (commas, colons) to escape, and no text added to the page.
    """
    text = html.escape(" ".join(value.split()), quote=True)
    return f'<span data-pagefind-{kind}="{key}[data-kb-value]" data-kb-value="{text}"></span>'


def glossary_names(entries: Sequence[GlossaryEntry]) -> list[str]:
    """Every name of the given entries, in order, without repeats."""
    return list(dict.fromkeys(name for entry in entries for name in (*entry.variants, entry.chinese) if name))


def mark_post(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Wrap a published post's body for Pagefind: its meta, filters and glossary names."""
    if not builds_website(app) or not is_post(pagename, app.config):
        return
    post = get_domain(app.env).posts.get(pagename)
    if post is None or post.draft or "body" not in context:
        return
    marks = [_mark("meta", "title", post.title)]
    if post.date:
        marks.append(_mark("meta", "date", format_date(post.date[:10])))
        marks.append(_mark("sort", "date", post.date[:10]))
        marks.append(_mark("filter", "year", post.date[:4]))
    marks.extend(_mark("filter", "tag", tag) for tag in post.tags)
    synonyms = ""
    glossary = term_glossary(app.env)
    keys = set(mentions_of(app.env).posts.get(pagename, ()))
    if glossary is not None and keys:
        names = glossary_names([entry for entry in glossary.entries if entry.key in keys])
        # Hidden on the page, indexed as body text (an excerpt may quote it when it is the only match).
        synonyms = '<div class="kb-search-terms" hidden>{}</div>'.format(
            " · ".join(html.escape(name) for name in names)
        )
    # The section's id moves to its heading, where Pagefind finds it for section results.
    body = _SECTION_HEADING.sub(r'<section>\2<h\3 id="\1">', str(context["body"]))
    context["body"] = (
        '<div class="kb-search-body" data-pagefind-body>' + "".join(marks) + body + synonyms + "</div>"
    )


def add_templates(app: Sphinx, config: Config) -> None:
    """Ship ``search.html`` and its script: after the project's own files, before the theme's."""
    config.templates_path = [*config.templates_path, str(TEMPLATES)]
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def write_query_terms(app: Sphinx, exception: BaseException | None) -> None:
    """Write ``kb-search/terms.json``: how the search page and the CLI read a query.

    Written on every HTML build from the glossary and the post store, which are complete
    after incremental and parallel builds alike.
    """
    if exception is not None or not builds_website(app):
        return
    glossary = term_glossary(app.env)
    entries = (
        [(entry.term, (*entry.variants, entry.chinese)) for entry in glossary.entries] if glossary else []
    )
    posts = sum(1 for post in get_domain(app.env).posts.values() if not post.draft)
    payload = terms_payload(entries, posts)
    payload["postsDir"] = app.config.kb_posts_dir  # where the indexing step finds the posts' pages
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    write_if_changed(Path(app.outdir) / SEARCH_DATA / "terms.json", text.encode("utf-8"))


def _posts_glob(site: Path) -> str:
    """Pagefind's ``--glob`` for the posts' pages, the only ones it indexes: it then skips
    parsing the rest (a redirect page per post, tag pages…). Every page when unknown."""
    try:
        posts_dir = str(
            json.loads((site / SEARCH_DATA / "terms.json").read_text(encoding="utf-8"))["postsDir"]
        ).strip("/")
    except (OSError, ValueError, KeyError):
        posts_dir = ""
    return f"{posts_dir}/**/*.html" if posts_dir else "**/*.html"


def _index_inputs(site: Path, glob: str, options: Sequence[str]) -> str:
    """A digest of everything Pagefind's bundle depends on: the pages it reads (path and
    bytes), its options and its version. Sphinx rewrites only the pages whose content may
    have changed, so after most rebuilds (no change, an edited tag or landing page) the
    digest is the same and the bundle is kept."""
    digest = hashlib.sha256()
    try:
        version = importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    digest.update("\0".join([version, *options]).encode())
    for page in sorted(site.glob(glob)):
        if page.is_file():
            data = page.read_bytes()
            digest.update(f"\0{page.relative_to(site).as_posix()}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()


def build_search_index(outdir: Path | str) -> int:
    """Run Pagefind on a built site; the bundle goes to ``<outdir>/pagefind``. Returns its exit code.

    Pagefind has no incremental mode: it reads every post page again (4–6 s at 1,000 posts).
    When no page it reads has changed since the bundle was made, the bundle is kept.
    """
    site = Path(outdir)
    if not (site / "index.html").is_file():
        print(f"sourcebook.search: no built site in {site} (no index.html)", file=sys.stderr)
        return 2
    glob = _posts_glob(site)
    options = [
        "--glob",
        glob,
        "--output-subdir",
        BUNDLE,
        "--exclude-selectors",
        ", ".join(NOT_INDEXED),
        # Errors only: Pagefind otherwise lists the theme's HTML fragments in _static/.
        "--silent",
    ]
    inputs = _index_inputs(site, glob, options)
    entry = site / BUNDLE / "pagefind-entry.json"
    recorded = site / BUNDLE / INPUTS_DIGEST
    if entry.is_file() and recorded.is_file() and recorded.read_text(encoding="utf-8").strip() == inputs:
        print(f"sourcebook.search: {site / BUNDLE} is up to date (no indexed page changed)")
        return 0
    # Pagefind adds files to an existing bundle and never removes the old index and fragments.
    shutil.rmtree(site / BUNDLE, ignore_errors=True)
    command = [sys.executable, "-m", "pagefind", "--site", str(site), *options]
    try:
        result = subprocess.run(command, check=False)
    except OSError as error:
        print(f"sourcebook.search: cannot run Pagefind ({error})", file=sys.stderr)
        return 2
    if result.returncode != 0 or not entry.is_file():
        print(f"sourcebook.search: Pagefind failed; no search index in {site / BUNDLE}", file=sys.stderr)
        return result.returncode or 1
    recorded.write_text(inputs + "\n", encoding="utf-8")
    languages = json.loads(entry.read_text(encoding="utf-8")).get("languages", {})
    pages = sum(int(language.get("page_count", 0)) for language in languages.values())
    print(f"sourcebook.search: indexed {pages} page(s) into {site / BUNDLE}")
    return 0


def setup_search(app: Sphinx) -> None:
    app.connect("config-inited", add_templates)
    app.connect("html-page-context", mark_post)
    app.connect("build-finished", write_query_terms)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m sourcebook.search OUTPUT_DIR  (the built HTML site)", file=sys.stderr)
        return 2
    return build_search_index(args[0])


if __name__ == "__main__":
    sys.exit(main())
