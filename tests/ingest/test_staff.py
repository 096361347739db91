"""Staff pages: access, the feed-health list and detail, and the per-feed and publisher levers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsstand.ingest.models import FeedCheck
from newsstand.sources.models import Feed
from tests.reader.factories import make_article, make_feed, make_publisher

pytestmark = pytest.mark.django_db

GONE_ERROR = "410 Gone: the publisher removed this feed. Polling has stopped."


@pytest.fixture
def staff_user():
    return get_user_model().objects.create_user("editor", password="pw-not-used", is_staff=True)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _staff_urls(feed: Feed) -> list[str]:
    return [
        reverse("reader:staff:feeds"),
        reverse("reader:staff:feed", args=[feed.pk]),
        reverse("reader:staff:publisher", args=[feed.publisher.slug]),
        reverse("reader:staff:add_source"),
    ]


def _rows(html: str) -> list[str]:
    """Status label of each feed row, in page order."""
    return re.findall(r'<span class="staff-status staff-status--\w+">([^<]+)</span>', html)


def test_anonymous_is_sent_to_admin_login(client):
    feed = make_feed(make_publisher())
    for url in _staff_urls(feed):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_non_staff_user_is_refused(client):
    user = get_user_model().objects.create_user("reader", password="pw-not-used")
    client.force_login(user)
    feed = make_feed(make_publisher())
    for url in _staff_urls(feed):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    # State-changing POSTs are refused too, and change nothing.
    before = feed.next_check_at
    client.post(reverse("reader:staff:feed_check_now", args=[feed.pk]))
    client.post(reverse("reader:staff:publisher_retire", args=[feed.publisher.slug]))
    feed.refresh_from_db()
    feed.publisher.refresh_from_db()
    assert feed.next_check_at == before
    assert feed.publisher.is_active


def test_staff_link_in_nav_only_for_staff(client, staff_user):
    assert "Staff</a>" not in client.get(reverse("reader:home")).content.decode()
    client.force_login(staff_user)
    assert "Staff</a>" in client.get(reverse("reader:home")).content.decode()


def test_health_page_lists_failing_first_with_plain_error(staff_client):
    now = timezone.now()
    healthy_pub = make_publisher("Aardvark Times")
    make_feed(healthy_pub, last_checked_at=now, last_success_at=now - timedelta(hours=3))
    make_feed(healthy_pub)  # never checked
    failing = make_feed(
        make_publisher("Zebra News"),
        error_count=4,
        last_checked_at=now,
        last_error="The server answered 503 Service Unavailable; will retry later.",
        last_error_at=now,
    )
    gone = make_feed(
        make_publisher("Mole Gazette"),
        is_active=False,
        error_count=1,
        last_checked_at=now,
        last_error=GONE_ERROR,
    )
    FeedCheck.objects.create(feed=gone, outcome="gone", error_kind="http_status")

    html = staff_client.get(reverse("reader:staff:feeds")).content.decode()
    assert _rows(html) == ["Failing for 4 checks", "Stopped: 410 Gone", "Never checked", "Healthy"]
    assert "The server answered 503 Service Unavailable; will retry later." in html
    assert GONE_ERROR in html
    assert "3\xa0hours ago" in html or "3 hours ago" in html
    # Reactivate for the stopped feed, Check now for the others.
    assert reverse("reader:staff:feed_reactivate", args=[gone.pk]) in html
    assert reverse("reader:staff:feed_check_now", args=[failing.pk]) in html


def test_tabs_and_search(staff_client):
    now = timezone.now()
    ok = make_feed(make_publisher("Calm Daily"), last_checked_at=now, last_success_at=now)
    failing = make_feed(make_publisher("Broken Weekly"), error_count=2, last_error="Timed out")
    retired_pub = make_publisher("Old Herald", is_active=False)
    retired = make_feed(retired_pub, is_active=False)
    url = reverse("reader:staff:feeds")

    failing_html = staff_client.get(url, {"status": "failing"}).content.decode()
    assert failing.url in failing_html and ok.url not in failing_html

    stopped_html = staff_client.get(url, {"status": "stopped"}).content.decode()
    assert _rows(stopped_html) == ["Retired publisher"]
    assert retired.url in stopped_html and "Old Herald is retired" in stopped_html

    searched = staff_client.get(url, {"q": "calm"}).content.decode()
    assert ok.url in searched and failing.url not in searched
    by_url = staff_client.get(url, {"q": failing.url[8:20]}).content.decode()
    assert failing.url in by_url and ok.url not in by_url
    # Unknown tab falls back to all.
    assert staff_client.get(url, {"status": "nonsense"}).status_code == 200


def test_health_page_paginates(staff_client):
    pub = make_publisher("Many Feeds")
    for i in range(55):
        make_feed(pub, url=f"https://many.example/{i:02d}.xml")
    first = staff_client.get(reverse("reader:staff:feeds")).content.decode()
    assert "Page 1 of 2" in first
    assert first.count('class="staff-row ') == 50
    second = staff_client.get(reverse("reader:staff:feeds"), {"page": 2}).content.decode()
    assert second.count('class="staff-row ') == 5


def test_health_page_query_count(staff_client, django_assert_max_num_queries):
    now = timezone.now()
    for i in range(30):
        pub = make_publisher(f"Pub {i}")
        feed = make_feed(pub, error_count=i % 3, last_error="x" if i % 3 else "")
        FeedCheck.objects.create(feed=feed, outcome="ok", checked_at=now - timedelta(hours=i))
    with django_assert_max_num_queries(10):
        response = staff_client.get(reverse("reader:staff:feeds"))
    assert response.status_code == 200
    feed = Feed.objects.first()
    assert feed is not None
    with django_assert_max_num_queries(10):
        assert staff_client.get(reverse("reader:staff:feed", args=[feed.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert (
            staff_client.get(
                reverse("reader:staff:publisher", args=[feed.publisher.slug])
            ).status_code
            == 200
        )


def test_feed_detail_lists_recent_checks(staff_client):
    feed = make_feed(make_publisher("Detail Post"), error_count=1, last_error="DNS failed")
    now = timezone.now()
    FeedCheck.objects.create(
        feed=feed,
        outcome="ok",
        duration_ms=321,
        new_articles=7,
        checked_at=now - timedelta(hours=2),
    )
    FeedCheck.objects.create(
        feed=feed,
        outcome="error",
        error_kind="dns",
        error="The host name does not exist",
        duration_ms=45,
        checked_at=now,
    )
    page = staff_client.get(reverse("reader:staff:feed", args=[feed.pk])).content.decode()
    assert "Failing for 1 check<" in page
    html = page[page.index('id="checks-title"') :]
    assert "321 ms" in html and "45 ms" in html
    assert "The host name does not exist" in html
    assert html.index("The host name does not exist") < html.index("321 ms")  # newest first
    assert '<td class="num">7</td>' in html


def test_check_now_sets_next_check_and_returns(staff_client):
    feed = make_feed(make_publisher(), next_check_at=timezone.now() + timedelta(hours=5))
    back = reverse("reader:staff:feeds") + "?status=failing"
    response = staff_client.post(
        reverse("reader:staff:feed_check_now", args=[feed.pk]), {"next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    feed.refresh_from_db()
    assert feed.next_check_at <= timezone.now()
    # An off-site `next` is ignored.
    response = staff_client.post(
        reverse("reader:staff:feed_check_now", args=[feed.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("reader:staff:feed", args=[feed.pk])


def test_check_now_is_post_only(staff_client):
    feed = make_feed(make_publisher())
    assert (
        staff_client.get(reverse("reader:staff:feed_check_now", args=[feed.pk])).status_code == 405
    )


def test_reactivate_restarts_a_gone_feed(staff_client):
    feed = make_feed(
        make_publisher(),
        is_active=False,
        error_count=3,
        last_error=GONE_ERROR,
        last_checked_at=timezone.now(),
        next_check_at=timezone.now() + timedelta(days=9),
    )
    staff_client.post(reverse("reader:staff:feed_reactivate", args=[feed.pk]))
    feed.refresh_from_db()
    assert feed.is_active and feed.error_count == 0
    assert feed.next_check_at <= timezone.now()
    html = staff_client.get(reverse("reader:staff:feed", args=[feed.pk])).content.decode()
    assert "is active again" in html
    assert ">Reactivated<" in html


def test_retire_and_unretire_publisher(staff_client):
    pub = make_publisher("Retiring Review")
    live = make_feed(pub)
    gone = make_feed(pub, is_active=False, last_error=GONE_ERROR)
    FeedCheck.objects.create(feed=gone, outcome="gone")
    article = make_article(pub, title="Still here")

    response = staff_client.post(reverse("reader:staff:publisher_retire", args=[pub.slug]))
    assert response.status_code == 302
    pub.refresh_from_db()
    live.refresh_from_db()
    assert not pub.is_active and not live.is_active
    # The page the redirect leads to says so (a queued message shows on the next page).
    html = staff_client.get(reverse("reader:staff:publisher", args=[pub.slug])).content.decode()
    assert "is retired: 1 feed(s) stopped" in html
    assert "Un-retire Retiring Review" in html
    assert staff_client.get(reverse("reader:article", args=[article.pk])).status_code == 200

    staff_client.post(reverse("reader:staff:publisher_unretire", args=[pub.slug]))
    pub.refresh_from_db()
    live.refresh_from_db()
    gone.refresh_from_db()
    assert pub.is_active and live.is_active
    assert not gone.is_active  # the publisher removed it; staff reactivate it on its own


def test_retire_from_feed_page(staff_client):
    feed = make_feed(make_publisher("Feed Page Pub"))
    html = staff_client.get(reverse("reader:staff:feed", args=[feed.pk])).content.decode()
    assert reverse("reader:staff:publisher_retire", args=[feed.publisher.slug]) in html


def test_posts_require_csrf(staff_user):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(staff_user)
    feed = make_feed(
        make_publisher("Csrf Chronicle"), next_check_at=timezone.now() + timedelta(hours=5)
    )
    for name, arg in [
        ("feed_check_now", feed.pk),
        ("feed_reactivate", feed.pk),
        ("publisher_retire", feed.publisher.slug),
        ("publisher_unretire", feed.publisher.slug),
    ]:
        assert csrf_client.post(reverse(f"reader:staff:{name}", args=[arg])).status_code == 403
    assert (
        csrf_client.post(
            reverse("reader:staff:add_source"), {"url": "https://x.example/"}
        ).status_code
        == 403
    )
    feed.refresh_from_db()
    assert feed.next_check_at > timezone.now()
    assert feed.publisher.is_active

    # With the token from the page, the same POST works.
    page = csrf_client.get(reverse("reader:staff:feed", args=[feed.pk])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = csrf_client.post(
        reverse("reader:staff:feed_check_now", args=[feed.pk]), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    feed.refresh_from_db()
    assert feed.next_check_at <= timezone.now()


def test_feed_health_shows_the_workers_heartbeats(staff_client):
    from datetime import timedelta

    from django.utils import timezone

    from newsstand.ingest import actions
    from newsstand.ingest.workers import WORKER_STALE_S

    now = timezone.now()
    actions.note_worker_alive(
        "box-a:11", host="box-a", pid=11, threads=4, started_at=now, fetching=3
    )
    actions.note_worker_alive(
        "box-b:22",
        host="box-b",
        pid=22,
        threads=2,
        started_at=now - timedelta(hours=1),
        fetching=1,
        now=now - timedelta(seconds=WORKER_STALE_S + 5),
    )
    page = staff_client.get(reverse("reader:staff:feeds")).content.decode()
    assert "Background workers" in page and "1 of 2 alive" in page
    assert page.index("box-a:11") < page.index("box-b:22")  # the live one first
    assert "Silent" in page


def test_feed_health_says_when_no_worker_reports(staff_client):
    page = staff_client.get(reverse("reader:staff:feeds")).content.decode()
    assert "No background worker has reported" in page
