"""Time Sourcebook against MkDocs Material, Zensical and plain Sphinx + MyST on the same posts.

``python benchmarks/run.py --posts 1000 [--posts 10000] [--skip-mkdocs] [--skip-zensical]
[--skip-plain] [--features-off] [--epub] [--repeat R] [--set-aside] [--work DIR]``

For each N, in one run and on one generated corpus (``make_corpus.py``):

a. Sourcebook: a clean full build, exactly as ``make html`` runs it in the site's folder:
   ``python -m sphinx -M html . _build -j <cores + 1>`` (the search index is written by the
   build itself);
b. MkDocs Material: the same posts in ``docs/``, ``theme: material``, ``plugins: [search]``,
   ``mkdocs build -q``;
c. Zensical: the same folder and ``mkdocs.yml`` (Zensical reads it), ``zensical build --clean``;
d. with ``--features-off``, Sourcebook with its cross-reference features off, on a copy of the
   corpus: ``-D kb_term_links=0 -D kb_related_count=0`` (no automatic term links, no related
   answers).

(a)-(d) are built in rounds, one build of each a round, the order turned by one each round, so
that every tool is measured in the same spells of the machine's load, each build started once
the previous one's files are on disk (``settle``); a ratio is given per
round (each round's Sourcebook build over that round's peer) and as the median of the rounds.
Then:

e. Sourcebook: incremental rebuilds (the same command) after editing one post's body text;
f. with ``--epub``, one clean EPUB build of the site (``-M epub``), as Read the Docs builds it
   after the HTML;
g. unless ``--skip-plain``, plain Sphinx + MyST: the same posts and images,
   ``extensions = ["myst_parser"]``, the default theme (alabaster), a root ``index.md`` with a
   glob toctree of every post, the same ``-j``.

Every build runs in its own process tree, watched by ``processes.py``: wall time, CPU time
and the peak memory of all its processes together, as proportional set size (PSS: pages
that forked processes share count once). The output is measured too: its size with and
without images, and its largest HTML page, raw and gzipped.

The machine is shared and noisy, so every figure is also given as a ratio to the peers
measured in the same rounds. Results go to ``benchmarks/results-<N>.json``; build folders go
under ``benchmarks/_work/`` (ignored by git) and are removed afterwards unless ``--keep``.
Each clean build deletes the last one's output first; with ``--set-aside`` it moves it out of
the site instead, so that no build creates its files right after a deletion of thousands (on
this machine's ext4 that costs the kernel about a sixth of the build's processor time; see
benchmarks/README.md, "An eighth run").
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from processes import Measured, run_measured

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
MAKE_CORPUS = HERE / "make_corpus.py"
MANIFEST = ".sourcebook-corpus.json"

SOURCEBOOK = "Sourcebook"
FEATURES_OFF = "Sourcebook, cross-reference features off"
INCREMENTAL = "Sourcebook incremental"
PLAIN = "Sphinx + MyST"
MKDOCS = "MkDocs Material"
ZENSICAL = "Zensical"
EPUB = "Sourcebook EPUB"

#: Files that are images, for the output's size without them.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif"})

#: What a Sourcebook build reads from the project: uncommitted changes here are measured too.
BUILD_INPUTS = ("sourcebook", "conf.py", "index.md", "source", "_static", "pyproject.toml")

#: What turns off the cross-reference features whose cost is measured: automatic term links
#: (and so the glossary's "Mentioned in" lists) and related answers. Slug links and backlinks
#: stay: without them the posts' links would be broken.
FEATURES_OFF_SETTINGS: dict[str, bool | int] = {"kb_term_links": False, "kb_related_count": 0}
#: The same, as ``sphinx-build`` options.
FEATURES_OFF_OPTIONS = tuple(
    part for name, value in FEATURES_OFF_SETTINGS.items() for part in ("-D", f"{name}={int(value)}")
)

#: The sentence the incremental run adds to one post's body.
EDIT = "This sentence was added by the benchmark to time an incremental build ({n})."

PLAIN_CONF = '''"""Plain Sphinx + MyST: the peer Sourcebook is measured against (benchmarks/run.py)."""

project = "Plain Sphinx + MyST"
extensions = ["myst_parser"]
exclude_patterns = ["_build"]
'''

PLAIN_INDEX = """# Posts

