"""Parallel builds whose cost and memory grow with the site, not with its square.

Sphinx 9 reads and writes with ``-j`` in batches, each batch a process forked from the
main one. Two of its habits cost little on a small site and dominate a large one:

* **Every reading batch sends the whole environment back.** A batch's process is forked from
  the main process, whose environment already holds every batch merged so far, and pickles
  all of it back when done; the main process unpickles it to merge one batch's documents.
  At 10,000 posts (55 batches, an environment of 66 MB pickled) that is about 1.8 GB
  pickled, sent and unpickled where 66 MB would do, and each unpickled copy is garbage
  that only a full collection frees (cycles: docutils nodes point to their parents): the
  main process reached 10 GB while reading. Here a batch's result is held, not merged,
  while batches are still to be started, so that every batch is forked from the
  environment as it was before reading and sends back little more than its own
  documents; once the last batch has started, the held results are merged while the last
  batches run, and each one after that as it comes.
* **The main process resolves every page before a writer sees it.** It resolves each batch
  of documents and queues it for a writer process: the other core waits while the first
  batch is resolved, the resolved doctrees wait in memory, and each written batch's doctrees
  are garbage that only a collection in the main process frees (cycles: docutils nodes point
  to their parents). Sphinx does so because its main-process step (``write_doc_serialized``)
  keeps what a page's resolving adds: the images to copy, the pages fed to its search index,
  and the image files converters add. Where the first is all there is (a website builder,
  Sphinx's search index off, every image in a format the builder shows), each writer here
  resolves its own batch and hands the images back (:func:`hand_back`); elsewhere the main
  process resolves one batch ahead of the writers and waits for a free writer before the
  next.

Forked processes share the main process's memory until they write to it, and the garbage
collector writes to every object it walks: each child first freezes (``gc.freeze``) what it
inherited, so that its collections leave those pages shared. While writing, the main
process freezes the environment too, and where it resolves the batches it collects each
written batch's doctrees as soon as its writer is done, in a collection that walks little
else; before, the batches' garbage grew by about 170 KB a post until the interpreter's rare
full collection. A few documents (an incremental build's) are written in
the main process: forking a writer for them costs more than writing them. What writing a page
makes for later steps (the posts' search records) a writer hands back with its batch
(:func:`hand_back`), where Sphinx's own writers hand back nothing.

Once the pages are written, the steps that write files of their own from the environment
(the redirect pages, llms.txt and its Markdown copies, the image variants, the search
index) run beside each other and beside the main process's own (the generated pages,
Sphinx's copying): each is forked at ``html-collect-pages`` and awaited at
``build-finished``, before the theme's stylesheets are cut to what the pages, redirect pages
included, use; the search page, which carries what the index says of itself, waits for the
index first. At 1,000 posts they took 2.4 s of the main process, with the second core idle.
A build that wrote its pages in the main process (an incremental one, a serial one) runs
them there too.

The environment each merge produces is the one Sphinx's own order of merges would give:
``merge_info_from`` takes each batch's documents, whatever else the batch carried, and
``tests/test_rebuilds.py`` checks that ``-j`` builds equal serial ones. The builder's two
methods are replaced on the builder object at ``builder-inited`` (Sphinx 9.0's own, with
these changes), for every builder that reads or writes in parallel.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import pickle
import traceback
import weakref
from collections.abc import Callable
from types import MethodType
from typing import TYPE_CHECKING, Any, cast

from sphinx.builders import Builder
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.errors import SphinxParallelError
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.build_phase import BuildPhase
from sphinx.util.display import status_iterator
from sphinx.util.images import guess_mimetype
from sphinx.util.parallel import make_chunks

from sourcebook.output import builds_website

if TYPE_CHECKING:
    from collections.abc import Sequence
    from multiprocessing.connection import Connection

    from docutils import nodes
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

#: The hand-back of the images a writer's pages show (Sphinx's ``builder.images``).
IMAGES = "images"
#: Write at most this many documents in the main process even with ``-j``: a page takes 20
#: to 50 ms to write, a writer process as long to fork and end.
SERIAL_WRITE_LIMIT = 10

Task = Callable[[Any], Any]
Done = Callable[[Any, Any], None]


def _run_in_child(pipe: Any, task: Task, argument: Any) -> None:
    """A forked process's work: run the task, send back its result and what it logged."""
    # What the child shares with the main process stays out of its collector's walks, which
    # would write to (and so copy) every page of it.
    gc.freeze()
    collector = logging.LogCollector()
    try:
        with collector.collect():
            result = task(argument)
        failed = False
    except BaseException as error:
        failed = True
        message = traceback.format_exception_only(error.__class__, error)[0].strip()
        result = (message, traceback.format_exc())
    logging.convert_serializable(collector.logs)
    pipe.send((failed, collector.logs, result))


