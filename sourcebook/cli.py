"""The ``sourcebook`` command: check, build and preview a knowledge base.

``main(argv)`` returns the exit code: 0 when all is well, 1 when the site has problems,
2 when the command itself was used wrongly.
"""

from __future__ import annotations

import argparse
import runpy
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sourcebook import __version__
from sourcebook.checker import check_posts

DEFAULT_POSTS_DIR = "source/posts"


def _posts_dir(site: Path) -> str:
    """``kb_posts_dir`` from the site's conf.py, read without building anything."""
    settings = runpy.run_path(str(site / "conf.py"))
    return str(settings.get("kb_posts_dir", DEFAULT_POSTS_DIR)).strip("/")


def cmd_check(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    count, findings = check_posts(args.site, _posts_dir(args.site))
    for finding in findings:
        print(finding)
    elapsed = time.perf_counter() - started
    verdict = "no problems" if not findings else f"{len(findings)} problem(s)"
    print(f"checked {count} post(s) in {elapsed:.2f} s: {verdict}", file=sys.stderr)
    return 1 if findings else 0


def cmd_build(args: argparse.Namespace) -> int:
    from sphinx.cmd.build import build_main

    output = args.site / "_build" / "html"
    if args.clean:
        shutil.rmtree(args.site / "_build", ignore_errors=True)
    options = ["-b", "html", "-j", str(args.jobs), "-d", str(args.site / "_build" / "doctrees")]
    if args.strict:
        options += ["-W", "--keep-going"]
    return build_main([*options, str(args.site), str(output)])


def cmd_serve(args: argparse.Namespace) -> int:
    from sphinx_autobuild.__main__ import main as autobuild

    output = args.site / "_build" / "preview"
    autobuild(
        [
            str(args.site),
            str(output),
            "-D",
            "kb_preview=1",
            "--port",
            str(args.port),
            "--watch",
            str(args.site / "_static"),
            "--ignore",
            str(args.site / "_build"),
        ]
    )
    return 0


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

    check = commands.add_parser("check", help="check every post's frontmatter and images, fast")
    check.set_defaults(run=cmd_check)

    build = commands.add_parser("build", help="build the HTML site into _build/html")
    build.add_argument("--strict", action="store_true", help="fail on any warning (lists them all)")
    build.add_argument("-j", "--jobs", default="auto", help="parallel processes (default: auto)")
    build.add_argument("--clean", action="store_true", help="start from an empty _build folder")
    build.set_defaults(run=cmd_build)

    serve = commands.add_parser("serve", help="preview with drafts and live reload")
    serve.add_argument("--port", type=int, default=8000, help="port to serve on (default: 8000)")
    serve.set_defaults(run=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not (args.site / "conf.py").is_file():
        print(f"sourcebook: no conf.py in {args.site.resolve()}; use --site", file=sys.stderr)
        return 2
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
