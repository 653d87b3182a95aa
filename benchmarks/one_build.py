"""One clean Sphinx build of a site, measured as ``run.py`` measures each build: wall and CPU
time, peak memory of all its processes together (PSS, ``processes.py``), and when each line
of its log arrived.

    .venv/bin/python benchmarks/one_build.py SITE [--jobs 3] [--results FILE]
    .venv/bin/python benchmarks/one_build.py SITE --builder epub --keep-doctrees   # after the HTML

For a corpus too large to build several times (10,000 posts): ``SITE/_build`` is removed
first unless ``--keep-doctrees``, which builds into ``_build/<builder>`` reusing the HTML
build's doctrees, as Read the Docs builds its EPUB after the HTML.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

from processes import run_measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--jobs", default="3")
    parser.add_argument("--builder", default="html")
    parser.add_argument("--keep-doctrees", action="store_true", help="reuse _build/html/.doctrees")
    parser.add_argument("--results", type=Path)
    args = parser.parse_args(argv)
    site = args.site.resolve()
    if not args.keep_doctrees:
        shutil.rmtree(site / "_build", ignore_errors=True)
    command = [sys.executable, "-m", "sphinx", "--no-color", "-b", args.builder, "-j", args.jobs]
    command += ["-d", "_build/html/.doctrees", ".", f"_build/{args.builder}"]
    done = run_measured(command, site)
    marks: list[tuple[float, str]] = []
    last = None
    for seconds, line in done.lines:
        key = re.split(r"\.\.\.|\[", line)[0].strip()
        if key != last:
            marks.append((round(seconds, 1), line[:100]))
            last = key
    books = sorted((site / "_build" / args.builder).glob("*.epub"))
    result = {
        "command": " ".join(["python", *command[1:]]),
        "seconds": round(done.seconds, 1),
        "cpu_seconds": round(done.cpu_seconds, 1),
        "returncode": done.returncode,
        "peak_pss_mb": done.peak_pss_mb,
        "peak_at_seconds": round(done.peak_at(), 1),
        "peak_processes": done.peak_processes,
        "epub_mb": round(books[0].stat().st_size / 1e6, 1) if books else None,
        "timeline_every_5_s": done.timeline(5),
        "log_marks": marks,
        "stderr_tail": done.stderr[-3000:],
    }
    summary = {key: value for key, value in result.items() if not key.startswith(("timeline", "log"))}
    print(json.dumps(summary))
    if args.results:
        args.results.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
