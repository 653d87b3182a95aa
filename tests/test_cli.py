"""The sourcebook command, called as a function on temporary sites."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sourcebook.cli import main

from test_bad_posts import EXPECTED
from test_crossrefs import EXPECTED_WARNINGS as CROSSREF_WARNINGS


def test_check_reports_what_the_build_reports(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    srcdir = site("bad-posts")
    assert main(["--site", str(srcdir), "check"]) == 1
    out, err = capsys.readouterr()
    # The same problems, in the same words, as the Sphinx build.
    assert sorted(line.replace(f"{srcdir}/", "") for line in out.splitlines()) == sorted(EXPECTED)
    assert "checked 18 post(s)" in err and "17 problem(s)" in err


def test_check_reports_unknown_slugs_like_the_build(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--site", str(site("crossrefs")), "check"]) == 1
    assert sorted(capsys.readouterr().out.splitlines()) == sorted(CROSSREF_WARNINGS)


def test_check_passes_a_clean_site(site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--site", str(site("posts")), "check"]) == 0
    assert "checked 4 post(s)" in capsys.readouterr().err


def test_build_writes_the_html_site_and_sums_up(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    srcdir = site("posts")
    assert main(["--site", str(srcdir), "build", "--strict", "-j", "1"]) == 0
    assert (srcdir / "_build" / "html" / "source" / "posts" / "1_defective_goods.html").is_file()
    out = capsys.readouterr().out
    assert "reading sources" in out  # Sphinx's own progress display
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("sourcebook: 4 pages, 3 posts, 0 warning(s), ")
    assert summary.endswith(f"-> {srcdir.resolve() / '_build' / 'html' / 'index.html'}")


def test_strict_build_fails_on_bad_posts_after_listing_them_all(
    site: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--site", str(site("bad-posts")), "build", "--strict", "-j", "1"]) == 1
    out, err = capsys.readouterr()
    assert err.count("[kb.") == len(EXPECTED)
    assert f", {len(EXPECTED)} warning(s), " in out.strip().splitlines()[-1]


def test_build_rejects_a_bad_job_count(site: Callable[[str], Path]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--site", str(site("posts")), "build", "-j", "zero"])
    assert exit_info.value.code == 2


def test_a_folder_without_conf_py_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--site", str(tmp_path), "check"]) == 2
    assert "no conf.py" in capsys.readouterr().err


def test_help_on_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("check", "build", "serve"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert f"usage: sourcebook {command}" in capsys.readouterr().out


def test_help_on_new_and_import(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("new", "import"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert f"usage: sourcebook {command}" in capsys.readouterr().out


def test_new_and_import_need_a_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--site", str(tmp_path), "new", "A title"]) == 2
    assert main(["--site", str(tmp_path), "import", str(tmp_path)]) == 2
    assert "no conf.py" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_clean_removes_the_previous_build(site: Callable[[str], Path]) -> None:
    srcdir = site("posts")
    stale = srcdir / "_build" / "html" / "stale.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    assert main(["--site", str(srcdir), "build", "--clean", "-j", "1"]) == 0
    assert not stale.exists()
    shutil.rmtree(srcdir / "_build")
