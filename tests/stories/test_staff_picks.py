"""Staff pages for stories: access, CSRF, the ranking breakdown, and curating Our Picks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.stories import actions
from newsstand.stories.models import Pick, Story
from newsstand.stories.top import top_stories
from tests.reader.factories import make_article, make_publisher
from tests.stories.story_factories import make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_user():
    return get_user_model().objects.create_user("editor", password="pw-not-used", is_staff=True)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def pick():
    return actions.add_pick(story=make_story("Picked"))


def _pages(pick: Pick) -> list[tuple[str, str]]:
    return [
        ("get", reverse("reader:staff:ranking")),
        ("get", reverse("reader:staff:picks")),
        ("post", reverse("reader:staff:picks")),
        ("post", reverse("reader:staff:pick_move", args=[pick.pk])),
        ("post", reverse("reader:staff:pick_remove", args=[pick.pk])),
    ]


def test_anonymous_is_sent_to_admin_login(client, pick):
    for method, url in _pages(pick):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    assert Pick.objects.filter(pk=pick.pk).exists()


def test_non_staff_user_is_refused(client, pick):
    client.force_login(get_user_model().objects.create_user("reader", password="pw-not-used"))
    for method, url in _pages(pick):
        response = getattr(client, method)(url, {"direction": "up"})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    assert Pick.objects.filter(pk=pick.pk).exists()


def test_state_changes_need_the_csrf_token(staff_user, pick):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    story = make_story("Another")
    assert client.post(reverse("reader:staff:picks"), {"story": story.pk}).status_code == 403
    remove = reverse("reader:staff:pick_remove", args=[pick.pk])
    assert client.post(remove).status_code == 403
    assert list(Pick.objects.values_list("pk", flat=True)) == [pick.pk]
    # The page's own forms carry the token.
    html = client.get(reverse("reader:staff:picks")).content.decode()
    assert html.count('name="csrfmiddlewaretoken"') >= 4


def test_move_and_remove_are_post_only(staff_client, pick):
    assert staff_client.get(reverse("reader:staff:pick_move", args=[pick.pk])).status_code == 405
    assert staff_client.get(reverse("reader:staff:pick_remove", args=[pick.pk])).status_code == 405


def test_ranking_page_lists_stories_with_breakdown(staff_client, django_assert_max_num_queries):
    now = timezone.now()
    make_story("Broad story", publishers=6, updated=now)
    make_story("Narrow story", publishers=1, updated=now - timedelta(hours=3))
    make_story("Unranked story", publishers=1, updated=now - timedelta(days=9))
    actions.rank_stories()
    with django_assert_max_num_queries(6):
        response = staff_client.get(reverse("reader:staff:ranking"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Broad story") < html.index("Narrow story")
    assert "Unranked story" not in html
    for signal in ("Breadth", "Velocity", "Reads", "Recency"):
        assert f'<th scope="row">{signal}</th>' in html
    assert '6 <span class="staff-muted">publishers</span>' in html
    assert re.search(r'class="rank-bar__fill rank-bar__fill--negative" width="\d+"', html)
    assert 'class="rank-bar__fill" width="100"' in html
    assert "Last ranked" in html and "just now" in html


def test_ranking_page_shows_the_order_readers_see(staff_client, client):
    """A single-source story with the highest score is not readers' #1; nor is it staff's."""
    now = timezone.now()
    make_story("Solo scoop", publishers=1, updated=now)
    make_story("Covered twice", publishers=2, updated=now - timedelta(hours=20))
    make_story("Covered thrice", publishers=3, updated=now - timedelta(hours=30))
    actions.rank_stories()
    Story.objects.filter(headline="Solo scoop").update(score=99.0)  # e.g. many reads
    readers = [t.story.headline for t in top_stories(10)]
    assert readers == ["Covered twice", "Covered thrice", "Solo scoop"] or readers == [
        "Covered thrice",
        "Covered twice",
        "Solo scoop",
    ]
    html = staff_client.get(reverse("reader:staff:ranking")).content.decode()
    staff = [h for h in re.findall(r'class="staff-feed__url" href="[^"]+">([^<]+)<', html)]
    assert staff == readers
    assert "1 publisher: after every 2+ story" in html
    assert html.count('<td class="rank-tier">2+ publishers</td>') == 2
    home = client.get(reverse("reader:home")).content.decode()
    block = home[home.index("story-block--top") :]
    assert block.index(readers[0]) < block.index(readers[1]) < block.index("Solo scoop")


def test_ranking_page_marks_the_story_that_leads_the_home_page(staff_client, client):
    """The home opens on the best-ranked Top story with a picture, above the ones ranked
    before it: staff see which, so their #1 and the story readers see first never disagree
    unexplained."""
    now = timezone.now()
    make_story("Unpictured leader", publishers=3, updated=now)
    pictured = make_story("Pictured runner-up", publishers=2, updated=now)
    make_story("Pictured third", publishers=2, updated=now - timedelta(hours=5))
    for story in Story.objects.filter(headline__startswith="Pictured"):
        Article.objects.filter(pk=story.representative_id).update(
            lead_image_url="https://img.example/lead.jpg"
        )
    actions.rank_stories()
    html = staff_client.get(reverse("reader:staff:ranking")).content.decode()
    rows = re.findall(
        r'<tr class="rank-row[^"]*">.*?</tr>\s*(?=<tr class="rank-row|</tbody>)', html, re.S
    )
    assert len(rows) == 3
    marked = [r for r in rows if "Leads the home page" in r]
    assert len(marked) == 1 and "Pictured runner-up" in marked[0]
    home = client.get(reverse("reader:home")).content.decode()
    lead = re.search(r'<article class="lead-story".*?</article>', home, flags=re.S)
    assert lead is not None and f'href="{pictured.get_absolute_url()}"' in lead.group(0)


def test_ranking_page_when_nothing_is_ranked(staff_client):
    html = staff_client.get(reverse("reader:staff:ranking")).content.decode()
    assert "No story has a score yet" in html
    assert "never" in html


def test_add_story_pick_through_the_form(staff_client, staff_user):
    story = make_story("Election results", publishers=4)
    expires = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = staff_client.post(
        reverse("reader:staff:picks"),
        {"story": story.pk, "blurb": "The night in charts.", "expires_at": expires},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("reader:staff:picks")
    pick = Pick.objects.get()
    assert pick.story == story and pick.blurb == "The night in charts."
    assert pick.created_by == staff_user and pick.expires_at is not None
    html = response.content.decode()
    assert "Picked “Election results”." in html
    assert "The night in charts." in html and "Live" in html


def test_add_article_pick_by_url(staff_client):
    article = make_article(make_publisher(), title="Deep dive", url="https://pub.example/dive")
    staff_client.post(reverse("reader:staff:picks"), {"article": "https://pub.example/dive"})
    assert Pick.objects.get().article == article


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Give a story id or an article to pick."),
        ({"article": "https://nowhere.example/"}, "No article found"),
        ({"story": "abc"}, "Enter a whole number."),
        ({"story": "999999"}, "There is no story 999999."),
        ({"story": "{story}", "expires_at": "2001-01-01T00:00"}, "already passed"),
        ({"story": "{story}", "starts_at": "yesterday"}, "Enter a valid date/time."),
    ],
)
def test_bad_picks_are_form_errors_not_crashes(staff_client, data, error):
    story = make_story("Real")
    data = {k: v.format(story=story.pk) for k, v in data.items()}
    response = staff_client.post(reverse("reader:staff:picks"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert error.replace("“", "&ldquo;") in html or error in html
    assert 'class="staff-errors"' in html
    assert not Pick.objects.exists()


def test_story_and_article_together_is_a_form_error(staff_client):
    story = make_story("Real", publishers=1)
    response = staff_client.post(
        reverse("reader:staff:picks"), {"story": story.pk, "article": story.representative_id}
    )
    assert "Give either a story id or an article, not both." in response.content.decode()
    assert not Pick.objects.exists()


def test_picking_twice_is_a_form_error(staff_client, pick):
    response = staff_client.post(reverse("reader:staff:picks"), {"story": pick.story_id})
    assert "is already picked" in response.content.decode()
    assert Pick.objects.count() == 1


def test_search_offers_recent_stories_and_articles(staff_client):
    make_story("Flood warnings in the north", publishers=2)
    make_article(make_publisher("BBC"), title="Flood defences hold")
    make_story("Budget vote", publishers=2)
    html = staff_client.get(reverse("reader:staff:picks"), {"q": "flood"}).content.decode()
    assert "Flood warnings in the north" in html and "Flood defences hold" in html
    assert "Budget vote" not in html
    nothing = staff_client.get(reverse("reader:staff:picks"), {"q": "zebra"}).content.decode()
    assert "Nothing recent matches" in nothing


def test_use_link_prefills_the_form(staff_client):
    story = make_story("Prefilled")
    html = staff_client.get(reverse("reader:staff:picks"), {"story": story.pk}).content.decode()
    assert re.search(rf'name="story" value="{story.pk}"', html)


def test_reorder_and_remove_from_the_page(staff_client):
    picks = [actions.add_pick(story=make_story(f"Pick {i}")) for i in range(3)]
    staff_client.post(reverse("reader:staff:pick_move", args=[picks[2].pk]), {"direction": "up"})
    html = staff_client.get(reverse("reader:staff:picks")).content.decode()
    queue = html[html.index("Live and scheduled") : html.index("Add a pick")]
    assert [queue.index(f"Pick {i}") for i in (0, 2, 1)] == sorted(
        queue.index(f"Pick {i}") for i in range(3)
    )
    response = staff_client.post(
        reverse("reader:staff:pick_remove", args=[picks[0].pk]), follow=True
    )
    assert "Removed “Pick 0” from Our Picks." in response.content.decode()
    assert not Pick.objects.filter(pk=picks[0].pk).exists()
    bad = staff_client.post(
        reverse("reader:staff:pick_move", args=[picks[1].pk]), {"direction": "sideways"}
    )
    assert bad.status_code == 302


def test_scheduled_and_expired_picks_are_listed(staff_client):
    now = timezone.now()
    actions.add_pick(story=make_story("Tomorrow's pick"), starts_at=now + timedelta(days=1))
    gone = actions.add_pick(story=make_story("Yesterday's pick"))
    Pick.objects.filter(pk=gone.pk).update(expires_at=now - timedelta(hours=1))
    html = staff_client.get(reverse("reader:staff:picks")).content.decode()
    assert "Scheduled" in html
    expired = html[html.index('id="expired-title"') :]
    assert "Yesterday&#x27;s pick" in expired and "Tomorrow" not in expired
