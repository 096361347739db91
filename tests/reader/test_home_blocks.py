"""Top stories right now and Our Picks on the home page and in the article page's aside."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsstand.stories import actions
from newsstand.stories.models import Pick, Story
from tests.reader.factories import make_article, make_publisher
from tests.stories.story_factories import make_story

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def block(html: str, title_id: str) -> str:
    """The HTML of one block (section or aside) by its heading id; '' if it is not there."""
    match = re.search(
        rf'<(section|aside)[^>]*aria-labelledby="{title_id}".*?</\1>', html, flags=re.S
    )
    return match.group(0) if match else ""


def headlines(html: str) -> list[str]:
    return re.findall(r'<h3 class="story-item__title">(?:<a href="[^"]*">)?([^<]+)<', html)


@pytest.fixture
def ranked():
    now = timezone.now()
    stories = [
        make_story(f"Story with {n} sources", publishers=n, updated=now - timedelta(minutes=n))
        for n in range(1, 11)
    ]
    actions.rank_stories()
    return stories


def test_home_shows_top_stories_by_score_with_sources_and_links(client, ranked):
    html = client.get(reverse("reader:home")).content.decode()
    top = block(html, "top-stories-title")
    assert "Top stories right now" in top
    shown = headlines(top)
    assert len(shown) == 8
    assert shown[0] == "Story with 10 sources"
    assert shown == sorted(shown, key=lambda h: -int(h.split()[2]))
    # Each names the publisher of its chosen article, and how many more cover it.
    assert '<span class="story-item__publisher">Outlet 0</span> and 9 more sources' in top
    assert "The lead of Story with 10 sources." in top
    best = Story.objects.get(headline="Story with 10 sources")
    assert f'href="{best.get_absolute_url()}"' in top
    # Top stories come before the latest list.
    assert html.index("Top stories right now") < html.index(
        '<h2 class="page-title home__latest">Latest'
    )


def test_home_shows_live_picks_in_order_with_blurbs(client):
    now = timezone.now()
    first = make_story("Picked story", publishers=3)
    article = make_article(make_publisher("The Atlantic"), title="Picked article")
    expired = make_story("Expired pick", publishers=2)
    actions.add_pick(article=article, blurb="A long read for the weekend.")
    actions.add_pick(story=first)
    actions.add_pick(story=expired, expires_at=now + timedelta(seconds=1), now=now)
    actions.add_pick(story=make_story("Later"), starts_at=now + timedelta(hours=1))
    actions.move_pick(first.picks.get(), "up")
    Pick.objects.filter(story=expired).update(expires_at=now - timedelta(minutes=1))
    html = client.get(reverse("reader:home")).content.decode()
    picks = block(html, "our-picks-title")
    assert headlines(picks) == ["Picked story", "Picked article"]
    assert "A long read for the weekend." in picks
    assert "The Atlantic" in picks and "3 sources" in picks


def test_empty_blocks_are_hidden(client):
    make_article(make_publisher())
    make_story("Unranked")  # score 0: never shown
    html = client.get(reverse("reader:home")).content.decode()
    assert "Top stories right now" not in html
    assert "Our Picks" not in html
    assert "story-block--" not in html


def test_blocks_only_on_the_first_page(client, ranked):
    for i in range(40):
        make_article(make_publisher(), title=f"Filler {i}")
    html = client.get(reverse("reader:home") + "?page=2").content.decode()
    assert "Top stories right now" not in html


def test_home_query_count_with_blocks(client, ranked, django_assert_max_num_queries):
    for story in ranked[:6]:
        actions.add_pick(story=story)
    actions.add_pick(article=make_article(make_publisher(), title="An article pick"))
    # Cold caches: the page and its count, Top stories, Our Picks, the busy sections and their
    # blocks, the publisher strip (the sections list and the strip are cached for minutes).
    with django_assert_max_num_queries(7) as ctx:
        response = client.get(reverse("reader:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert len(headlines(block(html, "top-stories-title"))) == 8
    assert len(headlines(block(html, "our-picks-title"))) == 6
    for query in ctx.captured_queries:
        assert "content_html" not in query["sql"]


def test_article_aside_excludes_the_current_story_and_article(client, ranked):
    current = Story.objects.get(headline="Story with 10 sources")
    other = Story.objects.get(headline="Story with 9 sources")
    actions.add_pick(story=current)
    actions.add_pick(article=current.representative)
    actions.add_pick(story=other, blurb="Also this.")
    html = client.get(reverse("reader:article", args=[current.representative_id])).content.decode()
    top = block(html, "top-stories-title")
    assert top.startswith("<aside")
    shown = headlines(top)
    assert len(shown) == 5
    assert "Story with 10 sources" not in shown
    assert shown[0] == "Story with 9 sources"
    picks = block(html, "our-picks-title")
    assert headlines(picks) == ["Story with 9 sources"]
    assert "Also this." in picks


def test_article_page_query_count_with_blocks_and_a_read(
    client, ranked, django_assert_max_num_queries
):
    for story in ranked[:6]:
        actions.add_pick(story=story)
    article = ranked[-1].representative
    # The page's whole budget: article, Related Stories, top stories, picks, and the read
    # (one upsert, plus a savepoint pair inside the test's transaction).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reader:article", args=[article.pk]), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert ranked[-1].read_tallies.get().count == 1
