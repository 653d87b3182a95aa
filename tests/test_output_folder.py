"""What the published folder holds: the site, never the build's caches nor files no page loads.

``make html``, ``sourcebook build`` and ``sourcebook serve`` each write their doctree cache
beside the folder they publish or serve (Sphinx's own ``-M`` layout), and Sphinx's
``searchindex.js``, which no page loads, is not written.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from conftest import PROJECT

SITE_FILES = ("conf.py", "index.md", "source", "_static", "Makefile", "pyproject.toml")


def shipped_copy(root: Path) -> Path:
    root.mkdir()
    for name in SITE_FILES:
        source = PROJECT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    return root


def caches_in(folder: Path) -> list[str]:
    """Anything in a published folder that is the build's, not the site's."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.name in (".doctrees", "environment.pickle", "searchindex.js") or path.suffix == ".doctree"
    )


def test_make_html_keeps_the_doctrees_out_of_the_site(tmp_path: Path) -> None:
    root = shipped_copy(tmp_path / "site")
    # The Makefile's virtual environment counts as made; its programs are this interpreter's.
    venv = tmp_path / "venv"
    venv.mkdir()
    for stamp in (".created", ".installed"):
        (venv / stamp).touch()
    programs = Path(sys.executable).parent
    result = subprocess.run(
        ["make", "--no-print-directory", "html", f"VENV={venv}", f"BIN={programs}", "JOBS=2", "STRICT=1"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " -M html . _build " in result.stdout  # the command make ran
    site, doctrees = root / "_build" / "html", root / "_build" / "doctrees"
    assert (site / "index.html").is_file() and (site / "kb-search" / "index.json").is_file()
    assert (doctrees / "environment.pickle").is_file()
    assert (doctrees / "kb-search-records").is_dir()  # Sourcebook's own caches go there too
    assert caches_in(site) == []
    assert sorted(path.name for path in (root / "_build").iterdir()) == ["doctrees", "html"]


def test_sourcebook_build_keeps_the_doctrees_out_of_the_site(site: Callable[[str], Path]) -> None:
    from sourcebook.authoring.cli import main

    srcdir = site("posts")
    assert main(["--site", str(srcdir), "build", "--strict", "-j", "2"]) == 0
    assert (srcdir / "_build" / "html" / "index.html").is_file()
    assert (srcdir / "_build" / "doctrees" / "environment.pickle").is_file()
    assert caches_in(srcdir / "_build" / "html") == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _fetch(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


def test_sourcebook_serve_serves_no_doctrees(site: Callable[[str], Path]) -> None:
    srcdir = site("posts")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sourcebook", "--site", str(srcdir), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if _fetch(base + "index.html") == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, "sourcebook serve stopped"
            time.sleep(0.5)
        else:
            raise AssertionError("sourcebook serve served nothing within two minutes")
        preview, doctrees = srcdir / "_build" / "preview", srcdir / "_build" / "preview-doctrees"
        assert (doctrees / "environment.pickle").is_file()
        assert caches_in(preview) == []
        assert _fetch(base + ".doctrees/environment.pickle") == 404
    finally:
        server.terminate()
        server.wait(timeout=30)
