import pytest

from textkit import truncate


def test_short_text_untouched():
    assert truncate("hello", 10) == "hello"


def test_truncate_with_ellipsis():
    assert truncate("hello world", 8) == "hello w\u2026"


def test_custom_placeholder():
    assert truncate("hello world", 8, placeholder="...") == "hello..."


def test_wide_characters_are_not_split():
    assert truncate("日本語テキスト", 6) == "日本\u2026"


def test_placeholder_wider_than_width():
    with pytest.raises(ValueError):
        truncate("hello", 2, placeholder="...")
