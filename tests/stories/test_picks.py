"""Our Picks: adding, ordering, scheduling and expiry, and the staff form's checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from newsstand.stories import actions
from newsstand.stories.models import Pick
from newsstand.stories.pick_forms import PickForm, find_article
from newsstand.stories.picks import active_picks, expired_picks, queued_picks
from tests.reader.factories import make_article, make_publisher
from tests.stories.story_factories import make_story

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def titles(items) -> list[str]:
    return [i.title for i in items]


@pytest.fixture
def stories():
    return [make_story(f"Story {n}", publishers=n + 1, updated=NOW) for n in range(3)]


def test_picks_show_in_the_order_added_then_as_moved(stories):
    for story in stories:
        actions.add_pick(story=story, now=NOW)
    assert titles(active_picks(NOW)) == ["Story 0", "Story 1", "Story 2"]
    last = Pick.objects.get(story=stories[2])
    assert actions.move_pick(last, "up", now=NOW)
    assert titles(active_picks(NOW)) == ["Story 0", "Story 2", "Story 1"]
    first = Pick.objects.get(story=stories[0])
    assert not actions.move_pick(first, "up", now=NOW)  # already at the top
    assert actions.move_pick(first, "down", now=NOW)
    assert titles(active_picks(NOW)) == ["Story 2", "Story 0", "Story 1"]
    assert sorted(Pick.objects.values_list("position", flat=True)) == [0, 1, 2]


def test_removed_pick_leaves_and_moves_still_work(stories):
    picks = [actions.add_pick(story=s, now=NOW) for s in stories]
    actions.remove_pick(picks[1])
    assert titles(active_picks(NOW)) == ["Story 0", "Story 2"]
    assert actions.move_pick(picks[2], "up", now=NOW)
    assert titles(active_picks(NOW)) == ["Story 2", "Story 0"]


def test_expired_picks_leave_without_any_job(stories):
    actions.add_pick(story=stories[0], expires_at=NOW + timedelta(hours=1), now=NOW)
    actions.add_pick(story=stories[1], now=NOW)
    assert titles(active_picks(NOW)) == ["Story 0", "Story 1"]
    later = NOW + timedelta(hours=2)
    assert titles(active_picks(later)) == ["Story 1"]
    assert titles(queued_picks(later)) == ["Story 1"]
    assert titles(expired_picks(later)) == ["Story 0"]


def test_scheduled_pick_waits_for_its_start(stories):
    actions.add_pick(story=stories[0], starts_at=NOW + timedelta(hours=3), now=NOW)
    assert active_picks(NOW) == []
    assert titles(queued_picks(NOW)) == ["Story 0"]
    assert titles(active_picks(NOW + timedelta(hours=3))) == ["Story 0"]


def test_article_pick_shows_publisher_and_blurb():
    article = make_article(make_publisher("The Guardian"), title="A long read")
    actions.add_pick(article=article, blurb="  Worth your lunch break. ", now=NOW)
    [item] = active_picks(NOW)
    assert item.title == "A long read"
    assert item.source == "The Guardian"
    assert item.blurb == "Worth your lunch break."
    assert item.url == article.get_absolute_url()


def test_active_picks_leave_out_the_pages_own_story_and_article(stories):
    own_article = stories[0].representative
    other_in_story = make_article(make_publisher("AP"), story=stories[0])
    actions.add_pick(article=own_article, now=NOW)
    actions.add_pick(article=other_in_story, now=NOW)
    actions.add_pick(story=stories[0], now=NOW)
    actions.add_pick(story=stories[1], now=NOW)
    shown = active_picks(NOW, exclude_article_id=own_article.pk, exclude_story_id=stories[0].pk)
    assert titles(shown) == ["Story 1"]


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({}, "", "either a story or an article"),
        ({"both": True}, "", "either a story or an article"),
        ({"expires_at": NOW - timedelta(minutes=1)}, "expires_at", "already passed"),
        (
            {"starts_at": NOW + timedelta(hours=3), "expires_at": NOW + timedelta(hours=1)},
            "expires_at",
            "expire after it starts",
        ),
        (
            {"starts_at": NOW - timedelta(hours=3), "expires_at": NOW - timedelta(hours=1)},
            "expires_at",
            "already passed",
        ),
    ],
)
def test_add_pick_refuses_bad_picks(stories, kwargs, field, message):
    if kwargs.pop("both", False):
        kwargs.update(story=stories[0], article=stories[0].representative)
    elif kwargs:
        kwargs["story"] = stories[0]
    with pytest.raises(actions.PickError, match=message) as caught:
        actions.add_pick(now=NOW, **kwargs)
    assert caught.value.field == field
    assert not Pick.objects.exists()


def test_same_story_cannot_be_picked_twice_while_queued(stories):
    actions.add_pick(story=stories[0], expires_at=NOW + timedelta(hours=1), now=NOW)
    with pytest.raises(actions.PickError, match="already picked"):
        actions.add_pick(story=stories[0], now=NOW)
    # Once the first expired, it can be picked again.
    actions.add_pick(story=stories[0], now=NOW + timedelta(hours=2))


def test_database_refuses_story_and_article_together(stories):
    with pytest.raises(IntegrityError), transaction.atomic():
        Pick.objects.create(story=stories[0], article=stories[0].representative)


# The staff form ---------------------------------------------------------------------------


def test_form_requires_exactly_one_target(stories):
    neither = PickForm(data={"blurb": "x"})
    assert not neither.is_valid()
    assert "Give a story id or an article" in str(neither.non_field_errors())
    both = PickForm(data={"story": stories[0].pk, "article": str(stories[1].representative_id)})
    assert not both.is_valid()
    assert "not both" in str(both.non_field_errors())


def test_form_names_missing_story_and_article(stories):
    form = PickForm(data={"story": 999999})
    assert not form.is_valid()
    assert "There is no story 999999" in form.errors["story"][0]
    form = PickForm(data={"article": "https://nowhere.example/x"})
    assert not form.is_valid()
    assert "No article found" in form.errors["article"][0]


def test_article_found_by_id_page_address_and_original_url():
    article = make_article(make_publisher(), url="https://pub.example/news/fire")
    assert find_article(str(article.pk)) == article
    assert find_article(f"http://testserver/articles/{article.pk}/") == article
    assert find_article(f"/articles/{article.pk}/") == article
    assert find_article(" https://pub.example/news/fire ") == article
    assert find_article("not a url") is None


def test_form_parses_datetime_local_input(stories):
    form = PickForm(
        data={"story": stories[0].pk, "starts_at": "2025-03-01T13:30", "expires_at": ""}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["story"] == stories[0]
    assert form.cleaned_data["starts_at"] == datetime(2025, 3, 1, 13, 30, tzinfo=UTC)
    assert form.cleaned_data["expires_at"] is None
