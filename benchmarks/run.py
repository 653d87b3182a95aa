"""Time Sourcebook against plain Sphinx + MyST and MkDocs Material on the same generated posts.

``python benchmarks/run.py --posts 100 [--posts 1000] [--skip-mkdocs] [--skip-plain] [--work DIR]``

For each N, in one run and on one generated corpus (``make_corpus.py``):

a. Sourcebook: a clean full build, exactly like ``make html`` in the site's folder:
   ``python -m sphinx -b html -j <cores + 1> . _build/html`` (the search index is written
   by the build itself);
a'. Sourcebook with its cross-reference features off: the same commands on a copy of the same
   corpus, with ``-D kb_term_links=0 -D kb_related_count=0`` (no automatic term links, no
   related answers), alternating with (a) build by build, so that both see the same load;
b. Sourcebook: an incremental rebuild (the same commands) after editing one post's body text;
c. plain Sphinx + MyST: the same posts and images, ``extensions = ["myst_parser"]``, the
   default theme (alabaster), a root ``index.md`` with a glob toctree of every post, the same
   ``-j``;
d. MkDocs Material: the same posts in ``docs/``, ``theme: material``, ``plugins: [search]``,
   ``mkdocs build -q``.

The machine is shared and noisy, so every figure is also given as a ratio to the peers
measured in the same run. Results go to ``benchmarks/results-<N>.json``; build folders go
under ``benchmarks/_work/`` (ignored by git) and are removed afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import resource
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

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
MAKE_CORPUS = HERE / "make_corpus.py"
MANIFEST = ".sourcebook-corpus.json"

SOURCEBOOK = "Sourcebook"
FEATURES_OFF = "Sourcebook, cross-reference features off"
INCREMENTAL = "Sourcebook incremental"
PLAIN = "Sphinx + MyST"
MKDOCS = "MkDocs Material"

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
class Measure:
    """One tool's build at one N."""

    tool: str
    command: str
    seconds: float
    runs: list[float]
    steps: dict[str, float] = field(default_factory=dict)
    """Seconds of each command, for a tool that runs several (medians over ``runs``)."""
    cpu_seconds: float | None = None
    """Median CPU time (user + system) of the build's processes, workers included."""
    cpu_runs: list[float] = field(default_factory=list)
    page_kb: float | None = None
    page: str | None = None
    warnings: int = 0
    warning_kinds: dict[str, int] = field(default_factory=dict)
    note: str = ""
    ratio_to_mkdocs: float | None = None
    ratio_to_plain: float | None = None
    ratio_to_features_off: float | None = None
    """For Sourcebook's clean build: its time over the features-off build's (median over median)."""


@dataclass
class Outcome:
    """A finished subprocess."""

    seconds: float
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0
    """User + system time of the command and every process it waited for (Sphinx's workers)."""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_timed(command: Sequence[str], cwd: Path) -> Outcome:
    """Run ``command`` in ``cwd``, timing it with ``perf_counter``; stop the benchmark if it fails."""
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"failed with exit code {done.returncode}: {' '.join(command)} (in {cwd})")
    return Outcome(seconds, done.stdout, done.stderr, _children_cpu() - cpu)


def count_warnings(log: str) -> tuple[int, dict[str, int]]:
    """Sphinx warnings in a build's log, in total and by kind (``kb.image``, ``myst.xref_missing``…)."""
    kinds: Counter[str] = Counter()
    for line in log.splitlines():
        if _WARNING.search(line):
            match = _WARNING_KIND.search(line)
            kinds[match.group(1) if match else "other"] += 1
    return sum(kinds.values()), dict(sorted(kinds.items()))


def page_size(path: Path) -> float | None:
    return round(path.stat().st_size / 1024, 1) if path.is_file() else None


def clean_builds(
    command: Sequence[str], cwd: Path, output: Path, repeat: int
) -> tuple[list[float], list[float], Outcome]:
    """Run a build ``repeat`` times from an empty ``output``: wall and CPU seconds, the last outcome."""
    runs: list[float] = []
    cpu_runs: list[float] = []
    outcome = None
    for _ in range(max(1, repeat)):
        _clean(output)
        outcome = run_timed(command, cwd)
        runs.append(outcome.seconds)
        cpu_runs.append(outcome.cpu_seconds)
    assert outcome is not None
    return runs, cpu_runs, outcome


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


