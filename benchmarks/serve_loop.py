"""The author's loop: how soon a saved edit of one post is on screen in the open preview page.

    .venv/bin/python benchmarks/serve_loop.py --posts 1000 [--edits 10] [--results FILE]

Generates a corpus (``make_corpus.py``), starts ``sourcebook serve`` on it as an author would
(``python -m sourcebook serve``, its own process group), opens a post in headless Chromium
and saves ``--edits`` edits of that post, one at a time, each a new sentence in one of its
paragraphs. For each edit it records the time from the save (the file written) to the edit
on screen: the reloaded page's first contentful paint, from the page's own clock (the same
system clock as the save's; ``DOMContentLoaded`` where Chromium reports no paint), and the
rebuild time the server printed. Once the edits are done, a clean build of the edited
sources with the preview's settings is compared with the preview's folder, file by file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from run import _git, edit_post, generate_corpus, inputs_digest

from browser import launch

HERE = Path(__file__).resolve().parent

#: The sentence each edit adds; ``n`` tells the edits apart.
EDIT = "This sentence was saved by the author's loop benchmark ({n})."
_REBUILT = re.compile(r"rebuilt in ([0-9.]+) s \(processor time ([0-9.]+) s\)")

#: Set in the page on every load: the times, on the system clock, it was parsed and painted.
SHOWN_SCRIPT = """
window.addEventListener('DOMContentLoaded', () => {
  window.__kbParsed = performance.timeOrigin + performance.now();
});
"""
SHOWS = "text => document.body && document.body.innerText.includes(text)"
PAINT = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    painted: paint ? performance.timeOrigin + paint.startTime : null,
    parsed: window.__kbParsed || null,
  };
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_served(url: str, server: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"sourcebook serve exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"sourcebook serve did not serve {url} in {timeout:.0f} s")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)


def files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def compare_with_clean_build(site: Path, work: Path, jobs: str) -> dict[str, Any]:
    """Build the edited sources from scratch with the preview's settings; compare every file."""
    sources = work / "clean-sources"
    if sources.exists():
        shutil.rmtree(sources)
    shutil.copytree(site, sources, ignore=shutil.ignore_patterns("_build"))
    command = [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-j", jobs, "-D", "kb_preview=1"]
    output = work / "clean-preview"
    if output.exists():
        shutil.rmtree(output)
    subprocess.run([*command, "-d", str(work / "clean-doctrees"), str(sources), str(output)], check=True)
    preview, clean = files(site / "_build" / "preview"), files(output)
    differ = sorted(name for name in preview.keys() | clean.keys() if preview.get(name) != clean.get(name))
    return {"files": len(clean), "differ": differ[:20], "equal": not differ}


def median_of(edits: list[dict[str, Any]], key: str) -> float | None:
    values = [edit[key] for edit in edits if edit[key] is not None]
    return statistics.median(values) if values else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000, help="posts in the corpus (default 1000)")
    parser.add_argument("--edits", type=int, default=10, help="edits to save, one at a time (default 10)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", default="auto", help="sourcebook serve -j (default auto)")
    parser.add_argument("--work", type=Path, default=HERE / "_work" / "serve", help="where the corpus goes")
    parser.add_argument("--results", type=Path, help="write the figures to this JSON file")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    work: Path = args.work.resolve()
    if work.exists():
        shutil.rmtree(work)
    site = work / "site"
    generate_corpus(args.posts, args.seed, site)
    manifest = json.loads((site / ".sourcebook-corpus.json").read_text(encoding="utf-8"))
    post = manifest["items"][len(manifest["items"]) // 2]
    code = {"commit": _git("rev-parse", "--short", "HEAD"), "build_inputs_sha256": inputs_digest()}
    load_at_start = [round(value, 2) for value in os.getloadavg()]

    port = free_port()
    log = work / "serve.log"
    environment = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    environment.pop("FORCE_COLOR", None)
    options = ["--port", str(port), "--jobs", args.jobs]
    started = time.perf_counter()
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "sourcebook", "--site", str(site), "serve", *options],
            cwd=work,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    edits: list[dict[str, Any]] = []
    try:
        url = f"http://127.0.0.1:{port}/{Path(post['file']).with_suffix('.html').as_posix()}"
        wait_until_served(url, server, timeout=1800)
        first_build = time.perf_counter() - started
        print(f"first build and serve: {first_build:.1f} s", file=sys.stderr)
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page()
            page.add_init_script(SHOWN_SCRIPT)
            page.goto(url)
            page.wait_for_load_state("load")
            for number in range(1, args.edits + 1):
                time.sleep(1.5)  # an author reads before saving again; the last build is done
                rebuilt_before = len(_REBUILT.findall(log.read_text(encoding="utf-8", errors="replace")))
                marker = EDIT.format(n=number)
                source = site / post["file"]
                before_save = time.time()
                edit_post(source, number, marker)
                saved = time.time()
                page.wait_for_function(
                    "text => document.body && document.body.innerText.includes(text)",
                    arg=marker,
                    timeout=60_000,
                )
                seen = time.time()
                shown = page.evaluate(PAINT)
                on_screen = shown["painted"] or shown["parsed"] or seen * 1000
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    rebuilds = _REBUILT.findall(log.read_text(encoding="utf-8", errors="replace"))
                    if len(rebuilds) > rebuilt_before:
                        break
                    time.sleep(0.05)
                edit = {
                    "edit": number,
                    "seconds_to_screen": round(on_screen / 1000 - saved, 3),
                    "seconds_seen_by_benchmark": round(seen - saved, 3),
                    "save_seconds": round(saved - before_save, 4),
                    "painted": shown["painted"] is not None,
                    "rebuild_seconds": float(rebuilds[-1][0]) if len(rebuilds) > rebuilt_before else None,
                    "rebuild_cpu_seconds": float(rebuilds[-1][1]) if len(rebuilds) > rebuilt_before else None,
                    "load_average": round(os.getloadavg()[0], 2),
                }
                edits.append(edit)
                print(
                    f"edit {number}: on screen {edit['seconds_to_screen']:.3f} s after the save "
                    f"(rebuild {edit['rebuild_seconds']} s, processor {edit['rebuild_cpu_seconds']} s, "
                    f"load {edit['load_average']})",
                    file=sys.stderr,
                )
            browser.close()
        time.sleep(1.0)
    finally:
        stop(server)
    comparison = compare_with_clean_build(site, work, "3")
    seconds = [edit["seconds_to_screen"] for edit in edits]
    result = {
        "posts": args.posts,
        **code,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "post": post["file"],
        "first_build_seconds": round(first_build, 1),
        "median_seconds_to_screen": round(statistics.median(seconds), 3),
        "max_seconds_to_screen": max(seconds),
        "median_rebuild_seconds": median_of(edits, "rebuild_seconds"),
        "median_rebuild_cpu_seconds": median_of(edits, "rebuild_cpu_seconds"),
        "equal_to_clean_build": comparison,
        "edits": edits,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
        },
    }
    print(json.dumps({key: value for key, value in result.items() if key != "edits"}, indent=1))
    if args.results:
        args.results.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if comparison["equal"] else 1


if __name__ == "__main__":
    sys.exit(main())
