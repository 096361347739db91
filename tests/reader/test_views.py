from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from newsstand.reader.views import HOME_LATEST_PER_PAGE
from tests.gate.factories import client_for
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db

BASE_TIME = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def _titles_in_order(html: str) -> list[str]:
    return re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', html)


def test_home_empty_state_tells_operator_what_to_do(client):
    response = client.get(reverse("reader:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No articles yet" in html
    assert "newsstand ingest --once" in html
    assert 'class="cards"' not in html


def test_home_lists_newest_first_and_paginates(client):
    pub = make_publisher("The Guardian")
    for i in range(40):
        make_article(pub, title=f"Story {i:02d}", published_at=BASE_TIME + timedelta(minutes=i))
    undated = make_article(pub, title="Undated story")
    undated.published_at = None
    undated.save()

    first = client.get(reverse("reader:home")).content.decode()
    titles = _titles_in_order(first)
    # The home lists fewer a page than other lists: 30 cards were ~13,500 px on a phone.
    assert len(titles) == HOME_LATEST_PER_PAGE == 12
    assert titles[:3] == ["Story 39", "Story 38", "Story 37"]
    assert 'rel="next" href="?page=2"' in first
    assert 'rel="prev"' not in first
    # Lists are not counted: "Page 1", and "More stories" because a 13th row exists.
    assert 'pager__status">Page 1</span>' in first
    assert "More stories →</a>" in first

    second = client.get(reverse("reader:home"), {"page": 2}).content.decode()
    assert _titles_in_order(second)[0] == "Story 27"
    assert 'rel="prev" href="?page=1"' in second

    last = client.get(reverse("reader:home"), {"page": 4}).content.decode()
    titles4 = _titles_in_order(last)
    # Undated articles come last, whatever the database's NULL ordering.
    assert titles4[-1] == "Undated story"
    assert len(titles4) == 41 - 3 * 12
    assert 'rel="prev" href="?page=3"' in last
    assert 'rel="next"' not in last


def test_home_bad_page_number_falls_back(client):
    make_article(make_publisher(), title="Only one")
    for page in ("abc", "999", "-1"):
        response = client.get(reverse("reader:home"), {"page": page})
        assert response.status_code == 200
        assert "Only one" in response.content.decode()


def test_home_card_shows_publisher_section_teaser_time_and_thumbnail(client):
    pub = make_publisher("Reuters")
    a = make_article(
        pub,
        title="Blinken holds talks",
        section="Business",
        summary="<p>U.S. Secretary of State <b>Antony Blinken</b> arrived.</p>" + "x" * 500,
        lead_image_url="https://img.example/lead.jpg",
        published_at=BASE_TIME,
    )
    html = client.get(reverse("reader:home")).content.decode()
    assert "Reuters" in html
    assert "Business" in html
    assert f'href="{a.get_absolute_url()}"' in html
    assert "U.S. Secretary of State Antony Blinken arrived." in html
    assert "<b>Antony" not in html
    assert "x" * 250 not in html  # teaser is cut at ~200 characters
    assert '<time datetime="2024-03-01T12:00:00+00:00"' in html
    assert re.search(
        r'<img class="card__thumb" src="https://img.example/lead.jpg" alt="" '
        r'width="\d+" height="\d+" loading="lazy"',
        html,
    )


def test_plain_http_pictures_are_asked_for_over_https_on_an_https_site(client, settings):
    # An https site's CSP allows https images only: an http address would show a broken picture.
    a = make_article(
        make_publisher("Old Site"),
        lead_image_url="http://img.example/plain.jpg",
        content_html='<p>Text.</p><p><img src="http://img.example/inline.jpg" alt=""></p>',
        published_at=BASE_TIME,
    )
    settings.NEWSSTAND_HTTPS = True
    for path in (reverse("reader:home"), a.get_absolute_url()):
        html = client.get(path, secure=True).content.decode()
        assert 'src="https://img.example/plain.jpg"' in html, path
        assert "http://img.example/" not in html, path
    # Over plain http (one machine, a test) the page shows them as they are, and may.
    settings.NEWSSTAND_HTTPS = False
    response = client.get(a.get_absolute_url())
    assert 'src="http://img.example/plain.jpg"' in response.content.decode()


def test_the_lead_caption_is_left_out_when_it_repeats_the_headline(client):
    pub = make_publisher("Al Jazeera")
    same = make_article(
        pub,
        title="Israel-Gaza war in maps and charts: Live tracker",
        lead_image_url="https://img.example/a.jpg",
        lead_image_caption="Israel-Gaza war in maps and charts: Live tracker",
        lead_image_credit="AJLabs",
    )
    other = make_article(
        pub,
        title="Rafah crossing reopens",
        lead_image_url="https://img.example/b.jpg",
        lead_image_caption="Trucks wait at the crossing on Sunday.",
    )
    html = client.get(same.get_absolute_url()).content.decode()
    figcaption = re.search(r"<figcaption>(.*?)</figcaption>", html, re.S).group(1)
    assert "maps and charts" not in figcaption and "AJLabs" in figcaption
    html = client.get(other.get_absolute_url()).content.decode()
    assert "<figcaption>Trucks wait at the crossing on Sunday." in html


def test_home_teaser_falls_back_to_body_text(client):
    make_article(make_publisher(), summary="", content_text="The body's opening words. " * 30)
    html = client.get(reverse("reader:home")).content.decode()
    assert "The body&#x27;s opening words." in html


def test_home_query_count(client, django_assert_max_num_queries):
    pub = make_publisher()
    other = make_publisher("BBC")
    for i in range(40):
        make_article(pub if i % 2 else other, published_at=BASE_TIME + timedelta(minutes=i))
    # Cold caches: the page and its count, Top stories, Our Picks, the busy sections and their
    # blocks, the publisher strip (the sections list and the strip are cached for minutes).
    with django_assert_max_num_queries(7) as ctx:
        response = client.get(reverse("reader:home"))
    assert response.status_code == 200
    # The list never loads the article bodies.
    for query in ctx.captured_queries:
        assert "content_html" not in query["sql"]


def _reference_article():
    pub = make_publisher("Reuters", logo="https://pub.example/logo.png")
    return make_article(
        pub,
        title="Blinken holds talks with Central Asian nations in wake of Ukraine anniversary",
        url="https://www.reuters.com/world/blinken-central-asia-2023-02-28/",
        section="Business",
        authors=["Simon Lewis", "Humeyra Pamuk"],
        published_at=datetime(2023, 2, 28, 9, 15, tzinfo=UTC),
        updated_at=datetime(2023, 2, 28, 14, 40, tzinfo=UTC),
        lead_image_url="https://img.example/astana.jpg",
        lead_image_caption="Delegations hold talks in Astana, Kazakhstan, February 28, 2023.",
        lead_image_credit="Olivier Douliery/Pool via REUTERS",
        content_html=(
            "<p>U.S. Secretary of State Antony Blinken arrived in Central Asia Tuesday.</p>"
            '<figure><img src="https://img.example/astana.jpg"><figcaption>'
            "Delegations hold talks in Astana, Kazakhstan, February 28, 2023. "
            "Olivier Douliery/Pool via REUTERS</figcaption></figure>"
            "<p>The trip comes just days after the anniversary.</p>"
        ),
        content_text="U.S. Secretary of State Antony Blinken arrived in Central Asia Tuesday.",
        word_count=700,
    )


def test_article_page_shows_every_first_version_block():
    a = _reference_article()
    # A member reads the body; what others see in its place is tests/gate/'s concern.
    response = client_for("active").get(reverse("reader:article", args=[a.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="article-title" class="article__title">Blinken holds talks' in html
    assert "By Simon Lewis and Humeyra Pamuk" in html
    assert 'class="article__section">Business<' in html
    assert 'class="publisher__name">Reuters<' in html
    icon = reverse("reader:publisher_icon", args=[a.publisher.slug])
    assert f'class="publisher-logo publisher__logo" src="{icon}?v=m' in html
    assert html.count("Delegations hold talks in Astana") == 1
    assert html.count("Olivier Douliery/Pool via REUTERS") == 1
    assert '<span class="credit">Olivier Douliery/Pool via REUTERS</span>' in html
    assert html.count('src="https://img.example/astana.jpg"') == 1
    assert "<p>U.S. Secretary of State Antony Blinken arrived in Central Asia Tuesday.</p>" in html
    assert "<p>The trip comes just days after the anniversary.</p>" in html
    assert (
        '<a class="original__link" href="https://www.reuters.com/world/blinken-central-asia-2023-02-28/"'
        ' rel="noopener noreferrer">Read the original at Reuters' in html
    )
    assert '<link rel="canonical" href="https://www.reuters.com/world/' in html
    assert '<meta property="og:title" content="Blinken holds talks' in html
    assert '<meta property="og:image" content="https://img.example/astana.jpg">' in html
    assert "3 min read" in html
    assert '<time datetime="2023-02-28T09:15:00+00:00">' in html
    assert 'Updated <time datetime="2023-02-28T14:40:00+00:00">' in html
    assert "<title>Blinken holds talks" in html


def test_article_page_hides_updated_when_same_as_published(client):
    when = datetime(2023, 2, 28, 9, 15, tzinfo=UTC)
    a = make_article(make_publisher(), published_at=when, updated_at=when)
    html = client.get(reverse("reader:article", args=[a.pk])).content.decode()
    assert "Updated" not in html


def test_title_and_fields_are_escaped(client):
    a = make_article(
        make_publisher("<b>Evil</b> Times"),
        title="Breaking <script>alert(1)</script> news",
        section='"><script>alert(2)</script>',
        authors=["<img src=x onerror=alert(3)>"],
        lead_image_caption="<script>alert(4)</script>",
        lead_image_url="https://img.example/x.jpg",
    )
    for url in (reverse("reader:home"), reverse("reader:article", args=[a.pk])):
        html = client.get(url).content.decode()
        assert "<script>" not in html
        assert "<img src=x" not in html
        assert "<b>Evil" not in html
        assert "Breaking &lt;script&gt;alert(1)&lt;/script&gt; news" in html


def test_unknown_article_is_a_styled_404(client):
    response = client.get(reverse("reader:article", args=[999999]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "reader/reader.css" in html


def test_article_page_query_count(client, django_assert_max_num_queries):
    a = _reference_article()
    with django_assert_max_num_queries(5):
        response = client.get(reverse("reader:article", args=[a.pk]))
    assert response.status_code == 200


def test_base_template_accessibility_landmarks(client):
    html = client.get(reverse("reader:home")).content.decode()
    assert '<html lang="en" ' in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html
    assert 'aria-current="page"' in html


def test_article_language_is_marked_on_the_article_not_the_page(client):
    a = make_article(make_publisher("Der Spiegel"), language="de")
    html = client.get(reverse("reader:article", args=[a.pk])).content.decode()
    assert '<html lang="en" ' in html
    assert 'aria-labelledby="article-title" lang="de">' in html


def test_lists_are_paged_without_counting(client, settings, django_assert_max_num_queries):
    settings.NEWSSTAND_PAGE_CACHE_S = 0  # the same URL is rendered twice
    pub = make_publisher()
    for i in range(30):
        make_article(pub, title=f"Story {i:02d}", published_at=BASE_TIME + timedelta(minutes=i))
    url = reverse("reader:publisher", args=[pub.slug])
    html = client.get(url).content.decode()
    # Exactly one page: the look-ahead row is missing, so there is no "Older" link.
    assert 'rel="next"' not in html and "pager__status" not in html
    make_article(pub, title="Story 30", published_at=BASE_TIME + timedelta(minutes=30))
    with django_assert_max_num_queries(10) as ctx:
        html = client.get(url).content.decode()
    assert not any(
        "COUNT(" in q["sql"]
        for q in ctx.captured_queries
        if "articles_article" in q["sql"] and "GROUP BY" not in q["sql"]
    )
    assert 'rel="next" href="?page=2"' in html
    # Junk page numbers mean the first page; past the end, the last page.
    assert 'pager__status">Page 1</span>' in client.get(url, {"page": "x"}).content.decode()
    assert 'pager__status">Page 2</span>' in client.get(url, {"page": "99"}).content.decode()
