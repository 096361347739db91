"""Golden tests for extract_article: `<case>.html` beside `<case>.expected.json`.

The tests only compare. After an intended change, rewrite the expected files with `make golden`
(`python -m tests.golden`) and review the diff.
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsstand.ingest import extractor
from newsstand.ingest.extractor import ExtractionError, decode_html, extract_article

GOLDEN = Path(__file__).parent / "golden" / "extract"
CASES = sorted(p.stem for p in GOLDEN.glob("*.html"))
BASE_URL = "https://news.example.com/world/2023/02/28/story"


def as_record(html: bytes) -> dict[str, Any]:
    article = extract_article(html, BASE_URL)
    lead = article.lead_image
    return {
        "url": article.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "authors": article.authors,
        "published": article.published.isoformat() if article.published else None,
        "updated": article.updated.isoformat() if article.updated else None,
        "section": article.section,
        "language": article.language,
        "lead_image": None
        if lead is None
        else {"url": lead.url, "caption": lead.caption, "credit": lead.credit},
        "html": article.html,
        "text": article.text,
        "word_count": article.word_count,
    }


def golden_files() -> Iterator[tuple[Path, str]]:
    """(expected file, its content from today's extractor) for `python -m tests.golden`."""
    for case in CASES:
        record = as_record((GOLDEN / f"{case}.html").read_bytes())
        yield (
            GOLDEN / f"{case}.expected.json",
            json.dumps(record, indent=2, ensure_ascii=False) + "\n",
        )


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    record = as_record((GOLDEN / f"{case}.html").read_bytes())
    expected_path = GOLDEN / f"{case}.expected.json"
    assert expected_path.exists(), f"missing {expected_path.name}; run `make golden`, review it"
    assert record == json.loads(expected_path.read_text(encoding="utf-8"))


def test_lead_image_and_repeated_captions_appear_once() -> None:
    article = extract_article((GOLDEN / "news_article_jsonld.html").read_bytes(), BASE_URL)
    assert article.lead_image is not None
    assert "lead-photo.jpg" not in article.html
    assert article.html.count("handshake.jpg") == 1
    assert article.html.count("Blinken shakes hands with Tokayev") == 1
    assert "shakes hands" not in article.text  # captions sit with photos, not in the prose
    assert "Reporting by" not in article.text
    assert "newsletter" not in article.text
    assert "<script" not in article.html and "onclick" not in article.html
    assert 'href="https://news.example.com/world/earlier-story"' in article.html


def test_keeps_the_pages_own_offset() -> None:
    article = extract_article((GOLDEN / "news_article_jsonld.html").read_bytes(), BASE_URL)
    assert article.published is not None
    # JSON-LD says 03:30Z on the 28th; the page's own offset puts it on the 27th locally.
    assert article.published.isoformat() == "2023-02-27T22:30:00-05:00"


def test_declared_charset_is_honoured() -> None:
    raw = (GOLDEN / "blog_meta_only.html").read_bytes()
    assert "Zürich" in decode_html(raw)
    article = extract_article(raw, None)
    assert article.title == "Café notes from Zürich"
    assert article.authors == ["Anna Müller", "Jo Bloggs"]


def test_bom_wins_over_declaration() -> None:
    html = '<meta charset="iso-8859-1"><p>naïve</p>'.encode()
    assert "naïve" in decode_html(b"\xef\xbb\xbf" + html)


def test_a_gzipped_page_is_inflated() -> None:
    html = '<meta charset="utf-8"><p>naïve</p>'.encode()
    assert "naïve" in decode_html(gzip.compress(html))
    # Members concatenated (as `cat a.gz b.gz` makes) are one stream, like gzip.decompress.
    assert "naïve</p><p>two" in decode_html(gzip.compress(html) + gzip.compress(b"<p>two</p>"))


def test_a_gzip_bomb_without_content_encoding_stops_at_the_fetch_cap() -> None:
    from newsstand.ingest.fetcher import PAGE_MAX_BYTES

    assert extractor.MAX_INFLATED_BYTES == PAGE_MAX_BYTES  # the same cap as HTTP decoding
    bomb = gzip.compress(b"<p>" + b" " * (100 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 200 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(ExtractionError, match="larger than 5,242,880 bytes once decompressed"):
            decode_html(bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * PAGE_MAX_BYTES  # inflated in bounded steps, never whole


# mtime=0: the same bytes in every pytest-xdist worker, which must collect identical test ids.
@pytest.mark.parametrize(
    "bad",
    [b"\x1f\x8bnot gzip", gzip.compress(b"<p>cut short</p>", mtime=0)[:-12]],
    ids=["not-gzip", "truncated"],
)
def test_corrupt_or_truncated_gzip_is_a_clear_error(bad: bytes) -> None:
    with pytest.raises(ExtractionError, match="corrupt gzip data"):
        decode_html(bad)


@pytest.mark.parametrize("bad", [b"", b"   ", "  "])
def test_empty_input_is_a_clear_error(bad: bytes | str) -> None:
    with pytest.raises(ExtractionError):
        extract_article(bad, None)


def _page(body: str) -> str:
    return (
        "<!DOCTYPE html><html><head><title>T</title></head><body><article><h1>T</h1>"
        f"{body}</article></body></html>"
    )


PROSE = (
    "<p>The council voted on Tuesday to extend the programme for another year after a long "
    "debate about its cost and its reach across the city's poorer districts.</p>"
    "<p>Officials said the extension would cost about four million pounds, paid from reserves "
    "that had been set aside for exactly this kind of emergency spending.</p>"
)


def test_a_paragraph_of_links_is_dropped() -> None:
    html = _page(
        PROSE + '<p><a href="/a">Mayor resigns after vote</a> <a href="/b">Budget gap widens '
        "again this winter</a></p>"
    )
    article = extract_article(html, "https://news.example.com/x")
    assert "four million pounds" in article.text
    assert "Mayor resigns" not in article.text


def test_a_link_inside_prose_is_kept() -> None:
    html = _page(PROSE + '<p>The report, <a href="/r">published last week</a>, found that '
                 "most families who applied were turned away for lack of funds.</p>")  # fmt: skip
    assert "published last week" in extract_article(html, "https://news.example.com/x").text


def test_short_lines_that_repeat_are_kept() -> None:
    html = _page(
        PROSE + "<h2>Breakfast</h2><p>Drink during your workout</p>"
        "<h2>Lunch</h2><p>Drink during your workout</p>"
    )
    text = extract_article(html, "https://news.example.com/x").text
    assert text.count("Drink during your workout") == 2


def test_a_quoted_paragraph_is_kept() -> None:
    quote = (
        "The service is convenient, and even exciting at times, but it is not ready to replace "
        "the console under the television for most players yet."
    )
    html = _page(PROSE + f"<blockquote><p>{quote}</p></blockquote>")
    assert quote in extract_article(html, "https://news.example.com/x").text


def test_control_characters_do_not_break_parsing() -> None:
    html = _page(PROSE.replace("Tuesday", "Tues\x0bday"))
    article = extract_article(html, "https://news.example.com/x")
    assert "four million pounds" in article.text


def _dated_page(dateline: str) -> str:
    return (
        "<!DOCTYPE html><html><head><title>T</title>"
        '<meta property="article:published_time" content="2023-12-20T01:00:00Z"></head>'
        f'<body><article><h1>T</h1><div class="byline-date">{dateline}</div>{PROSE}'
        "</article></body></html>"
    )


def test_printed_day_moves_a_utc_time_to_the_local_day() -> None:
    article = extract_article(_dated_page("Updated 8:00 PM, Tue December 19, 2023"), None)
    assert article.published is not None
    assert article.published.date().isoformat() == "2023-12-19"
    assert article.published == datetime(2023, 12, 20, 1, tzinfo=UTC)  # the same instant


def test_utc_day_kept_when_the_page_prints_it() -> None:
    article = extract_article(_dated_page("Wed December 20, 2023"), None)
    assert article.published is not None
    assert article.published.isoformat() == "2023-12-20T01:00:00+00:00"


def test_url_day_wins_over_printed_day() -> None:
    article = extract_article(
        _dated_page("December 19, 2023"), "https://news.example.com/2023/12/20/story"
    )
    assert article.published is not None
    assert article.published.date().isoformat() == "2023-12-20"


DECLARED = " ".join(
    f"Paragraph {n} of the real story says the harbour authority approved it." for n in range(12)
)


def _page_with_declared_body(body: str) -> str:
    return (
        '<!DOCTYPE html><html><head><title>T</title><script type="application/ld+json">'
        f'{{"@type": "NewsArticle", "headline": "T", "articleBody": "{DECLARED}"}}</script>'
        f"</head><body><article><h1>T</h1>{body}</article></body></html>"
    )


def test_declared_body_replaces_an_extraction_that_missed_it() -> None:
    article = extract_article(_page_with_declared_body(PROSE), None)
    assert article.text == DECLARED
    assert article.html.startswith("<p>Paragraph 0 of the real story")


def test_declared_body_is_ignored_when_the_extraction_has_it() -> None:
    paragraphs = "".join(f"<p>{DECLARED[i : i + 300]}</p>" for i in range(0, len(DECLARED), 300))
    article = extract_article(_page_with_declared_body(paragraphs + PROSE), None)
    assert "four million pounds" in article.text


def _guide_paragraphs(label: str, count: int) -> str:
    return "".join(
        f"<p>{label} {i} of the guide explains, step by step and with worked examples, how "
        "the new rules on allotments apply to tenants who have held their plots for years.</p>"
        for i in range(count)
    )


def _guide_page(block: str) -> str:
    """A page whose first named container is a short byline card, with `block` beside it."""
    return (
        "<!DOCTYPE html><html><head><title>Guide</title></head><body>"
        '<div class="post-content"><p>Written by Jane Roe, who has kept an allotment on the '
        "edge of the city for twenty years and has written about gardening for local papers, "
        "radio programmes and a long-running newsletter of her own.</p><p>This guide is "
        "updated every spring, when the council publishes its new tenancy rules and fees for "
        "the year ahead.</p></div>"
        f'<div class="c-17 x9">{block}</div></body></html>'
    )


def test_the_densest_block_is_extracted_when_trafilatura_keeps_a_sliver() -> None:
    # The first container trafilatura's selectors find is a short byline card; the article
    # itself sits in an unnamed block beside it.
    html = _guide_page(_guide_paragraphs("Paragraph", 12))
    article = extract_article(html, "https://news.example.com/guide")
    assert "Paragraph 0 of the guide" in article.text
    assert "Paragraph 11 of the guide" in article.text


def test_the_densest_block_is_read_whole_when_a_container_inside_it_holds_part() -> None:
    # Extracted on its own, the block still has a named container inside, where trafilatura
    # stops; the block read whole as the article body holds that and the rest.
    block = (
        f'<div class="entry-content">{_guide_paragraphs("Part", 5)}</div>'
        f"{_guide_paragraphs('Paragraph', 12)}"
    )
    article = extract_article(_guide_page(block), "https://news.example.com/guide")
    assert "Part 0 of the guide" in article.text
    assert "Paragraph 11 of the guide" in article.text


PARAGRAPH_3 = (
    "<p>The harbour authority said the new berth would open in the spring, once the dredging "
    "work that began in the autumn has been inspected and signed off.</p>"
)


def test_photo_between_kept_paragraphs_is_put_back_in_place() -> None:
    html = _page(
        PROSE + '<figure><img src="/img/berth-photo.jpg" alt="The berth"></figure>' + PARAGRAPH_3
    )
    article = extract_article(html, "https://news.example.com/x")
    assert article.html.count("berth-photo.jpg") == 1
    assert article.html.index("emergency spending") < article.html.index("berth-photo.jpg")
    assert article.html.index("berth-photo.jpg") < article.html.index("harbour authority")


def test_photos_outside_the_kept_text_and_icons_stay_out() -> None:
    html = _page(
        PROSE + '<img src="/img/tiny-icon.png" width="16" height="16">' + PARAGRAPH_3
    ).replace(
        "</article>",
        '</article><aside><img src="/img/sidebar-promo.jpg"><p>Promo</p></aside>',
    )
    article = extract_article(html, "https://news.example.com/x")
    assert "harbour authority" in article.text
    assert "tiny-icon" not in article.html
    assert "sidebar-promo" not in article.html


def test_caption_blocks_do_not_enter_the_text() -> None:
    html = _page(
        PROSE
        + '<div class="image-caption">Workers on the quay at dawn (Photo: Jane Roe)</div>'
        + PARAGRAPH_3
    )
    article = extract_article(html, "https://news.example.com/x")
    assert "Workers on the quay" not in article.text
    assert "harbour authority" in article.text


def test_reader_comments_newsletter_and_bio_boxes_are_pruned() -> None:
    html = _page(
        PROSE
        + '<div class="slice newsletter-inbody"><p>Join the experts who read us for the inside '
        "track on hardware news every single week.</p></div>"
        + PARAGRAPH_3
        + '<div class="slice-author-bio"><p>Jane Roe is a freelance writer covering ports, '
        "shipping and the people who work on the water.</p></div>"
    ).replace(
        "</article>",
        '</article><div class="forum-comment-widget"><ul><li><p>bit_user I do not consider '
        "that a heat pipe, it is really a phase-change cooling system.</p></li></ul></div>",
    )
    article = extract_article(html, "https://news.example.com/x")
    assert "harbour authority" in article.text
    for furniture in ("Join the experts", "freelance writer", "bit_user"):
        assert furniture not in article.text


def test_an_article_classed_with_comments_is_not_pruned() -> None:
    html = (
        '<!DOCTYPE html><html><head><title>T</title></head><body><div class="post has-comments">'
        f"<h1>T</h1>{PROSE}{PARAGRAPH_3}</div></body></html>"
    )
    assert "harbour authority" in extract_article(html, "https://news.example.com/x").text


@pytest.mark.parametrize(
    "line",
    [
        "Related: The 15 Weirdest Galaxies in Our Universe",
        "You may also like...",
        "Most read in world news",
        "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.",
        "Get the latest updates right in your inbox. Subscribe to our newsletters.",
        "This story was originally published in our Nov/Dec 2023 issue.",
        "Write to Al Root at allen.root@example.com",
        "Keith Bradsher contributed reporting from Hong Kong.",
        "Like this story? Share it with a friend!",
    ],
)
def test_template_lines_are_dropped(line: str) -> None:
    html = _page(PROSE + f"<p>{line}</p>" + PARAGRAPH_3)
    article = extract_article(html, "https://news.example.com/x")
    assert "harbour authority" in article.text
    assert line not in article.text


@pytest.mark.parametrize(
    "line",
    [
        "The email landed in her inbox on Tuesday.",
        "Residents can sign up for the program online.",
        "He told reporters to follow him on Twitter for updates about the case.",
        "Smith contributed to the fund.",
    ],
)
def test_prose_that_mentions_such_things_is_kept(line: str) -> None:
    html = _page(PROSE + f"<p>{line}</p>" + PARAGRAPH_3)
    assert line in extract_article(html, "https://news.example.com/x").text


def _revised_page(printed: str, modified: str = "2023-12-19T10:00:00Z") -> str:
    return (
        "<!DOCTYPE html><html><head><title>T</title>"
        '<meta property="article:published_time" content="2022-04-28T10:00:00Z">'
        f'<meta property="article:modified_time" content="{modified}"></head>'
        f'<body><article><h1>T</h1><div class="byline-date">{printed}</div>{PROSE}'
        "</article></body></html>"
    )


def test_a_page_printing_only_its_update_day_is_published_then() -> None:
    article = extract_article(_revised_page("Updated December 19, 2023"), None)
    assert article.published is not None
    assert article.published.date().isoformat() == "2023-12-19"


def test_a_printed_revision_day_between_publication_and_update_wins() -> None:
    article = extract_article(_revised_page("Nov 6, 2023 2:00 pm"), None)
    assert article.published is not None
    assert article.published.date().isoformat() == "2023-11-06"


def test_the_first_publication_stays_when_the_page_prints_it() -> None:
    article = extract_article(_revised_page("April 28, 2022, updated Dec 19, 2023"), None)
    assert article.published is not None
    assert article.published.date().isoformat() == "2022-04-28"


def test_a_masthead_day_after_the_update_is_ignored() -> None:
    html = _revised_page("Sunday, December 24, 2023", modified="2022-05-07T10:00:00Z")
    article = extract_article(html, None)
    assert article.published is not None
    assert article.published.date().isoformat() == "2022-04-28"


def test_undated_page_takes_the_time_under_its_headline() -> None:
    html = _page(
        '<small>posted on <time datetime="2023-12-19T23:30:00-05:00">2023-12-19</time></small>'
        + PROSE
    )
    article = extract_article(html, "https://news.example.com/news/2023-12-20/story")
    assert article.published is not None
    assert article.published.isoformat() == "2023-12-19T23:30:00-05:00"


def test_the_time_under_the_headline_keeps_the_day_it_prints() -> None:
    html = _page('<time datetime="2026-02-24T04:13:00Z">February 23, 2026</time>' + PROSE)
    article = extract_article(html, "https://shop.example.com/blogs/news/home-gym")
    assert article.published is not None
    assert article.published.date().isoformat() == "2026-02-23"
    assert article.published.astimezone(UTC).isoformat() == "2026-02-24T04:13:00+00:00"


def test_undated_page_takes_a_compact_date_from_its_canonical_slug() -> None:
    html = _page(PROSE).replace(
        "<title>T</title>",
        '<title>T</title><link rel="canonical" href="https://other.example.com/story-20200113">',
    )
    article = extract_article(html, "https://news.example.com/news/263700449/story")
    assert article.published is not None
    assert article.published.date().isoformat() == "2020-01-13"


def test_undated_page_takes_the_day_printed_as_posted() -> None:
    html = _page(
        '<dl><dt>Date:</dt><dd id="date_posted">December 13, 2023</dd></dl>'
        + PROSE
        + '<ul><li class="story-date">October 9, 2019</li>'
        '<li class="story-date">July 18, 2023</li></ul>'
    )
    article = extract_article(html, "https://news.example.com/releases/story.htm")
    assert article.published is not None
    assert article.published.date().isoformat() == "2023-12-13"


@pytest.mark.parametrize(
    ("under_headline", "day"),
    [
        ("<p>By Preetam Jinka · Dec 17, 2025 · 6 min read</p>", "2025-12-17"),
        ("<p>22/11/2020 - 04:30 - Fonte: Agência Brasil</p>", "2020-11-22"),
        ("<p>الأربعاء، 07 أكتوبر 2020 - 12:09 م</p>", "2020-10-07"),
        # A photo credit dates the photo; the line of its own under it dates the story.
        (
            "<div>Protesters outside the theatre in Paris, France, January 16, 2020, during a "
            "strike against the reform. Photo: Jane Roe/Pool</div><div>January 18, 2020</div>",
            "2020-01-18",
        ),
    ],
)
def test_undated_page_takes_the_day_printed_under_its_headline(
    under_headline: str, day: str
) -> None:
    html = _page(under_headline + PROSE)
    article = extract_article(html, "https://news.example.com/story")
    assert article.published is not None
    assert article.published.date().isoformat() == day


def _modified_only_page(printed: str) -> str:
    return _page(printed + PROSE).replace(
        "<title>T</title>",
        '<title>T</title><meta property="article:modified_time" content="2025-09-26T14:39:00Z">',
    )


def test_a_modification_day_the_page_never_prints_is_no_publication_day() -> None:
    # An evergreen page its CMS re-saved: when it was touched, not when it was published.
    article = extract_article(_modified_only_page(""), "https://guides.example.com/allotments")
    assert article.published is None


def test_a_modification_day_the_page_prints_is_its_date() -> None:
    html = _modified_only_page("<p>Last updated September 26, 2025</p>")
    article = extract_article(html, "https://guides.example.com/allotments")
    assert article.published is not None
    assert article.published.date().isoformat() == "2025-09-26"


def test_undated_page_takes_the_day_printed_just_above_its_headline() -> None:
    html = _page(PROSE).replace(
        "<article><h1>T</h1>",
        '<article><div class="hero"><h5>January 23, 2025</h5><h1>T</h1></div>',
    )
    article = extract_article(html, "https://energy.example.com/blog/solar")
    assert article.published is not None
    assert article.published.date().isoformat() == "2025-01-23"


def test_a_copyright_year_is_not_a_publication_day() -> None:
    # htmldate's free-text search reads "© 2024" as 1 January 2024.
    html = _page(PROSE).replace(
        "</body>",
        '<footer><p class="copyright">Copyright © 2024 Example Guides</p></footer></body>',
    )
    assert extract_article(html, "https://guides.example.com/allotments").published is None


@pytest.mark.parametrize("line", ["9/8/2015 12:15 PM PT", "Echo Lawrence - January 24, 2020"])
def test_a_date_line_above_the_story_is_dropped(line: str) -> None:
    article = extract_article(_page(f"<p>{line}</p>" + PROSE), "https://news.example.com/x")
    assert "four million pounds" in article.text
    assert line not in article.text


def test_a_sentence_with_a_date_is_kept() -> None:
    line = "The vote is on December 5, 2023 at noon."
    article = extract_article(_page(f"<p>{line}</p>" + PROSE), "https://news.example.com/x")
    assert line in article.text


@pytest.mark.parametrize(
    "line",
    [
        "Oops! Something went wrong. Please try again later.",
        "Us Weekly has affiliate partnerships. We receive compensation when you click a link.",
        "Also: Two breakthroughs made 2023 the most innovative year in a decade",
    ],
)
def test_error_notices_disclosures_and_also_links_are_dropped(line: str) -> None:
    html = _page(PROSE + f"<p>{line}</p>" + PARAGRAPH_3)
    assert line not in extract_article(html, "https://news.example.com/x").text


def test_text_the_page_stores_double_encoded_is_mended() -> None:
    # UTF-8 bytes of a right quote read as Latin-1 and stored so by the publisher.
    mangled = "A DIY Investor\u2019s Guide".encode().decode("latin-1")
    html = _page(PROSE).replace("<title>T</title>", f"<title>{mangled}</title>")
    html = html.replace("<h1>T</h1>", f"<h1>{mangled}</h1>")
    title = extract_article(html, "https://news.example.com/x").title
    assert title == "A DIY Investor\u2019s Guide"
    assert (
        decode_html("\u00c3\u00a9 stays: it may be meant") == "\u00c3\u00a9 stays: it may be meant"
    )


def _tab(n: int) -> str:
    return (
        f'<article class="tab-panel"><h2>Cost {n}</h2><div class="tab-text">'
        + "".join(
            f"<p>Part {n}.{k}: a remodel of this kind typically costs between ten and fifty "
            "thousand dollars, depending on the size of the rooms and the finishes chosen.</p>"
            for k in range(3)
        )
        + "</div></article>"
    )


def test_an_article_split_over_sibling_sections_is_read_whole() -> None:
    # Each section is its own <article>: trafilatura's fast mode reads the first and stops, and
    # no single section is dense enough for the densest-block check. The region gathering the
    # like-named sections is extracted instead, read whole.
    html = (
        "<!DOCTYPE html><html><head><title>Costs</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/guides">Guides</a></nav><main><div class="tabs">'
        + "".join(_tab(n) for n in range(6))
        + '</div></main><footer><a href="/about">About us</a></footer></body></html>'
    )
    article = extract_article(html, "https://news.example.com/costs")
    assert "Part 0.0:" in article.text
    assert "Part 5.2:" in article.text
    assert "About us" not in article.text


def test_lists_in_an_unnamed_article_block_are_kept() -> None:
    # No container trafilatura's selectors know: its fast mode recovers the paragraphs only and
    # loses the lists between them; the densest block is read whole instead.
    items = "".join(
        f"<li><strong>Feature {n}:</strong> the software lets freelancers track every invoice, "
        "expense and hour billed, so that nothing slips through the cracks at tax time.</li>"
        for n in range(5)
    )
    html = (
        "<!DOCTYPE html><html><head><title>Software</title></head><body>"
        '<div class="x-rich"><p>Managing the money is the hard part of freelancing, and the right '
        "accounting software takes most of that work off your hands.</p>"
        f"<p><strong>Features:</strong></p><ul>{items}</ul><p>Pricing starts at fifteen dollars a "
        "month, with a free trial for the first thirty days of use.</p></div></body></html>"
    )
    article = extract_article(html, "https://news.example.com/software")
    assert "Managing the money" in article.text
    assert "Feature 0:" in article.text
    assert "Feature 4:" in article.text
    assert "Pricing starts" in article.text


def test_subheads_in_an_unnamed_article_block_are_kept() -> None:
    # The same recovery of paragraphs only loses the subheads too, where the block adds too
    # little text for the lists check: the block is read whole when the body has no heading.
    sections = "".join(
        f"<h2>Question {n}: how long should a baby sleep?</h2>"
        f"<p>Answer {n}: newborns average sixteen hours of sleep a day, in stretches of one to "
        "four hours, and need less as they grow older, about twelve hours by the age of three.</p>"
        for n in range(4)
    )
    html = (
        "<!DOCTYPE html><html><head><title>Sleep</title></head><body>"
        f'<div class="x-rich"><p>Sleep is on every parent\'s mind, and the questions about it '
        f"are the same in every family, whatever the age of the child.</p>{sections}</div>"
        "</body></html>"
    )
    article = extract_article(html, "https://news.example.com/sleep")
    assert "Answer 0:" in article.text
    assert "Question 0: how long should a baby sleep?" in article.text
    assert "Question 3: how long should a baby sleep?" in article.text
