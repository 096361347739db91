"""Page-structure rules of newsstand.ingest.boilerplate, on small hand-written pages."""

from __future__ import annotations

import lxml.html
import pytest

from newsstand.ingest.boilerplate import is_boilerplate, mark_div_paragraphs
from newsstand.ingest.extractor import extract_article

SENTENCES = [
    "The harbour authority said the new berth would open in the spring, once the dredging "
    "work that began in the autumn has been inspected and signed off by the engineers.",
    "Ferry operators had asked for the berth for a decade, saying the old quay could not take "
    "the larger ships now built for the crossing and that delays cost them every winter.",
    "Councillors approved the final payment on Tuesday after a short debate in which only two "
    "members spoke, both to ask when the works on the access road would finish as well.",
    "The port expects traffic to double within five years, bringing work to the town and, "
    "its director said, a chance to win back the freight that moved south in the nineties.",
]


def _span_div(text: str) -> str:
    half = len(text) // 2
    return f'<div class="x1"><span class="a">{text[:half]}</span><span>{text[half:]}</span></div>'


def test_inline_only_divs_become_paragraphs() -> None:
    tree = lxml.html.fromstring(
        "<html><body>"
        + _span_div(SENTENCES[0])
        + "<div><span>By Jane Roe</span></div>"  # short: a byline, not a paragraph
        + "<div><a href='/a'>"
        + "Home News Sport Weather " * 6
        + "</a></div>"  # a menu row
        + f"<div>{SENTENCES[1]}</div>"  # bare text: trafilatura reads it already
        + f"<div><span>{SENTENCES[2]}</span><div>nested block</div></div>"
        + "</body></html>"
    )
    mark_div_paragraphs(tree)
    divs = tree.body.findall("div")
    assert [e.tag for e in tree.body] == ["p", "div", "div", "div", "div"]
    assert divs[0].text_content() == "By Jane Roe"


def test_article_written_as_span_divs_is_extracted_paragraph_by_paragraph() -> None:
    # No <article>, <main> or telling class: trafilatura falls back to collecting <p>s and
    # whatever text is left, and without the rule reads the story as one blob (splitting a
    # word where two spans meet).
    body = "".join(_span_div(s) for s in SENTENCES)
    html = (
        "<html><head><title>Berth opens</title></head><body>"
        '<div class="x9"><h1>Berth opens</h1><p>Teaser: the harbour gets its new berth at '
        "last, after years of delay and argument.</p></div>"
        f'<div class="x2">{body}</div></body></html>'
    )
    paragraphs = extract_article(html, "https://news.example.com/x").text.split("\n\n")
    for sentence in SENTENCES:
        assert sentence in paragraphs


@pytest.mark.parametrize(
    "line",
    [
        "Contact Kayla Jimenez at kjimenez@example.com. Follow her on X at @kayla.",
        "Travis Andersen can be reached at travis.andersen@example.com.",
        "Jim Walsh is a senior reporter for the Courier-Post. Email: jwalsh@example.com.",
    ],
)
def test_contact_lines_are_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


def test_an_address_inside_the_story_is_not_boilerplate() -> None:
    assert not is_boilerplate(
        "The LCRD experiments are conducted with industry, academia, and other government "
        "agencies. NASA is still accepting experiments to work with LCRD. Interested parties "
        "should contact lcrd-experiments@example.com for more information."
    )
    assert not is_boilerplate("Contact tracing teams reached 400 households on Tuesday.")
