"""The home page's front: a lead story with its picture, the offer to a visitor, For You first
for a reader."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.personal import actions as personal
from newsstand.personal.targets import resolve_target
from newsstand.reader.front import choose_lead
from newsstand.stories import actions
from newsstand.stories.top import top_stories
from newsstand.web.presentation import ArticleCard
from tests.personal.conftest import make_user
from tests.reader.factories import make_article, make_publisher
from tests.stories.story_factories import make_story

pytestmark = pytest.mark.django_db

IMAGE = "https://img.example/lead.jpg"


def _lead(html: str) -> str:
    match = re.search(r'<article class="lead-story".*?</article>', html, flags=re.S)
    return match.group(0) if match else ""


def _top(html: str) -> str:
    match = re.search(r'<section class="story-block story-block--top".*?</section>', html, re.S)
    return match.group(0) if match else ""


def _pitch(html: str) -> str:
    match = re.search(r'<aside class="home-pitch".*?</aside>', html, flags=re.S)
    return match.group(0) if match else ""


def _with_image(story_headline: str) -> None:
    Article.objects.filter(story__headline=story_headline).update(lead_image_url=IMAGE)


@pytest.fixture
def ranked():
    now = timezone.now()
    stories = [
        make_story(f"Story with {n} sources", publishers=n, updated=now - timedelta(minutes=n))
        for n in range(1, 6)
    ]
    actions.rank_stories()
    return stories


def test_the_best_top_story_with_a_picture_leads_and_leaves_the_list(client, ranked):
    # The best-ranked story (5 sources) has no picture; the next one with a picture leads.
    _with_image("Story with 3 sources")
    _with_image("Story with 2 sources")
    html = client.get(reverse("reader:home")).content.decode()
    lead = _lead(html)
    assert "Story with 3 sources</a></h2>" in lead
    assert f'src="{IMAGE}"' in lead
    assert 'class="kicker__publisher"' in lead and "Outlet 0" in lead
    assert "Coverage from 3 publishers" in lead
    top = _top(html)
    assert "Story with 3 sources" not in top
    headlines = re.findall(r'class="story-item__title"><a href="[^"]*">([^<]+)<', top)
    assert headlines == [
        "Story with 5 sources",
        "Story with 4 sources",
        "Story with 2 sources",
        "Story with 1 sources",
    ]
    # The lead comes first, then the offer, then Top stories.
    assert html.index("lead-story") < html.index("home-pitch") < html.index("top-stories-title")


def test_top_stories_name_the_publisher_and_picture_the_first(client, ranked):
    _with_image("Story with 5 sources")
    _with_image("Story with 4 sources")
    top = _top(client.get(reverse("reader:home")).content.decode())
    first = top[: top.index("</li>")]
    assert "story-item--thumb" in first and f'src="{IMAGE}"' in first
    assert '<span class="story-item__publisher">Outlet 0</span> and 3 more sources' in first
    assert top.count('class="story-item__thumb"') == 1
    assert '<span class="story-item__publisher">Outlet 0</span></p>' in top  # 1 source


def test_without_pictured_stories_the_newest_article_with_a_picture_leads(client, ranked):
    make_article(
        make_publisher("Picture Post"),
        title="A pictured piece",
        lead_image_url=IMAGE,
        published_at=timezone.now(),
    )
    html = client.get(reverse("reader:home")).content.decode()
    lead = _lead(html)
    assert "A pictured piece</a></h2>" in lead and "Picture Post" in lead
    assert len(re.findall(r'class="story-item__title"', _top(html))) == 5


def test_no_picture_anywhere_no_lead(client, ranked):
    html = client.get(reverse("reader:home")).content.decode()
    assert _lead(html) == ""
    assert "Top stories right now" in html


def test_a_visitor_is_offered_the_trial_and_the_true_count_of_sources(client, settings):
    settings.NEWSSTAND_TRIAL_DAYS = 21
    for i in range(3):
        make_article(make_publisher(f"Active {i}"), title=f"News {i}")
    make_publisher("Quiet but active")  # no articles this week: still a source we fetch
    make_publisher("Retired Times", is_active=False)
    pitch = _pitch(client.get(reverse("reader:home")).content.decode())
    assert "All your news in one place" in pitch
    assert f'href="{reverse("account_signup")}">Start your 21-day free trial</a>' in pitch
    assert "<strong>4</strong> trusted sources" in pitch
    assert "Retired Times" not in pitch
    # The strip links the publishers with news this week.
    assert pitch.count('class="trusted__item"') == 3


def test_a_reader_gets_for_you_first_and_no_offer(client, ranked):
    _with_image("Story with 2 sources")
    reader = make_user()
    personal.follow(reader, resolve_target("publisher", str(make_publisher("Followed").pk)))
    client.force_login(reader)
    html = client.get(reverse("reader:home")).content.decode()
    assert _pitch(html) == ""
    assert "Start your" not in html
    assert 'id="foryou-block-title"' in html
    assert html.index('id="foryou-block-title"') < html.index("lead-story")


def test_home_with_every_block_stays_within_ten_queries(
    client, ranked, django_assert_max_num_queries
):
    _with_image("Story with 4 sources")
    actions.add_pick(story=ranked[0])
    for section in ("World", "Sport", "Science"):
        for i in range(3):
            make_article(make_publisher(f"{section} {i}"), section=section, lead_image_url=IMAGE)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("reader:home")).content.decode()
    assert _lead(html) and _pitch(html) and _top(html)


def test_choose_lead_is_decided_without_the_database(django_assert_num_queries, ranked):
    _with_image("Story with 4 sources")
    top = top_stories(6, with_representative=True)
    card = ArticleCard(article=Article.objects.filter(lead_image_url="").first(), teaser="t")
    with django_assert_num_queries(0):
        lead, rest = choose_lead(top, [card], limit=3)
        assert lead is not None and lead.title == "Story with 4 sources"
        assert lead.publisher is not None and lead.publisher.name == "Outlet 0"
        assert [t.story.headline for t in rest] == [
            "Story with 5 sources",
            "Story with 3 sources",
            "Story with 2 sources",
        ]
