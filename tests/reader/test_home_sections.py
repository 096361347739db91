"""Latest by section on the home page: the busiest sections, one line per story."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsstand.personal import actions as personal
from newsstand.personal.targets import resolve_target
from newsstand.reader.sections import SECTIONS_CACHE_KEY, busy_sections, pick_items
from tests.personal.conftest import make_user
from tests.reader.factories import make_article, make_publisher
from tests.stories.story_factories import make_story

pytestmark = pytest.mark.django_db


def sections_html(html: str) -> str:
    match = re.search(
        r'<section class="sections".*?</div>\s*(?:<p class="sections__all">.*?</p>\s*)?</section>',
        html,
        flags=re.S,
    )
    return match.group(0) if match else ""


def block_titles(html: str) -> list[str]:
    return re.findall(
        r'class="story-block__title section-block__title"><a href="[^"]*">([^<]+)<', html
    )


def item_titles(html: str) -> list[str]:
    return re.findall(r'<h4 class="section-item__title"><a href="[^"]*">([^<]+)<', html)


def test_busiest_sections_first_and_spellings_merged(client):
    pub = make_publisher("Wire")
    for i in range(3):
        make_article(pub, title=f"World {i}", section="World")
    make_article(pub, title="world lower", section="world")
    for i in range(2):
        make_article(pub, title=f"Sport {i}", section="Sport")
    make_article(pub, title="Science 0", section="Science")
    html = sections_html(client.get(reverse("reader:home")).content.decode())
    titles = block_titles(html)
    # The capitalised spelling names the section ("World" sorts before "world").
    assert titles[:2] == ["World", "Sport"]
    assert len(titles) == 3
    # Both spellings are one section, and its link goes to the section page.
    world = html.split("Sport")[0]
    assert "World 0" in world and "world lower" in world
    assert 'href="/sections/' in html


def test_a_story_takes_one_line_with_a_link_to_its_coverage(client):
    now = timezone.now()
    story = make_story("Flood warnings across the north", publishers=5, updated=now)
    solo = make_article(
        make_publisher("Local"),
        title="Council opens new library",
        published_at=now - timedelta(hours=2),
    )
    html = sections_html(client.get(reverse("reader:home")).content.decode())
    titles = item_titles(html)
    assert titles.count("Flood warnings across the north") == 1
    assert solo.title in titles
    assert "+4 more articles" in html
    assert f'href="{story.get_absolute_url()}"' in html


def test_old_articles_and_muted_publishers_stay_out(client):
    loud = make_publisher("Loud")
    quiet = make_publisher("Quiet")
    make_article(loud, title="Loud news", section="World")
    make_article(quiet, title="Quiet news", section="World")
    make_article(
        quiet, title="Last week", section="World", published_at=timezone.now() - timedelta(days=5)
    )
    reader = make_user()
    personal.mute(reader, resolve_target("publisher", str(loud.pk)))
    client.force_login(reader)
    html = sections_html(client.get(reverse("reader:home")).content.decode())
    assert item_titles(html) == ["Quiet news"]


def test_section_list_is_cached(client, django_assert_max_num_queries):
    pub = make_publisher("Wire")
    make_article(pub, title="One", section="World")
    assert busy_sections() == [("world", "World")]
    make_article(pub, title="Two", section="Politics")
    make_article(pub, title="Three", section="Politics")
    # Cached for minutes: the new section appears once the cache expires.
    assert busy_sections() == [("world", "World")]
    from django.core.cache import cache

    cache.delete(f"{SECTIONS_CACHE_KEY}:6")
    assert busy_sections() == [("politics", "Politics"), ("world", "World")]


def test_home_with_sections_stays_within_ten_queries(client, django_assert_max_num_queries):
    for s in ("World", "Sport", "Science", "Business", "Culture", "Tech", "Travel"):
        for i in range(6):
            make_article(make_publisher(f"{s} pub {i}"), title=f"{s} {i}", section=s)
    reader = make_user()
    client.force_login(reader)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("reader:home")).content.decode()
    assert len(block_titles(sections_html(html))) == 6


def test_pick_items_keeps_the_newest_of_each_story():
    class S:
        def __init__(self, pk: int, n: int) -> None:
            self.pk, self.article_count = pk, n

    class A:
        def __init__(self, title: str, story: S | None) -> None:
            self.title, self.story = title, story
            self.story_id = story.pk if story else None

    big = S(1, 9)
    rows = [A("a", big), A("b", big), A("c", None), A("d", S(2, 1)), A("e", big), A("f", None)]
    items = pick_items(rows, limit=3)  # type: ignore[arg-type]  # duck-typed rows
    assert [i.article.title for i in items] == ["a", "c", "d"]
    assert [i.more for i in items] == [8, 0, 0]
