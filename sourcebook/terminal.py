"""Text for a terminal: control characters are shown, never sent.

Messages quote frontmatter, file names and search results, all untrusted. Printed as they
are, an escape sequence in a title could clear the screen, rewrite earlier lines or set the
window's title, and a bidirectional override could make a line read other than it is. Pure:
no Sphinx import.
"""

from __future__ import annotations

import re

#: C0 but tab and newline, DEL, C1, and Unicode's bidirectional embeddings and isolates.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with each control character written as its escape (``\\x1b``, ``\\u202e``)."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
