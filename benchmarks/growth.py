"""How the cost per post of each feature grows with the site: profiled builds at 1,000 and 10,000 posts.

    .venv/bin/python benchmarks/growth.py                        # 1,000 and 10,000 posts, both variants
    .venv/bin/python benchmarks/growth.py --posts 300 --posts 3000 --variant shared

For each variant of the benchmark corpus (``make_corpus.py``: ``broken-links``, one link in
ten to a slug no post has; ``shared``, posts that share many tags and glossary terms) and each
number of posts, the corpus is made and built once from scratch, serially (``-j 1``, so that
every feature's work happens in the one process that is profiled), under cProfile, in a child
process. The profile's time is then attributed:

* to **features**: the cumulative time of a feature's functions when Sphinx (or docutils,
  MyST, the theme) calls them, i.e. the work of its event handlers, transforms, directives,
  collectors and node visitors, with everything they call;
* to Sphinx's **phases** (reading, writing, the pages and files after the documents), which
  hold the features' work too.

cProfile times with the clock, which other work on a shared machine inflates, so the profile
gives each feature's *share* of the build, and the share is applied to the build's processor
time (the child's user and system time), which does not depend on what else runs. (A
profiler timed by processor time reads that clock twice per call, through a system call:
several times slower.) cProfile makes function calls slower, so the figures are larger than
a plain build's; what counts is how the time per post changes with the number of posts
(the issue's target: at most 1.25 times from 1,000 to 10,000). A cost that grows faster than
the posts shows as a feature whose time per post grows. Results go to
``benchmarks/growth-<label>.json``; the table is printed (and copied into benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import importlib.util
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
#: The package the builds run (an installed copy, or this project's, edited in place).
PACKAGE = Path(importlib.util.find_spec("sourcebook").origin or "").parent  # type: ignore[union-attr]

sys.path.insert(0, str(HERE))

from make_corpus import make_corpus  # noqa: E402

BASE_URL = "https://kb.example.com/"

VARIANTS: dict[str, dict[str, Any]] = {
    "broken-links": {"broken_links": 0.1},
    "shared": {"shared": True},
}

#: Each feature's modules (under ``sourcebook/``), in the order the table shows them.
FEATURES: dict[str, tuple[str, ...]] = {
    "posts read (frontmatter, MyST parse, store)": ("posts/reader", "posts/frontmatter", "posts/store"),
    "images and variants": ("posts/images", "posts/image_variants"),
    "slug links, backlinks, suggestions": ("knowledge/slug_links", "posts/slugs"),
    "glossary page, 'Mentioned in'": ("knowledge/glossary", "knowledge/glossary_data"),
    "term links": ("knowledge/term_links",),
    "related answers": ("knowledge/related", "knowledge/similarity"),
    "listings (landing page, archive)": ("navigation/listings",),
    "tag pages, tag index": ("navigation/tags",),
    "previous/next": ("navigation/previous_next",),
    "head tags": ("navigation/head",),
    "feeds": ("navigation/feeds",),
    "redirects": ("navigation/redirects",),
    "sitemap, robots.txt, 404": ("navigation/publishing",),
    "search records, index, words": (
        "search/indexing",
        "search/corpus",
        "search/index",
        "search/index_updates",
        "search/words",
        "search/query",
        "search/sphinx_index",
    ),
    "post nodes, theme, caches": ("posts/nodes", "theme", "output", "build_cache", "incremental", "config"),
}

#: Sphinx's phases: the cumulative time of these functions (file suffix, function name).
PHASES: dict[str, tuple[str, str]] = {
    "read (parse, transforms, collectors)": ("sphinx/builders/__init__.py", "read"),
    "write (resolve and write every document)": ("sphinx/builders/__init__.py", "write_documents"),
    "after the documents (generated pages, search index, copies)": (
        "sphinx/builders/html/__init__.py",
        "finish",
    ),
}


#: What is not a feature: the page templates (``templates/layout.html`` extends the theme's,
#: so a page's whole rendering runs in it) and the set-up.
TEMPLATES = "page templates (the theme's, through ours)"
OTHER = "set-up, warnings"


def _feature_of(filename: str) -> str | None:
    path = Path(filename)
    try:
        relative = path.resolve().relative_to(PACKAGE).with_suffix("").as_posix()
    except ValueError:
        return None
    if path.suffix == ".html":
        return TEMPLATES
    for feature, modules in FEATURES.items():
        if relative in modules:
            return feature
    return OTHER


def attribute(profile: Path, cpu: float | None = None) -> dict[str, Any]:
    """Seconds per feature (entered from outside Sourcebook), per phase, and in all: the
    profile's clock times, scaled to ``cpu`` seconds for the whole build when given."""
    stats = pstats.Stats(str(profile))
    features: defaultdict[str, float] = defaultdict(float)
    phases: dict[str, float] = {}
    entries: dict[str, dict[str, float]] = defaultdict(dict)
    total = 0.0
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, line, name), (_cc, _nc, tottime, cumulative, callers) in raw.items():
        total += tottime
        for phase, (suffix, function) in PHASES.items():
            if filename.endswith(suffix) and name == function:
                phases[phase] = phases.get(phase, 0.0) + cumulative
        feature = _feature_of(filename)
        if feature is None:
            continue
        entered = sum(
            caller_stats[3]
            for (caller_file, _line, _name), caller_stats in callers.items()
            if _feature_of(caller_file) is None
        )
        if entered:
            features[feature] += entered
            key = f"{Path(filename).name}:{line}:{name}"
            entries[feature][key] = round(entered, 3)
    scale = cpu / total if cpu and total else 1.0
    return {
        "total": total * scale,
        "profiled_s": round(total, 2),
        "features": {feature: seconds * scale for feature, seconds in features.items()},
        "phases": {phase: seconds * scale for phase, seconds in phases.items()},
        "entries": {
            feature: dict(sorted(items.items(), key=lambda item: -item[1])[:8])
            for feature, items in entries.items()
        },
    }


