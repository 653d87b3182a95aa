"""Which day a build happens on, and which posts wait for a later one (pure: no Sphinx import).

A post dated after the build's day is *scheduled*: it stays out of the published site, as a
draft does, until a build on or after its date. The build's day comes from ``kb_today``
('YYYY-MM-DD'), else from ``SOURCE_DATE_EPOCH`` (the variable reproducible-build tools set),
else from the clock, in UTC, so that a test or a reproducible build fixes it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

#: Any ISO date in a file's head: a post can only be scheduled if one is later than today.
_ISO_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})")


def build_day(
    setting: str, environ: Mapping[str, str], now: dt.datetime | None = None
) -> tuple[dt.date, str]:
    """The build's day and where it came from ('kb_today', 'SOURCE_DATE_EPOCH' or 'the clock').

    Raises ``ValueError`` with a sentence to show when ``setting`` or the variable is not a
    day; the caller warns and falls back to the clock.
    """
    if setting:
        try:
            return dt.date.fromisoformat(setting.strip()), "kb_today"
        except ValueError:
            raise ValueError(f"kb_today must be a day written 'YYYY-MM-DD', not {setting!r}") from None
    if epoch := environ.get("SOURCE_DATE_EPOCH", "").strip():
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date(), "SOURCE_DATE_EPOCH"
        except (ValueError, OverflowError, OSError):
            raise ValueError(
                f"SOURCE_DATE_EPOCH must be a number of seconds since 1970, not {epoch!r}"
            ) from None
    return (now or dt.datetime.now(dt.UTC)).date(), "the clock"


def is_scheduled(date: str | None, today: dt.date) -> bool:
    """Whether a post dated ``date`` (ISO text, as the frontmatter normalises it) waits for a
    later build: its day is after ``today``. A datetime counts by its own day."""
    return date is not None and date[:10] > today.isoformat()


def may_be_scheduled(head: str, today: dt.date) -> bool:
    """Whether a file's head holds any ISO date after ``today``: a cheap test run on every post
    at start-up, so that only those few files are parsed to be sure."""
    day = today.isoformat()
    return any(found > day for found in _ISO_DAY.findall(head))
