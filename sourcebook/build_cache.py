"""Caches a build keeps under its doctree folder: Python objects pickled between builds.

They hold what a build computed, for the next one to reuse where its inputs are unchanged (the
search index's state, the related answers' last ranking). A cache is never state: one that is
missing, unreadable or of another layout only costs the time to compute it again.
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from pathlib import Path

T = TypeVar("T")


def read_cache(path: Path, kind: type[T]) -> T | None:
    """The object pickled at ``path`` if it is a ``kind``, else ``None``."""
    try:
        with path.open("rb") as stream:
            found = pickle.load(stream)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    return found if isinstance(found, kind) else None


def write_cache(path: Path, value: object) -> None:
    """Pickle ``value`` to ``path``, replacing the file at once (written beside it, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as stream:
        pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)