class Workers:
    """Forked processes, one task each, at most ``limit`` at a time (as Sphinx's ``ParallelTasks``)."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._context = multiprocessing.get_context("fork")
        self._running: dict[Connection, tuple[Any, Any, Done]] = {}

    @property
    def running(self) -> int:
        return len(self._running)

    def start(self, task: Task, argument: Any, done: Done, keep: bool = True) -> Connection:
        """Fork a process for ``task(argument)``; ``done(argument, result)`` runs here once it
        ends, with ``argument`` None unless ``keep`` (the child has its own copy). Returns
        what :meth:`wait_for` waits on."""
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(target=_run_in_child, args=(sender, task, argument))
        process.start()  # which lets go of its arguments
        sender.close()
        self._running[receiver] = (process, argument if keep else None, done)
        return receiver

    def wait_for(self, task: Connection) -> None:
        """Wait until the task :meth:`start` returned ``task`` for has ended (and any that end first)."""
        while task in self._running:
            self.wait_one()

    def wait_one(self) -> None:
        """Wait for a task to end, replay its log here and hand its result to its ``done``."""
        if not self._running:
            return
        ready = multiprocessing.connection.wait(list(self._running))[0]
        receiver = cast("Connection", ready)
        process, argument, done = self._running.pop(receiver)
        try:
            failed, logs, result = receiver.recv()
        except EOFError:
            process.join()
            self.terminate()
            raise SphinxParallelError(
                f"a parallel process ended with exit code {process.exitcode} without a result", ""
            ) from None
        process.join()
        receiver.close()
        if failed:
            self.terminate()
            message, details = result
            raise SphinxParallelError(message, details)
        for record in logs:
            logger.handle(record)
        done(argument, result)

    def wait_for_slot(self) -> None:
        while self.running >= self.limit:
            self.wait_one()

    def join(self) -> None:
        while self._running:
            self.wait_one()

    def terminate(self) -> None:
        for process, _, _ in self._running.values():
            process.terminate()
        self._running.clear()


def read_parallel(self: Builder, docnames: list[str], nproc: int) -> None:
    """Sphinx 9.0's ``Builder._read_parallel``, with each batch forked from the environment as
    it was before reading (its result held until the last batch has started)."""
    chunks = make_chunks(docnames, nproc)
    progress = status_iterator(
        chunks, __("reading sources... "), "purple", len(chunks), self.config.verbosity
    )
    # Clear all outdated documents at once, as Sphinx does.
    for docname in docnames:
        self.events.emit("env-purge-doc", self.env, docname)
        self.env.clear_doc(docname)

    app = self._app

    def read_process(docs: list[str]) -> bytes:
        self.env._app = app
        for docname in docs:
            self.read_doc(docname, _cache=False)
        # Sent back whole, as Sphinx does; what it holds besides ``docs`` is what the main
        # process held at the fork, which is why nothing is merged until every fork is made.
        return pickle.dumps(self.env, pickle.HIGHEST_PROTOCOL)

    def merge(docs: list[str], data: bytes) -> None:
        other = pickle.loads(data)
        self.env.merge_info_from(docs, other, app)
        next(progress)

    held: list[tuple[list[str], bytes]] = []
    waiting = list(chunks)

    def received(docs: list[str], data: bytes) -> None:
        if waiting:
            held.append((docs, data))
            return
        while held:
            merge(*held.pop(0))
        merge(docs, data)

    workers = Workers(nproc)
    try:
        while waiting:
            workers.wait_for_slot()
            workers.start(read_process, waiting.pop(0), received)
        # Every batch has started: merge what is held while the last ones run.
        while held:
            merge(*held.pop(0))
        workers.join()
    finally:
        workers.terminate()
    logger.info("")


#: What a writer process hands back to the main process with its batch, by name: what takes
#: it from the writer once the batch is written, and what gives it to the main process.
_hand_backs: dict[str, tuple[Callable[[Builder], Any], Callable[[Builder, Any], None]]] = {}


def hand_back(name: str, take: Callable[[Builder], Any], give: Callable[[Builder, Any], None]) -> None:
    """Have each writer process send ``take(builder)`` back with its batch, for
    ``give(builder, value)`` in the main process (what a page's writing made that later steps
    read, where the environment is read-only)."""
    _hand_backs[name] = (take, give)


def write_parallel(self: Builder, docnames: Sequence[str], nproc: int) -> None:
    """Sphinx 9.0's ``Builder._write_parallel``, with each writer resolving its own batch where
    nothing else needs the main process (:func:`writers_resolve`), else with the main process
    resolving one batch ahead of the writers only; a few documents are written here, in the
    main process (no process to fork)."""
    if len(docnames) <= SERIAL_WRITE_LIMIT:
        self._write_serial(docnames)
        return
    _beside[self] = Workers(max(nproc, STEPS_BESIDE))

    def write_process(docs: list[tuple[str, nodes.document | None]]) -> dict[str, Any]:
        for docname, resolved in docs:
            if resolved is None:  # this writer resolves its own batch
                self.phase = BuildPhase.RESOLVING
                resolved = resolve(self, docname)
            self.phase = BuildPhase.WRITING
            self.write_doc(docname, resolved)
        return {name: take(self) for name, (take, _give) in _hand_backs.items()}

    # Warm up caches and compile templates with the first document, as Sphinx does.
    first, rest = docnames[0], list(docnames[1:])
    write_one(self, first)
    in_writers = writers_resolve(self)

    chunks = make_chunks(rest, nproc)
    progress = status_iterator(
        chunks, __("writing output... "), "darkgreen", len(chunks), self.config.verbosity
    )

    def done(docs: None, handed_back: dict[str, Any]) -> None:
        for name, value in handed_back.items():
            _hand_backs[name][1](self, value)
        next(progress)

    # What reading built (the environment) stays out of the collector's walks while writing:
    # each batch's doctrees this process resolved (cycles: nodes point to their parents) are
    # collected as soon as its writer is done, by a collection that walks little else.
    gc.freeze()
    workers = Workers(nproc)
    try:
        for chunk in chunks:
            self.phase = BuildPhase.RESOLVING
            batch: list[tuple[str, nodes.document | None]] = [
                (docname, None if in_writers else resolve(self, docname)) for docname in chunk
            ]
            if workers.running >= nproc:
                workers.wait_for_slot()
                if not in_writers:
                    gc.collect()
            workers.start(write_process, batch, done, keep=False)
            if in_writers:
                # The writer took its copy of each doctree a serial read kept in memory for
                # resolving (as resolving here takes it): the main process's copy is done with.
                for docname in chunk:
                    self.env._write_doc_doctree_cache.pop(docname, None)
            del batch
        workers.join()
    finally:
        workers.terminate()
        gc.unfreeze()
    logger.info("")


def writers_resolve(builder: Builder) -> bool:
    """Whether the writer processes may resolve their own documents: when Sphinx's main-process
    step keeps nothing but the images to copy, which the writers hand back.

    That is a website builder's step (Sphinx's, or none) with no search index of Sphinx's to
    feed, on a site whose images need no converter: a converter adds files to the
    environment's images, named uniquely only within one process.
    """
    step = type(builder).write_doc_serialized
    if step is not Builder.write_doc_serialized and step is not StandaloneHTMLBuilder.write_doc_serialized:
        return False  # a builder's own step: it may keep anything
    if not builds_website(builder._app) or feeds_sphinx_search(builder):
        return False
    shown = set(builder.supported_image_types)
    return (
        builder.supported_remote_images
        and builder.supported_data_uri_images
        and all(guess_mimetype(image) in shown for image in builder.env.images)
    )


def feeds_sphinx_search(builder: Builder) -> bool:
    """Whether writing a page feeds Sphinx's search index (a builder may say it does not)."""
    says = getattr(builder, "feeds_sphinx_search", None)
    if callable(says):
        return bool(says())
    return getattr(builder, "indexer", None) is not None


