"""What an entry's content holds: the lead picture as the article page shows it, then the body
the gate allows (sync.entries)."""

from __future__ import annotations

import pytest
from django.test import Client

from newsstand.articles.models import Article
from newsstand.sync.entries import lead_figure
from tests.gate.factories import LATER_MARKERS, OPENING
from tests.sync.factories import make_world

PHOTO = "https://img.example/harbour.jpg"


def _article(**fields) -> Article:
    values = {"title": "Boats come home", "lead_image_url": PHOTO}
    values.update(fields)
    return Article(**values)


def test_the_lead_figure_escapes_what_the_publisher_wrote():
    figure = lead_figure(
        _article(lead_image_caption="Boats <b>at</b> dawn & dusk", lead_image_credit="Photo: A&B")
    )
    assert figure == (
        f'<figure><img src="{PHOTO}" alt="">'
        "<figcaption>Boats &lt;b&gt;at&lt;/b&gt; dawn &amp; dusk Photo: A&amp;B</figcaption>"
        "</figure>"
    )


def test_no_figure_without_a_picture_it_may_show_and_no_caption_repeating_the_title():
    assert lead_figure(_article(lead_image_url="")) == ""
    assert lead_figure(_article(lead_image_url="javascript:alert(1)")) == ""
    bare = lead_figure(_article(lead_image_caption="Boats come home"))
    assert bare == f'<figure><img src="{PHOTO}" alt=""></figure>'


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["active", "registered"])
def test_every_reader_sees_the_photo_and_only_members_the_whole_text(kind):
    world = make_world(kind)
    article = world.articles[0]
    Article.objects.filter(pk=article.pk).update(
        lead_image_url=PHOTO, lead_image_caption="The harbour at dawn"
    )
    response = Client().get(f"/v1/entries/{article.pk}", HTTP_X_AUTH_TOKEN=world.password)
    content = response.json()["content"]
    assert content.startswith(f'<figure><img src="{PHOTO}" alt="">')
    assert "<figcaption>The harbour at dawn</figcaption>" in content
    assert OPENING in content
    whole = all(marker in content for marker in LATER_MARKERS)
    assert whole is (kind == "active")
