"""Reading what readers type: pure, no database."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsstand.search.backends.postgres import tsquery_text
from newsstand.search.backends.sqlite import match_expression
from newsstand.search.query import MAX_QUERY_CHARS, MAX_WORDS, parse_query

HOSTILE = [
    "NEAR(",
    "NEAR(a b, 2)",
    "*",
    "-",
    '"',
    '""',
    '"""',
    "AND OR",
    "AND",
    "title:secret",
    "{title content_text}: x",
    "a OR b NOT c",
    "^start",
    "a + b",
    "(((",
    ")",
    "x" * 10_000,
    "word " * 500,
    "\x00",
    "nul\x00inside",
    "😀",
    "🇺🇦 flag",
    "emoji 😀 words",
    "'; DROP TABLE articles_article; --",
    "\\",
    "%_%",
    "a:*",
    "!x & y | z <-> w",
    "\u202e\u200b\ufeff",
    "\uff21\uff22\uff23",  # full-width ABC
    "Straße café naïve",
    "東京 選挙",
    "-only -excluded",
]


def test_words_are_lower_case_letters_and_digits() -> None:
    q = parse_query("Elections: COVID-19 vaccine's roll-out")
    assert q.terms == ("elections",)
    # Inner punctuation joins parts into a phrase, as the indexes' tokenizers split them.
    assert q.phrases == (("covid", "19"), ("vaccine", "s"), ("roll", "out"))
    for word in q.positive_words:
        assert re.fullmatch(r"[^\W_]+", word)


def test_quotes_make_a_phrase_and_an_unclosed_quote_runs_to_the_end() -> None:
    assert parse_query('"harbour bridge" storm').phrases == (("harbour", "bridge"),)
    assert parse_query('storm "harbour bridge').phrases == (("harbour", "bridge"),)


def test_minus_leaves_words_out() -> None:
    q = parse_query('bridge -storm -"toll booth"')
    assert q.terms == ("bridge",)
    assert q.excluded == (("storm",), ("toll", "booth"))
    assert "NOT" in match_expression(q)
    assert "!'storm'" in tsquery_text(q)


def test_exclusions_alone_search_nothing_and_say_why() -> None:
    q = parse_query("-storm")
    assert q.is_empty
    assert any("-word only leaves words out" in n for n in q.notes)


def test_common_words_are_left_out_when_others_remain() -> None:
    q = parse_query("the election of the mayor")
    assert q.terms == ("election", "mayor")
    assert any("the, of" in n for n in q.notes)


def test_only_common_words_is_refused_with_a_note() -> None:
    q = parse_query("AND OR the")
    assert q.is_empty
    assert any("more specific" in n for n in q.notes)


def test_long_input_is_cut_and_the_reader_told() -> None:
    q = parse_query("word " * 1000)
    assert len(q.positive_words) <= MAX_WORDS
    assert any(str(MAX_QUERY_CHARS) in n for n in q.notes)
    many = parse_query(" ".join(f"w{i}" for i in range(30)))
    assert len(many.terms) == MAX_WORDS
    assert any(f"first {MAX_WORDS} words" in n for n in many.notes)


def test_prefix_is_the_word_being_typed() -> None:
    assert parse_query("harbour bri", prefix_last=True).prefix == "bri"
    assert parse_query("harbour bri", prefix_last=True).terms == ("harbour",)
    # A space after it: the word is finished.
    assert parse_query("harbour bri ", prefix_last=True).prefix == ""
    # One letter would match most of the vocabulary.
    assert parse_query("harbour b", prefix_last=True).prefix == ""
    assert parse_query("covid-1", prefix_last=True).prefix == ""
    assert parse_query("covid-19", prefix_last=True).prefix == "19"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_becomes_quoted_words_only(text: str) -> None:
    for prefix_last in (False, True):
        q = parse_query(text, prefix_last=prefix_last)
        _assert_safe(q)


@given(st.text(max_size=400))
def test_any_text_parses_to_safe_queries(text: str) -> None:
    for prefix_last in (False, True):
        _assert_safe(parse_query(text, prefix_last=prefix_last))


def _assert_safe(q: object) -> None:
    from newsstand.search.query import ParsedQuery

    assert isinstance(q, ParsedQuery)
    words = [*q.positive_words, *(w for p in q.excluded for w in p)]
    assert len(words) <= MAX_WORDS + 1
    for word in words:
        assert re.fullmatch(r"[^\W_]+", word), word
    if q.is_empty:
        return
    fts = match_expression(q)
    # Outside the quoted words, only our own operators and brackets.
    skeleton = re.sub(r'"[^"]*"\*?', "W", fts)
    assert re.fullmatch(r"[W() ]*(?:(?:AND|NOT)[W() ]*)*", skeleton), fts
    ts = tsquery_text(q)
    skeleton = re.sub(r"'[^']*'(?::\*)?", "W", ts)
    assert re.fullmatch(r"[W()!&<\-> ]*", skeleton), ts