def _images_made(builder: Builder) -> dict[str, str]:
    """In a writer process: the images its pages show, to be copied (Sphinx's ``images``)."""
    return builder.images


def _images_taken(builder: Builder, images: dict[str, str]) -> None:
    builder.images.update(images)


def resolve(builder: Builder, docname: str) -> nodes.document:
    """A document's resolved doctree, its main-process work done (``write_doc_serialized``)."""
    doctree = builder.env.get_and_resolve_doctree(docname, builder, tags=builder.tags)
    builder.write_doc_serialized(docname, doctree)
    # Sphinx keeps the pickled doctree of every document it loads, for the builder's life:
    # about 30 KB a post, never needed again once the page is resolved.
    builder.env._pickled_doctree_cache.pop(docname, None)
    return doctree


def write_one(builder: Builder, docname: str) -> None:
    """Resolve and write one document in this process (Sphinx's ``_write_docname``)."""
    builder.phase = BuildPhase.RESOLVING
    doctree = resolve(builder, docname)
    builder.phase = BuildPhase.WRITING
    builder.write_doc(docname, doctree)


#: How many steps may run beside the main process at once: all of them (the writers are done).
STEPS_BESIDE = 4

#: The website builders whose current build wrote its pages in forked processes, with the
#: processes of the steps that run beside the main process's once the pages are written.
_beside: weakref.WeakKeyDictionary[Builder, Workers] = weakref.WeakKeyDictionary()


