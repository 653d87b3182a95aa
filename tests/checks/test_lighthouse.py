"""Lighthouse, as a reviewer runs it: mobile, simulated slow 4G and a 4x slower CPU, on each kind
of page, served with gzip. Targets: performance 95 or more, accessibility, best practices and
SEO 100, and at most 120 KB transferred for the first view."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from .conftest import PAGE_KINDS, CheckedSite, node_tool
from browser import CHROMIUM_ARGS, chromium_path

PERFORMANCE_FLOOR = 0.95
#: Bytes a first view may transfer, compressed, everything it loads included.
FIRST_VIEW_BYTES = 120 * 1024
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def lighthouse(url: str) -> dict[str, Any]:
    """One Lighthouse run on Debian's Chromium (Lighthouse starts it with these flags)."""
    result = subprocess.run(
        [
            "node",
            str(node_tool("lighthouse", "cli", "index.js")),
            url,
            "--quiet",
            "--output=json",
            "--output-path=stdout",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-path={chromium_path()}",
            f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report: dict[str, Any] = json.loads(result.stdout)
    assert not report.get("runtimeError"), report.get("runtimeError")
    return report


def failed_audits(report: dict[str, Any], category: str) -> list[str]:
    """The audits that cost a category points, with what Lighthouse says of them."""
    failing = []
    for reference in report["categories"][category]["auditRefs"]:
        audit = report["audits"][reference["id"]]
        if reference["weight"] and audit["score"] is not None and audit["score"] < 1:
            failing.append(f"{audit['id']} ({audit['score']}): {audit.get('displayValue', audit['title'])}")
    return failing


@pytest.fixture(scope="module")
def reports(checked_site: CheckedSite) -> dict[str, dict[str, Any]]:
    return {kind: lighthouse(checked_site.base + address) for kind, address in PAGE_KINDS.items()}


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_lighthouse_scores(reports: dict[str, dict[str, Any]], kind: str) -> None:
    report = reports[kind]
    scores = {category: report["categories"][category]["score"] for category in CATEGORIES}
    problems = {
        category: failed_audits(report, category)
        for category, score in scores.items()
        if score < (PERFORMANCE_FLOOR if category == "performance" else 1)
    }
    assert problems == {}, scores


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_first_view_weight(reports: dict[str, dict[str, Any]], kind: str) -> None:
    weight = reports[kind]["audits"]["total-byte-weight"]
    items = weight["details"]["items"]
    heaviest = [(item["url"].rsplit("/", 1)[-1][:60], item["totalBytes"]) for item in items[:8]]
    assert weight["numericValue"] <= FIRST_VIEW_BYTES, heaviest
