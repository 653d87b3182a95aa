"""Caches a build keeps under its doctree folder: Python objects pickled between builds.

They hold what a build computed, for the next one to reuse where its inputs are unchanged (the
search index's state, the related answers' last ranking). A cache is never state: one that is
missing, unreadable or of another layout only costs the time to compute it again.

A process that keeps one Sphinx application alive between builds (the preview) need not wait
for them: while its :class:`LaterSaves` are on, what the build would pickle, its caches and
Sphinx's own environment, is kept in memory and pickled when :meth:`LaterSaves.save` is
called, once the page is on screen (about a fifth of a one-post rebuild at 1,000 posts). The
next build reads each cache from memory while its file is the one saved; a cache written by
another process (a step forked beside the main process writes its own files) or changed on
disk is read from the file, as always.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from sourcebook.output import file_stamp

if TYPE_CHECKING:
    from collections.abc import Iterator

T = TypeVar("T")


def read_cache(path: Path, kind: type[T]) -> T | None:
    """The object pickled at ``path`` if it is a ``kind``, else ``None``."""
    saves = _current_saves()
    if saves is not None and isinstance(kept := saves.take(path), kind):
        return kept
    try:
        with path.open("rb") as stream:
            found = pickle.load(stream)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    return found if isinstance(found, kind) else None


def write_cache(path: Path, value: object) -> None:
    """Pickle ``value`` to ``path``, replacing the file at once (written beside it, then renamed);
    while :class:`LaterSaves` are on in this process, when they are saved."""
    if (saves := _current_saves()) is not None:
        saves.later(path, value)
        return
    _pickle_to(path, value)


def _pickle_to(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as stream:
        pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)


@dataclass
class LaterSaves:
    """What builds in this process pickle, kept and saved later (see the module's docstring)."""

    pending: dict[Path, tuple[object, bool]] = field(default_factory=dict)
    """What to pickle at :meth:`save`, by file (the latest value of each), and whether to keep
    it in memory once saved."""
    kept: dict[Path, tuple[tuple[int, int], object]] = field(default_factory=dict)
    """What was saved and is kept, by file, with the stamp of the file it was saved to."""
    owner: int = 0
    """The process whose writes wait: a forked one writes its own at once."""

    @contextlib.contextmanager
    def on(self) -> Iterator[None]:
        """While the block runs (one build), this process's pickles wait for :meth:`save`."""
        global _saves
        _install_environment_pickling()
        self.save()
        self.owner, previous, _saves = os.getpid(), _saves, self
        try:
            yield
        finally:
            _saves = previous

    def later(self, path: Path, value: object, keep: bool = True) -> None:
        self.kept.pop(path, None)
        self.pending[path] = (value, keep)

    def take(self, path: Path) -> object | None:
        """The object last saved to ``path``, if the file still holds it; the caller owns it
        (it may change it), so it is handed out once."""
        if path in self.pending:
            self._save(path)
        kept = self.kept.pop(path, None)
        if kept is None or kept[0] != file_stamp(path):
            return None
        return kept[1]

    def save(self) -> None:
        """Pickle what waits, in the order it was written."""
        while self.pending:
            self._save(next(iter(self.pending)))

    def _save(self, path: Path) -> None:
        value, keep = self.pending.pop(path)
        _pickle_to(path, value)
        if keep and (stamp := file_stamp(path)) is not None:
            self.kept[path] = (stamp, value)


_saves: LaterSaves | None = None


def _current_saves() -> LaterSaves | None:
    saves = _saves
    return saves if saves is not None and saves.owner == os.getpid() else None


class _EnvironmentPickling(types.ModuleType):
    """``pickle`` as Sphinx's builders module sees it: the same, except that the environment
    it pickles after reading waits for :meth:`LaterSaves.save` while later saves are on. The
    file Sphinx opened for it stays empty until then: a process that stops before it saves
    leaves an environment the next build cannot load, and that build starts afresh."""

    def __getattr__(self, name: str) -> Any:
        return getattr(pickle, name)

    def dump(self, value: object, file: IO[bytes], *args: Any, **kwargs: Any) -> None:
        from sphinx.environment import BuildEnvironment

        saves = _current_saves()
        name = getattr(file, "name", None)
        if saves is not None and isinstance(value, BuildEnvironment) and isinstance(name, str):
            saves.later(Path(name), value, keep=False)  # the application holds it
            return
        pickle.dump(value, file, *args, **kwargs)


def _install_environment_pickling() -> None:
    import sphinx.builders

    builders: Any = sphinx.builders
    if not isinstance(builders.pickle, _EnvironmentPickling):
        builders.pickle = _EnvironmentPickling("pickle")
