from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db


def test_list_pages_load_shortcuts_and_mark_card_lists(client):
    pub = make_publisher()
    make_article(pub, title="One")
    for url in (reverse("reader:home"), reverse("reader:publisher", args=[pub.slug])):
        html = client.get(url).content.decode()
        assert 'data-shortcuts="cards"' in html
        assert '<script src="/static/reader/shortcuts.js" defer></script>' in html
        assert '<dialog id="shortcuts-help"' in html
        assert "<kbd>j</kbd>" in html and "<kbd>?</kbd>" in html


def test_shortcuts_script_is_served_and_ignores_typing(client):
    response = client.get("/static/reader/shortcuts.js")
    assert response.status_code == 200
    path = finders.find("reader/shortcuts.js")
    assert isinstance(path, str)
    with open(path, encoding="utf-8") as f:
        js = f.read()
    for key in ('case "j"', 'case "k"', 'case "o"', 'case "?"'):
        assert key in js
    assert '"input"' in js and '"textarea"' in js and "isContentEditable" in js
    assert "showModal" in js


def test_service_worker_caches_the_shortcuts_script(client):
    assert "/static/reader/shortcuts.js" in client.get("/sw.js").content.decode()
