"""Small builders for the local publisher web: RSS feeds and article pages."""

from __future__ import annotations

from tests.httpserver import PublisherWeb

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}


def article_page(title: str, seed: str = "story") -> str:
    paragraphs = "\n".join(
        f"<p>{seed} paragraph {i}: the council met on Tuesday to discuss the budget for the "
        f"coming year, and members argued at length about roads, schools and libraries.</p>"
        for i in range(6)
    )
    return (
        f'<!doctype html><html lang="en"><head><title>{title}</title></head><body><article>'
        f"<h1>{title}</h1>{paragraphs}</article></body></html>"
    )


def rss(web: PublisherWeb, items: list[tuple[str, str, str]], *, title: str = "Local") -> str:
    """items: (guid, title, path or absolute URL); titles are inserted as given (XML)."""
    body = "".join(
        f"<item><title>{t}</title>"
        f"<link>{link if link.startswith('http') else web.url(link)}</link><guid>{guid}</guid>"
        f"<description>Teaser for {guid}</description>"
        "<pubDate>Fri, 27 Nov 2026 09:30:00 GMT</pubDate></item>"
        for guid, t, link in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{web.base_url}</link>{body}</channel></rss>"
    )


def serve_articles(web: PublisherWeb, prefix: str, n: int) -> list[tuple[str, str, str]]:
    """n article pages under /<prefix>/; returns feed items for them."""
    items = []
    for i in range(n):
        path = f"/{prefix}/story-{i}.html"
        web.add(path, article_page(f"{prefix} story {i}", f"{prefix}{i}"), headers=HTML)
        items.append((f"{prefix}-{i}", f"{prefix} story {i}", path))
    return items
