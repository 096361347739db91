"""/v1/: the Miniflux API (sync.miniflux)."""

from django.urls import path, re_path

from newsstand.sync import miniflux as m

app_name = "miniflux"

urlpatterns = [
    path("me", m.me, name="me"),
    path("categories", m.categories, name="categories"),
    path("categories/<int:category_id>/feeds", m.category_feeds),
    path("categories/<int:category_id>/entries", m.category_entries),
    path("categories/<int:category_id>/entries/<int:entry_id>", m.category_entry),
    path("categories/<int:category_id>/mark-all-as-read", m.category_mark_all_read),
    path("categories/<int:category_id>/refresh", m.refresh),
    path("feeds", m.feeds, name="feeds"),
    path("feeds/counters", m.feed_counters, name="counters"),
    path("feeds/refresh", m.refresh),
    path("feeds/<int:feed_id>", m.feed),
    path("feeds/<int:feed_id>/icon", m.feed_icon),
    path("feeds/<int:feed_id>/entries", m.feed_entries),
    path("feeds/<int:feed_id>/entries/<int:entry_id>", m.feed_entry),
    path("feeds/<int:feed_id>/mark-all-as-read", m.feed_mark_all_read),
    path("feeds/<int:feed_id>/refresh", m.refresh),
    path("icons/<int:icon_id>", m.icon),
    path("entries", m.entries, name="entries"),
    path("entries/<int:entry_id>", m.entry),
    path("entries/<int:entry_id>/fetch-content", m.entry_content),
    path("entries/<int:entry_id>/bookmark", m.bookmark),
    path("entries/<int:entry_id>/star", m.bookmark),
    # Writes Newsstand does not offer to apps: a clear 403 once signed in.
    re_path(
        r"^(?P<rest>categories(/\d+)?|users(/.*)?|import|export|discover|flush-history"
        r"|api-keys(/.*)?|entries/\d+/save|feeds/\d+/entries/import|enclosures/.*)$",
        m.read_only,
    ),
    re_path(r"^(?P<rest>.*)$", m.not_found),
]
