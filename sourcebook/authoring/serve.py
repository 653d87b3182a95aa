"""``sourcebook serve``: a preview that shows a saved edit in the open page within a second.

One Sphinx application stays alive between rebuilds: a rebuild starts with the environment,
the templates and the glossary already in memory, where a new ``sphinx-build`` process
(what sphinx-autobuild runs for every change) spends seconds starting Python and Sphinx and
unpickling the environment before it reads the one post that changed. The rebuild is
Sphinx's own incremental build of that application, so the pages are those a new process,
or a clean build with the same settings, writes (tests compare every file).

The folder is watched with watchfiles (inotify); a change to ``conf.py`` starts a new
application, since a running one cannot read its configuration again. The watcher also says
which files changed, so a rebuild after edits of existing documents (and of other files,
such as images) skips Sphinx's walk of the whole source folder for documents, which would
find the same ones (:class:`KnownDocuments`); a document added, removed or renamed walks it
again. Pages are served by Starlette, with sphinx-autobuild's script injected into each HTML
page: it opens a websocket and reloads the page when told, which happens once each rebuild
has finished. What the rebuild pickles for the next one (Sphinx's environment, the caches of
the search index, the related answers and the theme's assets) is saved after that, once the
reloaded page has been served (:class:`sourcebook.build_cache.LaterSaves`; pickling holds the
interpreter, which serves the page too): the next rebuild in this process takes the caches
from memory, and a new application (after a change to ``conf.py``, or the next
``sourcebook serve``) finds them on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from sourcebook.build_cache import LaterSaves

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from sphinx.application import Sphinx
    from starlette.websockets import WebSocket

#: Settings of every preview build: drafts are shown, marked.
PREVIEW_SETTINGS = {"kb_preview": True}
#: Files whose change needs a new application (Sphinx reads them once).
RESTART_FILES = ("conf.py",)


class KnownDocuments:
    """Sphinx's discovery of a project's documents, walked again only when one may have come or
    gone: while :attr:`unchanged` is set (by the preview, for a rebuild after edits of files
    that were documents before and still are, or are no documents), the last walk's documents
    are the answer."""

    def __init__(self, project: Any) -> None:
        self.project = project
        self.walk: Callable[..., set[str]] = project.discover
        self.arguments: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self.unchanged = False
        project.discover = self.discover

    def discover(self, exclude_paths: Iterable[str] = (), include_paths: Iterable[str] = ("**",)) -> set[str]:
        arguments = (tuple(exclude_paths), tuple(include_paths))
        if self.unchanged and arguments == self.arguments:
            return cast("set[str]", self.project.docnames)
        self.arguments = arguments
        return self.walk(exclude_paths, include_paths)

    def edits_only(self, changed: Iterable[Path]) -> bool:
        """Whether ``changed`` (files, absolute) leaves the set of documents as it was."""
        paths = list(changed)
        return bool(paths) and all(self._edited(path) for path in paths)

    def _edited(self, path: Path) -> bool:
        docname = self.project.path2doc(path)
        if docname is None:
            return True  # not a document: it neither adds nor removes one
        known = docname in self.project.docnames
        return known and path.is_file() and self.project.doc2path(docname, absolute=True) == path


@dataclass
class PreviewBuilds:
    """The preview's Sphinx application and its rebuilds, one at a time."""

    site: Path
    output: Path
    doctrees: Path
    jobs: int
    status: IO[str] = field(default_factory=lambda: sys.stdout)
    warning: IO[str] = field(default_factory=lambda: sys.stderr)
    app: Sphinx | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    docutils: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    """What the application registered in docutils: kept for the application's life."""
    documents: KnownDocuments | None = None
    saves: LaterSaves = field(default_factory=LaterSaves)
    """What each build pickles, saved by :meth:`save` once its page is on screen."""

    def new_application(self) -> Sphinx:
        from sphinx.application import Sphinx
        from sphinx.util.docutils import docutils_namespace, patch_docutils

        # Sphinx registers its nodes and roles in docutils when the application is made, and
        # docutils_namespace() takes them back at its end: one namespace per application.
        self.docutils.close()
        self.docutils.enter_context(patch_docutils(self.site))
        self.docutils.enter_context(docutils_namespace())
        app = Sphinx(
            self.site,
            self.site,
            self.output,
            self.doctrees,
            "html",
            confoverrides=dict(PREVIEW_SETTINGS),
            status=self.status,
            warning=self.warning,
            parallel=self.jobs,
        )
        self.documents = KnownDocuments(app.project)
        return app

    def build(self, changed: Iterable[Path] = ()) -> bool:
        """Build (the first time) or rebuild after ``changed``; False if the build failed."""
        from sphinx.errors import SphinxError

        with self.lock:
            self.saves.save()  # a new application reads what the last build pickled
            try:
                if self.app is None or any(path.name in RESTART_FILES for path in changed):
                    self.app = self.new_application()
                elif self.documents is not None:
                    self.documents.unchanged = self.documents.edits_only(changed)
                with self.saves.on():
                    self.app.build()
            except (SphinxError, OSError) as error:
                # The next change starts from a new application: this one may be half-built.
                self.app = None
                print(f"sourcebook serve: the build failed: {error}", file=self.warning)
                return False
            except Exception as error:
                self.app = None
                print(f"sourcebook serve: the build stopped: {error!r}", file=self.warning)
                return False
        return True

    def save(self) -> None:
        """Pickle what the last build left for the next (after its page is on screen)."""
        with self.lock:
            self.saves.save()


