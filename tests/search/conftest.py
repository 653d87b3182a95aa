"""The search tests' fixture site, built once per module and served over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from browser import build_html, serve
from conftest import ROOTS


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The search fixture site, built once for the module."""
    outdir = tmp_path_factory.mktemp("search") / "html"
    warnings = build_html(ROOTS / "test-search", outdir)
    assert "WARNING" not in warnings
    return outdir


@pytest.fixture(scope="module")
def base(indexed: Path) -> Iterator[str]:
    with serve(indexed) as url:
        yield url
