"""What cutting the theme's stylesheets and icon font down costs a build (sourcebook/theme_assets.py).

``python benchmarks/theme_assets.py --posts 1000 [--pages 10000]`` builds a generated site of N
posts (``make_corpus.py``) as ``make html`` does, then runs the build's last step,
``trim_theme_assets``, on its output in three situations, each ``--repeat`` times (median kept):

* **clean**: no cache, as in a clean build (every page read, the stylesheets parsed and
  purged, the icon fonts cut);
* **unchanged**: an unchanged rebuild (every page's stamp checked, nothing read);
* **one page**: one post page written again (that page read; the files written again from the
  cache, what the pages use being the same).

With ``--pages P`` the post pages are copied until the output holds P pages, to time the
reading of a site of P pages without building it (the pages are the same size as real ones).
The clean build's own time (without the step) is measured once, for the share. Results go to
``theme-assets-<N>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from make_corpus import make_corpus

from sourcebook.theme_assets import CACHE_DIR, page_files, trim_theme_assets


class StandIn(SimpleNamespace):
    """The parts of a Sphinx application the step reads (and, like one, weakly referable:
    the step keeps what a build parsed early by application)."""


def timed(function: object, repeat: int, before: object = None) -> float:
    times = []
    for _ in range(repeat):
        if callable(before):
            before()
        start = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=0, help="copy post pages until the site has this many")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--results", type=Path, default=Path(__file__).parent)
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        site = root / "site"
        make_corpus(options.posts, site, seed=1)
        outdir, doctrees = root / "html", root / "doctrees"
        command = [sys.executable, "-m", "sphinx", "-q", "--no-color", "-b", "html", "-j", str(options.jobs)]
        # Without the step, so that the output holds the theme's files as Sphinx copies them.
        command += ["-D", "kb_trim_theme_assets=0", "-d", str(doctrees), str(site), str(outdir)]
        start = time.perf_counter()
        subprocess.run(command, check=True)
        build = time.perf_counter() - start
        shipped = root / "static-as-shipped"
        shutil.copytree(outdir / "_static", shipped)

        posts = sorted((outdir / "source" / "posts").glob("*.html"))
        copies = 0
        while options.pages and len(page_files(outdir)) < options.pages:
            copy = outdir / "copies" / f"{copies}.html"
            copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(posts[copies % len(posts)], copy)
            copies += 1
        pages = len(page_files(outdir))
        app = StandIn(
            outdir=outdir,
            doctreedir=doctrees,
            builder=SimpleNamespace(name="html"),
            config=SimpleNamespace(kb_trim_theme_assets=True),
            parallel=options.jobs,  # processes that read the pages, as in the build
        )
        cache = doctrees / CACHE_DIR

        def run() -> None:
            trim_theme_assets(app, None)  # type: ignore[arg-type]

        def copy_static() -> None:
            """What Sphinx does in every build before the step: copy the theme's files."""
            shutil.rmtree(outdir / "_static")
            shutil.copytree(shipped, outdir / "_static")

        def forget() -> None:
            copy_static()
            shutil.rmtree(cache, ignore_errors=True)

        def touch_one() -> None:
            copy_static()
            page = posts[0]
            page.write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
            os.utime(page, ns=(time.time_ns(), time.time_ns()))

        clean = timed(run, options.repeat, forget)
        run()
        unchanged = timed(run, options.repeat, copy_static)
        one_page = timed(run, options.repeat, touch_one)
        sizes = {
            name: (outdir / "_static" / name).stat().st_size
            for name in ("styles/pydata-sphinx-theme.css", "vendor/fontawesome/webfonts/fa-solid-900.woff2")
        }

    result = {
        "posts": options.posts,
        "pages": pages,
        "copied_pages": copies,
        "clean_build_without_the_step_s": round(build, 2),
        "trim_clean_s": round(clean, 3),
        "trim_unchanged_s": round(unchanged, 3),
        "trim_one_page_s": round(one_page, 3),
        "trim_share_of_clean_build": round(clean / build, 4),
        "trimmed_sizes": sizes,
        "load_average": os.getloadavg(),
    }
    name = f"theme-assets-{options.posts}" + (f"-{options.pages}" if options.pages else "") + ".json"
    (options.results / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