def run_beside(app: Sphinx, step: Callable[[], None]) -> Callable[[], None]:
    """Run a step that only writes files of its own (nothing it changes is read later in this
    process) in a forked process, when this build wrote its pages in parallel; else here, now.
    Its messages are replayed here, and a failure fails the build, at ``build-finished`` at the
    latest. Returns what waits for the step to end, for what reads its files before that."""
    workers = _beside.get(app.builder)
    if workers is None or not builds_website(app):
        step()
        return _done
    workers.wait_for_slot()
    task = workers.start(lambda _argument: step(), None, lambda _argument, _result: None, keep=False)
    return lambda: workers.wait_for(task)


def _done() -> None:
    """Waiting for a step that has already run."""


def forget_steps_beside(app: Sphinx, builder: Builder) -> None:
    """At write-started: nothing runs beside a build that has not written its pages yet."""
    workers = _beside.pop(builder, None)
    if workers is not None:
        workers.terminate()


def await_steps_beside(app: Sphinx, exception: Exception | None) -> None:
    """At build-finished, before what reads their files: wait for the steps run beside."""
    workers = _beside.pop(app.builder, None)
    if workers is None:
        return
    if exception is not None:
        workers.terminate()
        return
    try:
        workers.join()
    finally:
        workers.terminate()


def use_linear_parallel_builds(app: Sphinx) -> None:
    """At ``builder-inited``: the builder reads and writes in parallel as described above."""
    builder = app.builder
    builder._read_parallel = MethodType(read_parallel, builder)  # type: ignore[method-assign]
    builder._write_parallel = MethodType(write_parallel, builder)  # type: ignore[method-assign]


#: At build-finished, before the theme's stylesheets are cut to what the pages use (800).
AWAIT_PRIORITY = 700


def setup_parallel(app: Sphinx) -> None:
    hand_back(IMAGES, _images_made, _images_taken)
    app.connect("builder-inited", use_linear_parallel_builds)
    app.connect("write-started", forget_steps_beside)
    app.connect("build-finished", await_steps_beside, priority=AWAIT_PRIORITY)
