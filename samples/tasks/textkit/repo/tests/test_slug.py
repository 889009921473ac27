from textkit import slugify


def test_basic():
    assert slugify("Hello, World!") == "hello-world"


def test_accents_are_folded():
    assert slugify("Cr\u00e8me br\u00fbl\u00e9e") == "creme-brulee"


def test_custom_separator():
    assert slugify("a b c", sep="_") == "a_b_c"


def test_max_length_does_not_end_with_separator():
    assert slugify("one two three", max_length=8) == "one-two"
