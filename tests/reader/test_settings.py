from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from newsstand.reader.prefs import (
    TEXT_SIZE_COOKIE,
    THEME_COOKIE,
    PrefsError,
    ReaderPrefs,
    apply_choices,
    read_prefs,
)

pytestmark = pytest.mark.django_db


def test_read_prefs_defaults_and_rejects_tampered_values():
    assert read_prefs({}) == ReaderPrefs("m", "system")
    assert read_prefs({TEXT_SIZE_COOKIE: "xl", THEME_COOKIE: "dark"}) == ReaderPrefs("xl", "dark")
    assert read_prefs({TEXT_SIZE_COOKIE: "huge", THEME_COOKIE: "<x>"}) == ReaderPrefs()


def test_header_toggle_keeps_text_size(client):
    client.cookies[TEXT_SIZE_COOKIE] = "s"
    response = client.post(reverse("reader:settings"), {"theme": "dark", "next": "/"})
    assert response.cookies[TEXT_SIZE_COOKIE].value == "s"
    assert response.cookies[THEME_COOKIE].value == "dark"


def test_apply_choices_keeps_fields_not_sent_and_refuses_unknown():
    assert apply_choices(ReaderPrefs("l", "light"), {"theme": "dark"}) == ReaderPrefs("l", "dark")
    with pytest.raises(PrefsError, match="text size"):
        apply_choices(ReaderPrefs(), {"text_size": "xxl"})


def test_settings_page_renders_form_with_current_choices(client):
    client.cookies[TEXT_SIZE_COOKIE] = "l"
    response = client.get(reverse("reader:settings"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="text_size" value="l" checked' in html
    assert 'name="theme" value="system" checked' in html
    assert 'data-text-size="l"' in html
    # No token: the form only sets two cosmetic cookies (docs/decisions.md).
    assert "csrfmiddlewaretoken" not in html


def test_settings_post_sets_cookies_redirects_back_and_next_page_reflects(client):
    response = client.post(
        reverse("reader:settings"), {"text_size": "xl", "theme": "dark", "next": "/publishers/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/publishers/"
    assert response.cookies[THEME_COOKIE].value == "dark"
    assert response.cookies[TEXT_SIZE_COOKIE].value == "xl"
    assert response.cookies[THEME_COOKIE]["samesite"] == "Lax"
    html = client.get(reverse("reader:home")).content.decode()
    assert '<html lang="en" data-theme="dark" data-text-size="xl">' in html
    assert '<meta name="color-scheme" content="dark">' in html
    # The header offers both themes; CSS shows the one away from the theme in effect.
    assert 'name="theme" value="light" class="theme-toggle__to-light"' in html


def test_settings_post_refuses_offsite_next_and_bad_values(client):
    response = client.post(
        reverse("reader:settings"), {"theme": "light", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("reader:settings")
    bad = client.post(reverse("reader:settings"), {"theme": "neon"})
    assert bad.status_code == 400
    assert "Unknown theme" in bad.content.decode()
    assert THEME_COOKIE not in bad.cookies


def test_header_toggle_works_without_a_csrf_token_or_javascript():
    """A plain form POST, as a browser without JavaScript sends it, with CSRF checks enforced."""
    client = Client(enforce_csrf_checks=True)
    html = client.get(reverse("reader:home")).content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert "csrftoken" not in client.cookies
    response = client.post(reverse("reader:settings"), {"theme": "dark", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[THEME_COOKIE].value == "dark"
    assert 'data-theme="dark"' in client.get("/").content.decode()


def test_header_toggle_on_every_page(client):
    html = client.get(reverse("reader:publishers")).content.decode()
    assert 'data-theme="system"' in html
    assert 'class="theme-toggle" method="post"' in html
    assert 'name="theme" value="dark" class="theme-toggle__to-dark"' in html
    assert '<input type="hidden" name="next" value="/publishers/">' in html
