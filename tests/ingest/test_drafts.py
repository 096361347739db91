"""build_draft: merging what the feed said with what the page said. Pure: no network, no DB."""

from __future__ import annotations

from datetime import UTC, datetime

from newsstand.ingest.drafts import (
    build_draft,
    choose_canonical_url,
    content_fingerprint,
    normalize_url,
    topics_from_categories,
)
from newsstand.ingest.extractor import ExtractedArticle, LeadImage
from newsstand.ingest.feeds import ParsedEntry

WHEN = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
BODY = " ".join(f"word{i}" for i in range(80))


def _entry(**kw: object) -> ParsedEntry:
    base: dict[str, object] = {
        "guid": "g1",
        "url": "https://news.example/a?utm_source=rss",
        "title": "Feed headline",
        "summary_html": "<p>Feed <b>teaser</b><script>alert(1)</script></p>",
        "authors": ["Feed Author"],
        "published": WHEN,
        "updated": None,
        "categories": ["Politics", "politics", "  Elections  "],
        "image_url": "https://news.example/feed.jpg",
    }
    base.update(kw)
    return ParsedEntry(**base)  # type: ignore[arg-type]


def test_tracking_parameters_and_fragments_do_not_make_a_new_article() -> None:
    assert normalize_url("https://News.example/a?utm_source=x&id=3#top") == (
        "https://news.example/a?id=3"
    )


def test_canonical_url_is_trusted_only_on_the_same_site() -> None:
    page = "https://www.example.co.uk/2026/story?utm_medium=feed"
    assert choose_canonical_url(page, "https://example.co.uk/story") == (
        "https://example.co.uk/story"
    )
    assert choose_canonical_url(page, "https://other.co.uk/story") == (
        "https://www.example.co.uk/2026/story"
    )
    assert choose_canonical_url(page, None) == "https://www.example.co.uk/2026/story"


def test_fingerprint_ignores_markup_and_case_but_not_words() -> None:
    assert content_fingerprint(BODY) == content_fingerprint(BODY.upper().replace(" ", "  \n"))
    assert content_fingerprint(BODY) != content_fingerprint(BODY + " extra")
    # Too short to say two texts are one article.
    assert content_fingerprint("Watch the video") == ""


def test_topics_are_trimmed_and_deduplicated_regardless_of_case() -> None:
    assert topics_from_categories(["Politics", "politics", "  Elections  ", ""]) == [
        "Politics",
        "Elections",
    ]
    assert len(topics_from_categories([f"t{i}" for i in range(50)])) == 12


def test_without_extraction_the_feed_entry_is_kept_sanitised() -> None:
    draft = build_draft(_entry(), None, page_url="https://news.example/a", extraction_error="x")
    assert draft.title == "Feed headline"
    assert draft.authors == ["Feed Author"]
    assert "<script" not in draft.html and "teaser" in draft.text
    assert draft.topics == ["Politics", "Elections"]
    assert draft.section == "Politics"
    assert draft.extraction_error == "x"
    assert draft.lead_image_url == "https://news.example/feed.jpg"


def test_page_metadata_wins_except_the_headline() -> None:
    extracted = ExtractedArticle(
        url="https://news.example/a",
        canonical_url="https://news.example/a",
        title="Page headline - News Example",
        authors=["Page Author"],
        published=datetime(2026, 11, 27, 8, 0, tzinfo=UTC),
        section="World",
        language="en",
        lead_image=LeadImage("https://news.example/lead.jpg", "A caption", "Photo: Agency"),
        description="The page's description.",
        html="<p>" + BODY + "</p>",
        text=BODY,
        word_count=80,
    )
    draft = build_draft(_entry(), extracted, page_url="https://news.example/a")
    assert draft.title == "Feed headline"
    assert draft.authors == ["Page Author"]
    assert draft.section == "World"
    assert draft.published == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    assert (draft.lead_image_url, draft.lead_image_caption, draft.lead_image_credit) == (
        "https://news.example/lead.jpg",
        "A caption",
        "Photo: Agency",
    )
    assert draft.summary == "The page's description."
    assert draft.content_hash == content_fingerprint(BODY)


def test_an_untitled_entry_takes_the_page_title() -> None:
    extracted = ExtractedArticle(url=None, canonical_url=None, title="Page headline", text=BODY)
    draft = build_draft(_entry(title=""), extracted, page_url="https://news.example/a")
    assert draft.title == "Page headline"


def test_the_feeds_whole_article_beats_an_extraction_that_found_a_sliver() -> None:
    # The extractor kept a sidebar box; the feed's content:encoded carries the story.
    story = "".join(f"<p>{BODY} paragraph{i}.</p>" for i in range(3))
    sliver = "Night mode is an automatic setting of the new camera."
    extracted = ExtractedArticle(
        url="https://news.example/a",
        canonical_url=None,
        title="Page headline",
        description="The page's description.",
        html=f"<p>{sliver}</p>",
        text=sliver,
        word_count=10,
    )
    draft = build_draft(_entry(summary_html=story), extracted, page_url="https://news.example/a")
    assert "paragraph2" in draft.text and sliver not in draft.text
    assert draft.html.count("<p>") == 3
    assert draft.word_count == 3 * 81
    assert draft.content_hash == content_fingerprint(draft.text)
    assert draft.summary == "The page's description."
    # A feed teaser shorter than what extraction found leaves the extraction alone.
    draft = build_draft(_entry(), extracted, page_url="https://news.example/a")
    assert draft.text == sliver
