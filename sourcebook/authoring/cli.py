"""The ``sourcebook`` command: check, build and preview a knowledge base, add and import posts.

``main(argv)`` returns the exit code: 0 when all is well, 1 when the site has problems,
2 when the command itself was used wrongly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import runpy
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, TextIO, cast

from sourcebook import __version__
from sourcebook.authoring.check import check_posts
from sourcebook.authoring.importers import ENGINES, UsageError, import_blog
from sourcebook.authoring.new import split_tags, write_new_post
from sourcebook.posts.frontmatter import parse_date
from sourcebook.posts.schedule import build_day
from sourcebook.terminal import printable

DEFAULT_POSTS_DIR = "source/posts"
#: Where builds write, in Sphinx's own ``-M`` layout (as ``make html``): each output folder
#: beside its doctree cache, which is never inside a folder that is published or served.
#: The preview has a cache of its own: it builds with other settings (drafts shown).
BUILD = Path("_build")
SITE_OUTPUT, SITE_DOCTREES = BUILD / "html", BUILD / "doctrees"
PREVIEW_OUTPUT, PREVIEW_DOCTREES = BUILD / "preview", BUILD / "preview-doctrees"


def _settings(site: Path) -> dict[str, Any]:
    """The site's conf.py, run without building anything."""
    return runpy.run_path(str(site / "conf.py"))


def _posts_dir(site: Path, settings: dict[str, Any] | None = None) -> str:
    """``kb_posts_dir`` from the site's conf.py."""
    settings = _settings(site) if settings is None else settings
    return str(settings.get("kb_posts_dir", DEFAULT_POSTS_DIR)).strip("/")


def cmd_check(args: argparse.Namespace) -> int:
    """Warnings (what the build warns about) fail; notes (advice) fail only with --strict."""
    started = time.perf_counter()
    settings = _settings(args.site)
    # The build honours suppress_warnings; so does check, or it would fail where the build passes.
    suppressed = [str(entry) for entry in settings.get("suppress_warnings", [])]
    try:
        today, _source = build_day(str(settings.get("kb_today", "")), os.environ)
    except ValueError as error:
        print(f"sourcebook check: {printable(str(error))}", file=sys.stderr)
        return 2
    count, findings = check_posts(
        args.site,
        _posts_dir(args.site, settings),
        suppressed,
        today=today,
        publish_future=bool(settings.get("kb_publish_future", False)),
    )
    for finding in findings:
        print(finding)
    elapsed = time.perf_counter() - started
    notes = sum(finding.is_note for finding in findings)
    problems = len(findings) - notes
    verdict = "no problems" if not problems else f"{problems} problem(s)"
    if notes:
        verdict += f", {notes} note(s)" + ("" if args.strict else " (--strict fails on notes)")
    print(f"checked {count} post(s) in {elapsed:.2f} s: {verdict}", file=sys.stderr)
    return 1 if problems or (args.strict and notes) else 0


