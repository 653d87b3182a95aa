"""The work the cross-reference features add to each post, measured in one process, post by post.

``python benchmarks/feature_work.py --posts 1000 [--seed 1] [--work DIR] [--results DIR]``

The clean-build figures of ``run.py`` are wall-clock times of whole builds on a shared machine,
where two builds of the same site a minute apart differ by 10 % or more. This script measures
the same difference without that noise: two Sphinx applications live in one process, one with
the features on and one with them off (``-D kb_term_links=0 -D kb_related_count=0``), and every
post is handled by both, one right after the other, alternating which goes first:

1. **reading**: each application reads the post (parsing, transforms, ``doctree-read``);
2. **resolving**: each application's built site (``python -m sphinx -j 1``, made first) resolves
   the post's doctree: post-transforms and ``doctree-resolved``, Sphinx's main-process work;
3. **writing**: each translates the resolved doctree and writes the page, the writer
   processes' work;

plus, once for the site, what the features add between reading and writing (ranking related
answers). A moment's load slows both applications alike, so the differences are steady. Sphinx's
start-up, parallel processes, the images and the search index's files are left out: they are
the same with and without the features, or (the search index) measured by ``run.py``.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from run import FEATURES_OFF_OPTIONS, FEATURES_OFF_SETTINGS, generate_corpus, machine

HERE = Path(__file__).resolve().parent
PHASES = ("reading", "resolving", "writing")


def make_site(count: int, seed: int, root: Path) -> Path:
    site = root / "site"
    if root.exists():
        shutil.rmtree(root)
    generate_corpus(count, seed, site)
    return site


def built(site: Path, name: str, options: tuple[str, ...]) -> tuple[Path, Path]:
    """A serial build of the site into its own folders: what the resolving and writing turns use."""
    outdir, doctrees = site.parent / f"{name}-html", site.parent / f"{name}-doctrees"
    command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-j", "1", *options]
    subprocess.run([*command, str(site), str(outdir), "-d", str(doctrees)], check=True)
    return outdir, doctrees


def application(site: Path, outdir: Path, doctrees: Path, overrides: dict[str, Any], fresh: bool) -> Any:
    from sphinx.application import Sphinx

    # Two applications in one process register the same nodes and roles twice: say nothing.
    return Sphinx(
        str(site),
        str(site),
        str(outdir),
        str(doctrees),
        "html",
        confoverrides=overrides,
        status=None,
        warning=io.StringIO(),
        freshenv=fresh,
    )


def measure(site: Path) -> dict[str, Any]:
    seconds: Counter[tuple[str, str]] = Counter()
    configurations = {"on": ({}, ()), "off": (FEATURES_OFF_SETTINGS, FEATURES_OFF_OPTIONS)}

    # Reading: fresh environments, each post read by both.
    readers = {
        name: application(
            site, site.parent / f"{name}-read", site.parent / f"{name}-read-doctrees", over, True
        )
        for name, (over, _) in configurations.items()
    }
    posts = sorted(doc for doc in readers["on"].env.found_docs if doc.startswith("source/posts/"))
    for number, docname in enumerate(posts):
        for name in ("on", "off") if number % 2 else ("off", "on"):
            start = time.perf_counter()
            readers[name].builder.read_doc(docname)
            seconds[name, "reading"] += time.perf_counter() - start

    # Resolving and writing: the environments of complete builds.
    apps = {}
    for name, (over, options) in configurations.items():
        outdir, doctrees = built(site, name, options)
        app = application(site, outdir, doctrees, over, False)
        app.builder.prepare_writing(set(app.env.found_docs))
        apps[name] = app
    for number, docname in enumerate(posts):
        for name in ("on", "off") if number % 2 else ("off", "on"):
            app = apps[name]
            start = time.perf_counter()
            doctree = app.env.get_and_resolve_doctree(docname, app.builder, tags=app.tags)
            app.builder.write_doc_serialized(docname, doctree)
            resolved = time.perf_counter()
            app.builder.write_doc(docname, doctree)
            seconds[name, "resolving"] += resolved - start
            seconds[name, "writing"] += time.perf_counter() - resolved

    # Between reading and writing: ranking related answers (the off site ranks nothing).
    from sourcebook.knowledge.related import RANKING_CACHE, compute_related, related_store

    env = apps["on"].env
    store = related_store(env)
    # Without the build's ranking to take answers over from, as in a clean build.
    (Path(env.doctreedir) / RANKING_CACHE).unlink(missing_ok=True)
    start = time.perf_counter()
    compute_related(env, int(apps["on"].config.kb_related_count))
    ranking = time.perf_counter() - start
    assert store.related, "the features-on site ranked no related answers"

    phases = {
        phase: {
            "on": round(seconds["on", phase], 3),
            "off": round(seconds["off", phase], 3),
            "added": round(seconds["on", phase] - seconds["off", phase], 3),
        }
        for phase in PHASES
    }
    on = sum(seconds["on", phase] for phase in PHASES) + ranking
    off = sum(seconds["off", phase] for phase in PHASES)
    return {
        "posts": len(posts),
        "phases": phases,
        "ranking_seconds": round(ranking, 3),
        "on_seconds": round(on, 3),
        "off_seconds": round(off, 3),
        "share": round((on - off) / on, 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default: 1, as run.py)")
    parser.add_argument("--work", type=Path, default=HERE / "_work" / "feature-work")
    parser.add_argument("--results", type=Path, default=HERE)
    args = parser.parse_args()
    site = make_site(args.posts, args.seed, args.work.resolve())
    context = machine()
    result = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **measure(site), "machine": context}
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"feature-work-{args.posts}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({key: result[key] for key in ("posts", "phases", "ranking_seconds", "share")}, indent=2))
    print(f"written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