def make_sites(count: int, seed: int, root: Path) -> tuple[Path, Path, Path, Path, dict[str, Any]]:
    """The Sourcebook corpus and a copy for the features-off builds, then the same posts and
    images for plain Sphinx and for MkDocs."""
    site = root / "sourcebook"
    generate_corpus(count, seed, site)
    manifest: dict[str, Any] = json.loads((site / MANIFEST).read_text(encoding="utf-8"))

    # Its own folder, so that the incremental builds start from a features-on build.
    features_off = root / "sourcebook-features-off"
    _clean(features_off)
    shutil.copytree(site, features_off)

    plain = root / "plain"
    _clean(plain)
    plain.mkdir(parents=True)
    (plain / "conf.py").write_text(PLAIN_CONF, encoding="utf-8")
    (plain / "index.md").write_text(PLAIN_INDEX, encoding="utf-8")
    shutil.copytree(site / "source" / "posts", plain / "source" / "posts")
    shutil.copytree(site / "source" / "images", plain / "source" / "images")

    mkdocs = root / "mkdocs"
    _clean(mkdocs)
    (mkdocs / "docs").mkdir(parents=True)
    (mkdocs / "mkdocs.yml").write_text(MKDOCS_CONFIG, encoding="utf-8")
    (mkdocs / "docs" / "index.md").write_text("# Posts\n\nEvery post is in the navigation.\n")
    # posts/ and images/ side by side, so that '../images/blog/x.jpg' resolves as in the site.
    shutil.copytree(site / "source" / "posts", mkdocs / "docs" / "posts")
    shutil.copytree(site / "source" / "images", mkdocs / "docs" / "images")
    return site, features_off, plain, mkdocs, manifest


def sphinx_command(jobs: str, options: Sequence[str] = ()) -> list[str]:
    """The command ``make html`` runs, from the site's folder (``--no-color``: the log is parsed)."""
    return [
        sys.executable,
        "-m",
        "sphinx",
        "--no-color",
        "-b",
        "html",
        "-j",
        jobs,
        *options,
        ".",
        "_build/html",
    ]


def edit_post(path: Path, number: int) -> None:
    """Add a sentence to a paragraph in the middle of the post's body (not the first: the
    description made from the first 160 characters stays the same, as in a typical edit)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    closing = lines.index("---", 1)
    prose = [
        index
        for index, line in enumerate(lines)
        if index > closing and line and line[0].isupper() and not line.startswith(("#", "-", "!"))
    ]
    target = prose[len(prose) // 2]
    lines[target] += " " + EDIT.format(n=number)
    path.write_text("\n".join(lines), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The measures
# ---------------------------------------------------------------------------------------------


def make_html_steps(jobs: str, options: Sequence[str] = ()) -> list[list[str]]:
    """The commands ``make html`` runs, from the site's folder: Sphinx alone (earlier
    versions indexed with Pagefind after it, a second step)."""
    return [sphinx_command(jobs, options)]


@dataclass
class Build:
    """One run of ``make html``'s commands."""

    seconds: float
    cpu_seconds: float
    steps: dict[str, float]
    """Seconds of each command, by its module (``sphinx``)."""
    sphinx: Outcome


def build_like_make(site: Path, jobs: str, options: Sequence[str] = ()) -> Build:
    """Run ``make html``'s commands; the total time, each step's, and Sphinx's output."""
    steps: dict[str, float] = {}
    cpu = 0.0
    sphinx: Outcome | None = None
    for command in make_html_steps(jobs, options):
        outcome = run_timed(command, site)
        steps[command[2]] = round(outcome.seconds, 3)
        cpu += outcome.cpu_seconds
        sphinx = sphinx or outcome
    assert sphinx is not None
    return Build(sum(steps.values()), cpu, steps, sphinx)


def median_steps(builds: Sequence[Build]) -> dict[str, float]:
    return {step: median_of([build.steps[step] for build in builds]) for step in builds[0].steps}


def _measure_builds(
    tool: str, command: str, site: Path, page: Path, builds: list[Build], note: str = ""
) -> Measure:
    """One row from Sourcebook builds: median times, each run's, and the last build's warnings."""
    warnings, kinds = count_warnings(builds[-1].sphinx.stderr)
    return Measure(
        tool=tool,
        command=command,
        seconds=median_of([build.seconds for build in builds]),
        runs=[round(build.seconds, 3) for build in builds],
        steps=median_steps(builds),
        cpu_seconds=median_of([build.cpu_seconds for build in builds]),
        cpu_runs=[round(build.cpu_seconds, 3) for build in builds],
        page_kb=page_size(page),
        page=page.relative_to(site).as_posix(),
        warnings=warnings,
        warning_kinds=kinds,
        note=note,
    )


