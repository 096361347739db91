from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsstand.articles.models import Section
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db

BASE_TIME = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def _titles(html: str) -> list[str]:
    return re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', html)


def _strip(html: str) -> str:
    """The home page's publishers: the "trusted sources" beside the offer (signed out)."""
    start = html.find('class="trusted"')
    return html[start : html.find("</div>", start)] if start >= 0 else ""


def test_publisher_page_shows_about_sections_and_latest(client, django_assert_max_num_queries):
    pub = make_publisher(
        "The Guardian",
        logo="https://logo.example/g.png",
        homepage="https://www.theguardian.com/",
        country="GB",
        language="en-GB",
        topics=["News", "Politics"],
    )
    other = make_publisher("Reuters")
    for i in range(35):
        make_article(
            pub,
            title=f"Guardian {i:02d}",
            section="World" if i % 2 else "Sport",
            published_at=BASE_TIME + timedelta(minutes=i),
        )
    make_article(other, title="Not the Guardian's")
    url = reverse("reader:publisher", args=[pub.slug])
    with django_assert_max_num_queries(10) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    for query in ctx.captured_queries:
        assert "content_html" not in query["sql"]
    html = response.content.decode()
    assert '<h1 class="page-title">The Guardian</h1>' in html
    # Newsstand's copy of the icon (web.icons), not the publisher's own address.
    assert f'src="{url}icon?v=m' in html and "logo.example" not in html
    assert 'href="https://www.theguardian.com/"' in html
    assert "en-GB" in html and "News, Politics" in html
    titles = _titles(html)
    assert len(titles) == 30 and titles[0] == "Guardian 34"
    assert "Not the Guardian" not in html
    assert 'rel="next" href="?page=2"' in html
    section_url = reverse("reader:section", args=["World"]) + f"?publisher={pub.slug}"
    assert f'href="{section_url}"' in html
    assert "retired" not in html
    second = client.get(url, {"page": 2}).content.decode()
    assert _titles(second)[-1] == "Guardian 00"


def test_every_card_names_its_publisher_with_its_logo(client):
    """Issue 15: publishers' logos on cards (the kicker: logo, then name)."""
    icons = {}
    for name in ("Harbour Times", "Reuters"):
        publisher = make_publisher(name)
        make_article(publisher, title=f"From {name}", section="World")
        icons[name] = reverse("reader:publisher_icon", args=[publisher.slug])
    html = client.get(reverse("reader:section", args=["World"])).content.decode()
    kickers = re.findall(r'class="kicker__publisher"[^>]*>(<img [^>]+>)([^<]+)</a>', html)
    assert sorted(name for _, name in kickers) == ["Harbour Times", "Reuters"]
    for logo, name in kickers:
        assert f'src="{icons[name]}?v=' in logo and 'alt=""' in logo


def test_unknown_publisher_is_404(client):
    assert client.get(reverse("reader:publisher", args=["nobody"])).status_code == 404


def test_retired_publisher_page_works_and_says_so_but_leaves_the_strip(client):
    live = make_publisher("Live News")
    gone = make_publisher("Gone Gazette", is_active=False)
    make_article(live, title="Live story")
    make_article(gone, title="Old story")
    html = client.get(reverse("reader:publisher", args=[gone.slug])).content.decode()
    assert "Gone Gazette is retired" in html
    assert "Old story" in html
    home = client.get(reverse("reader:home")).content.decode()
    strip = _strip(home)
    assert "Live News" in strip
    assert "Gone Gazette" not in strip
    index = client.get(reverse("reader:publishers")).content.decode()
    assert "Live News" in index and "Gone Gazette" in index
    assert index.index("Retired") < index.index("Gone Gazette")