```{toctree}
:glob:
:maxdepth: 1

source/posts/*
```
"""

MKDOCS_CONFIG = """site_name: Plain MkDocs Material
theme:
  name: material
plugins:
  - search
"""

_WARNING = re.compile(r"WARNING:")
_WARNING_KIND = re.compile(r"\[([\w.-]+)\]\s*$")
_UPDATING = re.compile(r"updating environment: .*")


@dataclass
class Run:
    """One build, as ``processes.py`` measured it."""

    seconds: float
    cpu_seconds: float
    """User + system time of the build's processes, workers included."""
    peak_pss_mb: float
    """The highest sum of the proportional set sizes of the build's processes."""
    peak_processes: int
    load_average: float
    """The machine's one-minute load average when the build started."""


@dataclass
class Measure:
    """One tool's builds at one N."""

    tool: str
    command: str
    seconds: float
    """Median wall time over ``runs``."""
    runs: list[float]
    cpu_seconds: float | None = None
    """Median CPU time (user + system) of the build's processes, workers included."""
    cpu_runs: list[float] = field(default_factory=list)
    peak_pss_mb: float | None = None
    """The highest peak over ``runs`` of the memory of all the build's processes (PSS)."""
    pss_runs: list[float] = field(default_factory=list)
    peak_processes: int = 0
    load_averages: list[float] = field(default_factory=list)
    page_kb: float | None = None
    page: str | None = None
    warnings: int = 0
    warning_kinds: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds of each part of the last build, from the times of Sphinx's log lines."""
    output: dict[str, Any] | None = None
    """The last build's output: size with and without images, its largest HTML page."""
    note: str = ""
    ratio_to_mkdocs: float | None = None
    ratio_to_zensical: float | None = None
    ratio_to_plain: float | None = None
    ratio_to_features_off: float | None = None
    """For Sourcebook's clean build: its time over the features-off build's (median over median)."""
    round_ratios: dict[str, list[float]] = field(default_factory=dict)
    """For Sourcebook's clean build: its time over each peer's, round by round."""
    median_round_ratio: dict[str, float] = field(default_factory=dict)


#: Seconds to wait, after flushing the last build's files to disk, before the next build.
SETTLE_SECONDS = 5


def settle() -> None:
    """Start each build on a machine at rest: the previous build's output (370 MB for a peer
    at 1,000 posts) is written to disk first, not while the next build runs, which made the
    build after a peer's up to a third slower, whichever tool it was."""
    os.sync()
    time.sleep(SETTLE_SECONDS)


def run_build(command: Sequence[str], cwd: Path) -> tuple[Run, Measured]:
    """Run one build to its end, measured; stop the benchmark if it fails."""
    load = os.getloadavg()[0]
    done = run_measured(command, cwd)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"failed with exit code {done.returncode}: {' '.join(command)} (in {cwd})")
    run = Run(
        round(done.seconds, 3),
        round(done.cpu_seconds, 3),
        done.peak_pss_mb,
        done.peak_processes,
        round(load, 2),
    )
    return run, done


def count_warnings(log: str) -> tuple[int, dict[str, int]]:
    """Sphinx warnings in a build's log, in total and by kind (``kb.image``, ``myst.xref_missing``…)."""
    kinds: Counter[str] = Counter()
    for line in log.splitlines():
        if _WARNING.search(line):
            match = _WARNING_KIND.search(line)
            kinds[match.group(1) if match else "other"] += 1
    return sum(kinds.values()), dict(sorted(kinds.items()))


