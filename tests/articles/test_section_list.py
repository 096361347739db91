"""The Section table: seeded by migration, editable in the admin, applied to stored articles."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from newsstand.articles.actions import normalise_sections
from newsstand.articles.models import Article, Section
from newsstand.articles.sections import section_catalogue
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_a_small_list() -> None:
    names = set(Section.objects.values_list("name", flat=True))
    assert {"World", "Politics", "Business", "Technology", "Science", "Health", "Sport"} <= names
    assert {"Culture", "Opinion", "Lifestyle", "Environment", "Travel", "Education"} <= names
    assert len(names) <= 20
    assert Section.objects.get(name="Technology").slug == "technology"


def test_saving_a_section_changes_this_process_list_at_once() -> None:
    assert section_catalogue().find("premier league") is None
    sport = Section.objects.get(name="Sport")
    sport.aliases += "\nPremier League"
    sport.save()
    assert section_catalogue().find("premier league") == "Sport"


def _raw(section: str) -> Article:
    return make_article(make_publisher(), section="", section_source=section)


def test_stored_articles_follow_a_changed_list(capsys) -> None:
    a = _raw("Premier League")
    b = _raw("TECHNOLOGY")
    c = _raw("Article")
    done = list(normalise_sections())
    assert sum(n for n, _ in done) == 3
    assert Article.objects.get(pk=b.pk).section == "Technology"
    assert Article.objects.get(pk=a.pk).section == ""
    Section.objects.create(name="Football", slug="football", aliases="Premier League")
    call_command("sections", "normalise", "--no-progress")
    assert "1 changed" in capsys.readouterr().out
    a.refresh_from_db()
    c.refresh_from_db()
    assert (a.section, a.section_source) == ("Football", "Premier League")
    assert c.section == ""


def test_an_article_edited_without_a_source_keeps_a_known_section() -> None:
    article = make_article(make_publisher(), section="sports", section_source="")
    list(normalise_sections())
    article.refresh_from_db()
    assert article.section == "Sport"


def test_the_admin_applies_the_list(admin_client) -> None:
    article = _raw("Sci-Tech")
    url = reverse("admin:articles_section_changelist")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "action": "apply_to_stored_articles",
            "_selected_action": [Section.objects.first().pk],
        },
        follow=True,
    )
    assert "1 changed section" in response.content.decode()
    article.refresh_from_db()
    assert article.section == "Technology"
