"""The Nu HTML checker (the W3C's validator) on every HTML page the build writes: no error."""

from __future__ import annotations

import json
import subprocess

from .conftest import CheckedSite, node_tool


def test_every_page_is_valid_html(checked_site: CheckedSite) -> None:
    # Pages: not the theme's template fragment it copies into _static/ (webpack-macros.html).
    pages = sorted(str(path) for path in checked_site.html.rglob("*.html") if "_static" not in path.parts)
    assert len(pages) > 150
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(node_tool("vnu-jar", "build", "dist", "vnu.jar")),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            *pages,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors: dict[str, set[str]] = {}
    for message in messages:
        page = message.get("url", "").removeprefix("file:" + str(checked_site.html) + "/")
        errors.setdefault(message["message"], set()).add(page)
    # One line per kind of error, with a few of the pages that have it.
    assert {text: sorted(pages)[:4] for text, pages in errors.items()} == {}