#: The parts of a Sphinx build, each named with the first log line that starts it.
PHASES = (
    ("start-up", ""),
    ("reading", "updating environment"),
    ("between reading and writing", "looking for now-outdated files"),
    ("writing", "preparing documents"),
    ("after writing", "generating indices"),
    ("exit", "build succeeded"),
)


def sphinx_phases(done: Measured) -> dict[str, float]:
    """How long each part of a Sphinx build took, from the times its log lines arrived."""
    starts: list[tuple[str, float]] = [("start-up", 0.0)]
    for name, mark in PHASES[1:]:
        at = next((seconds for seconds, line in done.lines if line.startswith(mark)), None)
        if at is not None:
            starts.append((name, at))
    ends = [start for _, start in starts[1:]] + [done.seconds]
    return {name: round(end - start, 2) for (name, start), end in zip(starts, ends, strict=True)}


def page_size(path: Path) -> float | None:
    return round(path.stat().st_size / 1024, 1) if path.is_file() else None


def output_stats(folder: Path) -> dict[str, Any]:
    """A built site's size with and without images, and its largest HTML page, raw and gzipped."""
    total = without_images = files = pages = 0
    largest = ("", 0)
    largest_gzip = ("", 0)
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        files += 1
        total += size
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            without_images += size
        if path.suffix == ".html":
            pages += 1
            relative = path.relative_to(folder).as_posix()
            if size > largest[1]:
                largest = (relative, size)
            # Only a page near the largest raw size can be the largest gzipped one; still, read all.
            zipped = len(gzip.compress(path.read_bytes(), compresslevel=6))
            if zipped > largest_gzip[1]:
                largest_gzip = (relative, zipped)
    return {
        "total_mb": round(total / 1e6, 1),
        "without_images_mb": round(without_images / 1e6, 1),
        "files": files,
        "html_pages": pages,
        "largest_page": largest[0],
        "largest_page_kb": round(largest[1] / 1024, 1),
        "largest_gzip_page": largest_gzip[0],
        "largest_gzip_page_kb": round(largest_gzip[1] / 1024, 1),
    }


