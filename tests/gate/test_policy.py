"""gate.policy.decide: who reads full text, and safe_snippet_source for search (issue #7)."""

from __future__ import annotations

import pytest

from newsstand.articles.models import Article
from newsstand.gate.policy import (
    ANONYMOUS,
    METER_OFF,
    GateDecision,
    MeterState,
    Reason,
    Viewer,
    decide,
    safe_snippet_source,
    viewer_of,
)
from tests.gate.factories import (
    FULL_ACCESS,
    GATED_READERS,
    LATER_MARKERS,
    MEMBERS,
    OPENING,
    make_gated_article,
    make_user,
)

ARTICLE = Article(content_html="<p>Body.</p>")
NO_BODY = Article(content_html="  ")
MEMBER = Viewer(signed_in=True, full_access=True)
NON_MEMBER = Viewer(signed_in=True, full_access=False)


def test_members_read_everything_whatever_the_meter():
    for meter in (METER_OFF, MeterState(limit=3, used=3)):
        assert decide(MEMBER, meter, ARTICLE) == GateDecision(full=True, reason=Reason.MEMBER)


def test_anonymous_readers_get_the_teaser_even_with_metering_on():
    decision = decide(ANONYMOUS, MeterState(limit=5), ARTICLE)
    assert decision == GateDecision(full=False, reason=Reason.ANONYMOUS)
    assert not decision.shows_full_text


def test_registered_non_members_get_the_teaser_when_metering_is_off():
    assert decide(NON_MEMBER, METER_OFF, ARTICLE).reason is Reason.NOT_MEMBER


@pytest.mark.parametrize(
    ("meter", "full", "record", "left", "reason"),
    [
        (MeterState(limit=3, used=0), True, True, 2, Reason.METERED),
        (MeterState(limit=3, used=2), True, True, 0, Reason.METERED),
        (MeterState(limit=3, used=3), False, False, 0, Reason.METER_USED_UP),
        # The same article again this month is free, even with the allowance used up.
        (MeterState(limit=3, used=3, already_read=True), True, False, 0, Reason.METERED),
        (MeterState(limit=3, used=1, already_read=True), True, False, 2, Reason.METERED),
    ],
)
def test_metering(meter, full, record, left, reason):
    decision = decide(NON_MEMBER, meter, ARTICLE)
    assert (decision.full, decision.record_metered_read, decision.free_left) == (
        full,
        record,
        left,
    )
    assert decision.reason is reason
    assert decision.free_limit == 3


def test_an_article_without_a_body_has_nothing_to_gate_and_spends_no_meter():
    decision = decide(NON_MEMBER, MeterState(limit=3), NO_BODY)
    assert decision.full and decision.reason is Reason.NO_BODY
    assert not decision.record_metered_read and not decision.shows_full_text


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [k for k in FULL_ACCESS if k != "anonymous"])
def test_viewer_of_follows_the_membership_rule(kind):
    viewer = viewer_of(make_user(kind))
    assert viewer.signed_in
    assert viewer.full_access is FULL_ACCESS[kind]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(FULL_ACCESS))
def test_the_membership_riding_on_the_article_gives_the_same_viewer(kind):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from newsstand.gate.viewer import viewer_for_article, with_viewer_access

    article = make_gated_article()
    user = AnonymousUser() if kind == "anonymous" else make_user(kind)
    fetched = with_viewer_access(Article.objects.all(), user).get(pk=article.pk)
    now = timezone.now()
    assert viewer_for_article(fetched, user, now) == viewer_of(user, now)
    assert viewer_for_article(fetched, user, now).full_access is FULL_ACCESS[kind]


@pytest.mark.django_db
def test_a_reader_without_a_membership_row_is_a_non_member():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from newsstand.gate.viewer import viewer_for_article, with_viewer_access

    user = get_user_model().objects.create_user(username="bare", email="bare@example.org")
    article = with_viewer_access(Article.objects.all(), user).get(pk=make_gated_article().pk)
    assert viewer_for_article(article, user, timezone.now()) == NON_MEMBER


def test_viewer_of_none_and_anonymous():
    from django.contrib.auth.models import AnonymousUser

    assert viewer_of(None) == ANONYMOUS
    assert viewer_of(AnonymousUser()) == ANONYMOUS


@pytest.mark.django_db
@pytest.mark.parametrize("kind", GATED_READERS)
def test_search_snippets_for_non_members_come_from_the_teaser_only(kind):
    from django.contrib.auth.models import AnonymousUser

    article = make_gated_article()
    user = AnonymousUser() if kind == "anonymous" else make_user(kind)
    source = safe_snippet_source(article, user)
    assert source.startswith(OPENING)
    for marker in LATER_MARKERS:
        assert marker not in source


@pytest.mark.django_db
@pytest.mark.parametrize("kind", MEMBERS)
def test_search_snippets_for_members_may_quote_the_whole_text(kind):
    article = make_gated_article()
    source = safe_snippet_source(article, make_user(kind))
    for marker in LATER_MARKERS:
        assert marker in source


@pytest.mark.django_db
def test_search_snippets_ignore_the_meter(settings):
    settings.NEWSSTAND_METERED_FREE_ARTICLES = 5
    source = safe_snippet_source(make_gated_article(), make_user("registered"))
    assert LATER_MARKERS[0] not in source


def test_a_prefetch_never_spends_a_free_article():
    fresh = decide(NON_MEMBER, MeterState(limit=3, used=1), ARTICLE, may_spend=False)
    assert not fresh.full and fresh.reason is Reason.NOT_SPENT
    assert (fresh.free_left, fresh.free_limit) == (2, 3)
    assert not fresh.record_metered_read
    # One already paid for this month is read in full, prefetched or not.
    paid = decide(
        NON_MEMBER, MeterState(limit=3, used=1, already_read=True), ARTICLE, may_spend=False
    )
    assert paid.full and not paid.record_metered_read
    # Members and the used-up meter are unaffected.
    assert decide(MEMBER, METER_OFF, ARTICLE, may_spend=False).full
    used_up = decide(NON_MEMBER, MeterState(limit=3, used=3), ARTICLE, may_spend=False)
    assert used_up.reason is Reason.METER_USED_UP
