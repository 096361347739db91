"""The state changes of personal.actions, straight against the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from newsstand.articles.models import Article, ArticleTopic
from newsstand.personal import actions
from newsstand.personal.models import Follow, ReadingHistory, SavedArticle
from newsstand.personal.state import follow_state, hide_muted_publishers, is_saved
from newsstand.personal.targets import BadTarget, resolve_target
from newsstand.stories.models import Story
from tests.personal.conftest import make_user
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db


def test_save_is_idempotent_and_unsave_reports_what_it_did(reader):
    article = make_article(make_publisher())
    assert actions.save_article(reader, article.pk) is True
    assert actions.save_article(reader, article.pk) is False
    assert SavedArticle.objects.filter(user=reader).count() == 1
    assert is_saved(reader, article.pk)
    assert actions.unsave_article(reader, article.pk) is True
    assert actions.unsave_article(reader, article.pk) is False
    assert not is_saved(reader, article.pk)


def test_a_batch_is_saved_and_unsaved_as_one_save_at_a_time_would(reader):
    from newsstand.personal.models import StateChange

    publisher = make_publisher()
    first, *rest = [make_article(publisher) for _ in range(4)]
    then = timezone.now() - timedelta(days=3)
    actions.save_article(reader, first.pk, now=then)
    ids = [first.pk, *(a.pk for a in rest), 987654321]
    assert actions.save_articles(reader, ids) == 3  # the saved one and the unknown id skipped
    assert actions.save_articles(reader, ids) == 0
    assert SavedArticle.objects.get(user=reader, article=first).saved_at == then
    assert all(is_saved(reader, a.pk) for a in rest)
    saved_log = StateChange.objects.filter(user=reader, kind=StateChange.SAVED)
    assert saved_log.filter(on=True).count() == 4
    assert actions.unsave_articles(reader, ids) == 4
    assert actions.unsave_articles(reader, ids) == 0
    assert not SavedArticle.objects.filter(user=reader).exists()
    assert saved_log.filter(on=False).count() == 4


def test_saves_belong_to_one_reader(reader):
    article = make_article(make_publisher())
    other = make_user()
    actions.save_article(other, article.pk)
    assert not is_saved(reader, article.pk)
    assert not is_saved(AnonymousUser(), article.pk)


def test_note_article_opened_upserts_one_row_and_counts(reader):
    article = make_article(make_publisher())
    first = timezone.now() - timedelta(hours=2)
    later = first + timedelta(hours=1)
    assert actions.note_article_opened(reader, article, now=first)
    assert actions.note_article_opened(reader, article, now=later)
    row = ReadingHistory.objects.get(user=reader, article=article)
    assert row.read_count == 2
    assert row.first_read_at == first
    assert row.last_read_at == later


def test_note_article_opened_is_one_statement(reader, django_assert_num_queries):
    article = make_article(make_publisher())
    actions.note_article_opened(reader, article)
    # Inside the test's transaction the upsert runs in a savepoint: SAVEPOINT, INSERT, RELEASE.
    with django_assert_num_queries(3) as ctx:
        actions.note_article_opened(reader, article)
    assert sum("INSERT" in q["sql"] for q in ctx.captured_queries) == 1


def test_note_article_opened_ignores_anonymous(db):
    article = make_article(make_publisher())
    assert actions.note_article_opened(AnonymousUser(), article) is False
    assert not ReadingHistory.objects.exists()


def test_remove_and_clear_history(reader):
    pub = make_publisher()
    a, b = make_article(pub), make_article(pub)
    other = make_user()
    for user in (reader, other):
        actions.note_article_opened(user, a)
        actions.note_article_opened(user, b)
    assert actions.remove_from_history(reader, a.pk) is True
    assert actions.remove_from_history(reader, a.pk) is False
    assert list(
        ReadingHistory.objects.filter(user=reader).values_list("article_id", flat=True)
    ) == [b.pk]
    assert actions.clear_history(reader) == 1
    assert not ReadingHistory.objects.filter(user=reader).exists()
    # Someone else's history is untouched.
    assert ReadingHistory.objects.filter(user=other).count() == 2


def test_follow_and_mute_exclude_each_other(reader):
    pub = make_publisher("The Guardian")
    target = resolve_target("publisher", str(pub.pk))
    assert target.label == "The Guardian"
    actions.follow(reader, target)
    assert follow_state(reader, "publisher", target.key).following
    actions.mute(reader, target)
    state = follow_state(reader, "publisher", target.key)
    assert state.muted and not state.following
    assert Follow.objects.filter(user=reader).count() == 1
    # Unfollowing something muted leaves it muted; unmuting removes it.
    assert actions.unfollow(reader, "publisher", target.key) is False
    assert follow_state(reader, "publisher", target.key).muted
    assert actions.unmute(reader, "publisher", target.key) is True
    assert not Follow.objects.filter(user=reader).exists()


def test_sections_follow_whatever_the_case(reader):
    make_article(make_publisher(), section="World")
    target = resolve_target("section", "wORLD")
    assert (target.key, target.label) == ("world", "World")
    actions.follow(reader, target)
    actions.follow(reader, resolve_target("section", "World"))
    assert Follow.objects.filter(user=reader, kind="section").count() == 1


def test_topics_and_stories_resolve(reader):
    article = make_article(make_publisher())
    ArticleTopic.objects.create(article=article, slug="climate-change", name="Climate change")
    now = timezone.now()
    story = Story.objects.create(headline="Floods", first_seen_at=now, last_updated_at=now)
    assert resolve_target("topic", "Climate Change").key == "climate-change"
    assert resolve_target("story", str(story.pk)).label == "Floods"


@pytest.mark.parametrize(
    ("kind", "key", "message"),
    [
        ("planet", "1", "Unknown kind"),
        ("publisher", "", "Say which publisher"),
        ("publisher", "abc", "named by its number"),
        ("publisher", "²", "named by its number"),
        ("publisher", "9" * 30, "named by its number"),
        ("publisher", "999999", "There is no publisher"),
        ("section", "Nowhere", "There is no section"),
        ("topic", "no-such-topic", "There is no topic"),
        ("story", "424242", "There is no story"),
    ],
)
def test_resolve_target_refuses_what_does_not_exist(db, kind, key, message):
    with pytest.raises(BadTarget, match=message):
        resolve_target(kind, key)


def test_hide_muted_publishers_only_for_the_reader_who_muted(reader):
    loud, calm = make_publisher("Loud"), make_publisher("Calm")
    make_article(loud, title="Shouting")
    make_article(calm, title="Quiet")
    actions.mute(reader, resolve_target("publisher", str(loud.pk)))
    mine = hide_muted_publishers(reader, Article.objects.all())
    assert list(mine.values_list("title", flat=True)) == ["Quiet"]
    theirs = hide_muted_publishers(make_user(), Article.objects.all())
    assert theirs.count() == 2
    assert hide_muted_publishers(AnonymousUser(), Article.objects.all()).count() == 2


def test_deleting_a_reader_deletes_their_rows(reader):
    article = make_article(make_publisher())
    actions.save_article(reader, article.pk)
    actions.note_article_opened(reader, article)
    actions.follow(reader, resolve_target("publisher", str(article.publisher_id)))
    reader.delete()
    assert not SavedArticle.objects.exists()
    assert not ReadingHistory.objects.exists()
    assert not Follow.objects.exists()
