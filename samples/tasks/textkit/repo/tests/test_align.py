import pytest

from textkit import center, columns, ljust, pad, rjust


def test_pad_left_is_default():
    assert pad("ab", 5) == "ab   "


def test_pad_right():
    assert pad("ab", 5, align="right") == "   ab"


def test_center_odd_remainder_goes_right():
    assert center("ab", 5) == " ab  "


def test_ljust_rjust():
    assert ljust("x", 3) == "x  "
    assert rjust("x", 3) == "  x"


def test_fillchar():
    assert pad("7", 3, align="right", fillchar="0") == "007"


def test_wider_text_is_returned_unchanged():
    assert pad("abcdef", 3) == "abcdef"


def test_fillchar_must_be_one_character():
    with pytest.raises(ValueError):
        pad("a", 3, fillchar="ab")


def test_unknown_alignment():
    with pytest.raises(ValueError, match="align must be one of"):
        pad("a", 3, align="middle")


def test_columns_ascii():
    rows = [("name", "qty"), ("apple", "3"), ("fig", "12")]
    assert columns(rows) == ["name   qty", "apple  3", "fig    12"]


def test_columns_right_aligned_numbers():
    rows = [("item", "qty"), ("apple", "3"), ("fig", "12")]
    assert columns(rows, align=["left", "right"]) == [
        "item   qty",
        "apple    3",
        "fig     12",
    ]


def test_columns_short_rows_are_filled():
    assert columns([("a", "b", "c"), ("d",)]) == ["a  b  c", "d"]


def test_columns_alignment_count_must_match():
    with pytest.raises(ValueError, match="expected 2 alignments"):
        columns([("a", "b")], align=["left"])