def median_of(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def _clean(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)


# ---------------------------------------------------------------------------------------------
# The sites
# ---------------------------------------------------------------------------------------------


def generate_corpus(count: int, seed: int, site: Path) -> None:
    """A Sourcebook site of ``count`` generated posts in ``site`` (``make_corpus.py``)."""
    subprocess.run(
        [sys.executable, str(MAKE_CORPUS), "--posts", str(count), "--out", str(site), "--seed", str(seed)],
        check=True,
    )


@dataclass
class Sites:
    """One corpus, laid out for each tool."""

    sourcebook: Path
    features_off: Path
    plain: Path
    mkdocs: Path
    zensical: Path
    manifest: dict[str, Any]


def make_sites(count: int, seed: int, root: Path, args: argparse.Namespace) -> Sites:
    """The Sourcebook corpus, then the same posts and images for each peer that is measured."""
    site = root / "sourcebook"
    generate_corpus(count, seed, site)
    manifest: dict[str, Any] = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    sites = Sites(
        site, root / "sourcebook-features-off", root / "plain", root / "mkdocs", root / "zensical", manifest
    )

    if args.features_off:
        # Its own folder, so that the incremental builds start from a features-on build.
        _clean(sites.features_off)
        shutil.copytree(site, sites.features_off)

    if not args.skip_plain:
        _clean(sites.plain)
        sites.plain.mkdir(parents=True)
        (sites.plain / "conf.py").write_text(PLAIN_CONF, encoding="utf-8")
        (sites.plain / "index.md").write_text(PLAIN_INDEX, encoding="utf-8")
        shutil.copytree(site / "source" / "posts", sites.plain / "source" / "posts")
        shutil.copytree(site / "source" / "images", sites.plain / "source" / "images")

    # MkDocs and Zensical read the same folder and mkdocs.yml; each gets its own copy, so that
    # neither finds the other's output or cache.
    for folder, wanted in ((sites.mkdocs, not args.skip_mkdocs), (sites.zensical, not args.skip_zensical)):
        if not wanted:
            continue
        _clean(folder)
        (folder / "docs").mkdir(parents=True)
        (folder / "mkdocs.yml").write_text(MKDOCS_CONFIG, encoding="utf-8")
        (folder / "docs" / "index.md").write_text("# Posts\n\nEvery post is in the navigation.\n")
        # posts/ and images/ side by side, so that '../images/blog/x.jpg' resolves as in the site.
        shutil.copytree(site / "source" / "posts", folder / "docs" / "posts")
        shutil.copytree(site / "source" / "images", folder / "docs" / "images")
    return sites


def sphinx_command(jobs: str, builder: str = "html", options: Sequence[str] = ()) -> list[str]:
    """The command ``make html`` runs, from the site's folder (``--no-color``: the log is parsed)."""
    return [sys.executable, "-m", "sphinx", "-M", builder, ".", "_build", "--no-color", "-j", jobs, *options]


def shown(command: Sequence[str]) -> str:
    return " ".join(["python", *command[1:]])


def edit_post(path: Path, number: int, sentence: str | None = None) -> None:
    """Add a sentence (``EDIT`` by default) to a paragraph in the middle of the post's body (not
    the first: the description made from the first 160 characters stays the same, as in a
    typical edit)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    closing = lines.index("---", 1)
    prose = [
        index
        for index, line in enumerate(lines)
        if index > closing and line and line[0].isupper() and not line.startswith(("#", "-", "!"))
    ]
    target = prose[len(prose) // 2]
    lines[target] += " " + (sentence or EDIT.format(n=number))
    path.write_text("\n".join(lines), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The measures
# ---------------------------------------------------------------------------------------------


@dataclass
class Tool:
    """How to build one tool's site from scratch, and where its output and measured page are."""

    name: str
    folder: Path
    command: list[str]
    output: Path
    """Removed (or set aside) before each build."""
    page: Path
    clean_too: tuple[Path, ...] = ()
    """Other folders removed before each build (caches)."""
    sphinx: bool = False


def tools_for(sites: Sites, post: dict[str, Any], args: argparse.Namespace) -> list[Tool]:
    """The clean builds of one round, in their first round's order."""
    page = Path(post["file"]).with_suffix(".html")
    stem = Path(post["file"]).stem
    tools = [
        Tool(
            SOURCEBOOK,
            sites.sourcebook,
            sphinx_command(args.jobs),
            sites.sourcebook / "_build",
            sites.sourcebook / "_build" / "html" / page,
            sphinx=True,
        )
    ]
    if not args.skip_mkdocs:
        tools.append(
            Tool(
                MKDOCS,
                sites.mkdocs,
                [sys.executable, "-m", "mkdocs", "build", "-q"],
                sites.mkdocs / "site",
                sites.mkdocs / "site" / "posts" / stem / "index.html",
            )
        )
    if not args.skip_zensical:
        tools.append(
            Tool(
                ZENSICAL,
                sites.zensical,
                [sys.executable, "-m", "zensical", "build", "--clean"],
                sites.zensical / "site",
                sites.zensical / "site" / "posts" / stem / "index.html",
                clean_too=(sites.zensical / ".cache",),
            )
        )
    if args.features_off:
        tools.append(
            Tool(
                FEATURES_OFF,
                sites.features_off,
                sphinx_command(args.jobs, options=FEATURES_OFF_OPTIONS),
                sites.features_off / "_build",
                sites.features_off / "_build" / "html" / page,
                sphinx=True,
            )
        )
    return tools


def measure_from(tool: Tool, runs: list[Run], last: Measured, output: Path | None, note: str = "") -> Measure:
    """One row: medians over the runs, and the last build's log, phases and output."""
    warnings, kinds = count_warnings(last.stderr) if tool.sphinx else (0, {})
    if not tool.sphinx:
        # MkDocs prints warnings only (-q); its own words, not comparable with Sphinx's.
        warnings = sum(1 for line in last.stderr.splitlines() if line.startswith("WARNING"))
    return Measure(
        tool=tool.name,
        command=shown(tool.command),
        seconds=median_of([run.seconds for run in runs]),
        runs=[run.seconds for run in runs],
        cpu_seconds=median_of([run.cpu_seconds for run in runs]),
        cpu_runs=[run.cpu_seconds for run in runs],
        peak_pss_mb=max(run.peak_pss_mb for run in runs),
        pss_runs=[run.peak_pss_mb for run in runs],
        peak_processes=max(run.peak_processes for run in runs),
        load_averages=[run.load_average for run in runs],
        page_kb=page_size(tool.page),
        page=tool.page.relative_to(tool.folder).as_posix(),
        warnings=warnings,
        warning_kinds=kinds,
        phases=sphinx_phases(last) if tool.sphinx else {},
        output=output_stats(output) if output is not None and output.is_dir() else None,
        note=note,
    )


def set_aside(tool: Tool, folder: Path, number: int) -> None:
    """Move a build's output out of the next build's way and out of the site (Sphinx walks
    the site's folders), to be deleted with the corpus."""
    if folder.exists():
        aside = tool.folder.parent / "set-aside"
        aside.mkdir(exist_ok=True)
        folder.rename(aside / f"{number}-{tool.name}-{folder.name}".replace(" ", "-"))


def clean_rounds(tools: list[Tool], repeat: int, keep_aside: bool = False) -> list[Measure]:
    """``repeat`` rounds of one clean build per tool, the order turned by one each round.

    Each build starts from no output: the last one's is deleted, or with ``keep_aside`` moved
    aside. On this machine's ext4, creating a file within a minute or so of a deletion nearby
    costs the kernel a scan of the inodes just freed (``recently_deleted``), so a build that
    follows the deletion of its own last output pays for every file it creates; a build on
    Read the Docs starts in a new container.
    """
    runs: dict[str, list[Run]] = {tool.name: [] for tool in tools}
    last: dict[str, Measured] = {}
    for number in range(repeat):
        turn = number % len(tools)
        for tool in tools[turn:] + tools[:turn]:
            for folder in (tool.output, *tool.clean_too):
                if keep_aside:
                    set_aside(tool, folder, number)
                else:
                    _clean(folder)
            settle()
            run, last[tool.name] = run_build(tool.command, tool.folder)
            runs[tool.name].append(run)
            print(
                f"   {tool.name}: {run.seconds:.1f} s, {run.peak_pss_mb:.0f} MB "
                f"(load {run.load_average:.1f})",
                file=sys.stderr,
            )
    measures = []
    for tool in tools:
        output = tool.output / "html" if tool.sphinx else tool.output
        measures.append(measure_from(tool, runs[tool.name], last[tool.name], output))
    by_tool = {measure.tool: measure for measure in measures}
    ours = by_tool[SOURCEBOOK]
    for peer in (MKDOCS, ZENSICAL, FEATURES_OFF):
        if peer in by_tool:
            ratios = [
                round(mine / theirs, 4)
                for mine, theirs in zip(ours.runs, by_tool[peer].runs, strict=True)
                if theirs
            ]
            ours.round_ratios[peer] = ratios
            ours.median_round_ratio[peer] = round(statistics.median(ratios), 4)
    if FEATURES_OFF in by_tool:
        by_tool[FEATURES_OFF].ratio_to_features_off = 1.0
        ours.ratio_to_features_off = round(ours.seconds / by_tool[FEATURES_OFF].seconds, 4)
    return measures


def measure_incremental(site: Path, post: dict[str, Any], jobs: str, repeat: int) -> Measure:
    """Rebuilds after editing one post, each checked to have written the edit."""
    page = site / "_build" / "html" / Path(post["file"]).with_suffix(".html")
    command = sphinx_command(jobs)
    runs: list[Run] = []
    notes: set[str] = set()
    done: Measured | None = None
    for number in range(1, repeat + 1):
        edit_post(site / post["file"], number)
        run, done = run_build(command, site)
        runs.append(run)
        if not page.is_file() or EDIT.format(n=number) not in page.read_text(encoding="utf-8"):
            raise SystemExit(f"the incremental build did not update {page}")
        if updating := _UPDATING.search(done.stdout):
            notes.add(updating.group(0).strip())
    assert done is not None
    tool = Tool(INCREMENTAL, site, command, site / "_build", page, sphinx=True)
    measure = measure_from(tool, runs, done, None, "; ".join(sorted(notes)))
    measure.command = f"edit {post['file']}, then {shown(command)}"
    return measure


def measure_epub(site: Path, jobs: str) -> Measure:
    """One EPUB build after the HTML ones, as Read the Docs builds it (the same doctrees)."""
    command = sphinx_command(jobs, "epub")
    _clean(site / "_build" / "epub")
    run, done = run_build(command, site)
    books = sorted((site / "_build" / "epub").glob("*.epub"))
    book = books[0] if books else site / "missing.epub"
    tool = Tool(EPUB, site, command, site / "_build" / "epub", book, sphinx=True)
    measure = measure_from(tool, [run], done, None)
    measure.page_kb = round(books[0].stat().st_size / 1024, 1) if books else None
    measure.note = "page_kb: the .epub file; built after the HTML builds, reusing their doctrees"
    return measure


def measure_plain(plain: Path, post: dict[str, Any], jobs: str, repeat: int) -> Measure:
    command = [sys.executable, "-m", "sphinx", "--no-color", "-b", "html", "-j", jobs, ".", "_build/html"]
    page = plain / "_build" / "html" / Path(post["file"]).with_suffix(".html")
    tool = Tool(PLAIN, plain, command, plain / "_build", page, sphinx=True)
    runs = []
    done: Measured | None = None
    for _ in range(repeat):
        _clean(tool.output)
        run, done = run_build(command, plain)
        runs.append(run)
    assert done is not None
    return measure_from(tool, runs, done, plain / "_build" / "html")


def add_ratios(measures: list[Measure]) -> None:
    by_tool = {measure.tool: measure for measure in measures}
    for measure in measures:
        if MKDOCS in by_tool:
            measure.ratio_to_mkdocs = round(measure.seconds / by_tool[MKDOCS].seconds, 4)
        if ZENSICAL in by_tool:
            measure.ratio_to_zensical = round(measure.seconds / by_tool[ZENSICAL].seconds, 4)
        if PLAIN in by_tool:
            measure.ratio_to_plain = round(measure.seconds / by_tool[PLAIN].seconds, 4)


# ---------------------------------------------------------------------------------------------
# Context and report
# ---------------------------------------------------------------------------------------------


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(PROJECT), *args], capture_output=True, text=True, check=False)
    return done.stdout.rstrip()