class Reloads:
    """The open pages' websockets, each told to reload after a rebuild."""

    def __init__(self) -> None:
        self.sockets: set[WebSocket] = set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        from starlette.websockets import WebSocket, WebSocketDisconnect

        socket = WebSocket(scope, receive, send)
        await socket.accept()
        self.sockets.add(socket)
        try:
            while True:
                await socket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            self.sockets.discard(socket)

    async def reload_all(self) -> None:
        for socket in list(self.sockets):
            try:
                await socket.send_text("refresh")
            except Exception:
                self.sockets.discard(socket)


class Requests:
    """The preview's HTTP requests (an ASGI wrapper): how many are open, when the last ended."""

    #: Without a request for this long, the pages that were told to reload have loaded.
    QUIET_SECONDS = 0.3
    #: The longest wait for that: a page that keeps requesting does not delay a save for long.
    LONGEST_SECONDS = 3.0

    def __init__(self, application: Any) -> None:
        self.application = application
        self.open = 0
        self.last = time.monotonic()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.application(scope, receive, send)
            return
        self.open += 1
        try:
            await self.application(scope, receive, send)
        finally:
            self.open -= 1
            self.last = time.monotonic()

    async def quiet(self, since: float) -> None:
        """Wait until no request is open and none has been for a moment after ``since``."""
        deadline = since + self.LONGEST_SECONDS
        while (now := time.monotonic()) < deadline:
            if not self.open and now - max(since, self.last) >= self.QUIET_SECONDS:
                return
            await asyncio.sleep(self.QUIET_SECONDS / 5)


def watched(ignored: Iterable[Path]) -> Any:
    """watchfiles' default filter (editors' swap files, caches, .git) and the build folders."""
    import watchfiles

    return watchfiles.DefaultFilter(ignore_paths=[str(path) for path in ignored])


async def watch_and_rebuild(
    builds: PreviewBuilds, reloads: Reloads, requests: Requests, ignored: list[Path], stop: asyncio.Event
) -> None:
    import watchfiles

    saving: asyncio.Task[None] | None = None
    async for changes in watchfiles.awatch(builds.site, watch_filter=watched(ignored), stop_event=stop):
        if saving is not None:
            saving.cancel()  # the next build saves what waits before it starts
        paths = sorted({Path(path) for _, path in changes})
        shown = ", ".join(str(path.relative_to(builds.site)) for path in paths[:5])
        print(f"sourcebook serve: changed: {shown}", file=builds.status, flush=True)
        started, cpu = time.perf_counter(), time.process_time()
        if await asyncio.to_thread(builds.build, paths):
            await reloads.reload_all()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(
                f"sourcebook serve: rebuilt in {elapsed:.2f} s (processor time {cpu:.2f} s)",
                file=builds.status,
                flush=True,
            )
        saving = asyncio.create_task(save_when_served(builds, requests))


async def save_when_served(builds: PreviewBuilds, requests: Requests) -> None:
    """Save what the build pickles once the reloaded pages are served: pickling holds the
    interpreter, which serves them too."""
    await requests.quiet(since=time.monotonic())
    await asyncio.to_thread(builds.save)


def serve(site: Path, output: Path, doctrees: Path, port: int, jobs: int, host: str = "127.0.0.1") -> int:
    """Build the preview, serve it on ``host:port`` and rebuild on every change, until stopped."""
    import uvicorn
    from sphinx_autobuild.middleware import JavascriptInjectorMiddleware
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Mount, WebSocketRoute
    from starlette.staticfiles import StaticFiles

    builds = PreviewBuilds(site, output, doctrees, jobs)
    built = builds.build()
    builds.save()
    if not built:
        return 1
    reloads = Reloads()
    application = Starlette(
        routes=[
            WebSocketRoute("/websocket-reload", cast("Any", reloads)),
            Mount("/", app=StaticFiles(directory=output, html=True)),
        ],
        middleware=[Middleware(JavascriptInjectorMiddleware, ws_url=f"{host}:{port}")],
    )
    requests = Requests(application)
    server = uvicorn.Server(uvicorn.Config(requests, host=host, port=port, log_level="warning"))
    ignored = [site / "_build", site / ".venv", output, doctrees]

    async def main() -> None:
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch_and_rebuild(builds, reloads, requests, ignored, stop))
        print(f"sourcebook serve: serving on http://{host}:{port}/", file=builds.status, flush=True)
        try:
            await server.serve()
        finally:
            stop.set()
            watcher.cancel()

    # uvicorn stops on SIGTERM, then raises the signal again: an exception here, not the
    # default handler's exit at once, so that what the last rebuild pickled is saved first.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stopped_by_signal)
    try:
        asyncio.run(main())
    finally:
        builds.save()
    return 0


def stopped_by_signal(number: int, frame: object) -> None:
    """SIGTERM's handler: leave as if stopped by it (exit status 128 + its number), by way of
    the ``finally`` blocks."""
    raise SystemExit(128 + number)
