"""A story's copy of its articles' sections (`Story.sections`) follows every re-mapping:
`newsstand sections normalise`, the Section admin, an article edited by hand, and (once, for
stories made before) migration stories 0004."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from newsstand.articles.models import Article, Section
from newsstand.stories.actions import refresh_story_sections
from newsstand.stories.models import Story
from tests.migrations import leaf_nodes, migrate
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db

KEYWORDS = "Apollo 8, Frank Borman, Humans in Space, NASA History"


def _raw_story(*raws: str, headline: str = "Raw") -> Story:
    """A story as one made before the sections were mapped: articles and story raw."""
    story = Story.objects.create(headline=headline, sections=[r for r in raws if r])
    for i, raw in enumerate(raws):
        make_article(
            make_publisher(f"{headline} outlet {i}"),
            title=headline,
            section=raw,
            section_source=raw,
            story=story,
        )
    return story


def _api_sections(story: Story) -> list[str]:
    return json.loads(Client().get(f"/api/stories/{story.pk}").content)["sections"]


def test_normalising_sections_brings_the_stories_in_step() -> None:
    story = _raw_story("TECHNOLOGY", "news", KEYWORDS, "Sci-Tech")
    call_command("sections", "normalise", "--no-progress")
    story.refresh_from_db()
    assert story.sections == ["Technology", "Science"]
    assert _api_sections(story) == ["Technology", "Science"]


def test_a_name_staff_add_in_the_admin_reaches_the_stories(admin_client: Client) -> None:
    story = _raw_story("Premier League", "TECHNOLOGY")
    sport = Section.objects.get(name="Sport")
    change = admin_client.post(
        reverse("admin:articles_section_change", args=[sport.pk]),
        {"name": "Sport", "slug": "sport", "aliases": sport.aliases + "\nPremier League"},
    )
    assert change.status_code == 302
    applied = admin_client.post(
        reverse("admin:articles_section_changelist"),
        {"action": "apply_to_stored_articles", "_selected_action": [sport.pk]},
        follow=True,
    )
    assert "2 changed section" in applied.content.decode()
    story.refresh_from_db()
    assert sorted(story.sections) == ["Sport", "Technology"]


def test_an_article_section_edited_in_the_admin_reaches_its_story(admin_client: Client) -> None:
    story = _raw_story("Business", headline="Edited")
    article = Article.objects.get(story=story)
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(section="Politics", authors=json.dumps(article.authors))
    data.update(topics=json.dumps(article.topics), publisher=article.publisher_id)
    data.update(story=story.pk, feed="", copy_of="")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    story.refresh_from_db()
    assert story.sections == ["Politics"]


def test_thousands_of_stories_take_a_few_queries(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    publisher = make_publisher("Bulk")
    stories = Story.objects.bulk_create(
        Story(headline=f"S{i}", sections=["news"]) for i in range(1200)
    )
    Article.objects.bulk_create(
        Article(
            publisher=publisher,
            url=f"https://bulk.example/{s.pk}",
            title=s.headline,
            section="",
            section_source="news",
            story=s,
        )
        for s in stories
    )
    Article.objects.filter(publisher=publisher).update(section="World")
    # Per 500 stories: their articles, the stories, one bulk update.
    with django_assert_max_num_queries(12):
        assert refresh_story_sections(s.pk for s in stories) == 1200
    assert all(s == ["World"] for s in Story.objects.values_list("sections", flat=True))


BEFORE = [("articles", "0007_seed_sections"), ("stories", "0003_copysketch_storylink")]
AFTER = [("stories", "0004_story_sections_normalised")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_recomputes_the_stories_made_before() -> None:
    publisher = make_publisher("Migrated")
    try:
        apps = migrate(BEFORE).loader.project_state(BEFORE).apps
        old_story = apps.get_model("stories", "Story")
        old_article = apps.get_model("articles", "Article")
        # As articles 0007 left them: the articles mapped, their story still raw.
        story = old_story.objects.create(headline="Old", sections=["TECHNOLOGY", "news"])
        lone = old_story.objects.create(headline="Empty", sections=["news"])
        for i, (section, raw) in enumerate([("Technology", "TECHNOLOGY"), ("", "news")]):
            old_article.objects.create(
                publisher_id=publisher.pk,
                url=f"https://m.example/{i}",
                title="Old",
                section=section,
                section_source=raw,
                story_id=story.pk,
            )
        migrate(AFTER)
        assert Story.objects.get(pk=story.pk).sections == ["Technology"]
        # A story without articles is left to assignment's repair.
        assert Story.objects.get(pk=lone.pk).sections == ["news"]
    finally:
        migrate(leaf_nodes())
