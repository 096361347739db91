"""Page-structure rules of newsstand.ingest.boilerplate, on small hand-written pages."""

from __future__ import annotations

import lxml.html
import pytest

from newsstand.ingest.boilerplate import (
    drop_invisible,
    edge_furniture,
    is_boilerplate,
    mark_div_paragraphs,
    mark_loose_paragraphs,
    orphan_headings,
)
from newsstand.ingest.density import main_block
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


def test_loose_text_between_a_containers_blocks_becomes_paragraphs() -> None:
    tree = lxml.html.fromstring(
        "<html><body><div class='story'>"
        f"{SENTENCES[0]}<h2>Why the berth</h2>{SENTENCES[1]} <em>Really.</em>"
        "<div class='ad'></div>"
        "<h2>Short</h2>Too short to be a paragraph."
        f"<p>{SENTENCES[2]}</p>"
        f"<span class='caption'>{SENTENCES[3]}</span>"  # held in a span: a caption or a label
        "</div>"
        f"<div class='footer'><div class='row'></div>{SENTENCES[3]}</div>"  # among no text block
        "</body></html>"
    )
    mark_loose_paragraphs(tree)
    story, footer = tree.body
    assert [e.tag for e in story] == ["p", "h2", "p", "div", "h2", "p", "span"]
    assert story[0].text == SENTENCES[0]
    assert story[2].text_content() == f"{SENTENCES[1]} Really."
    assert story[4].tail == "Too short to be a paragraph."
    assert [e.tag for e in footer] == ["div"]


def test_story_written_as_loose_text_between_headings_is_extracted() -> None:
    # trafilatura's fast mode reads the tagged paragraph and loses the text around the headings.
    html = (
        "<html><head><title>Berth opens</title></head><body><div class='page'><h1>Berth opens</h1>"
        f"<div class='text'><p>{SENTENCES[0]}</p><h2>Why</h2>{SENTENCES[1]}<div class='ad'></div>"
        f"<h2>What next</h2>{SENTENCES[2]}<p>{SENTENCES[3]}</p></div></div></body></html>"
    )
    text = extract_article(html, "https://news.example.com/x").text
    for sentence in SENTENCES:
        assert sentence in text


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


@pytest.mark.parametrize(
    "line",
    [
        "Instagram content",
        "This content can also be viewed on the site it originates from.",
        "The Times is committed to publishing a diversity of letters to the editor. We\u2019d "
        "like to hear what you think about this or any of our articles.",
        "Follow the New York Times Opinion section on Facebook, Instagram, TikTok and Threads.",
        "I would like to contribute",
    ],
)
def test_embeds_and_site_notes_are_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "\u201cWe are not going anywhere,\u201d the mayor wrote on X (formerly Twitter) on "
        "Friday, after the council vote \u2014 a post shared more than 10,000 times by Monday.",
        "The singer later shared photos from her trip on Instagram, including one of the stage.",
        "Readers wrote in to say they would like to hear more from the council on the plan.",
        # An embedded post the writer quotes is part of the story.
        "Observe a minute silence in honour of the departed. \u2014 The Senate (@Senate) "
        "October 9, 2018",
    ],
)
def test_prose_about_social_media_is_kept(line: str) -> None:
    assert not is_boilerplate(line)


STORY = [s * 2 for s in SENTENCES]


def test_reference_list_under_the_story_is_dropped() -> None:
    texts = [
        *STORY,
        "More information: Jane Roe et al, A new berth, Harbour Science (2023). DOI: 10.1/x",
        "Journal information: Harbour Science",
        "Provided by University of the Coast",
        "Citation: Berth opens (2023, December 22) retrieved 24 December 2023 from https://x.org",
    ]
    assert edge_furniture(texts, []) == {4, 5, 6, 7}
    sources = [*STORY, "Our Sources", "Interview with Jane Roe, Dec. 11, 2023", "Port report, 2022"]
    assert edge_furniture(sources, []) == {4, 5, 6}


