"""Terminal output shows control characters from untrusted text instead of sending them."""

from __future__ import annotations

import pytest

from sourcebook.terminal import printable


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text, tabs\tand\nnewlines", "plain text, tabs\tand\nnewlines"),
        ("\x1b[2Jclear", "\\x1b[2Jclear"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("C1 \x9b CSI", "C1 \\x9b CSI"),
        ("abc\u202edcba", "abc\\u202edcba"),
        ("isolate\u2066x\u2069", "isolate\\u2066x\\u2069"),
        ("模具 and ’quotes’", "模具 and ’quotes’"),
    ],
)
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown
