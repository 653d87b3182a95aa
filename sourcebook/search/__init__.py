"""Search: each post's text recorded as it is written, the static index the build writes, how a
query is read and ranked, the JavaScript the search page ships, and its command-line twin.

Imports ``sourcebook.posts``, ``sourcebook.knowledge`` and the top-level helpers. ``query``,
``corpus``, ``index`` and ``index_updates`` are pure (no Sphinx). Used elsewhere:

* ``command``: ``run_search`` (``sourcebook search``);
* ``indexing`` and ``sphinx_index``: their ``setup_*`` only.
"""