def _clean_measure(
    tool: str, site: Path, post: dict[str, Any], jobs: str, options: Sequence[str], builds: list[Build]
) -> Measure:
    page = site / "_build" / "html" / Path(post["file"]).with_suffix(".html")
    command = " && ".join(" ".join(["python", *step[1:]]) for step in make_html_steps(jobs, options))
    return _measure_builds(tool, command, site, page, builds)


def measure_sourcebook(
    site: Path, features_off: Path, post: dict[str, Any], jobs: str, repeat: int
) -> list[Measure]:
    """Clean builds (like ``make html``) with the cross-reference features on, and off in
    ``features_off`` (a copy of the site), in turns; then incremental rebuilds after editing one post."""
    clean_builds: list[Build] = []
    off_builds: list[Build] = []
    for number in range(repeat):
        # Alternate which goes first, so that neither always follows the other's load.
        order = [(site, clean_builds, ()), (features_off, off_builds, FEATURES_OFF_OPTIONS)]
        for folder, builds, options in order if number % 2 == 0 else order[::-1]:
            _clean(folder / "_build")
            builds.append(build_like_make(folder, jobs, options))
    clean = _clean_measure(SOURCEBOOK, site, post, jobs, (), clean_builds)
    off = _clean_measure(FEATURES_OFF, features_off, post, jobs, FEATURES_OFF_OPTIONS, off_builds)
    off.ratio_to_features_off = 1.0
    clean.ratio_to_features_off = round(clean.seconds / off.seconds, 4)
    measures = [clean, off]

    page = site / "_build" / "html" / Path(post["file"]).with_suffix(".html")

    incremental_builds: list[Build] = []
    notes: list[str] = []
    for number in range(1, repeat + 1):
        edit_post(site / post["file"], number)
        build = build_like_make(site, jobs)
        incremental_builds.append(build)
        if not page.is_file() or EDIT.format(n=number) not in page.read_text(encoding="utf-8"):
            raise SystemExit(f"the incremental build did not update {page}")
        if updating := _UPDATING.search(build.sphinx.stdout):
            notes.append(updating.group(0).strip())
    command = f"edit {post['file']}, then the same commands"
    note = "; ".join(sorted(set(notes)))
    measures.append(_measure_builds(INCREMENTAL, command, site, page, incremental_builds, note))
    return measures


def measure_plain(plain: Path, post: dict[str, Any], jobs: str, repeat: int) -> Measure:
    command = sphinx_command(jobs)
    runs, cpu_runs, outcome = clean_builds(command, plain, plain / "_build", repeat)
    warnings, kinds = count_warnings(outcome.stderr)
    page = plain / "_build" / "html" / Path(post["file"]).with_suffix(".html")
    return Measure(
        tool=PLAIN,
        command=" ".join(["python", *command[1:]]),
        seconds=median_of(runs),
        runs=[round(value, 3) for value in runs],
        cpu_seconds=median_of(cpu_runs),
        cpu_runs=[round(value, 3) for value in cpu_runs],
        page_kb=page_size(page),
        page=page.relative_to(plain).as_posix(),
        warnings=warnings,
        warning_kinds=kinds,
    )


def measure_mkdocs(mkdocs: Path, post: dict[str, Any], repeat: int) -> Measure:
    command = [sys.executable, "-m", "mkdocs", "build", "-q"]
    runs, cpu_runs, outcome = clean_builds(command, mkdocs, mkdocs / "site", repeat)
    page = mkdocs / "site" / "posts" / Path(post["file"]).stem / "index.html"
    return Measure(
        tool=MKDOCS,
        command="mkdocs build -q",
        seconds=median_of(runs),
        runs=[round(value, 3) for value in runs],
        cpu_seconds=median_of(cpu_runs),
        cpu_runs=[round(value, 3) for value in cpu_runs],
        page_kb=page_size(page),
        page=page.relative_to(mkdocs).as_posix(),
        # -q prints warnings only; MkDocs' own words, not comparable with Sphinx's.
        warnings=sum(1 for line in outcome.stderr.splitlines() if line.startswith("WARNING")),
    )


