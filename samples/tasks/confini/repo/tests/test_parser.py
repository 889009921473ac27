import textwrap

import pytest

from confini import ParseError, parse


def ini(text):
    return parse(textwrap.dedent(text))


def test_sections_and_options():
    assert ini(
        """
        [server]
        host = example.org
        port: 8080

        [client]
        retries = 3
        """
    ) == {"server": {"host": "example.org", "port": "8080"}, "client": {"retries": "3"}}


def test_keys_are_lower_cased():
    assert ini("[a]\nTimeOut = 5\n") == {"a": {"timeout": "5"}}


def test_comment_lines_are_skipped():
    assert ini(
        """
        # leading comment
        [a]
        ; another comment
        x = 1
          # indented comment
        """
    ) == {"a": {"x": "1"}}


def test_hash_in_value_is_kept():
    assert ini("[theme]\ncolor = #ff0000\n") == {"theme": {"color": "#ff0000"}}


def test_semicolon_in_value_is_kept():
    assert ini("[db]\ndsn = postgresql://db/app;timeout=5\n")["db"]["dsn"] == (
        "postgresql://db/app;timeout=5"
    )


def test_empty_value():
    assert ini("[a]\nx =\n") == {"a": {"x": ""}}


def test_continuation_lines():
    assert ini(
        """
        [paths]
        search =
            /usr/share/app
            /etc/app
        other = 1
        """
    ) == {"paths": {"search": "\n/usr/share/app\n/etc/app", "other": "1"}}


def test_duplicate_section():
    with pytest.raises(ParseError, match=r"duplicate section \[a\]"):
        ini("[a]\n[a]\n")


def test_option_before_section():
    with pytest.raises(ParseError) as info:
        ini("x = 1\n")
    assert info.value.lineno == 1


def test_garbage_line_reports_line_number():
    with pytest.raises(ParseError) as info:
        ini("[a]\nx = 1\nthis is not an option\n")
    assert info.value.lineno == 3
    assert "expected 'key = value'" in str(info.value)