class _CountingStream:
    """Passes Sphinx's warnings through to a stream, counting them for the summary."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.warnings = 0

    def write(self, text: str) -> int:
        self.warnings += text.count("WARNING:") + text.count("ERROR:")
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def cmd_build(args: argparse.Namespace) -> int:
    from sphinx.application import Sphinx
    from sphinx.errors import SphinxError
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    from sourcebook.posts.store import get_domain

    started = time.perf_counter()
    site = args.site.resolve()
    output = site / SITE_OUTPUT
    if args.clean:
        shutil.rmtree(site / BUILD, ignore_errors=True)
    # One more than cores: Sphinx's main process resolves pages while the others write them.
    jobs = (os.cpu_count() or 1) + 1 if args.jobs == "auto" else int(args.jobs)
    warnings = _CountingStream(sys.stderr)
    try:
        with patch_docutils(site), docutils_namespace():
            app = Sphinx(
                site,
                site,
                output,
                site / SITE_DOCTREES,
                "html",
                status=sys.stdout,
                warning=cast("IO[str]", warnings),
                warningiserror=args.strict,
                parallel=jobs,
            )
            app.build()
    except SphinxError as error:
        print(f"sourcebook build: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    pages = len(app.env.all_docs)
    posts = len(get_domain(app.env).posts)
    print(
        f"sourcebook: {pages} pages, {posts} posts, {warnings.warnings} warning(s), "
        f"{elapsed:.1f} s -> {output / 'index.html'}"
    )
    return 1 if app.statuscode else 0


def _jobs(value: str) -> str:
    if value != "auto" and not (value.isdigit() and int(value) > 0):
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of processes or 'auto'")
    return value


def cmd_serve(args: argparse.Namespace) -> int:
    """The preview: drafts shown, a saved change on screen in about a second (see serve.py).
    It watches the whole site folder except ``_build``, where it and other builds write."""
    from sourcebook.authoring.serve import serve

    site = args.site.resolve()
    jobs = (os.cpu_count() or 1) + 1 if args.jobs == "auto" else int(args.jobs)
    return serve(site, site / PREVIEW_OUTPUT, site / PREVIEW_DOCTREES, args.port, jobs)


def cmd_new(args: argparse.Namespace) -> int:
    if not " ".join(args.title.split()):
        print("sourcebook new: the title is empty; give the post's question as its title", file=sys.stderr)
        return 2
    # The build's day (kb_today, SOURCE_DATE_EPOCH or UTC's), not the local one: a post dated
    # after it would wait for that day, left out of the published site.
    try:
        day, _source = build_day(str(_settings(args.site).get("kb_today", "")), os.environ)
    except ValueError:
        day = dt.datetime.now(dt.UTC).date()
    if args.date is not None:
        iso, reason = parse_date(args.date)
        if reason or iso is None or len(iso) != 10:
            print(f"sourcebook new: --date '{args.date}' is not a date as YYYY-MM-DD", file=sys.stderr)
            return 2
        day = dt.date.fromisoformat(iso)
    path = write_new_post(args.site / _posts_dir(args.site), args.title, split_tags(args.tags), day)
    print(path)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    try:
        report = import_blog(args.path, args.site, _posts_dir(args.site), args.engine, args.dry_run)
    except UsageError as error:
        print(f"sourcebook import: {error}", file=sys.stderr)
        return 2
    for line in report.lines:
        print(printable(line))
    print(printable(report.summary()))
    return report.exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sourcebook", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"sourcebook {__version__}")
    parser.add_argument(
        "--site",
        type=Path,
        default=Path(),
        help="the knowledge base's folder, holding conf.py (default: .)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="check every post's frontmatter, images and links, fast",
        description="Check every post with the build's own rules and words, without building. "
        "WARNING lines are what the build warns about: any makes the exit code 1. NOTE lines are "
        "advice the build does not warn about (a draft, no description, no tags, an image far "
        "wider than pages show): exit code 0 unless --strict. Exit code 2: no conf.py.",
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit code 1) on notes too: every post ready to publish and complete",
    )
    check.set_defaults(run=cmd_check)

    build = commands.add_parser("build", help="build the HTML site into _build/html")
    build.add_argument("--strict", action="store_true", help="fail on any warning (lists them all)")
    build.add_argument(
        "-j", "--jobs", default="auto", type=_jobs, help="parallel processes, or auto (default: auto)"
    )
    build.add_argument("--clean", action="store_true", help="start from an empty _build folder")
    build.set_defaults(run=cmd_build)

    serve = commands.add_parser("serve", help="preview with drafts and live reload")
    serve.add_argument("--port", type=int, default=8000, help="port to serve on (default: 8000)")
    serve.add_argument(
        "-j", "--jobs", default="auto", type=_jobs, help="parallel processes, or auto (default: auto)"
    )
    serve.set_defaults(run=cmd_serve)

    new = commands.add_parser(
        "new",
        help="write a new post into the posts folder and print its path",
        description="Write a new post with complete frontmatter (a unique slug made from the "
        "title, today's date) into the posts folder, and print its path. Never overwrites a file.",
    )
    new.add_argument("title", help="the post's title, in quotes")
    new.add_argument("--tags", help="comma-separated tags, such as 'inspection, rework'")
    new.add_argument("--date", help="the post's date as YYYY-MM-DD (default: today)")
    new.set_defaults(run=cmd_new)

    imports = commands.add_parser(
        "import",
        help="import the posts of a Gatsby, Jekyll, Hugo or Docusaurus blog",
        description="Import another blog's posts and their images, and report what was imported, "
        "renamed, skipped or failed. Exit code 0 when every post was imported or skipped for a "
        "stated reason, 1 when any post failed, 2 when the folder or its layout is unknown.",
    )
    imports.add_argument("path", type=Path, help="the other blog's folder")
    imports.add_argument(
        "--from",
        dest="engine",
        choices=ENGINES,
        help="the blog's engine (default: found from its layout)",
    )
    imports.add_argument("--dry-run", action="store_true", help="show the report, write nothing")
    imports.set_defaults(run=cmd_import)

    search = commands.add_parser(
        "search",
        help="search the built site, as its search page does",
        description="Search the built knowledge base the way its search page does (glossary "
        "synonyms, Chinese terms, one-typo corrections, questions) and print the ranked posts: "
        "title, date, address, snippet. Needs a site built with 'sourcebook build' (or 'make "
        "html'); no browser, no network. Exit code 0 when posts were found, 1 when none, 2 when "
        "the site was not built and indexed.",
    )
    search.add_argument("query", help="the question or words, in quotes")
    search.add_argument("--tag", action="append", default=[], help="only posts with this tag (repeatable)")
    search.add_argument("--year", action="append", default=[], help="only posts of this year (repeatable)")
    search.add_argument("--limit", type=_positive, default=10, help="results to show (default: 10)")
    search.add_argument("--json", action="store_true", help="print the results as JSON, for other tools")
    search.add_argument(
        "--output",
        type=Path,
        help="the built site (default: _build/html in the site's folder)",
    )
    search.set_defaults(run=cmd_search)
    return parser


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def cmd_search(args: argparse.Namespace) -> int:
    from sourcebook.search.command import run_search

    output = args.output or args.site / SITE_OUTPUT
    return run_search(output, args.query, tags=args.tag, years=args.year, limit=args.limit, as_json=args.json)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not (args.site / "conf.py").is_file():
        print(f"sourcebook: no conf.py in {args.site.resolve()}; use --site", file=sys.stderr)
        return 2
    code: int = args.run(args)
    return code