def add_ratios(measures: list[Measure]) -> None:
    by_tool = {measure.tool: measure for measure in measures}
    for measure in measures:
        if MKDOCS in by_tool:
            measure.ratio_to_mkdocs = round(measure.seconds / by_tool[MKDOCS].seconds, 4)
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
        f"{'N':>5}  {'tool':<40} {'seconds':>8} {'CPU s':>7} {'/ features off':>15} {'/ MkDocs':>9} "
        f"{'/ Sphinx+MyST':>14} {'page KB':>8} {'warnings':>9}"
    )
    lines = [header, "-" * len(header)]
    for result in results:
        for item in result["measures"]:
            lines.append(
                f"{result['posts']:>5}  {item['tool']:<40} {item['seconds']:>8.2f} "
                f"{_cell(item.get('cpu_seconds'), 1):>7} {_ratio(item.get('ratio_to_features_off')):>15} "
                f"{_ratio(item['ratio_to_mkdocs']):>9} {_ratio(item['ratio_to_plain']):>14} "
                f"{_cell(item['page_kb'], 1):>8} {item['warnings']:>9}"
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
        "sphinx_step_seconds": pair(on.steps.get("sphinx"), off.steps.get("sphinx")),
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
    site, features_off, plain, mkdocs, manifest = make_sites(count, args.seed, root)
    post = manifest["items"][0]
    measures: list[Measure] = []

    print(
        f"== N={count}: Sourcebook, clean builds with the cross-reference features on and off, "
        "then incremental rebuilds",
        file=sys.stderr,
    )
    measures.extend(measure_sourcebook(site, features_off, post, args.jobs, args.repeat))
    # Only the Sourcebook builds read the project's code; did someone change it meanwhile?
    code["build_inputs_changed_during_run"] = inputs_digest() != code["build_inputs_sha256"]
    by_tool = {measure.tool: measure for measure in measures}
    print(
        f"   {by_tool[SOURCEBOOK].seconds:.1f} s clean, {by_tool[FEATURES_OFF].seconds:.1f} s clean "
        f"with the features off (x{by_tool[SOURCEBOOK].ratio_to_features_off}), "
        f"{by_tool[INCREMENTAL].seconds:.1f} s incremental",
        file=sys.stderr,
    )
    if not args.skip_plain:
        print(f"== N={count}: plain Sphinx + MyST", file=sys.stderr)
        measures.append(measure_plain(plain, post, args.jobs, args.repeat))
        print(f"   {measures[-1].seconds:.1f} s", file=sys.stderr)
    if not args.skip_mkdocs:
        print(f"== N={count}: MkDocs Material", file=sys.stderr)
        measures.append(measure_mkdocs(mkdocs, post, args.repeat))
        print(f"   {measures[-1].seconds:.1f} s", file=sys.stderr)
    add_ratios(measures)

    context["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    words = [item["words"] for item in manifest["items"]]
    return {
        "posts": count,
        "date": started,
        **code,
        "jobs": args.jobs,
        "repeat": args.repeat,
        "corpus": {
            "seed": args.seed,
            "average_words": round(statistics.mean(words)),
            "links_between_posts": sum(item["links"] for item in manifest["items"]),
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
    parser.add_argument(
        "--skip-plain",
        action="store_true",
        help="do not build with plain Sphinx + MyST (about 20 minutes at N=1000)",
    )
    parser.add_argument(
        "--work", type=Path, default=HERE / "_work", help="build folder (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default: 1)")
    parser.add_argument(
        "--jobs",
        default=str((os.cpu_count() or 1) + 1),
        help="sphinx -j for both Sphinx builds (default: cores + 1, as make html: %(default)s)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="builds per tool; the median is kept")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the generated sites and their builds under --work (removed by default: they are "
        "large, and their conf.py files would be type-checked by `mypy benchmarks`)",
    )
    parser.add_argument(
        "--results", type=Path, default=HERE, help="folder for results-<N>.json (default: benchmarks/)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    needed = ["sphinx", "myst_parser", "sourcebook", "PIL"] + ([] if args.skip_mkdocs else ["material"])
    if missing := [name for name in needed if importlib.util.find_spec(name) is None]:
        parser.error(
            f"{sys.executable} cannot import {', '.join(missing)}: run with the project's venv, "
            "after `.venv/bin/pip install -e '.[test,bench]'` (or pass --skip-mkdocs)"
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
        path = args.results / f"results-{count}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"== N={count}: results written to {path}", file=sys.stderr)
    print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