def inputs_digest() -> str:
    """A digest of every file a Sourcebook build reads from the project (code, config, pages)."""
    digest = hashlib.sha256()
    for name in BUILD_INPUTS:
        path = PROJECT / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(file.relative_to(PROJECT).as_posix().encode() + b"\0")
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "versions": {
            name: _version(name)
            for name in ("sphinx", "myst-parser", "sphinx-book-theme", "pydata-sphinx-theme", "mkdocs")
        }
        | {"mkdocs-material": _version("mkdocs-material")},
    }


def _cell(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _ratio(value: float | None) -> str:
    """Two significant digits or more: 34.0, 2.19, 0.44, 0.039."""
    if value is None:
        return "–"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def format_table(results: Sequence[dict[str, Any]]) -> str:
    header = (
        f"{'N':>6}  {'tool':<40} {'seconds':>8} {'CPU s':>7} {'peak MB':>8} {'/ MkDocs':>9} "
        f"{'/ Zensical':>10} {'/ Sphinx+MyST':>14} {'page KB':>8} {'warnings':>9}"
    )
    lines = [header, "-" * len(header)]
    for result in results:
        for item in result["measures"]:
            lines.append(
                f"{result['posts']:>6}  {item['tool']:<40} {item['seconds']:>8.2f} "
                f"{_cell(item.get('cpu_seconds'), 1):>7} {_cell(item.get('peak_pss_mb'), 0):>8} "
                f"{_ratio(item['ratio_to_mkdocs']):>9} {_ratio(item['ratio_to_zensical']):>10} "
                f"{_ratio(item['ratio_to_plain']):>14} {_cell(item['page_kb'], 1):>8} {item['warnings']:>9}"
            )
            if item.get("median_round_ratio"):
                rounds = ", ".join(
                    f"{peer}: {value:.2f} ({', '.join(f'{each:.2f}' for each in item['round_ratios'][peer])})"
                    for peer, value in item["median_round_ratio"].items()
                )
                lines.append(f"{'':>8}round by round: {rounds}")
            if item.get("output"):
                output = item["output"]
                lines.append(
                    f"{'':>8}output {output['total_mb']} MB, {output['without_images_mb']} MB without "
                    f"images; largest page {output['largest_page']} {output['largest_page_kb']} KB, "
                    f"gzipped {output['largest_gzip_page']} {output['largest_gzip_page_kb']} KB"
                )
    return "\n".join(lines)


def feature_cost(measures: Sequence[Measure]) -> dict[str, Any] | None:
    """What the cross-reference features cost: Sourcebook's clean build over the features-off one.

    ``share`` is the part of the features-on build they take, ``(on - off) / on``; each figure
    is a median over the interleaved builds of one run (``runs`` lists them in order), and
    ``pair_shares`` gives the share of each pair of builds made one after the other.
    """
    by_tool = {measure.tool: measure for measure in measures}
    if SOURCEBOOK not in by_tool or FEATURES_OFF not in by_tool:
        return None
    on, off = by_tool[SOURCEBOOK], by_tool[FEATURES_OFF]

    def pair(first: float | None, second: float | None) -> dict[str, float | None]:
        if not first or not second:
            return {"on": first, "off": second, "ratio": None, "share": None}
        return {
            "on": first,
            "off": second,
            "ratio": round(first / second, 4),
            "share": round((first - second) / first, 4),
        }

    # Each features-on build is followed by its features-off build: a pair sees the same spell
    # of the machine, so the median of the pairs' shares is steadier than a share of medians.
    pairs = zip(on.runs, off.runs, strict=True)
    pair_shares = [round((first - second) / first, 4) for first, second in pairs if first]
    return {
        "features_off_options": " ".join(FEATURES_OFF_OPTIONS),
        "make_html_seconds": pair(on.seconds, off.seconds),
        "cpu_seconds": pair(on.cpu_seconds, off.cpu_seconds),
        "pair_shares": pair_shares,
        "median_pair_share": statistics.median(pair_shares) if pair_shares else None,
        "runs": {"on": on.runs, "off": off.runs, "cpu_on": on.cpu_runs, "cpu_off": off.cpu_runs},
    }


def benchmark(count: int, args: argparse.Namespace) -> dict[str, Any]:
    root: Path = args.work / f"n{count}"
    print(f"== N={count}: generating the corpus in {root}", file=sys.stderr)
    context = machine()
    # Taken before building: others work in this tree, so what was built is the commit plus
    # these uncommitted changes (and the digest tells two runs of the same code apart).
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    code: dict[str, Any] = {
        "commit": _git("rev-parse", "--short", "HEAD"),
        "worktree_changes": _git("status", "--porcelain", "--", *BUILD_INPUTS).splitlines(),
        "build_inputs_sha256": inputs_digest(),
    }
    sites = make_sites(count, args.seed, root, args)
    post = sites.manifest["items"][0]
    tools = tools_for(sites, post, args)
    print(
        f"== N={count}: {args.repeat} round(s) of clean builds: {', '.join(tool.name for tool in tools)}",
        file=sys.stderr,
    )
    measures = clean_rounds(tools, args.repeat, args.set_aside)
    print(f"== N={count}: Sourcebook, incremental rebuilds", file=sys.stderr)
    measures.append(measure_incremental(sites.sourcebook, post, args.jobs, args.repeat))
    if args.epub:
        print(f"== N={count}: Sourcebook, EPUB", file=sys.stderr)
        measures.append(measure_epub(sites.sourcebook, args.jobs))
    # Only the Sourcebook builds read the project's code; did someone change it meanwhile?
    code["build_inputs_changed_during_run"] = inputs_digest() != code["build_inputs_sha256"]
    if not args.skip_plain:
        print(f"== N={count}: plain Sphinx + MyST", file=sys.stderr)
        measures.append(measure_plain(sites.plain, post, args.jobs, args.repeat))
    add_ratios(measures)

    context["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    words = [item["words"] for item in sites.manifest["items"]]
    return {
        "posts": count,
        "date": started,
        **code,
        "jobs": args.jobs,
        "repeat": args.repeat,
        "earlier_outputs": "set aside" if args.set_aside else "deleted before each build",
        "corpus": {
            "seed": args.seed,
            "average_words": round(statistics.mean(words)),
            "links_between_posts": sum(item["links"] for item in sites.manifest["items"]),
            "measured_post": post["file"],
        },
        "machine": context,
        "feature_cost": feature_cost(measures),
        "measures": [asdict(measure) for measure in measures],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--posts", type=int, action="append", help="number of posts; repeat for several (default: 100)"
    )
    parser.add_argument("--skip-mkdocs", action="store_true", help="do not build with MkDocs Material")
    parser.add_argument("--skip-zensical", action="store_true", help="do not build with Zensical")
    parser.add_argument(
        "--skip-plain",
        action="store_true",
        help="do not build with plain Sphinx + MyST (about 20 minutes at N=1000)",
    )
    parser.add_argument(
        "--features-off",
        action="store_true",
        help="also build with the cross-reference features off, in the same rounds",
    )
    parser.add_argument("--epub", action="store_true", help="also time an EPUB build after the HTML ones")
    parser.add_argument(
        "--work", type=Path, default=HERE / "_work", help="build folder (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default: 1)")
    parser.add_argument(
        "--set-aside",
        action="store_true",
        help="move each clean build's earlier output aside instead of deleting it before the build "
        "(all of it is deleted with the corpus at the end)",
    )
    parser.add_argument(
        "--jobs",
        default=str((os.cpu_count() or 1) + 1),
        help="sphinx -j for the Sphinx builds (default: cores + 1, as make html: %(default)s)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of clean builds, and incremental rebuilds; medians kept"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the generated sites and their builds under --work (removed by default: they are "
        "large, and their conf.py files would be type-checked by `mypy benchmarks`)",
    )
    parser.add_argument(
        "--results", type=Path, default=HERE, help="folder for results-<N>.json (default: benchmarks/)"
    )
    parser.add_argument(
        "--label", default="", help="added to the results' file name: results-<N>-<label>.json"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    needed = ["sphinx", "myst_parser", "sourcebook", "PIL"]
    needed += [] if args.skip_mkdocs else ["material"]
    needed += [] if args.skip_zensical else ["zensical"]
    if missing := [name for name in needed if importlib.util.find_spec(name) is None]:
        parser.error(
            f"{sys.executable} cannot import {', '.join(missing)}: run with the project's venv, "
            "after `.venv/bin/pip install -e '.[test,bench]'` (or pass --skip-mkdocs, --skip-zensical)"
        )
    args.work = args.work.resolve()
    # Made before the first build: a missing folder must not lose a run's figures at the end.
    args.results.mkdir(parents=True, exist_ok=True)
    results = []
    for count in args.posts or [100]:
        try:
            result = benchmark(count, args)
        finally:
            if not args.keep:
                _clean(args.work / f"n{count}")
        results.append(result)
        name = f"results-{count}-{args.label}.json" if args.label else f"results-{count}.json"
        path = args.results / name
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"== N={count}: results written to {path}", file=sys.stderr)
    print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