def test_home_strip_orders_by_recent_articles_and_caps_at_twelve(client):
    now = timezone.now()
    pubs = [make_publisher(f"Pub {i:02d}") for i in range(14)]
    for i, pub in enumerate(pubs):
        for j in range(i + 1):
            make_article(pub, title=f"P{i} {j}", published_at=now - timedelta(hours=j + 1))
    stale = make_publisher("Stale Star")
    for j in range(30):
        make_article(stale, title=f"Stale {j}", published_at=now - timedelta(days=40))
    strip = _strip(client.get(reverse("reader:home")).content.decode())
    names = re.findall(r">(Pub \d\d|Stale Star)</span></a>", strip)
    assert names == [f"Pub {i:02d}" for i in range(13, 1, -1)]
    assert 'class="trusted"' not in client.get(reverse("reader:home"), {"page": 2}).content.decode()


def test_section_page_is_case_insensitive_and_filters_by_publisher(
    client, django_assert_max_num_queries
):
    a = make_publisher("Alpha")
    b = make_publisher("Beta")
    make_article(a, title="Alpha world", section="World", published_at=BASE_TIME)
    make_article(b, title="Beta world", section="world", published_at=BASE_TIME + timedelta(1))
    make_article(a, title="Alpha sport", section="Sport")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reader:section", args=["WORLD"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert _titles(html) == ["Beta world", "Alpha world"]
    filtered = client.get(reverse("reader:section", args=["world"]), {"publisher": a.slug})
    assert _titles(filtered.content.decode()) == ["Alpha world"]
    assert "From <a" in filtered.content.decode()


def test_section_with_slash_and_unknown_section(client):
    make_article(make_publisher(), title="Euro", section="World/Europe")
    assert client.get(reverse("reader:section", args=["World/Europe"])).status_code == 200
    assert client.get(reverse("reader:section", args=["Nothing here"])).status_code == 404
    url = reverse("reader:section", args=["World/Europe"])
    assert client.get(url, {"publisher": "nobody"}).status_code == 404


def test_cards_and_article_link_publisher_and_section(client):
    pub = make_publisher("Reuters")
    art = make_article(pub, title="Linked", section="Business")
    section_href = reverse("reader:section", args=["Business"])
    pub_href = reverse("reader:publisher", args=[pub.slug])
    for url in (reverse("reader:home"), art.get_absolute_url()):
        html = client.get(url).content.decode()
        assert f'href="{section_href}"' in html
        assert f'href="{pub_href}"' in html


def test_publishers_index_query_count(client, django_assert_max_num_queries):
    for i in range(20):
        make_article(make_publisher(f"P{i}"), title=f"T{i}")
    with django_assert_max_num_queries(3):
        response = client.get(reverse("reader:publishers"))
    assert response.status_code == 200
    assert "1 article" in response.content.decode()


def test_sections_index_lists_sections_with_counts(client, django_assert_max_num_queries):
    pub = make_publisher("Alpha")
    for i in range(2):
        make_article(pub, title=f"Chip {i}", section="Technology")
    make_article(pub, title="Old match", section="Sport", published_at=BASE_TIME)
    make_article(pub, title="Nowhere", section="")
    with django_assert_max_num_queries(3):
        response = client.get(reverse("reader:sections"))
    html = response.content.decode()
    assert response.status_code == 200
    items = re.findall(r'<li><a href="([^"]+)">([^<]+)</a> <span[^>]*>([^<]+)</span>', html)
    assert items == [
        (reverse("reader:section", args=["Sport"]), "Sport", "1 article"),
        (reverse("reader:section", args=["Technology"]), "Technology", "2 articles · 2 this week"),
    ]


def test_a_section_page_by_slug_shows_the_name(client):
    Section.objects.create(name="Climate & Nature", slug="climate-nature")
    make_article(make_publisher(), title="Glacier", section="Climate & Nature")
    response = client.get(reverse("reader:section", args=["climate-nature"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="page-title">Climate &amp; Nature</h1>' in html
    assert _titles(html) == ["Glacier"]
    assert f'href="{reverse("reader:sections")}"' in html
