"""How a page loads its scripts: none of them stops the page from showing.

Sphinx and the theme put five scripts into every page's head as plain ``<script src>``, which
a browser must download and run before it shows anything: on a phone's connection that is
most of the time to a first view. None of them draws the page; they add behaviour (the
sidebar and full-screen buttons, keyboard shortcuts, search-term highlighting, sphinx-design's
tabs) that can wait until the page is parsed. So, on every web page:

* each script with a file is loaded with ``defer``: downloaded alongside the page and run,
  in the same order, once it is parsed (those already ``async`` or ``defer`` are left alone);
* ``documentation_options.js`` (the few settings the others read, 300 bytes) is written into
  the page instead, since inline scripts after it read it at once;
* sphinx-design's ``design-tabs.js`` is left out of pages without tabs, which it serves alone.

The theme's ``<link rel="preload">`` of its two deferred scripts is left out by the layout
(``templates/layout.html``): preloaded, they compete with the stylesheets for the connection.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.builders.html._assets import _JavaScript

from sourcebook.output import builds_website

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx

#: Written into the page: later inline scripts read it as they run.
INLINED = "_static/documentation_options.js"
#: Scripts that serve one kind of content, by the class of the markup they act on.
SERVES_ONLY = {"_static/design-tabs.js": "sd-tab-set"}
LOADING_ATTRIBUTES = ("async", "defer")


@functools.lru_cache(maxsize=8)
def inline_source(path: Path, stamp: tuple[int, int]) -> str:
    """A script's text, safe inside ``<script>``: ``</`` cannot end the element."""
    return path.read_text(encoding="utf-8").strip().replace("</", "<\\/")


def loaded_without_blocking(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    """The page's scripts deferred, inlined, or left out where nothing needs them."""
    files = context.get("script_files")
    if not builds_website(app) or not isinstance(files, list):
        return
    body = str(context.get("body") or "")
    scripts: list[Any] = []
    for script in files:
        name = os.fspath(script.filename) if isinstance(script, _JavaScript) else ""
        if not name or "://" in name:
            scripts.append(script)
        elif name == INLINED and (inlined := _inlined(app, script)) is not None:
            scripts.append(inlined)
        elif name in SERVES_ONLY and SERVES_ONLY[name] not in body:
            continue
        elif any(key in script.attributes for key in LOADING_ATTRIBUTES):
            scripts.append(script)
        else:
            scripts.append(_JavaScript(name, priority=script.priority, **script.attributes, defer="defer"))
    context["script_files"] = scripts


def _inlined(app: Sphinx, script: _JavaScript) -> _JavaScript | None:
    path = Path(app.outdir) / os.fspath(script.filename)
    try:
        status = path.stat()
        source = inline_source(path, (status.st_mtime_ns, status.st_size))
    except OSError:
        return None
    attributes = {key: value for key, value in script.attributes.items() if key != "body"}
    return _JavaScript("", priority=script.priority, **attributes, body=source)


def setup_script_loading(app: Sphinx) -> None:
    # After the theme's handlers (priority 500), which add their scripts to the page.
    app.connect("html-page-context", loaded_without_blocking, priority=900)
