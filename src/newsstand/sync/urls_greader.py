"""/api/greader/: the Google Reader API (sync.greader), where FreshRSS-style apps look for it."""

from django.urls import path, re_path

from newsstand.sync import greader as g

app_name = "greader"

API = "reader/api/0/"

urlpatterns = [
    path("", g.ping, name="root"),
    path("accounts/ClientLogin", g.client_login, name="client_login"),
    path(API + "token", g.token, name="token"),
    path(API + "user-info", g.user_info, name="user_info"),
    path(API + "subscription/list", g.subscription_list, name="subscription_list"),
    path(API + "tag/list", g.tag_list, name="tag_list"),
    path(API + "unread-count", g.unread_count, name="unread_count"),
    path(API + "stream/items/ids", g.items_ids, name="items_ids"),
    path(API + "stream/items/contents", g.items_contents, name="items_contents"),
    path(API + "stream/contents", g.stream_contents, name="stream_contents"),
    path(API + "stream/contents/<path:stream_id>", g.stream_contents),
    path("reader/atom", g.atom, name="atom"),
    path("reader/atom/<path:stream_id>", g.atom),
    path(API + "edit-tag", g.edit_tag, name="edit_tag"),
    path(API + "mark-all-as-read", g.mark_all_as_read, name="mark_all_as_read"),
    # Writes Newsstand does not offer to apps: a clear 403 once signed in.
    re_path(
        r"^reader/api/0/(?P<rest>subscription/(edit|quickadd)|rename-tag|disable-tag)$",
        g.read_only,
    ),
    re_path(r"^(?P<rest>.*)$", g.not_found),
]
