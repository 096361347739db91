"""Metered reading: NEWSSTAND_METERED_FREE_ARTICLES full articles a month for registered readers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from newsstand.gate.actions import open_article, record_metered_read
from newsstand.gate.metering import month_of
from newsstand.gate.models import MeteredRead
from newsstand.gate.policy import Reason
from tests.gate.factories import MARKER, client_for, make_gated_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_free(settings):
    settings.NEWSSTAND_METERED_FREE_ARTICLES = 3


def _read(client: Client, article) -> str:
    return client.get(article.get_absolute_url()).content.decode()


@pytest.mark.usefixtures("three_free")
def test_registered_reader_reads_three_articles_then_meets_the_gate():
    client = client_for("registered")
    articles = [make_gated_article() for _ in range(4)]
    notes = []
    for article in articles[:3]:
        html = _read(client, article)
        assert MARKER in html
        notes.append(html)
    assert "2 of 3 free articles left this month" in notes[0]
    assert "1 of 3 free articles left this month" in notes[1]
    assert "0 of 3 free articles left this month" in notes[2]
    fourth = _read(client, articles[3])
    assert MARKER not in fourth
    assert "You have read your 3 free articles this month" in fourth
    # An article already read this month stays open, and costs nothing.
    again = _read(client, articles[0])
    assert MARKER in again and "0 of 3 free articles left" in again
    assert MeteredRead.objects.count() == 3


@pytest.mark.usefixtures("three_free")
def test_metered_full_text_is_private_like_a_members():
    response = client_for("registered").get(make_gated_article().get_absolute_url())
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.usefixtures("three_free")
@pytest.mark.parametrize("kind", ["expired", "trial_over", "paid_over"])
def test_former_members_are_metered_like_registered_readers(kind):
    html = _read(client_for(kind), make_gated_article())
    assert MARKER in html and "2 of 3 free articles left" in html


@pytest.mark.usefixtures("three_free")
def test_anonymous_readers_are_never_metered():
    html = _read(client_for("anonymous"), make_gated_article())
    assert MARKER not in html
    assert "free articles left" not in html
    assert MeteredRead.objects.count() == 0


@pytest.mark.usefixtures("three_free")
def test_members_spend_no_meter():
    _read(client_for("trial"), make_gated_article())
    assert MeteredRead.objects.count() == 0


def test_metering_is_off_by_default():
    html = _read(client_for("registered"), make_gated_article())
    assert MARKER not in html and "free articles" not in html


@pytest.mark.usefixtures("three_free")
def test_the_allowance_starts_again_each_calendar_month():
    user = make_user("registered")
    articles = [make_gated_article() for _ in range(4)]
    october = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
    for article in articles[:3]:
        assert open_article(user, article, october).full
    assert open_article(user, articles[3], october).reason is Reason.METER_USED_UP
    november = october + timedelta(days=1)
    decision = open_article(user, articles[3], november)
    assert decision.full and decision.free_left == 2
    assert month_of(november) == datetime(2026, 11, 1).date()


@pytest.mark.usefixtures("three_free")
def test_recording_the_same_read_twice_counts_it_once():
    user = make_user("registered")
    article = make_gated_article()
    now = datetime(2026, 11, 5, tzinfo=UTC)
    record_metered_read(user, article.pk, now)
    record_metered_read(user, article.pk, now)
    assert MeteredRead.objects.filter(user=user).count() == 1


def test_month_follows_the_site_time_zone(settings):
    settings.TIME_ZONE = "Pacific/Auckland"
    # 20:00 UTC on 31 October is already 1 November in Auckland.
    assert month_of(datetime(2026, 10, 31, 20, 0, tzinfo=UTC)) == datetime(2026, 11, 1).date()


@pytest.mark.usefixtures("three_free")
def test_prefetches_and_head_requests_spend_nothing():
    """The service worker keeping saved articles offline sends Purpose: prefetch."""
    client = client_for("registered")
    article = make_gated_article()
    prefetched = client.get(article.get_absolute_url(), HTTP_PURPOSE="prefetch")
    html = prefetched.content.decode()
    assert MARKER not in html
    assert "Open this article to read it free: 3 of 3 left" in html
    client.head(article.get_absolute_url())
    api = client.get(f"/api/articles/{article.pk}", HTTP_SEC_PURPOSE="prefetch")
    assert api.json()["access"] == "not_spent"
    assert MeteredRead.objects.count() == 0
    # Opening it is what spends one.
    assert MARKER in _read(client, article)
    assert MeteredRead.objects.count() == 1