def profiled_build(site: Path, profile: Path) -> dict[str, float]:
    """A clean serial build of ``site`` under cProfile, in a child process: wall and CPU seconds."""
    outdir, doctrees = site / "_build" / "html", site / "_build" / "doctrees"
    shutil.rmtree(site / "_build", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "cProfile",
        "-o",
        str(profile),
        "-m",
        "sphinx",
        "-q",
        "-b",
        "html",
        "-j",
        "1",
    ]
    # A public address, as on Read the Docs: the feeds, the sitemap and robots.txt are written too.
    command += ["-D", f"html_baseurl={BASE_URL}", "-d", str(doctrees), str(site), str(outdir)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        raise RuntimeError(f"the build of {site} failed:\n{result.stderr[-4000:]}")
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
        "warnings": len(warnings),
        "peak_rss_mb": round(after.ru_maxrss / 1024, 1),
    }


def largest_pages(outdir: Path, count: int = 5) -> dict[str, list[tuple[str, int]]]:
    """The HTML pages with the most bytes, raw and gzipped (the issue's limits: 600 KB, 100 KB)."""
    sizes = []
    for path in outdir.rglob("*.html"):
        data = path.read_bytes()
        sizes.append((path.relative_to(outdir).as_posix(), len(data), len(gzip.compress(data, 6))))
    return {
        "raw": [(name, raw) for name, raw, _ in sorted(sizes, key=lambda size: -size[1])[:count]],
        "gzipped": [(name, packed) for name, _, packed in sorted(sizes, key=lambda size: -size[2])[:count]],
    }


def measure(variant: str, count: int, work: Path) -> dict[str, Any]:
    site = work / f"{variant}-{count}"
    posts = make_corpus(count, site, 1, **VARIANTS[variant])
    profile = work / f"{variant}-{count}.prof"
    build = profiled_build(site, profile)
    figures = attribute(profile, build["cpu_s"])
    return {
        "variant": variant,
        "posts": count,
        "links": sum(post.links for post in posts),
        "broken_links": sum(post.broken_links for post in posts),
        **build,
        "largest_pages": largest_pages(site / "_build" / "html"),
        **figures,
    }


