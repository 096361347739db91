"""Story persistence: assignment, stats, wire copies, the cache, repair and re-clustering."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.sources.models import Publisher
from newsstand.stories import actions
from newsstand.stories.models import Pick, ReadTally, Story
from newsstand.stories.text import ArticleText
from tests.reader.factories import make_article, make_publisher
from tests.stories.events import EVENTS, SINGLETONS
from tests.stories.texts import OTHER_STORY, WIRE_STORY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    actions.reset_cache()
    yield
    actions.reset_cache()


def article(publisher: Publisher, text: str, hours_ago: float, **kwargs: object) -> Article:
    parsed = ArticleText.from_combined(text)
    body = parsed.body.split("\n", 1)[1] if "\n" in parsed.body else parsed.body
    defaults: dict[str, object] = {
        "content_text": body,
        "content_html": f"<p>{body}</p>",
        "summary": "",
        "word_count": len(body.split()),
        "topics": ["News"],
    }
    defaults.update(kwargs)
    return make_article(
        publisher,
        title=parsed.title,
        published_at=timezone.now() - timedelta(hours=hours_ago),
        **defaults,
    )


@pytest.fixture
def publishers() -> list[Publisher]:
    return [make_publisher(name) for name in ("Reuters", "AP", "BBC", "Guardian")]


def test_three_publishers_one_story_with_stats(publishers: list[Publisher]) -> None:
    flood = [
        article(p, t, hours_ago=5 - i, word_count=400 if i else 90)
        for i, (p, t) in enumerate(zip(publishers, EVENTS["flood"], strict=False))
    ]
    chips = article(publishers[3], EVENTS["chips"][0], hours_ago=2)
    report = actions.assign_stories([a.pk for a in [*flood, chips]])
    assert report.assigned == 4 and report.started == 2 and report.joined == 2

    for a in flood:
        a.refresh_from_db()
    chips.refresh_from_db()
    story = flood[0].story
    assert story is not None
    assert {a.story_id for a in flood} == {story.pk}
    assert chips.story_id != story.pk
    story.refresh_from_db()
    assert story.article_count == 3
    assert story.publisher_count == 3
    assert story.first_seen_at == flood[0].published_at
    assert story.last_updated_at == flood[2].published_at
    # The first article is a 90-word brief: the earliest complete one represents the story.
    assert story.representative_id == flood[1].pk
    assert story.headline == flood[1].title
    assert story.lead.startswith(flood[1].content_text[:40])
    assert story.sections == ["Business"]
    assert story.topics == ["News"]


def test_wire_copy_records_copy_of_and_joins_the_story(publishers: list[Publisher]) -> None:
    body = "\n".join(WIRE_STORY)
    original = make_article(
        publishers[0],
        title="Northfield approves new library",
        content_text=body,
        published_at=timezone.now() - timedelta(hours=3),
        word_count=len(body.split()),
    )
    other = article(publishers[2], "Airline suspends island flights\n" + "\n".join(OTHER_STORY), 2)
    copy = make_article(
        publishers[1],
        title="Library approved in Northfield",
        content_text="Advertisement. Scroll to continue with content.\n"
        + "\n".join(WIRE_STORY[:4]),
        published_at=timezone.now() - timedelta(hours=1),
        word_count=200,
    )
    report = actions.assign_stories([original.pk, other.pk, copy.pk])
    assert report.copies == 1
    copy.refresh_from_db()
    original.refresh_from_db()
    assert copy.copy_of_id == original.pk
    assert copy.story_id == original.story_id
    assert original.copy_of_id is None
    story = Story.objects.get(pk=original.story_id)
    assert story.representative_id == original.pk
    assert story.article_count == 2 and story.publisher_count == 2


def test_cache_sees_articles_assigned_by_another_process(publishers: list[Publisher]) -> None:
    strike = EVENTS["strike"]
    first = article(publishers[0], strike[0], 3)
    actions.assign_stories([first.pk])
    # Another process stored and assigned an unrelated article, and moved `first` into a
    # story of its own making (a repair): this process's cache knows neither.
    elsewhere = Story.objects.create(headline="moved")
    Article.objects.filter(pk=first.pk).update(story=elsewhere)
    other = article(publishers[1], SINGLETONS[0], 2)
    Article.objects.filter(pk=other.pk).update(story=Story.objects.create(headline="other"))
    second = article(publishers[2], strike[1], 1)
    actions.assign_stories([second.pk])
    second.refresh_from_db()
    assert second.story_id == elsewhere.pk
    # The stale cache noticed and re-read the mapping; the next article joins directly.
    third = article(publishers[3], strike[2], 0.5)
    actions.assign_stories([third.pk])
    third.refresh_from_db()
    assert third.story_id == elsewhere.pk
    elsewhere.refresh_from_db()
    assert elsewhere.article_count == 3


def test_unassigned_older_articles_get_stories_too(publishers: list[Publisher]) -> None:
    a = article(publishers[0], EVENTS["chips"][0], 4)
    actions.assign_stories([a.pk])
    Article.objects.filter(pk=a.pk).update(story=None)
    b = article(publishers[1], EVENTS["chips"][1], 3)
    report = actions.assign_stories([a.pk, b.pk])
    assert report.assigned == 2
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.story_id is not None and a.story_id == b.story_id


def _story_of(articles: list[Article], headline: str) -> Story:
    story = Story.objects.create(headline=headline)
    Article.objects.filter(pk__in=[a.pk for a in articles]).update(story=story)
    return story


def test_repair_merges_duplicates_and_splits_mixed_stories(publishers: list[Publisher]) -> None:
    flood = [
        article(p, t, 6 - i)
        for i, (p, t) in enumerate(zip(publishers, EVENTS["flood"], strict=False))
    ]
    chips = [
        article(p, t, 5 - i)
        for i, (p, t) in enumerate(zip(publishers, EVENTS["chips"], strict=False))
    ]
    strike = [
        article(p, t, 4 - i)
        for i, (p, t) in enumerate(zip(publishers, EVENTS["strike"], strict=False))
    ]
    keep = _story_of(flood[:2], "a")
    dup = _story_of(flood[2:], "b")
    mixed = _story_of(chips + strike, "mixed")
    actions.refresh_story_stats([keep.pk, dup.pk, mixed.pk])
    Pick.objects.create(story=dup, position=1)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    ReadTally.objects.create(story=dup, hour=hour, count=3)
    ReadTally.objects.create(story=keep, hour=hour, count=2)

    report = actions.repair_stories()
    assert report.merged == 1 and report.split == 1
    assert not Story.objects.filter(pk=dup.pk).exists()
    assert set(
        Article.objects.filter(pk__in=[a.pk for a in flood]).values_list("story", flat=True)
    ) == {keep.pk}
    assert Pick.objects.get().story_id == keep.pk
    assert ReadTally.objects.get(story=keep).count == 5
    chip_stories = {a.story_id for a in Article.objects.filter(pk__in=[a.pk for a in chips])}
    strike_stories = {a.story_id for a in Article.objects.filter(pk__in=[a.pk for a in strike])}
    assert len(chip_stories) == 1 and len(strike_stories) == 1
    assert chip_stories != strike_stories
    assert mixed.pk in chip_stories | strike_stories
    for story in Story.objects.all():
        assert story.article_count == story.articles.count()


def test_recluster_command_rebuilds_stories_and_reuses_rows(publishers: list[Publisher]) -> None:
    flood = [
        article(p, t, 6 - i)
        for i, (p, t) in enumerate(zip(publishers, EVENTS["flood"], strict=False))
    ]
    chips = [
        article(p, t, 5 - i)
        for i, (p, t) in enumerate(zip(publishers, EVENTS["chips"], strict=False))
    ]
    lone = article(publishers[3], SINGLETONS[1], 1)
    wrong = _story_of([*flood[:2], chips[0]], "wrong")
    out = StringIO()
    call_command("stories", "recluster", "--no-progress", "--jobs", "1", stdout=out)
    assert "Re-clustered 7 articles into 3 stories" in out.getvalue()
    flood_stories = {a.story_id for a in Article.objects.filter(pk__in=[a.pk for a in flood])}
    chip_stories = {a.story_id for a in Article.objects.filter(pk__in=[a.pk for a in chips])}
    assert len(flood_stories) == 1 and len(chip_stories) == 1
    assert flood_stories == {wrong.pk}  # most of the old story's articles stayed together
    lone.refresh_from_db()
    assert lone.story_id not in flood_stories | chip_stories
    assert Story.objects.count() == 3
    # The cache now holds the re-clustered window: a fourth chips article joins directly.
    extra = article(publishers[0], EVENTS["chips"][2], 0.2)
    actions.assign_stories([extra.pk])
    extra.refresh_from_db()
    assert {extra.story_id} == chip_stories


def test_stories_command_rejects_bad_days() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--days"):
        call_command("stories", "recluster", "--days", "0")


def test_clustering_failure_never_fails_the_caller(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[list[int]] = []

    def boom(ids: list[int]) -> None:
        calls.append(list(ids))
        raise RuntimeError("index exploded")

    monkeypatch.setattr(actions.assignment, "assign_stories", boom)
    with caplog.at_level(logging.ERROR, logger="newsstand.stories"):
        actions.assign_stories_safely([1, 2])  # returns: the failure is logged, not raised
    assert calls == [[1, 2]]
    (record,) = [r for r in caplog.records if r.name.startswith("newsstand.stories")]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "story assignment failed articles=2"
    assert record.exc_info is not None and str(record.exc_info[1]) == "index exploded"


PAGE = """<!doctype html><html lang="en"><head><title>{title}</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}">
<link rel="canonical" href="{canonical}"></head>
<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"""


def _rss(web: object, items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid></item>"
        for title, link in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'
    )


@pytest.mark.usefixtures("allow_private_urls")
def test_ingested_articles_end_up_in_stories(publisher_web, publishers: list[Publisher]) -> None:  # type: ignore[no-untyped-def]
    from newsstand.ingest.actions import refresh_feed
    from newsstand.sources.models import Feed

    published = (timezone.now() - timedelta(hours=2)).isoformat()
    feeds = []
    for p, (name, texts) in enumerate(
        [
            ("a", [EVENTS["flood"][0], EVENTS["chips"][0]]),
            ("b", [EVENTS["flood"][1], SINGLETONS[1]]),
        ]
    ):
        items = []
        for i, text in enumerate(texts):
            parsed = ArticleText.from_combined(text)
            sentences = parsed.body.split("\n", 1)[1].split(". ")
            path = f"/{name}/story-{i}.html"
            url = publisher_web.url(path)
            paragraphs = "".join(f"<p>{s.strip().rstrip('.')}.</p>" for s in sentences)
            publisher_web.add(
                path,
                PAGE.format(
                    title=parsed.title, published=published, canonical=url, paragraphs=paragraphs
                ),
                headers={"Content-Type": "text/html; charset=utf-8"},
            )
            items.append((parsed.title, url))
        feed_url = publisher_web.add(f"/{name}/feed.xml", _rss(publisher_web, items))
        feeds.append(Feed.objects.create(publisher=publishers[p], url=feed_url))

    for feed in feeds:
        report = refresh_feed(feed.pk)
        assert report.new_articles == 2, report
    articles = {a.title: a for a in Article.objects.all()}
    assert len(articles) == 4
    assert all(a.story_id is not None for a in articles.values())
    flood = [a for a in articles.values() if "Valencia" in a.title]
    assert len(flood) == 2 and flood[0].story_id == flood[1].story_id
    assert len({a.story_id for a in articles.values()}) == 3
    story = Story.objects.get(pk=flood[0].story_id)
    assert story.publisher_count == 2


def test_assign_and_repair_commands(publishers: list[Publisher]) -> None:
    a = article(publishers[0], EVENTS["strike"][0], 3)
    b = article(publishers[1], EVENTS["strike"][1], 2)
    out = StringIO()
    call_command("stories", "assign", stdout=out)
    assert "Assigned 2 articles: 1 joined a story, 1 started one" in out.getvalue()
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.story_id == b.story_id is not None
    out = StringIO()
    call_command("stories", "repair", "--hours", "1", stdout=out)
    assert "Checked 1 stories: 0 merged, 0 split." in out.getvalue()
