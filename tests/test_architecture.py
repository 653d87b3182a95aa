"""The layers of sourcebook/ stay true: imports go down only, and no package uses another's
private names (docs/architecture.md)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT

PACKAGE = PROJECT / "sourcebook"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def package_of(module: str) -> str:
    """'sourcebook.posts.store' -> 'posts'; a top-level module is its own package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imported_names(path: Path) -> list[tuple[str, str, int]]:
    """Each ``from sourcebook.x import name`` in a module: (module, name, line)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sourcebook"):
            found += [(node.module, alias.name, node.lineno) for alias in node.names]
    return found


def test_no_package_uses_another_packages_private_names() -> None:
    reaching_in = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PROJECT).with_suffix("").parts)
        for target, name, line in imported_names(path):
            private = name.startswith("_") and not name.startswith("__")
            if private and package_of(target) != package_of(module):
                reaching_in.append(f"{path.relative_to(PROJECT)}:{line}: {target}.{name}")
    assert reaching_in == []


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
    )


def test_the_layers_hold() -> None:
    result = lint_imports(PROJECT)
    assert result.returncode == 0, result.stdout
    assert "Contracts: 1 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("posts/slugs.py", "from sourcebook.knowledge import glossary_data"),
        ("knowledge/similarity.py", "from sourcebook.navigation import feeds"),
        ("navigation/feeds.py", "from sourcebook.search import query"),
        ("search/query.py", "from sourcebook.authoring import new"),
        ("books/contents.py", "from sourcebook.navigation import feeds"),
        ("output.py", "from sourcebook.posts import slugs"),
    ],
)
def test_an_upward_import_breaks_the_layers(tmp_path: Path, module: str, upward: str) -> None:
    """The check fails when a lower package imports a higher one (or one beside it)."""
    shutil.copy2(PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(PACKAGE, tmp_path / "sourcebook", ignore=shutil.ignore_patterns("__pycache__"))
    with (tmp_path / "sourcebook" / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{upward}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "Contracts: 0 kept, 1 broken." in result.stdout
