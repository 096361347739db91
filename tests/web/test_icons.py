"""Publishers' icons as Newsstand serves them (web.icons) and `{% publisher_logo %}`."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from newsstand.sources.actions import set_publisher_icon
from newsstand.sources.models import Publisher
from newsstand.web.icons import (
    VERSIONED_MAX_AGE_S,
    icon_url,
    monogram_colour,
    monogram_letters,
    monogram_svg,
)
from tests.ingest import images
from tests.reader.factories import make_publisher

pytestmark = pytest.mark.django_db


def _with_icon(name: str = "Global Dispatch") -> Publisher:
    publisher = make_publisher(name)
    set_publisher_icon(
        publisher,
        data=images.png(180, 180),
        content_type="image/png",
        width=180,
        height=180,
        source_url="https://gd.example/apple-touch-icon.png",
    )
    return publisher


def test_stored_icon_is_served_with_its_checked_type_and_long_cache(
    client: Client, django_assert_num_queries
) -> None:
    publisher = _with_icon()
    url = icon_url(publisher)
    assert url == f"/publishers/{publisher.slug}/icon?v={publisher.icon_version}"
    with django_assert_num_queries(2):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content == images.png(180, 180)
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == f"public, max-age={VERSIONED_MAX_AGE_S}, immutable"
    assert response["ETag"] == f'"{publisher.icon_version}"'
    # Nobody's session or cookie: the same bytes for every reader, cacheable by anyone.
    assert "Set-Cookie" not in response and "Cookie" not in response.get("Vary", "")


def test_if_none_match_gets_a_304_from_one_query(client: Client, django_assert_num_queries):
    publisher = _with_icon()
    with django_assert_num_queries(1):
        response = client.get(icon_url(publisher), HTTP_IF_NONE_MATCH=f'"{publisher.icon_version}"')
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == f'"{publisher.icon_version}"'


def test_an_old_version_gets_the_current_icon_briefly_cached(client: Client) -> None:
    publisher = _with_icon()
    response = client.get(reverse("reader:publisher_icon", args=[publisher.slug]) + "?v=old")
    assert response.status_code == 200 and response["Cache-Control"] == "public, max-age=3600"
    assert client.head(icon_url(publisher)).status_code == 200


def test_without_an_icon_a_monogram_is_drawn(client: Client) -> None:
    publisher = make_publisher("Global <Dispatch> & Co")
    response = client.get(icon_url(publisher))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    svg = response.content.decode()
    assert svg.startswith("<svg") and "<script" not in svg
    assert 'aria-label="Global &lt;Dispatch&gt; &amp; Co"' in svg
    assert ">GD</text>" in svg
    # Renamed, the monogram gets a new URL, so no browser keeps the old initials.
    before = icon_url(publisher)
    publisher.name = "Other"
    assert icon_url(publisher) != before


def test_unknown_publisher_is_404(client: Client) -> None:
    assert client.get("/publishers/nobody/icon").status_code == 404


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("Global Dispatch", "GD"),
        ("The Guardian", "G"),
        ("Le Monde", "M"),
        # "Los" and "Las" begin places more often than papers: not "AT" for the LA Times.
        ("Los Angeles Times", "LA"),
        ("Las Vegas Sun", "LV"),
        ("bdnews24.com", "B"),
        ("朝日新聞デジタル", "朝"),
        ("ТЕЛЕГРАФ", "Т"),  # noqa: RUF001 - Cyrillic on purpose
        ("---", "?"),
    ],
)
def test_monogram_letters(name: str, letters: str) -> None:
    assert monogram_letters(name) == letters


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_monogram_white_letters_are_readable_on_every_colour() -> None:
    for n in range(500):
        contrast = 1.05 / (_luminance(monogram_colour(f"Publisher {n}")) + 0.05)
        assert contrast >= 4.5, (n, monogram_colour(f"Publisher {n}"))
    assert monogram_svg("A") == monogram_svg("A"), "the same name draws the same monogram"


def test_publisher_logo_tag_needs_no_query(django_assert_num_queries) -> None:
    publisher = _with_icon()
    loaded = Publisher.objects.only("id", "name", "slug", "icon_version").get(pk=publisher.pk)
    narrow = Publisher.objects.only("id", "name", "slug").get(pk=publisher.pk)
    template = Template("{% load publisher_tags %}{% publisher_logo p 32 'x' %}")
    with django_assert_num_queries(0):
        html = template.render(Context({"p": loaded}))
        # Loaded without the version: the monogram's URL rather than a query per card.
        fallback = template.render(Context({"p": narrow}))
    assert re.fullmatch(
        r'<img class="publisher-logo x" src="/publishers/[^"]+/icon\?v=[0-9a-f]{12}" '
        r'width="32" height="32" alt="" loading="lazy" decoding="async">',
        html,
    )
    assert "?v=m" in fallback
