"""The Read the Docs build, replayed: the install and the commands `.readthedocs.yaml` makes it run.

The project's site files are copied to a temporary folder, a fresh virtual environment is
created there, the project is installed as `.readthedocs.yaml` says (`python.install`), and the
site is built with Read the Docs' environment variables and its exact Sphinx commands, HTML and
then every download in `formats`. The tests then check that every absolute URL starts with
`READTHEDOCS_CANONICAL_URL`.

The virtual environment is a clean one, without `--system-site-packages`: that option would not
expose this test run's own environment but the base interpreter's packages, which Read the Docs
does not have and which could hide a dependency missing from `pyproject.toml`. `pip install .`
into an empty environment is what Read the Docs does, and it costs about half a minute.

The PDF is built as Read the Docs builds it: the LaTeX builder into `$READTHEDOCS_OUTPUT/pdf`,
then `latexmk -r latexmkrc -pdf -f -dvi- -ps- -jobname=<project> -interaction=nonstopmode` there.

Not replayed: Read the Docs' own preparatory `pip install --upgrade pip setuptools` (it needs the
network and does not change what the project installs), and `build.apt_packages`, which needs
root: the test checks that each of them is installed here instead (`make test` installs them).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import PROJECT

# What a clean clone has that the build reads; `.venv`, `_build`, tests and docs stay behind.
SITE_FILES = (
    ".readthedocs.yaml",
    "pyproject.toml",
    "README.md",
    "conf.py",
    "index.md",
    "source",
    "_static",
    "sourcebook",
)
BASE = "https://sourcebook.readthedocs.io/en/latest/"
POST = "source/posts/1_defective_goods.html"
OLD_ADDRESS = "blog/force-manufacturers-to-accept-rework-of-defective-goods/index.html"
# What Read the Docs sets for the `latest` version of a project called `sourcebook`.
RTD_ENVIRONMENT = {
    "READTHEDOCS": "True",
    "READTHEDOCS_PROJECT": "sourcebook",
    "READTHEDOCS_VERSION": "latest",
    "READTHEDOCS_VERSION_TYPE": "branch",
    "READTHEDOCS_LANGUAGE": "en",
    "READTHEDOCS_CANONICAL_URL": BASE,
}


@dataclass
class Build:
    root: Path
    output: Path
    log: list[subprocess.CompletedProcess[str]]


def sphinx_command(builder: str) -> str:
    """Read the Docs' command for a builder (plus --no-color: CI=true makes Sphinx colour)."""
    return (
        f"python -m sphinx -T -W --keep-going --no-color -b {builder} -d _build/doctrees"
        f' -D language=en . "$READTHEDOCS_OUTPUT/{builder}"'
    )


def install_commands(config: dict[str, object]) -> list[str]:
    """The pip commands Read the Docs derives from `python.install`."""
    python = config.get("python") or {}
    assert isinstance(python, dict)
    commands = []
    for entry in python.get("install", []):
        if "requirements" in entry:
            pip = ["python", "-m", "pip", "install", "--exists-action=w", "--no-cache-dir", "-r"]
            commands.append(shlex.join([*pip, entry["requirements"]]))
            continue
        assert entry.get("method", "pip") == "pip", f"not replayed: {entry}"
        path = entry["path"]
        extras = entry.get("extra_requirements", [])
        target = f"{path}[{','.join(extras)}]" if extras else path
        pip = ["python", "-m", "pip", "install", "--upgrade", "--upgrade-strategy", "only-if-needed"]
        commands.append(shlex.join([*pip, "--no-cache-dir", target]))
    return commands


