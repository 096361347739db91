"""Pages that list or group articles (home, publisher, section, story) never carry full text."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from newsstand.stories.models import Story
from tests.gate.factories import LATER_MARKERS, READERS, client_for, make_gated_article

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", READERS)
def test_lists_and_story_pages_hold_teasers_only(kind):
    story = Story.objects.create(
        headline="Pier reopens",
        article_count=1,
        publisher_count=1,
        score=1.0,
        last_updated_at=timezone.now(),
    )
    # A summary-less article: cards and story leads fall back to the body's start.
    article = make_gated_article(summary="", story=story)
    story.representative = article
    story.lead = "The harbour authority said on Tuesday"
    story.save()
    client = client_for(kind)
    urls = [
        reverse("reader:home"),
        reverse("reader:publisher", args=[article.publisher.slug]),
        reverse("reader:section", args=["World"]),
        reverse("reader:story", args=[story.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert article.title in html, url
        for marker in LATER_MARKERS:
            assert marker not in html, url
