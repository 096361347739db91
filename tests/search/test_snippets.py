"""Snippets: what they may quote (the gate) and how they mark the reader's words."""

from __future__ import annotations

from newsstand.articles.models import Article
from newsstand.gate.teaser import TEASER_MAX_WORDS
from newsstand.search.public import public_text, summary_teaser
from newsstand.search.query import parse_query
from newsstand.search.snippets import SNIPPET_CHARS, make_highlighter
from tests.search.conftest import MARKER, gated_body, gated_html


def _article(summary: str = "", body_html: str = "") -> Article:
    # Unsaved: the rule reads fields only.
    return Article(title="T", summary=summary, content_html=body_html)


def test_summary_teaser_is_capped() -> None:
    assert summary_teaser("A short summary.") == "A short summary."
    body = " ".join(f"w{i}" for i in range(200))
    # A feed that puts the whole article in its summary still gives only a teaser.
    assert summary_teaser(body).split() == [f"w{i}" for i in range(TEASER_MAX_WORDS)]


def test_public_text_is_the_summary_and_the_gates_teaser_only() -> None:
    text = public_text(_article("Engineers inspected the pier.", gated_html()))
    assert text.startswith("Engineers inspected the pier.\n\nParagraph 1.")
    assert MARKER not in text
    assert "Paragraph 3." not in text  # the teaser is the first paragraph or so
    assert public_text(_article("", gated_html())).startswith("Paragraph 1.")
    # A short piece: the gate shows at most half of it, and so does the public text.
    brief = "<p>One two three four five six seven eight nine ten.</p>"
    assert len(public_text(_article("", brief)).split()) <= 5
    assert public_text(_article("Only a summary.", "")) == "Only a summary."
    assert MARKER in gated_body()  # the marker really is in the body


def test_a_summary_the_teaser_already_opens_with_is_quoted_once() -> None:
    """Feeds and pages often give the first paragraph as the summary: the snippet read it twice
    ("The smooth closure … estuary. The smooth closure … estuary.")."""
    first = "The smooth closure of the Port Aldine barrier has renewed calls for defences."
    body = f"<p>{first}</p>{gated_html()}"
    assert public_text(_article(first, body)).count("smooth closure") == 1
    # Spacing, case and a summary cut short with an ellipsis make no difference.
    cut = "the  smooth closure of the Port Aldine barrier has renewed…"
    assert public_text(_article(cut, body)).count("smooth closure") == 1
    # A summary that opens with the whole teaser (a short first paragraph) says it all.
    opening = "<p>One two three four five six seven eight nine ten.</p>"
    brief = opening + "<p>" + " ".join(["word"] * 80) + ".</p>"
    longer = "One two three four five six seven eight nine ten. Eleven twelve."
    assert public_text(_article(longer, brief)) == longer
    # A summary that says something else keeps its place, and the teaser follows.
    other = "Engineers inspected the pier."
    assert public_text(_article(other, body)).startswith(other + "\n\n" + first)


def test_a_summary_that_is_the_whole_short_article_gives_half_of_it_as_the_gate_does() -> None:
    """Issue #13 items 4 and 10: the cards show at most half of a short article's words, so
    search must not match (and so confirm) words of its second half from the summary."""
    words = [f"w{i}" for i in range(47)]
    whole = " ".join(words)
    text = public_text(_article(whole, f"<p>{whole}.</p>"))
    assert set(text.split()) <= {*words[:23], f"{words[22]}…"}
    assert words[0] in text.split()
    # Without a body kept, the summary is all there is, and public already.
    assert public_text(_article(whole, "")) == whole


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
