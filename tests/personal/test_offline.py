"""Saved articles offline: the list the service worker keeps, and the worker's code for it."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from newsstand.personal import actions
from newsstand.personal.views import SAVED_OFFLINE_LIMIT
from tests.personal.conftest import make_user
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db


def test_saved_offline_lists_saved_page_then_latest_saved(reader_client, reader):
    pub = make_publisher()
    now = timezone.now()
    articles = [make_article(pub) for _ in range(SAVED_OFFLINE_LIMIT + 3)]
    for i, article in enumerate(articles):
        actions.save_article(reader, article.pk, now=now - timedelta(minutes=i))
    actions.save_article(make_user(), make_article(pub).pk)

    response = reader_client.get(reverse("personal:saved_offline"))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    urls = response.json()["urls"]
    assert urls[0] == reverse("personal:saved")
    assert urls[1:] == [
        reverse("reader:article", args=[a.pk]) for a in articles[:SAVED_OFFLINE_LIMIT]
    ]


def test_saved_offline_tells_a_signed_out_worker_to_forget(client):
    response = client.get(reverse("personal:saved_offline"))
    assert response.status_code == 401
    assert "Sign in" in response.json()["error"]


def test_service_worker_keeps_saved_articles_in_their_own_cache(client, tmp_path: Path):
    js = client.get(reverse("reader:service_worker")).content.decode()
    assert 'const SAVED_CACHE = "newsstand-saved";' in js
    assert f'const SAVED_SYNC_URL = "{reverse("personal:saved_offline")}";' in js
    assert f'const LOGOUT_URL = "{reverse("account_logout")}";' in js
    assert "caches.delete(SAVED_CACHE)" in js
    assert 'Purpose: "prefetch"' in js
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the worker's syntax is checked by the browser tests")
    script = tmp_path / "sw.js"
    script.write_text(js)
    subprocess.run([node, "--check", str(script)], check=True)


def test_htmx_is_vendored_with_its_version_and_licence():
    path = finders.find("reader/vendor/htmx.min.js")
    assert isinstance(path, str)
    text = Path(path).read_text()
    assert 'version:"2.' in text
    vendor = Path(path).parent
    assert "2.0.11" in (vendor / "VENDOR.md").read_text()
    assert "Zero-Clause BSD" in (vendor / "htmx.LICENSE.txt").read_text()
    assert f'version:"{"2.0.11"}"' in text


def test_s_saves_and_is_listed_in_the_help(client):
    make_article(make_publisher())
    html = client.get(reverse("reader:home")).content.decode()
    assert "<kbd>s</kbd>" in html
    path = finders.find("reader/shortcuts.js")
    assert isinstance(path, str)
    js = Path(path).read_text()
    assert 'case "s"' in js and "[data-save-button]" in js
    assert "htmx:afterSettle" in js


def test_saved_offline_says_under_which_access_copies_are_kept(reader_client, reader):
    """The worker drops every kept copy when this changes (a membership that ended)."""
    url = reverse("personal:saved_offline")
    assert reader_client.get(url).json()["access"] == "teaser"
    from newsstand.membership.actions import start_trial

    start_trial(reader)
    assert reader_client.get(url).json()["access"] == "full"
