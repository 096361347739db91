"""The story page and the Related Stories block on article pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.stories.actions import refresh_story_stats
from newsstand.stories.clustering_engine import ClusterConfig
from newsstand.stories.coverage import RELATED_ITEMS
from newsstand.stories.models import Story, StoryLink
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db

NOW = timezone.now()
FLOOR = ClusterConfig().related_floor


def _link(a: Story, b: Story, score: float) -> None:
    """What clustering records when an article of one story had the other among its candidates."""
    StoryLink.objects.create(story=a, other=b, score=score)
    StoryLink.objects.create(story=b, other=a, score=score)


def _article(publisher, story, title, hours_ago, **kwargs) -> Article:  # type: ignore[no-untyped-def]
    return make_article(
        publisher,
        title=title,
        story=story,
        published_at=NOW - timedelta(hours=hours_ago),
        section="World",
        topics=["Floods"],
        **kwargs,
    )


@pytest.fixture
def flood_story() -> dict[str, object]:
    reuters, ap, bbc, local = (make_publisher(n) for n in ("Reuters", "AP", "BBC", "Local Post"))
    story = Story.objects.create(headline="")
    wire = _article(ap, story, "Valencia floods: 4,000 evacuated", 6, summary="AP wire text.")
    copy = _article(local, story, "UPDATE: 4,000 evacuated in Valencia", 5, copy_of=wire)
    bbc_a = _article(bbc, story, "Turia bursts its banks in Valencia", 4)
    reuters_a = _article(reuters, story, "Twelve missing after Spanish floods", 3)
    reuters_b = _article(reuters, story, "Valencia rescue teams reach Benimaclet", 1)
    refresh_story_stats([story.pk])
    story.refresh_from_db()
    return {
        "story": story,
        "wire": wire,
        "copy": copy,
        "bbc": bbc_a,
        "reuters": [reuters_a, reuters_b],
    }


def test_story_page_groups_coverage_and_folds_wire_copies(
    client, flood_story, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    story = flood_story["story"]
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reader:story", args=[story.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert story.get_absolute_url() == f"/stories/{story.pk}/"
    assert "<h1" in html and "Valencia floods: 4,000 evacuated" in html  # representative
    assert "AP wire text." in html  # its summary is the lead
    assert "4 publishers" in html and "5 articles" in html
    assert "First seen" in html and "Last updated" in html
    # Coverage grouped by publisher, in the order they first covered the story.
    coverage = re.findall(r'class="publisher-coverage__name">(<img [^>]+>)([^<]+)<', html)
    assert [name for _, name in coverage] == ["AP", "BBC", "Reuters"]
    # Each with its logo (issue 15): Newsstand's copy of the publisher's icon.
    for logo, _ in coverage:
        assert 'class="publisher-logo"' in logo and "/icon?v=" in logo
    # The copy is shown once, under its original, with its carrier named.
    assert "UPDATE: 4,000 evacuated in Valencia" not in html
    assert "also carried by Local Post" in html
    assert html.count("Twelve missing after Spanish floods") == 2  # coverage + timeline
    timeline = html[html.index('class="timeline"') :]
    order = [
        timeline.index(t)
        for t in ("Valencia floods", "Turia bursts", "Twelve missing", "Benimaclet")
    ]
    assert order == sorted(order)
    assert reverse("reader:article", args=[flood_story["bbc"].pk]) in html
    assert "reader/story.css" in html


def _figure(html: str) -> str:
    match = re.search(r'<figure class="lead-image story__picture">.*?</figure>', html, re.S)
    return match.group(0) if match else ""


def test_story_page_shows_its_articles_picture(client, flood_story, settings) -> None:  # type: ignore[no-untyped-def]
    """The story page once had no picture and ~40% of a desktop's width empty beside its
    headline: it shows its representative's picture, else its first article's that has one,
    with the caption and credit as the article page gives them."""
    settings.NEWSSTAND_PAGE_CACHE_S = 0  # the same page, asked for again after each change
    story, wire, bbc = flood_story["story"], flood_story["wire"], flood_story["bbc"]
    url = reverse("reader:story", args=[story.pk])
    assert _figure(client.get(url).content.decode()) == ""
    Article.objects.filter(pk=bbc.pk).update(lead_image_url="https://img.example/turia.jpg")
    figure = _figure(client.get(url).content.decode())
    assert 'src="https://img.example/turia.jpg"' in figure
    assert '<span class="credit">BBC</span>' in figure  # no credit given: whose picture it is
    Article.objects.filter(pk=wire.pk).update(
        lead_image_url="https://img.example/valencia.jpg",
        lead_image_caption="Rescuers in Valencia on Tuesday",
        lead_image_credit="Jose Jordan / AFP",
    )
    html = client.get(url).content.decode()
    figure = _figure(html)
    assert 'src="https://img.example/valencia.jpg"' in figure
    assert "Rescuers in Valencia on Tuesday" in figure
    assert '<span class="credit">Jose Jordan / AFP</span>' in figure
    assert "story__top--picture" in html


def test_unknown_or_empty_story_is_404(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(reverse("reader:story", args=[999999])).status_code == 404
    empty = Story.objects.create(headline="Nothing")
    assert client.get(reverse("reader:story", args=[empty.pk])).status_code == 404


def test_article_page_related_block(client, flood_story, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    other_pub = make_publisher("Guardian")
    similar = Story.objects.create(headline="")
    _article(other_pub, similar, "Valencia floods: insurers count the cost", 2)
    unrelated = Story.objects.create(headline="")
    make_article(other_pub, title="Chip maker record revenue", story=unrelated, section="Tech")
    # Same section and topic, a word of the headline in common, but never linked: not related.
    lookalike = Story.objects.create(headline="")
    _article(other_pub, lookalike, "Spanish football: Valencia win again", 2)
    refresh_story_stats([similar.pk, unrelated.pk, lookalike.pk])
    _link(flood_story["story"], similar, FLOOR + 0.1)
    _link(flood_story["story"], unrelated, FLOOR - 0.05)  # a near miss, under the floor

    reuters_a = flood_story["reuters"][0]
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reader:article", args=[reuters_a.pk]))
    html = response.content.decode()
    block = html[html.index("story-block--related") :]
    titles = re.findall(r'<h3 class="story-item__title"><a href="[^"]+">([^<]+)</a>', block)
    # Other publishers' coverage first (newest first, one per publisher, the wire set once),
    # then linked stories above the floor; nothing else.
    assert titles == [
        "Turia bursts its banks in Valencia",
        "Valencia floods: 4,000 evacuated",
        "Valencia floods: insurers count the cost",
    ]
    assert "UPDATE: 4,000" not in block
    assert "Twelve missing" not in block.split("Related stories")[1].split("</aside>")[0]
    assert f'href="/stories/{flood_story["story"].pk}/"' in block
    assert "Also carried by" not in block


def test_article_page_names_wire_copy_carriers(client, flood_story) -> None:  # type: ignore[no-untyped-def]
    html = client.get(reverse("reader:article", args=[flood_story["wire"].pk])).content.decode()
    assert "Also carried by Local Post" in html
    html = client.get(reverse("reader:article", args=[flood_story["copy"].pk])).content.decode()
    assert "Also carried by AP" in html


def test_related_block_is_capped(client) -> None:  # type: ignore[no-untyped-def]
    story = Story.objects.create(headline="")
    pubs = [make_publisher(f"Pub {i}") for i in range(10)]
    articles = [_article(p, story, f"Flood report {i}", i + 1) for i, p in enumerate(pubs)]
    for i in range(5):
        s = Story.objects.create(headline="")
        _article(pubs[i], s, f"Flood follow-up {i}", 2)
        refresh_story_stats([s.pk])
        _link(story, s, FLOOR + 0.01 * i)
    refresh_story_stats([story.pk])
    html = client.get(reverse("reader:article", args=[articles[0].pk])).content.decode()
    block = html[html.index("story-block--related") :].split("</aside>")[0]
    assert block.count('<li class="story-item') == RELATED_ITEMS
    assert block.count("story-item--story") >= 1  # related stories keep a place
    # Best linked first.
    assert block.index("Flood follow-up 4") < block.index("Flood follow-up 3")


def test_no_related_coverage_hides_the_block(client) -> None:  # type: ignore[no-untyped-def]
    """A story alone in its window shows no filler: other stories of its section, topic and
    time are not related unless clustering linked them."""
    pub, other = make_publisher("Column Weekly"), make_publisher("Other")
    story = Story.objects.create(headline="")
    column = _article(pub, story, "The ballot ruling, explained", 1)
    for title in ("Housekeepers wanted", "Family meals on a budget", "Iceland in winter"):
        s = Story.objects.create(headline="")
        _article(other, s, title, 2)
        refresh_story_stats([s.pk])
    refresh_story_stats([story.pk])
    html = client.get(reverse("reader:article", args=[column.pk])).content.decode()
    assert "Related stories" not in html
    assert "Housekeepers" not in html.split("Top stories")[0]


def test_article_without_story_still_renders(client) -> None:  # type: ignore[no-untyped-def]
    a = make_article(make_publisher("Solo"), title="Lonely piece")
    response = client.get(reverse("reader:article", args=[a.pk]))
    assert response.status_code == 200
    assert "Related stories" not in response.content.decode()