def ms_per_post(seconds: float, count: int) -> float:
    return 1000 * seconds / count


def _row(label: str, values: list[float], growth: bool) -> str:
    cells = " | ".join(f"{value:.2f}" for value in values)
    if not growth:
        return f"| {label} | {cells} |"
    ratio = f"{values[-1] / values[0]:.2f} x" if values[0] else "-"
    return f"| {label} | {cells} | {ratio} |"


def table(results: list[dict[str, Any]]) -> str:
    """Per variant: each feature's and phase's ms per post at each size, and the growth."""
    lines = []
    for variant in dict.fromkeys(result["variant"] for result in results):
        runs = sorted((r for r in results if r["variant"] == variant), key=lambda r: r["posts"])
        sizes = [run["posts"] for run in runs]
        header = " | ".join(f"{size:,} posts" for size in sizes)
        growth = len(runs) > 1
        lines += [f"### {variant}", "", f"| ms per post | {header} |" + (" growth |" if growth else "")]
        lines.append("|---|" + "---:|" * (len(runs) + growth))
        whole = [ms_per_post(r["total"], r["posts"]) for r in runs]
        lines.append(_row("**whole build** (processor time, profiled)", whole, growth))
        for phase in PHASES:
            values = [ms_per_post(r["phases"].get(phase, 0.0), r["posts"]) for r in runs]
            lines.append(_row(f"Sphinx: {phase}", values, growth))
        names = [*FEATURES, TEMPLATES, OTHER]
        for feature in names:
            values = [ms_per_post(r["features"].get(feature, 0.0), r["posts"]) for r in runs]
            if any(values):
                lines.append(_row(feature, values, growth))
        lines.append("")
        for run in runs:
            raw, packed = run["largest_pages"]["raw"][0], run["largest_pages"]["gzipped"][0]
            lines.append(
                f"Largest page at {run['posts']:,} posts: {raw[0]}, {raw[1] / 1024:.0f} KB raw; "
                f"{packed[0]}, {packed[1] / 1024:.0f} KB gzipped."
            )
        lines.append(
            "Links to missing slugs: "
            + ", ".join(f"{run['broken_links']:,} of {run['links']:,} at {run['posts']:,}" for run in runs)
            + "; wall time of the profiled builds: "
            + ", ".join(f"{run['wall_s']:.0f} s" for run in runs)
            + "."
        )
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, action="append", help="site sizes (default: 1000 and 10000)")
    parser.add_argument("--variant", action="append", choices=sorted(VARIANTS), help="default: both")
    parser.add_argument("--work", type=Path, default=HERE / "_work" / "growth", help="where sites are built")
    parser.add_argument("--label", default=dt.date.today().isoformat(), help="names the results file")
    parser.add_argument("--keep", action="store_true", help="keep the sites and profiles")
    parser.add_argument(
        "--table", type=Path, nargs="+", metavar="RESULTS", help="only print the table of saved results"
    )
    args = parser.parse_args(argv)
    if args.table:
        saved = [json.loads(path.read_text(encoding="utf-8")) for path in args.table]
        print(table([result for results in saved for result in results["results"]]))
        return 0
    sizes = args.posts or [1000, 10000]
    variants = args.variant or list(VARIANTS)
    args.work.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(
        ["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    path = HERE / f"growth-{args.label}.json"
    results = []
    for variant in variants:
        for count in sizes:
            print(f"{variant}, {count} posts…", file=sys.stderr, flush=True)
            results.append(measure(variant, count, args.work))
            if not args.keep:
                shutil.rmtree(args.work / f"{variant}-{count}", ignore_errors=True)
            # Saved after each build: a long run stopped half-way keeps what it measured.
            output = {"commit": commit, "cores": os.cpu_count(), "results": results}
            path.write_text(json.dumps(output, indent=1) + "\n", encoding="utf-8")
    print(table(results))
    print(f"results: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