def test_a_sources_heading_above_most_of_the_text_is_kept() -> None:
    # The list is the article (or it precedes the story): nothing is cut.
    texts = [SENTENCES[0], "Sources", *STORY]
    assert edge_furniture(texts, []) == set()
    # A long paragraph after the heading: it is a section of the story, not a list.
    texts = [*STORY, "References", "Short entry", SENTENCES[0] * 3]
    assert edge_furniture(texts, []) == set()


def test_editorial_note_and_its_labels_are_dropped() -> None:
    texts = [
        "This article has been reviewed according to Science X's editorial process and "
        "policies. Editors have highlighted the following attributes:",
        "fact-checked",
        "trusted source",
        *STORY,
    ]
    assert edge_furniture(texts, []) == {0, 1, 2}


def test_writer_bios_are_dropped_and_prose_about_people_kept() -> None:
    texts = [
        "Charlie Roe writes about national security and legal policy from Washington.",
        *STORY,
        "Jane Smith is a reporter for the Gazette, she told the court, and was there that day.",
        *STORY,
        "Kaitlyn Doe writes about trending issues and community news across South Jersey.",
    ]
    # The named writer's bio anywhere, an unnamed one last; a reporter in the story stays.
    assert edge_furniture(texts, ["Charlie Roe"]) == {0, 10}
    assert edge_furniture(texts[:-1], ["Charlie Roe"]) == {0}


def test_edge_furniture_is_removed_from_an_extracted_page() -> None:
    paragraphs = "".join(f"<p>{s}</p>" for s in STORY)
    html = (
        '<html><head><title>Berth opens</title><meta name="author" content="Ann Lee"></head>'
        f"<body><article><h1>Berth opens</h1>{paragraphs}"
        "<p>Ann Lee writes about ports and shipping for the Gazette.</p>"
        "<p>Our Sources</p><ul><li>Interview with the harbour master, Dec. 11, 2023</li>"
        "<li>Port of Example, annual report, 2022</li></ul></article></body></html>"
    )
    text = extract_article(html, "https://news.example.com/berth").text
    assert text.split("\n\n") == STORY


@pytest.mark.parametrize(
    "text",
    [
        "This article was featured in the One Story to Read Today newsletter. Sign up for it here.",
        "Want more movie news? Sign up for Entertainment Weekly's free newsletter to get "
        "the latest trailers, celebrity interviews, film reviews, and more.",
        "Join our newsletter for actionable tips and proven strategies to grow your business.",
        "Join over 11,200 professionals in receiving our FREE daily email newsletter",
        "Start your day with the Opening Bell. It is what finance people read first. Sign up for "
        "the free daily newsletter.",
        "Top Gear Newsletter",
        "NEWSLETTER",
        "People are also reading…",
        "Readers also viewed",
    ],
)
def test_newsletter_promotions_and_reading_prompts_are_boilerplate(text: str) -> None:
    assert is_boilerplate(text)


@pytest.mark.parametrize(
    "text",
    [
        # Prose about newsletters: no sentence opens on the call to sign up.
        "The company said two million people subscribe to its newsletter, twice last year's count.",
        "Subscribing to their newsletter often provides access to early sales and samples.",
        "Monitor your industry: follow news sources and subscribe to industry newsletters.",
        "Conversion rate measures visitors who act, such as signing up for a newsletter.",
        "In an issue of his newsletter, The Batch, he wrote that copyright needs updating.",
        "People also read the fine print, she said, and they were right to.",
    ],
)
def test_prose_that_mentions_newsletters_stays(text: str) -> None:
    assert not is_boilerplate(text)


def test_orphan_headings_are_the_ones_left_at_the_end() -> None:
    blocks = [
        (True, "The berth"),
        (False, SENTENCES[0]),
        (True, "What happens next"),
        (False, SENTENCES[1]),
        (True, "People are reading"),
        (True, "Trending"),
    ]
    assert orphan_headings(blocks) == {4, 5}
    assert orphan_headings(blocks[:4]) == set()
    # A heading that announces what follows (an embed we do not keep), or numbers a list entry,
    # stays, and so does everything before it.
    assert orphan_headings([*blocks[:4], (True, "Fans reacted:"), (True, "Trending")]) == {5}
    assert orphan_headings([*blocks[:4], (True, "25. A mug warmer")]) == set()


