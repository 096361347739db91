"""Snippets: what they may quote (the gate) and how they mark the reader's words."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User

from newsstand.articles.models import Article
from newsstand.search.query import parse_query
from newsstand.search.snippets import (
    SNIPPET_CHARS,
    TEASER_WORDS,
    make_highlighter,
    snippet_source,
    teaser_text,
)
from tests.search.conftest import MARKER, gated_body


def _article(summary: str = "", body: str = "") -> Article:
    # Unsaved: the rule reads fields only.
    return Article(title="T", summary=summary, content_text=body)


def test_teaser_is_the_summary_else_the_first_words_of_the_body() -> None:
    assert teaser_text(_article("A short summary.", "Body text.")) == "A short summary."
    body = " ".join(f"w{i}" for i in range(200))
    assert teaser_text(_article("", body)).split() == [f"w{i}" for i in range(TEASER_WORDS)]
    # A feed that puts the whole article in its summary still gives only a teaser.
    assert len(teaser_text(_article(body, body)).split()) == TEASER_WORDS


@pytest.mark.django_db
def test_only_members_get_the_body(member: User, lapsed: User) -> None:
    a = _article("Summary.", gated_body())
    assert snippet_source(a, AnonymousUser()) == "Summary."
    assert snippet_source(a, lapsed) == "Summary."
    assert MARKER in snippet_source(a, member)


def test_marks_stemmed_forms_and_escapes_everything_else() -> None:
    h = make_highlighter(parse_query("elections <script>"))
    html = h.mark("Elections & <b>election</b> day: an electorate <script>alert(1)</script>")
    assert "<mark>Elections</mark>" in html
    assert "<mark>election</mark>" in html
    assert "electorate" in html and "<mark>electorate" not in html
    assert "<script>" not in html
    assert "&lt;b&gt;" in html and "&amp;" in html
    # The query's "<script>" is the word "script": marked, escaped.
    assert "&lt;<mark>script</mark>&gt;" in html


def test_marks_prefixes_and_folds_accents() -> None:
    h = make_highlighter(parse_query("cafe electi", prefix_last=True))
    html = h.mark("Café election")
    assert "<mark>Café</mark>" in html
    assert "<mark>election</mark>" in html


def test_snippet_is_cut_around_the_matches() -> None:
    text = (
        ("Filler words about nothing much. " * 40)
        + "The quillback appeared. "
        + ("More filler after it. " * 40)
    )
    html = make_highlighter(parse_query("quillback")).snippet(text)
    assert "<mark>quillback</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    visible = html.replace("<mark>", "").replace("</mark>", "")
    assert len(visible) <= SNIPPET_CHARS + 2


def test_snippet_without_a_match_is_the_start() -> None:
    text = "Start of the text. " + ("Filler. " * 100)
    html = make_highlighter(parse_query("absent")).snippet(text)
    assert html.startswith("Start of the text.")
    assert html.endswith("…")


def test_snippet_prefers_the_densest_window() -> None:
    text = (
        "One lighthouse here. "
        + ("Filler words. " * 60)
        + "The lighthouse keeper and the lighthouse lamp and the lighthouse door. "
        + ("Filler words. " * 60)
    )
    html = make_highlighter(parse_query("lighthouse")).snippet(text)
    assert html.count("<mark>") == 3


def test_empty_query_marks_nothing() -> None:
    h = make_highlighter(parse_query(""))
    assert h.mark("a <b>") == "a &lt;b&gt;"
