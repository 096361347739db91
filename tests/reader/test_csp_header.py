"""Every page carries the Content-Security-Policy: no inline script or style, images from here
and https. tests/browser/test_csp.py checks in Chromium that no page breaks it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.reader.factories import make_article, make_feed, make_publisher

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split("; ")}


def test_pages_answer_with_a_strict_policy():
    make_article(make_publisher("Harbour Times"))
    for _ in range(2):  # the second from the anonymous page cache
        policy = _policy(Client().get("/"))
        assert policy["script-src"] == ["'self'"]
        # No nonce: a page from the cache is shared, so it must need none.
        assert policy["style-src"] == ["'self'"]
        # A site served over plain http (as here) may show publishers' http images; see below.
        assert policy["img-src"] == ["'self'", "https:", "http:"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
    assert "Content-Security-Policy" in Client().get("/api/docs")


def test_a_site_served_over_https_allows_images_over_https_only(tmp_path):
    code = "from django.conf import settings; print(' '.join(settings.SECURE_CSP['img-src']))"
    env = {
        **os.environ,
        "NEWSSTAND_HTTPS": "1",
        "NEWSSTAND_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "newsstand.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.split() == ["'self'", "https:"]


def test_staff_charts_style_only_with_the_responses_nonce():
    staff = get_user_model().objects.create_user("staff", "staff@example.org", is_staff=True)
    client = Client()
    client.force_login(staff)
    feed = make_feed(make_publisher("Harbour Times"))
    response = client.get(reverse("reader:staff:feed", args=[feed.pk]))
    (nonce,) = re.findall(r"'nonce-([^']+)'", " ".join(_policy(response)["style-src"]))
    html = response.content.decode()
    styles = re.findall(r"<style[^>]*>", html)
    assert styles and all(f'nonce="{nonce}"' in tag for tag in styles)
    assert ' style="' not in html
