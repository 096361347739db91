"""The teaser in front of the gate: the opening, cut at a paragraph or sentence, never the rest."""

from __future__ import annotations

from newsstand.gate.teaser import TEASER_MAX_WORDS, body_paragraphs, make_body_teaser
from tests.gate.factories import LATER_MARKERS, OPENING, article_body


def _words(n: int, word: str = "word") -> str:
    return " ".join([word] * n)


def test_teaser_is_the_opening_paragraph_and_never_a_later_one():
    teaser = make_body_teaser(article_body())
    assert teaser.paragraphs[0] == OPENING
    assert teaser.word_count <= TEASER_MAX_WORDS
    for marker in LATER_MARKERS:
        assert marker not in teaser.text


def test_whole_paragraphs_while_they_fit_then_whole_sentences():
    body = (
        "<p>Short opening line here.</p>"
        "<p>First sentence of the second paragraph. " + _words(80) + ".</p>"
        "<p>Third paragraph.</p>"
    )
    teaser = make_body_teaser(body)
    assert teaser.paragraphs == (
        "Short opening line here.",
        "First sentence of the second paragraph.",
    )


def test_long_first_paragraph_is_cut_at_the_last_sentence_that_fits():
    first = "One two three four five. " + _words(30) + ". " + _words(40) + "."
    teaser = make_body_teaser(f"<p>{first}</p><p>{_words(200)}</p>")
    assert teaser.paragraphs == ("One two three four five. " + _words(30) + ".",)


def test_initials_and_abbreviations_are_not_sentence_ends():
    first = "U.S. Secretary Blinken met Mr. Tokayev in Astana on Tuesday. " + _words(70) + "."
    teaser = make_body_teaser(f"<p>{first}</p><p>{_words(200)}</p>")
    assert teaser.paragraphs == ("U.S. Secretary Blinken met Mr. Tokayev in Astana on Tuesday.",)


def test_one_endless_sentence_is_cut_at_a_word_with_an_ellipsis():
    teaser = make_body_teaser(f"<p>{_words(300, 'and')}</p>")
    assert teaser.paragraphs[0].endswith("…")
    assert len(teaser.paragraphs[0].split()) == TEASER_MAX_WORDS


def test_a_short_article_is_never_given_away_whole():
    body = "<p>The council met on Tuesday.</p><p>It agreed the budget after a long debate.</p>"
    teaser = make_body_teaser(body)
    assert teaser.word_count <= teaser.body_word_count // 2
    assert "budget" not in teaser.text


def test_captions_quotes_and_tables_are_not_teaser_paragraphs():
    body = (
        "<figure><img src='https://i.example/a.jpg'><figcaption><p>Caption</p></figcaption>"
        "</figure><blockquote><p>Pulled quote</p></blockquote><p>Real opening. "
        + _words(100)
        + "</p>"
    )
    paragraphs, _ = body_paragraphs(body)
    assert paragraphs[0].startswith("Real opening.")
    assert make_body_teaser(body).paragraphs == ("Real opening.",)


def test_teaser_is_plain_text_even_from_markup():
    body = '<p>Opening with <a href="https://x.example">a link</a> &amp; <b>bold</b>.</p>' + (
        f"<p>{_words(200)}</p>"
    )
    assert make_body_teaser(body).paragraphs == ("Opening with a link & bold.",)


def test_body_without_paragraph_tags_and_empty_bodies():
    assert make_body_teaser(f"<div>Plain text opening. {_words(100)}</div>").paragraphs == (
        "Plain text opening.",
    )
    empty = make_body_teaser("")
    assert empty.paragraphs == () and empty.body_word_count == 0
