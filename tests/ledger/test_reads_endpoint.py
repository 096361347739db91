"""POST /reads/ through the test client: the ticket the article page renders, and bad claims."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsstand.ledger.models import FullRead
from newsstand.ledger.tickets import SALT, issue_ticket
from tests.ledger.factories import make_member, make_non_member
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db

READS_URL = "/reads/"


@pytest.fixture
def article():
    return make_article(make_publisher("Alpha Times"), title="Harbour bridge reopens")


@pytest.fixture
def member():
    return make_member()


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def _tracker(html: str) -> dict[str, str]:
    tag = re.search(r'<script src="[^"]*ledger/read\.js"[^>]*>', html)
    assert tag, "the read tracker is not on the page"
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', tag.group(0)))


def _ticket(user, article, seconds_ago: float) -> str:
    return issue_ticket(user.pk, article.pk, timezone.now() - timedelta(seconds=seconds_ago))


def _claim(client: Client, article, ticket: str, via: str = "time", **extra):
    return client.post(READS_URL, {"article": article.pk, "ticket": ticket, "via": via, **extra})


def test_reads_url():
    assert reverse("ledger:record_read") == READS_URL


def test_article_page_carries_the_tracker_for_members_only(
    client, member_client, article, django_assert_max_num_queries
):
    url = reverse("reader:article", args=[article.pk])
    with django_assert_max_num_queries(10):
        html = member_client.get(url).content.decode()
    data = _tracker(html)
    assert data["url"] == READS_URL
    assert data["article"] == str(article.pk)
    assert data["seconds"] == "30"
    assert float(data["scroll"]) == pytest.approx(0.6)
    assert data["body"] == ".article__body"
    assert data["csrf"]
    payload = signing.Signer(salt=SALT).unsign_object(data["ticket"])
    assert payload["a"] == article.pk

    anonymous = Client().get(url).content.decode()
    assert "ledger/read.js" not in anonymous
    outsider = Client()
    outsider.force_login(make_non_member())
    assert "ledger/read.js" not in outsider.get(url).content.decode()


def test_scroll_claim_is_recorded_once_per_ticket(member_client, member, article):
    ticket = _ticket(member, article, seconds_ago=31)
    response = _claim(member_client, article, ticket, via="scroll", depth="0.75")
    assert response.status_code == 201, response.content
    assert response.json()["recorded"] is True
    assert response.json()["new"] is True
    row = FullRead.objects.get()
    assert (row.user_id, row.article_id, row.publisher_id) == (
        member.pk,
        article.pk,
        article.publisher_id,
    )
    assert row.via == "scroll"
    # The same ticket again: it has vouched for its read, it counts nothing more.
    again = _claim(member_client, article, ticket, via="scroll", depth="0.8")
    assert again.status_code == 409
    assert again.json()["code"] == "ticket_used"
    assert "already been used" in again.json()["reason"]
    # The article opened again the same day: acknowledged, still one read.
    reopened = _claim(member_client, article, _ticket(member, article, seconds_ago=35))
    assert reopened.status_code == 200
    assert reopened.json() == {"recorded": True, "new": False, "day": reopened.json()["day"]}
    assert FullRead.objects.count() == 1


def test_scroll_straight_after_opening_waits_for_the_reading_time(member_client, article):
    """The farm of issue #13: `via=scroll&depth=1.0` right after each page load counted."""
    pub = make_publisher("Farmed Daily")
    farmed = [article, *(make_article(pub, title=f"Story {i}") for i in range(5))]
    for a in farmed:
        html = member_client.get(reverse("reader:article", args=[a.pk])).content.decode()
        response = _claim(member_client, a, _tracker(html)["ticket"], "scroll", depth="1.0")
        assert response.status_code == 425, response.content
        body = response.json()
        assert body["code"] == "too_early"
        assert "30 seconds" in body["reason"]
        assert 29 <= int(response["Retry-After"]) <= 30
        assert body["retry_after"] == int(response["Retry-After"])
    assert not FullRead.objects.exists()


def test_time_claim_straight_after_opening_is_too_early(member_client, article):
    html = member_client.get(reverse("reader:article", args=[article.pk])).content.decode()
    response = _claim(member_client, article, _tracker(html)["ticket"])
    assert response.status_code == 425
    assert response.json()["code"] == "too_early"
    assert "30 seconds" in response.json()["reason"]
    assert not FullRead.objects.exists()


def test_time_claim_after_the_reading_time_is_recorded(member_client, member, article):
    response = _claim(member_client, article, _ticket(member, article, seconds_ago=31))
    assert response.status_code == 201
    assert FullRead.objects.get().via == "time"


def test_shallow_scroll_is_refused(member_client, member, article):
    response = _claim(member_client, article, _ticket(member, article, 1), "scroll", depth="0.3")
    assert response.status_code == 400
    assert response.json()["code"] == "too_shallow"
    assert "60%" in response.json()["reason"]


