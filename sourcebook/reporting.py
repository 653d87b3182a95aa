"""The ``kb`` warning type: every content problem goes through here.

Warnings carry a subtype (``kb.frontmatter``, ``kb.date``, ``kb.image``…) and a location,
so ``-W`` turns them into failures and ``suppress_warnings = ["kb.image"]`` silences one kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx.util import logging

from sourcebook.terminal import printable

if TYPE_CHECKING:
    from docutils.nodes import Node

logger = logging.getLogger("sourcebook")


def warn(kind: str, message: str, location: str | tuple[str, int] | Node | None) -> None:
    """Log one ``kb.<kind>`` warning at ``location`` (a docname and line, a node or 'path:line');
    the message quotes untrusted text, so its control characters are shown, not sent."""
    logger.warning(printable(message), type="kb", subtype=kind, location=location)
