"""The metadata layer: JSON-LD variants, meta tags, bylines, dates and titles."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from lxml import html as lxml_html

from newsstand.ingest import dates
from newsstand.ingest.authors import is_credit_line, normalize_authors
from newsstand.ingest.dates import (
    align_to_day,
    page_published,
    parse_datetime,
    url_date,
    visible_days,
)
from newsstand.ingest.metadata import read_json_ld, read_metadata
from newsstand.ingest.titles import strip_site_name, texts_after


def page(head: str, body: str = "") -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def ld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


def test_json_ld_graph_list_and_nested_author() -> None:
    tree = page(
        ld('[{"@type": "WebSite", "name": "Site"}]')
        + ld(
            '{"@graph": [{"@type": "WebPage"}, {"@type": ["ReportageNewsArticle"],'
            ' "headline": "The headline", "articleSection": ["Politics", "US"],'
            ' "author": [{"@type": "Person", "name": "Ann Lee"}, {"name": "Bo Chan"}],'
            ' "datePublished": "2024-03-01T09:00:00+01:00", "inLanguage": "de_DE"}]}'
        )
    )
    assert len(read_json_ld(tree)) == 4
    meta = read_metadata(tree, "https://example.org/a")
    assert meta.title == "The headline"
    assert meta.authors == ["Ann Lee", "Bo Chan"]
    assert meta.section == "Politics"
    assert meta.language == "de-DE"
    assert meta.published == datetime.fromisoformat("2024-03-01T09:00:00+01:00")


def test_broken_json_ld_with_raw_newlines_is_read() -> None:
    tree = page(ld('{"@type": "BlogPosting", "headline": "Line\none"}'))
    assert read_metadata(tree).title == "Line one"


def test_open_graph_and_meta_tags_fill_in() -> None:
    tree = page(
        '<meta property="og:title" content="Big news - The Daily">'
        '<meta property="og:site_name" content="The Daily">'
        '<meta name="sailthru.author" content="JANE DOE">'
        '<meta property="article:published_time" content="2023-12-17T02:00:00Z">'
        '<meta property="article:section" content="Sport">'
        '<meta property="og:image" content="/lead.jpg">'
        '<meta property="og:image:alt" content="A pic">'
    )
    meta = read_metadata(tree, "https://daily.example/x")
    assert meta.title == "Big news"
    assert meta.authors == ["Jane Doe"]
    assert meta.published == datetime(2023, 12, 17, 2, tzinfo=UTC)
    assert meta.section == "Sport"
    assert meta.image_url == "https://daily.example/lead.jpg"
    assert meta.image_caption == "A pic"


def test_h1_wins_when_it_agrees_and_kicker_is_dropped() -> None:
    tree = page("<title>Seo title | Site</title>", "<h1>Visible headline</h1>")
    assert read_metadata(tree).title == "Visible headline"
    tree = page(
        '<meta property="og:title" content="What I will pray for">',
        "<h1><span>Opinion</span> What I will pray for</h1>",
    )
    assert read_metadata(tree).title == "What I will pray for"


def test_microdata_byline_when_no_meta() -> None:
    tree = page(
        "",
        '<p>By <span itemprop="author"><a rel="author" href="/author/ann">'
        '<span itemprop="name">Ann Lee</span></a></span></p>',
    )
    assert read_metadata(tree).authors == ["Ann Lee"]


@pytest.mark.parametrize(
    ("bylines", "expected"),
    [
        (["By Ann Lee and Bo Chan"], ["Ann Lee", "Bo Chan"]),
        (["A. One, B. Two & C. Three"], ["A. One", "B. Two", "C. Three"]),
        (["Reporting by Ann Lee; Editing by Bo Chan"], []),
        (["Ann Lee; Additional reporting by Bo Chan"], ["Ann Lee"]),
        (["ANN LEE", "Ann Lee"], ["Ann Lee"]),
        (["Ann Lee, Staff Writer"], ["Ann Lee"]),
        (["Lauren Smith MS, RDN, LD"], ["Lauren Smith"]),
        (["Ann Lee", "The Daily"], ["Ann Lee"]),
        (["AP"], ["AP"]),
        (["https://facebook.com/ann", "ann@example.org"], []),
    ],
)
def test_author_normalisation(bylines: list[str], expected: list[str]) -> None:
    assert normalize_authors(bylines, exclude=["The Daily"]) == expected


def test_credit_lines() -> None:
    assert is_credit_line("Reporting by Simon Lewis; Editing by Jane Roe")
    assert is_credit_line("(Additional reporting by Bo Chan)")
    assert not is_credit_line("Officials said reporting by the agency was accurate.")


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2023-12-17T23:30:00-05:00", "2023-12-17T23:30:00-05:00"),
        ("2023-12-17T04:30:00Z", "2023-12-17T04:30:00+00:00"),
        ("2023-12-17", "2023-12-17T00:00:00+00:00"),
        ("Sun, 17 Dec 2023 10:00:00 +0100", "2023-12-17T10:00:00+01:00"),
        ("1702771200", "2023-12-17T00:00:00+00:00"),
        ("December 17, 2023 9:31 PM EST", "2023-12-17T21:31:00-05:00"),
        ("17 Dec 2023 10:00 IST", "2023-12-17T10:00:00+05:30"),
    ],
)
def test_dates_keep_the_pages_offset(raw: str, iso: str) -> None:
    parsed = parse_datetime(raw)
    assert parsed is not None and parsed.isoformat() == iso


@pytest.mark.parametrize("raw", ["", "yesterday-ish", "1890-01-01", "2999-01-01", None, {}])
def test_implausible_dates(raw: object) -> None:
    assert parse_datetime(raw) is None


def test_utc_and_local_same_instant_prefers_local() -> None:
    tree = page(
        ld('{"@type": "NewsArticle", "datePublished": "2023-12-18T03:00:00Z"}')
        + '<meta property="article:published_time" content="2023-12-17T22:00:00-05:00">'
    )
    published = read_metadata(tree).published
    assert published is not None and published.date() == date(2023, 12, 17)


def test_url_day_aligns_a_utc_time() -> None:
    assert url_date("https://x.example/2020/02/17/story") == date(2020, 2, 17)
    assert url_date("https://x.example/news/20200413/story") == date(2020, 4, 13)
    moment = datetime(2020, 2, 18, 3, tzinfo=UTC)
    aligned = align_to_day(moment, date(2020, 2, 17))
    assert aligned == moment and aligned.date() == date(2020, 2, 17)


def test_no_local_day_beyond_news_offsets() -> None:
    # 10:04 UTC is the previous day only at UTC-11, where no newsroom publishes.
    moment = datetime(2020, 7, 9, 10, 4, tzinfo=UTC)
    assert align_to_day(moment, date(2020, 7, 8)) == moment
    assert align_to_day(moment, date(2020, 7, 8)).date() == date(2020, 7, 9)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Updated 9:31 PM EST, Tue December 19, 2023", date(2023, 12, 19)),
        ("Dec. 19, 2023", date(2023, 12, 19)),
        ("Published 5th of Jan 2024", date(2024, 1, 5)),
        ("Domenica 06 Dicembre 2020 | 00:36", date(2020, 12, 6)),
        ("6 de diciembre de 2020", date(2020, 12, 6)),
        ("6. Dezember 2020", date(2020, 12, 6)),
        ("le 3 août 2021", date(2021, 8, 3)),
    ],
)
def test_visible_days(text: str, day: date) -> None:
    assert visible_days([text]) == {day}


def test_visible_days_ignore_non_dates() -> None:
    assert visible_days(["May I help you in 2023?", "March 32, 2020", "Page 12 of 2020"]) == set()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Headline here - Example News", "Headline here"),
        ("Example News | Headline here", "Headline here"),
        ("Headline: with a colon - Example News", "Headline: with a colon"),
        ("Headline - Section - Example News", "Headline - Section"),
        ("No site here", "No site here"),
    ],
)
def test_strip_site_name(title: str, expected: str) -> None:
    assert strip_site_name(title, ["Example News"], "https://www.examplenews.com/a") == expected


def test_media_label_after_the_headline_is_cut() -> None:
    from newsstand.ingest.titles import choose_title

    for label in ("[Watch]", "(video)", "(PHOTOS)"):
        title = choose_title(
            headline=f"Dan + Shay Bring 'Bigger Houses' to Show Finale {label}",
            og_title=None,
            title_tag=None,
            h1s=[],
            site_names=[],
            url=None,
        )
        assert title == "Dan + Shay Bring 'Bigger Houses' to Show Finale"


def test_desk_bylines_and_agency_suffixes() -> None:
    from newsstand.ingest.authors import normalize_authors

    assert normalize_authors(["TMZ Staff"], exclude=["TMZ"]) == []
    assert normalize_authors(["Jane Staff"]) == ["Jane Staff"]
    assert normalize_authors(["John O'Connor The Associated Press"]) == ["John O'Connor"]


def test_a_site_name_printed_in_the_headline_is_cut() -> None:
    tree = lxml_html.fromstring(
        "<html><head><title>Best UK Art Exhibitions 2025 \u2013 Artlyst</title>"
        '<meta property="og:site_name" content="Artlyst"></head>'
        "<body><h1>Best UK Art Exhibitions 2025 \u2013 Artlyst</h1></body></html>"
    )
    assert read_metadata(tree, "https://artlyst.example/x").title == "Best UK Art Exhibitions 2025"


def test_an_h2_the_declared_title_names_wins_over_a_section_h1() -> None:
    # The blog's name in the <h1>, the story's headline in an <h2> equal to og:title.
    tree = page(
        "<title>Cheap Fixes Are the Best! | Example Blog</title>"
        '<meta property="og:title" content="Cheap Fixes Are the Best!">'
        '<meta property="og:site_name" content="Example Blog">',
        "<h1>Our BLOG</h1><h2>Recent posts</h2><h2>Cheap Fixes Are the Best!</h2><p>Text.</p>",
    )
    assert read_metadata(tree, "https://blog.example/fixes").title == "Cheap Fixes Are the Best!"


def test_an_h1_matching_the_declared_title_is_not_overruled_by_an_h2() -> None:
    tree = page(
        '<meta property="og:title" content="The headline">',
        "<h1>The headline</h1><h2>The headline</h2><h2>Other</h2>",
    )
    assert read_metadata(tree, "https://example.org/a").title == "The headline"
    # No heading names the declared title: the visible h1 stays the title.
    tree = page(
        '<meta property="og:title" content="An SEO title for the story">',
        "<h1>The visible headline</h1><h2>A section</h2>",
    )
    assert read_metadata(tree, "https://example.org/a").title == "The visible headline"


def test_a_headline_field_stating_the_whole_h1_keeps_its_first_words() -> None:
    # og:title and <title> carry a shorter form; JSON-LD's headline is the h1 itself, so the
    # h1's first words are part of the headline, not a kicker.
    h1 = "Grandi Classici Rivisitati: Elettrodomestici Tradizionali con un Twist Moderno"
    short = "Elettrodomestici Tradizionali con un Twist Moderno"
    tree = page(
        ld(f'{{"@type": "NewsArticle", "headline": "{h1}"}}')
        + f"<title>{short} - TC Newsnet</title>"
        + f'<meta property="og:title" content="{short} - TC Newsnet">'
        + '<meta property="og:site_name" content="TC Newsnet">',
        f"<h1>{h1}</h1>",
    )
    assert read_metadata(tree, "https://tcnewsnet.example/x").title == h1
    # Without it, the h1's extra first word is a kicker ("Opinion") and goes.
    tree = page(
        '<meta property="og:title" content="What I will be praying for this Christmas">',
        "<h1>Opinion What I will be praying for this Christmas</h1>",
    )
    assert read_metadata(tree, "https://example.org/a").title == (
        "What I will be praying for this Christmas"
    )


def test_a_plain_published_meta_tag_dates_the_page() -> None:
    tree = page('<meta name="published" content="July 17, 2025">')
    published = read_metadata(tree, "https://blog.example.com/a").published
    assert published is not None
    assert published.date() == date(2025, 7, 17)


def test_highwire_citation_tags_name_the_authors_and_the_day() -> None:
    tree = page(
        '<meta name="citation_author" content="Mahindru, Aditya">'
        '<meta name="citation_author" content="Pradeep Patil">'
        '<meta name="citation_publication_date" content="2023 Jan 7">'
    )
    meta = read_metadata(tree, "https://journal.example.org/articles/1")
    assert meta.authors == ["Aditya Mahindru", "Pradeep Patil"]
    assert meta.published is not None
    assert meta.published.date() == date(2023, 1, 7)


# --- the day a page prints against the day it declares or htmldate guesses ------------------

_PROSE = "<p>" + "The council voted on Tuesday to extend the programme for another year. " * 3
_PAGE_URL = "https://blog.example.com/guides/allotments"


def _published(head: str, under_headline: str) -> str | None:
    tree = lxml_html.fromstring(
        f"<html><head><title>T</title>{head}</head><body><article><h1>T</h1>{under_headline}"
        f"{_PROSE}</p></article></body></html>"
    )
    moment = page_published(tree, _PAGE_URL, _PAGE_URL, read_metadata(tree, _PAGE_URL))
    return moment.date().isoformat() if moment else None


def test_an_undated_pages_byline_day_beats_htmldates_guess(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # htmldate reads image paths and modification stamps as readily as the posting day.
    guess = datetime(2023, 10, 11, tzinfo=UTC)
    monkeypatch.setattr(dates, "_htmldate", lambda *_args, **_kwargs: guess)
    assert _published("", "<p>Jane Doe · November 6, 2024</p>") == "2024-11-06"
    assert _published("", "<p>Jane Doe</p>") == "2023-10-11"


_DECLARED = (
    '<script type="application/ld+json">{"@type": "Article", "headline": "T", '
    '"datePublished": "Jun 24, 2025", "dateModified": "Jun 24, 2025"}</script>'
)


def test_an_earlier_byline_day_beats_a_declared_day_the_page_never_prints() -> None:
    # The template declares the day the page was last built; the byline dates the article.
    assert _published(_DECLARED, "<p>Jane Doe</p><p>August 25, 2024</p>") == "2024-08-25"


@pytest.mark.parametrize(
    "under_headline",
    [
        # The declared day printed elsewhere, even as a US month-first date.
        "<p>August 25, 2024</p><p>Posted 06/24/2025</p>",
        # A later printed day is a revision: the update-day rule's business, not this one's.
        "<p>Updated December 19, 2025</p>",
        # The day before is the same instant on the publisher's calendar.
        "<p>June 23, 2025</p>",
    ],
)
def test_the_declared_day_stays(under_headline: str) -> None:
    assert _published(_DECLARED, under_headline) == "2025-06-24"


def test_texts_after_the_headline_skip_scripts_and_captions_and_stop_at_the_count() -> None:
    tree = lxml_html.fromstring(
        "<html><body><div><h1>T</h1> tail <figure><img><figcaption>Photo, May 1, 2020"
        "</figcaption></figure><script>var x = 1;</script><p>By <a>Jane</a> Doe</p></div>"
        "<p>Next</p><!-- c --><p>Last</p></body></html>"
    )
    headline = tree.find(".//h1")
    texts = [t.strip() for t in texts_after(headline, 10) if t.strip()]
    assert texts == ["tail", "By", "Jane", "Doe", "Next", "Last"]
    assert [t.strip() for t in texts_after(headline, 3)] == ["tail", "By", "Jane"]


def test_a_tagline_after_a_pipe_is_cut() -> None:
    # The visible h1 repeats the SEO title, tagline and all; the site name is cut as before.
    tree = page(
        "<title>Nine Garden Tools for Spring | Rakes, Hoes &amp; More | Example Shop</title>"
        '<meta property="og:site_name" content="Example Shop">',
        "<h1>Nine Garden Tools for Spring | Rakes, Hoes &amp; More</h1>",
    )
    title = read_metadata(tree, "https://shop.example/tools").title
    assert title == "Nine Garden Tools for Spring"
    # A section before the pipe goes too: the longer part is the headline.
    tree = page("", "<h1>Gardening | How to prune an old apple tree in winter</h1>")
    assert read_metadata(tree).title == "How to prune an old apple tree in winter"


def test_a_leading_number_is_not_a_kicker() -> None:
    # The headline field leaves out the year the visible h1 starts with; the year is kept.
    tree = page(
        ld('{"@type": "BlogPosting", "headline": "Bicycle Repair Price Guide"}'),
        "<h1>2025 Bicycle Repair Price Guide</h1>",
    )
    assert read_metadata(tree).title == "2025 Bicycle Repair Price Guide"
    # A word kicker is still dropped.
    tree = page(
        ld('{"@type": "BlogPosting", "headline": "Bicycle Repair Price Guide"}'),
        "<h1>Explainer Bicycle Repair Price Guide</h1>",
    )
    assert read_metadata(tree).title == "Bicycle Repair Price Guide"