@pytest.fixture(scope="module")
def rtd_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The project installed and built as Read the Docs does, once for the module."""
    root = tmp_path_factory.mktemp("readthedocs")
    for name in SITE_FILES:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(source, root / name)
    config = yaml.safe_load((root / ".readthedocs.yaml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    assert "commands" not in config["build"], "build.commands replaces the Sphinx build: not replayed"
    checkout = root / Path(config["sphinx"]["configuration"]).parent
    jobs: dict[str, list[str]] = config["build"].get("jobs", {})

    venv = root / "_readthedocs_env"
    output = root / "_readthedocs"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env |= RTD_ENVIRONMENT | {
        "READTHEDOCS_OUTPUT": str(output),
        "VIRTUAL_ENV": str(venv),
        "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
    }
    log: list[subprocess.CompletedProcess[str]] = []

    def run(command: str) -> subprocess.CompletedProcess[str]:
        """Run a command as Read the Docs does, through a shell in the checkout; fail on an error."""
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        log.append(result)
        assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr}"
        return result

    def run_jobs(*stages: str) -> None:
        """The commands `build.jobs` hooks into these stages of the build."""
        for stage in stages:
            for command in jobs.get(stage, []):
                run(command)

    for package in config["build"].get("apt_packages", []):
        installed = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
        )
        assert installed.stdout.endswith("installed"), f"apt package {package} is not installed here"
    run_jobs("post_checkout", "pre_create_environment")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    run_jobs("post_create_environment", "pre_install")
    for command in install_commands(config):
        run(command)
    run_jobs("post_install", "pre_build")
    run(sphinx_command("html"))
    run_jobs("post_build")
    for download in config.get("formats", []):
        assert download in ("epub", "pdf"), f"no replay of the {download!r} format"
        if download == "epub":
            run(sphinx_command("epub"))
        else:
            run(sphinx_command("latex").replace('/latex"', '/pdf"'))
            latexmk = "latexmk -r latexmkrc -pdf -f -dvi- -ps- -jobname=sourcebook -interaction=nonstopmode"
            run(f'cd "$READTHEDOCS_OUTPUT/pdf" && {latexmk}')
    return Build(root=root, output=output, log=log)


def page(build: Build, path: str) -> BeautifulSoup:
    return BeautifulSoup((build.output / "html" / path).read_text(encoding="utf-8"), "html.parser")


def test_venv_is_fresh_and_has_the_project(rtd_build: Build) -> None:
    venv = rtd_build.root / "_readthedocs_env"
    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    # Run outside the checkout, so that `sourcebook` can only come from what pip installed.
    result = subprocess.run(
        [str(venv / "bin/python"), "-c", "import sourcebook, sphinx; print(sourcebook.__file__)"],
        cwd=venv,
        capture_output=True,
        text=True,
        check=True,
    )
    installed = Path(result.stdout.strip())
    assert installed.is_relative_to(venv / "lib")
    # The installed package has its templates and static files, not only the checkout.
    package = installed.parent
    for data in ("search/templates/search.html", "templates/layout.html"):
        assert (package / data).is_file(), data
    for data in ("kb-search.js", "kb-search-engine.js", "kb-search.css"):
        assert (package / "search" / "static" / data).is_file(), data


def test_builds_succeed_without_warnings(rtd_build: Build) -> None:
    sphinx_runs = [result for result in rtd_build.log if "-m sphinx" in result.args[-1]]
    assert len(sphinx_runs) == 3  # html, epub, latex
    for result in sphinx_runs:
        assert "build succeeded" in result.stdout
        assert "WARNING" not in result.stderr
        assert result.stderr.strip() == ""


def test_post_carries_canonical_and_open_graph_urls(rtd_build: Build) -> None:
    post = page(rtd_build, POST)
    canonical = post.find("link", rel="canonical")
    assert canonical is not None and canonical["href"] == BASE + POST
    assert post.find("meta", property="og:url")["content"] == BASE + POST
    image = post.find("meta", property="og:image")["content"]
    assert image.startswith(BASE)
    assert (rtd_build.output / "html" / image.removeprefix(BASE)).is_file()


def test_the_build_writes_the_search_index(rtd_build: Build) -> None:
    """No step after Sphinx: its build writes the index, with the posts' canonical URLs."""
    search = rtd_build.output / "html" / "kb-search"
    index = json.loads((search / "index.json").read_text(encoding="utf-8"))
    assert index["posts"] >= 1
    fragments = [
        json.loads(path.read_text(encoding="utf-8")) for path in (search / "fragments").glob("*.json")
    ]
    seed = next(fragment for fragment in fragments if fragment["url"] == POST)
    assert seed["canonical"] == BASE + POST


def test_feeds_are_linked_and_absolute(rtd_build: Build) -> None:
    post = page(rtd_build, POST)
    for kind, name in (("atom", "atom.xml"), ("rss", "rss.xml")):
        link = post.find("link", rel="alternate", type=f"application/{kind}+xml")
        assert link is not None and link["href"] == BASE + name
    atom = ElementTree.parse(rtd_build.output / "html/atom.xml").getroot()
    hrefs = [link.get("href", "") for link in atom.iter("{http://www.w3.org/2005/Atom}link")]
    assert BASE + POST in hrefs
    assert all(href.startswith(BASE) for href in hrefs)
    rss = ElementTree.parse(rtd_build.output / "html/rss.xml").getroot()
    links = [link.text or "" for link in rss.iter("link")]
    assert BASE + POST in links
    assert all(link.startswith(BASE) for link in links)


def test_sitemap_and_robots_use_the_canonical_url(rtd_build: Build) -> None:
    sitemap = ElementTree.parse(rtd_build.output / "html/sitemap.xml").getroot()
    locs = [loc.text or "" for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert BASE + POST in locs
    assert all(loc.startswith(BASE) for loc in locs)
    robots = (rtd_build.output / "html/robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()


def test_old_address_redirects_to_the_post(rtd_build: Build) -> None:
    redirect = page(rtd_build, OLD_ADDRESS)
    assert redirect.find("link", rel="canonical")["href"] == BASE + POST
    refresh = redirect.find("meta", attrs={"http-equiv": "refresh"})["content"]
    target = refresh.split("url=", 1)[1]
    assert urljoin(BASE + OLD_ADDRESS, target) == BASE + POST
    assert urljoin(BASE + OLD_ADDRESS, redirect.find("a")["href"]) == BASE + POST


def test_404_page_links_work_under_the_version_path(rtd_build: Build) -> None:
    not_found = page(rtd_build, "404.html")
    prefix = urlsplit(BASE).path  # /en/latest/
    urls = [tag.get(attribute) for tag in not_found.find_all(True) for attribute in ("href", "src")]
    urls = [url for url in urls if url and not url.startswith("#")]
    assert any(url.startswith(prefix + "_static/") for url in urls)
    assert any(url == prefix + "index.html" for url in urls)
    wrong = [url for url in urls if not url.startswith((prefix, BASE))]
    assert wrong == []


def test_epub_download_is_a_valid_epub(rtd_build: Build) -> None:
    [epub] = (rtd_build.output / "epub").glob("*.epub")
    assert zipfile.is_zipfile(epub)
    with zipfile.ZipFile(epub) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"
        assert archive.testzip() is None
        assert any(name.endswith(".opf") for name in archive.namelist())


def test_pdf_download_holds_the_posts_and_the_glossary(rtd_build: Build) -> None:
    pdf = rtd_build.output / "pdf" / "sourcebook.pdf"
    log = (rtd_build.output / "pdf" / "sourcebook.log").read_text(encoding="utf-8", errors="replace")
    assert [line for line in log.splitlines() if line.startswith("!") or "Missing character" in line] == []
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = " ".join(text.split())
    assert "How can I force Chinese manufacturers to accept rework of defective goods?" in words
    assert "Glossary" in words and "信用证" in words
