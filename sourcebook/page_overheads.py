"""What Sphinx repeats for every page that a build needs once, or not at all.

Measured with a profiler on a serial build of 1,000 posts, each about 1-2 % of its processor
time, and none of it changes a byte of the output:

* **Debug records nobody shows.** Sphinx's logger takes every level and leaves the choice to
  its handlers, which drop what is below the verbosity; Sphinx logs each event it emits at
  debug level (about 60 a page), so each becomes a record that every handler filters out.
  Below ``-vv`` the logger itself now drops them, before a record is made.
* **Template freshness, once a page.** Jinja checks each template's file for changes every
  time a page includes it (a ``stat`` each, a dozen a page). Within one build no template
  changes; each build starts by dropping the cached templates whose files changed, which is
  what lets ``sourcebook serve``'s long-lived application see an edited template.
* **Asset links, once a page.** For each stylesheet and script a page links, Sphinx resolves
  the file's path (a ``stat`` per folder on the way) to find its cached checksum. A link is
  the same on every page of a folder, so it is made once per folder and build.
"""

from __future__ import annotations

import logging
import posixpath
from typing import TYPE_CHECKING, Any

from sphinx.util.logging import NAMESPACE, VERBOSITY_MAP

from sourcebook.incremental import template_environment

if TYPE_CHECKING:
    from collections.abc import Callable, Set

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

#: Where each build's asset links are kept, on the builder.
_LINKS_ATTRIBUTE = "_kb_asset_links"


def drop_unshown_debug_records(app: Sphinx) -> None:
    """Let Sphinx's logger drop records below what its handlers show (``-vv`` shows debug).

    Sphinx sets its logger to debug level on every new application, after which extensions
    load; this runs then, for each application, so one built with ``-vv`` shows all.
    """
    verbosity = max(app.verbosity, 0)
    level = VERBOSITY_MAP[verbosity] if verbosity < 2 else logging.DEBUG
    logging.getLogger(NAMESPACE).setLevel(level)


def check_templates_once(app: Sphinx) -> None:
    """At ``builder-inited``: templates are checked at each build's start, not each use."""
    if (environment := template_environment(app)) is not None:
        environment.auto_reload = False


def drop_changed_templates(
    app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str], removed: Set[str]
) -> list[str]:
    """At ``env-get-outdated``, the start of every build: forget templates whose file changed."""
    environment = template_environment(app)
    cache = environment.cache if environment is not None else None
    if cache is not None:
        for key, template in list(cache.items()):
            if not template.is_up_to_date:
                del cache[key]
    return []


def forget_asset_links(app: Sphinx, builder: Builder) -> None:
    """At ``write-started``: a new build may link files whose content (and checksum) changed."""
    setattr(builder, _LINKS_ATTRIBUTE, {})


def remembered(make_tag: Callable[[Any], str], links: dict[Any, str], folder: str) -> Callable[[Any], str]:
    """``make_tag`` (Sphinx's ``css_tag`` or ``js_tag`` of one page) answered once per asset
    and folder; an asset that cannot be a key (a plain string is one) is made each time."""

    def tag(asset: Any) -> str:
        try:
            key = (folder, type(asset), asset)
            found = links.get(key)
        except TypeError:
            return make_tag(asset)
        if found is None:
            found = links[key] = make_tag(asset)
        return found

    return tag


def remember_asset_links(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """At ``html-page-context``: each page's ``css_tag`` and ``js_tag`` share their answers with
    the other pages of its folder (Sphinx makes each link relative to the page's folder)."""
    links = getattr(app.builder, _LINKS_ATTRIBUTE, None)
    if links is None:
        return
    folder = posixpath.dirname(app.builder.get_target_uri(pagename))
    for name in ("css_tag", "js_tag"):
        if callable(make_tag := context.get(name)):
            context[name] = remembered(make_tag, links, folder)


def setup_page_overheads(app: Sphinx) -> None:
    drop_unshown_debug_records(app)
    app.connect("builder-inited", check_templates_once)
    app.connect("env-get-outdated", drop_changed_templates)
    app.connect("write-started", forget_asset_links)
    # First, so that every later handler and the templates get the remembering ones.
    app.connect("html-page-context", remember_asset_links, priority=100)
