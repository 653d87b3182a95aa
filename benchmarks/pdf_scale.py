"""How the PDF grows with the posts: the LaTeX build and latexmk's XeLaTeX runs, timed.

``python benchmarks/pdf_scale.py --posts 30 100 300 [--book-posts N]`` generates each corpus
(``make_corpus.py``), builds it as Read the Docs builds its PDF (``sphinx -b latex``, then
``latexmk -r latexmkrc -pdf …`` in the LaTeX folder) and prints, per size, the seconds of each
step, the PDF's pages and size, as JSON (``--json FILE`` also writes it). ``--book-posts`` sets
``kb_book_posts``: the selection a large site would publish.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from make_corpus import make_corpus

WORK = Path(__file__).resolve().parent / "_work" / "pdf"


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, result


def measure(count: int, book_posts: int) -> dict[str, Any]:
    site = WORK / f"site-{count}"
    shutil.rmtree(site, ignore_errors=True)
    make_corpus(count, site, seed=1)
    latex = site / "_build" / "latex"
    options = ["-D", f"kb_book_posts={book_posts}"] if book_posts else []
    sphinx_seconds, sphinx = timed(
        [sys.executable, "-m", "sphinx", "-q", "-b", "latex", *options, str(site), str(latex)]
    )
    if sphinx.returncode:
        raise SystemExit(sphinx.stderr)
    latexmk_command = ["latexmk", "-r", "latexmkrc", "-pdf", "-f", "-dvi-", "-ps-", "-jobname=sourcebook"]
    latexmk_seconds, made = timed([*latexmk_command, "-interaction=nonstopmode"], cwd=latex)
    pdf = latex / "sourcebook.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    log = (latex / "sourcebook.log").read_text(encoding="utf-8", errors="replace")
    return {
        "posts": count,
        "book_posts": book_posts or count,
        "sphinx_latex_s": round(sphinx_seconds, 1),
        "latexmk_s": round(latexmk_seconds, 1),
        "latexmk_returncode": made.returncode,
        "xelatex_runs": made.stdout.count("Run number") or made.stderr.count("Run number"),
        "pages": pages,
        "pdf_mb": round(pdf.stat().st_size / 1_000_000, 1),
        "tex_errors": sum(line.startswith("!") for line in log.splitlines()),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, nargs="+", default=[30, 100, 300])
    parser.add_argument("--book-posts", type=int, default=0, help="kb_book_posts (0: every post)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    results = [measure(count, args.book_posts) for count in args.posts]
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
