"""The build's day and which posts wait for a later one (pure helpers)."""

from __future__ import annotations

import datetime as dt

import pytest

from sourcebook.posts.schedule import build_day, is_scheduled, may_be_scheduled

NOON = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def test_kb_today_wins_over_the_environment_and_the_clock() -> None:
    assert build_day("2030-02-03", {"SOURCE_DATE_EPOCH": "0"}, NOON) == (dt.date(2030, 2, 3), "kb_today")


def test_source_date_epoch_fixes_the_day_in_utc() -> None:
    # 2021-01-01T23:30:00Z: the day is UTC's, whatever the machine's time zone.
    assert build_day("", {"SOURCE_DATE_EPOCH": "1609543800"}, NOON) == (
        dt.date(2021, 1, 1),
        "SOURCE_DATE_EPOCH",
    )


def test_without_either_the_clock_decides() -> None:
    assert build_day("", {}, NOON) == (dt.date(2026, 6, 1), "the clock")


@pytest.mark.parametrize(
    ("setting", "environ", "message"),
    [
        ("June 1", {}, "kb_today must be a day written 'YYYY-MM-DD', not 'June 1'"),
        ("", {"SOURCE_DATE_EPOCH": "yesterday"}, "SOURCE_DATE_EPOCH must be a number of seconds"),
    ],
)
def test_a_bad_day_is_a_clear_error(setting: str, environ: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_day(setting, environ, NOON)


@pytest.mark.parametrize(
    ("date", "scheduled"),
    [
        ("2026-06-01", False),  # published on its day
        ("2026-05-31", False),
        ("2026-06-02", True),
        ("2026-06-01T23:59:00-11:00", False),  # a datetime counts by its own day
        ("2026-06-02T00:00:00+14:00", True),
        (None, False),  # an undated post has its warning and is published
    ],
)
def test_a_post_waits_only_for_a_later_day(date: str | None, scheduled: bool) -> None:
    assert is_scheduled(date, dt.date(2026, 6, 1)) is scheduled


def test_the_quick_test_finds_any_later_date_in_the_head() -> None:
    today = dt.date(2026, 6, 1)
    assert may_be_scheduled("---\ndate: 2026-06-02\n---\n", today)
    assert may_be_scheduled("---\ndate: '2030-01-01T10:00:00+02:00'\n---\n", today)
    assert not may_be_scheduled("---\ndate: '2019-01-01'\nupdated: 2026-06-01\n---\n", today)
    assert not may_be_scheduled("---\ntitle: no date\n---\n", today)
