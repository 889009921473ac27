import pytest

from textkit import display_width, fill, wrap


def test_wrap_greedy():
    assert wrap("the quick brown fox jumps", 10) == ["the quick", "brown fox", "jumps"]


def test_wrap_collapses_whitespace():
    assert wrap("a   b\n\tc", 80) == ["a b c"]


def test_long_word_gets_its_own_line():
    assert wrap("a supercalifragilistic b", 6) == ["a", "supercalifragilistic", "b"]


def test_indents():
    text = "one two three four"
    assert wrap(text, 9, indent="* ", subsequent_indent="  ") == [
        "* one two",
        "  three",
        "  four",
    ]


def test_wrap_measures_wide_characters():
    lines = wrap("日本語 の テキスト です", 8)
    assert all(display_width(line) <= 8 for line in lines)
    assert lines == ["日本語", "の", "テキスト", "です"]


def test_fill_joins_lines():
    assert fill("aa bb cc", 5) == "aa bb\ncc"


def test_width_must_be_positive():
    with pytest.raises(ValueError):
        wrap("x", 0)
