"""Reading time counts Chinese characters, not only words between spaces."""

from __future__ import annotations

from sourcebook.posts.reading_time import reading_minutes


def test_words_at_228_a_minute() -> None:
    assert reading_minutes("word " * 228 * 5) == 5
    assert reading_minutes("word " * 100) == 1  # never less than a minute


def test_chinese_characters_count_one_by_one() -> None:
    # One "word" for a space-counting reader; 765 characters, three minutes, for ours.
    assert reading_minutes("合同写清楚定金和尾款的支付时间" * 51) == 3


def test_mixed_text_adds_both() -> None:
    assert reading_minutes("定金" * 255 + " deposit" * 456) == 4  # 2 + 2 minutes
    assert reading_minutes("It's a 30-day L/C, isn't it?") == 1
