"""Caches never hand a member's full text to someone else: headers, sign-out, service worker."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.views.decorators.cache import cache_page

from newsstand.reader import views
from tests.gate.factories import MARKER, client_for, make_gated_article, make_user

pytestmark = pytest.mark.django_db


def test_signing_out_clears_the_browsers_cache_for_the_site():
    client = Client()
    client.force_login(make_user("trial"))
    response = client.post(reverse("account_logout"))
    assert response.status_code in (200, 302)
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    # The session is gone: the next page is a stranger's.
    assert "_auth_user_id" not in client.session


def test_other_responses_do_not_clear_anything():
    client = client_for("trial")
    for url in (reverse("reader:home"), make_gated_article().get_absolute_url()):
        assert "Clear-Site-Data" not in client.get(url)
    # Posting to sign-out while signed out signs nobody out.
    assert "Clear-Site-Data" not in Client().post(reverse("account_logout"))


def test_djangos_page_cache_never_keeps_a_members_page(rf):
    """cache_page (what a page cache for anonymous pages would use) skips private responses,
    and the gated page it keeps for anonymous readers never holds the full text."""
    cache.clear()
    article = make_gated_article()
    cached_article = cache_page(60)(views.article)

    member = rf.get(article.get_absolute_url(), HTTP_USER_AGENT="Mozilla/5.0")
    member.user = make_user("active")
    member.session = _session()
    assert MARKER in cached_article(member, article.pk).content.decode()

    anonymous = rf.get(article.get_absolute_url(), HTTP_USER_AGENT="Mozilla/5.0")
    from django.contrib.auth.models import AnonymousUser

    anonymous.user = AnonymousUser()
    anonymous.session = _session()
    assert MARKER not in cached_article(anonymous, article.pk).content.decode()


def _session():
    from django.contrib.sessions.backends.db import SessionStore

    return SessionStore()


def test_service_worker_stores_only_shareable_responses_and_forgets_on_sign_in_or_out():
    js = Client().get(reverse("reader:service_worker")).content.decode()
    assert "function isShareable(response)" in js
    assert "private|no-store" in js
    assert "isShareable(response)" in js.split("function isShareable", 1)[1]
    for url in ("/accounts/login/", "/accounts/logout/", "/accounts/signup/"):
        assert f'"{url}"' in js
    # Every cache but the app shell's: the pages kept and personal/'s saved articles alike.
    assert 'name.startsWith("newsstand-shell-")).map((name) => caches.delete(name))' in js
    assert "event.waitUntil(forgetTheReader())" in js