def _article_page(extra: str) -> str:
    paragraphs = "".join(f"<p>{s}</p>" for s in SENTENCES)
    return (
        "<html><head><title>Berth opens</title></head><body><article>"
        "<h1>Berth opens</h1>" + paragraphs + extra + "</article></body></html>"
    )


def test_a_newsletter_promotion_leaves_the_body_and_the_teaser() -> None:
    promo = (
        "<p><em>This article was featured in the One Story to Read Today newsletter. "
        '<a href="/newsletters/">Sign up for it here.</a></em></p>'
    )
    page = _article_page("").replace("<h1>Berth opens</h1>", "<h1>Berth opens</h1>" + promo)
    article = extract_article(page, "https://news.example/berth")
    assert "newsletter" not in article.text and "newsletter" not in article.html
    assert article.text.startswith(SENTENCES[0][:40])


def test_a_heading_whose_links_were_dropped_goes_with_them() -> None:
    link = "Another story about the harbour and its ferries, number"
    related = "<h2>People who read this went on to</h2>" + "".join(
        f'<p><a href="/news/{i}">{link} {i}</a></p>' for i in range(4)
    )
    article = extract_article(_article_page(related), "https://news.example/berth")
    assert "went on to" not in article.text
    assert "Another story" not in article.text
    assert article.text.rstrip().endswith(SENTENCES[-1][-40:])


def test_a_newsletter_box_under_the_story_goes_with_its_heading() -> None:
    box = (
        "<h2>Get the daily briefing</h2>"
        "<p>Join our newsletter for the news that matters, every morning at seven.</p>"
    )
    article = extract_article(_article_page(box), "https://news.example/berth")
    assert "daily briefing" not in article.text and "Join our" not in article.text
    assert article.text.rstrip().endswith(SENTENCES[-1][-40:])


def test_a_run_of_cut_off_teasers_under_the_story_is_furniture() -> None:
    story = [
        "Grouping is the secret of an organised workspace: decide on the categories first.",
        "Then give each category a home in a drawer, on a shelf or on the desk itself.",
    ]
    teasers = [
        "We Tried the Scandinavian Sleep Method",
        "Here is a crazy thought: what if each person in a bed had their own blanket […]",
        "A Checklist for Tax Documents",
        "People often ask how I keep things organised with two kids running around…",
    ]
    assert edge_furniture(story + teasers, []) == {2, 3, 4, 5}
    # One cut-off line is a sentence trailing off, not a list of teasers.
    assert edge_furniture([*story, "And then, well...", "Thanks for reading"], []) == set()
    # Teasers above the story's last paragraph are not at its edge.
    assert edge_furniture([*teasers, *story], []) == set()


def test_scripts_and_styles_weigh_nothing_as_prose() -> None:
    # Each deal card's paragraph carries an analytics script longer than the story's
    # paragraphs: counted as text, the cards are the page's densest block.
    script = "<script>dataLayer.push(" + "{'event':'click','place':'card'}," * 20 + ")</script>"
    style = "<style>" + ".card{margin:0 auto;padding:1em}" * 20 + "</style>"
    page = lxml.html.fromstring(
        '<html><head><script type=\'application/ld+json\'>{"@type": "NewsArticle"}</script>'
        "</head><body><div class='story'>"
        + "".join(f"<p>{s}</p>" for s in SENTENCES[:2])
        + "</div><div class='cards'>"
        + "".join(
            f"<p>Deal {i}: {script}{style}<a href='/d{i}'>the offer</a> today.</p>"
            for i in range(4)
        )
        + "</div></body></html>"
    )
    block, _ = main_block(page)
    assert block is not None and block.get("class") == "cards"
    drop_invisible(page)
    block, _ = main_block(page)
    assert block is not None and block.get("class") == "story"
    # The text after each removed element stays; structured data stays for the readers after.
    assert page.find(".//div[@class='cards']/p").text_content() == "Deal 0: the offer today."
    assert page.find(".//script[@type='application/ld+json']") is not None