@pytest.mark.parametrize(
    ("make_ticket", "code"),
    [
        (lambda m, a, o: _ticket(m, a, 40)[:-3] + "xyz", "forged"),
        (lambda m, a, o: "not-a-ticket", "forged"),
        (lambda m, a, o: signing.Signer(salt="other").sign_object({"u": m.pk}), "forged"),
        (lambda m, a, o: signing.Signer(salt=SALT).sign_object([1, 2]), "malformed"),
        (lambda m, a, o: _ticket(o, a, 40), "wrong_reader"),
        (lambda m, a, o: issue_ticket(m.pk, a.pk + 1000, timezone.now()), "wrong_article"),
        (lambda m, a, o: _ticket(m, a, 13 * 3600), "expired"),
    ],
    ids=["tampered", "garbage", "other-salt", "malformed", "other-reader", "other-article", "old"],
)
def test_bad_tickets_are_refused_with_a_reason(member_client, member, article, make_ticket, code):
    other = make_member("other")
    response = _claim(member_client, article, make_ticket(member, article, other))
    assert response.status_code == 400
    body = response.json()
    assert body["recorded"] is False
    assert body["code"] == code
    assert body["reason"]
    assert not FullRead.objects.exists()


def test_non_members_and_visitors_are_refused(client, article):
    outsider = make_non_member()
    ticket = _ticket(outsider, article, 40)
    anonymous = _claim(client, article, ticket)
    assert anonymous.status_code == 403
    assert anonymous.json()["code"] == "not_signed_in"
    client.force_login(outsider)
    response = _claim(client, article, ticket)
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_member"
    assert not FullRead.objects.exists()


def test_bad_input_is_named(member_client, member, article):
    missing = member_client.post(READS_URL, {"article": article.pk, "via": "time"})
    assert missing.status_code == 400
    assert "ticket" in missing.json()["reason"]
    bad_via = _claim(member_client, article, _ticket(member, article, 40), via="glance")
    assert bad_via.status_code == 400
    assert "via" in bad_via.json()["reason"]
    unknown = member_client.post(READS_URL, {"article": 99999, "ticket": "x", "via": "time"})
    assert unknown.status_code == 404
    assert member_client.get(READS_URL).status_code == 405


def test_csrf_is_enforced(member, article):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    ticket = _ticket(member, article, 40)
    assert _claim(strict, article, ticket).status_code == 403
    html = strict.get(reverse("reader:article", args=[article.pk])).content.decode()
    token = _tracker(html)["csrf"]
    response = strict.post(
        READS_URL,
        {"article": article.pk, "ticket": ticket, "via": "time"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


def test_reads_past_the_daily_limit_are_refused_and_not_counted(member_client, member, settings):
    settings.NEWSSTAND_FULL_READS_PER_DAY = 2
    pub = make_publisher("Farmed Daily")
    articles = [make_article(pub, title=f"Story {i}") for i in range(3)]
    for a in articles[:2]:
        assert _claim(member_client, a, _ticket(member, a, seconds_ago=31)).status_code == 201
    response = _claim(member_client, articles[2], _ticket(member, articles[2], seconds_ago=31))
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "daily_limit"
    assert "2 full reads counted today" in body["reason"]
    assert FullRead.objects.filter(user=member).count() == 2
    # A read already counted today is still acknowledged, not refused.
    again = _claim(member_client, articles[0], _ticket(member, articles[0], seconds_ago=31))
    assert again.status_code == 200


def test_reads_past_the_ten_minute_limit_are_refused_and_logged(
    member_client, member, settings, caplog
):
    settings.NEWSSTAND_FULL_READS_PER_10_MIN = 3
    pub = make_publisher("Farmed Daily")
    articles = [make_article(pub, title=f"Story {i}") for i in range(4)]
    for a in articles[:3]:
        assert _claim(member_client, a, _ticket(member, a, seconds_ago=31)).status_code == 201
    with caplog.at_level("WARNING", logger="newsstand.ledger.actions"):
        response = _claim(member_client, articles[3], _ticket(member, articles[3], 31))
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "rate_limit"
    assert "3 full reads counted in the last 10 minutes" in body["reason"]
    # The oldest of the three leaves the window in about ten minutes.
    assert 590 <= int(response["Retry-After"]) <= 600
    assert FullRead.objects.filter(user=member).count() == 3
    assert f"user_id={member.pk} article_id={articles[3].pk} code=rate_limit" in caplog.text
    assert "counted=3 limit=3 window_s=600" in caplog.text
    # A read already counted is still acknowledged.
    again = _claim(member_client, articles[0], _ticket(member, articles[0], seconds_ago=40))
    assert again.status_code == 200


def test_a_bad_daily_limit_names_its_setting(settings):
    from django.core.exceptions import ImproperlyConfigured

    from newsstand.ledger.rules import ReadRules

    settings.NEWSSTAND_FULL_READS_PER_DAY = 0
    with pytest.raises(ImproperlyConfigured, match="NEWSSTAND_FULL_READS_PER_DAY=0"):
        ReadRules.from_settings()
    settings.NEWSSTAND_FULL_READS_PER_DAY = 200
    settings.NEWSSTAND_FULL_READS_PER_10_MIN = 0
    with pytest.raises(ImproperlyConfigured, match="NEWSSTAND_FULL_READS_PER_10_MIN=0"):
        ReadRules.from_settings()
