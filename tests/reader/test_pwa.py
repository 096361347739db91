from __future__ import annotations

import json
import struct

import pytest
from django.urls import reverse

from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_manifest_is_valid_json_with_the_fields_and_icons_that_exist(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "Newsstand"
    assert data["short_name"]
    assert data["start_url"] == "/"
    assert data["display"] == "standalone"
    assert data["theme_color"].startswith("#") and data["background_color"].startswith("#")
    purposes = {icon["purpose"] for icon in data["icons"]}
    assert purposes == {"any", "maskable"}
    sizes = set()
    for icon in data["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200, icon["src"]
        body = b"".join(image.streaming_content) if image.streaming else image.content
        width, height = _png_size(body)
        assert icon["sizes"] == f"{width}x{height}"
        sizes.add(width)
    assert {192, 512} <= sizes


def test_base_links_manifest_theme_colour_and_registers_worker(client):
    html = client.get(reverse("reader:publishers")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#9e2a1c">' in html
    assert 'data-sw="/sw.js"' in html
    assert 'class="footer-install"' in html


def test_service_worker_is_served_from_root_as_javascript(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    js = response.content.decode()
    assert 'const OFFLINE_URL = "/offline/";' in js
    assert "/static/reader/reader.css" in js
    assert "&quot;" not in js and "&amp;" not in js
    assert 'self.addEventListener("fetch"' in js


def test_offline_page_renders(client):
    response = client.get(reverse("reader:offline"))
    assert response.status_code == 200
    assert "You are offline" in response.content.decode()


def test_home_has_download_block_on_first_page_only(client):
    pub = make_publisher()
    for i in range(31):
        make_article(pub, title=f"S{i}")
    first = client.get(reverse("reader:home")).content.decode()
    assert first.count("Download the app") == 1
    assert "Add to Home Screen" in first
    second = client.get(reverse("reader:home"), {"page": 2}).content.decode()
    assert 'id="install"' not in second
