"""The Fever API at /api/fever/, as Fever's API document (version 3) describes it.

One URL; the query string says what is asked (`?api&items&since_id=…`), the form body carries
`api_key` (md5 of "email:app password") and the `mark` calls. Every answer is JSON with
`api_version`, `auth` (1 or 0) and `last_refreshed_on_time`; a wrong key is `auth: 0` with
nothing else. Feeds are the followed publishers, in one group; items are entries
(`sync.queries`), their `html` through the gate (`sync.entries`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from newsstand.sync import actions, queries, tallies
from newsstand.sync.clients import Throttled, sign_in, throttle
from newsstand.sync.entries import ENTRY_FIELDS, Gate
from newsstand.sync.feeds import ReaderFeeds, SyncFeed, reader_feeds
from newsstand.sync.jsonresponse import JsonResponse
from newsstand.sync.links import (
    article_links,
    feed_url,
    follow_feed_url,
    follow_page_url,
    icons_as_data,
)
from newsstand.sync.models import AppPassword
from newsstand.sync.queries import EntryFilter

API_VERSION = 3
ITEMS_PER_CALL = 50  # the spec's page size, and the most `with_ids` may name
# A one-pixel transparent GIF, for a publisher without a stored icon: apps expect one per feed.
BLANK_FAVICON = "image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


def _param(request: HttpRequest, name: str) -> str | None:
    if name in request.POST:
        return request.POST[name]
    return request.GET.get(name)


def _has(request: HttpRequest, name: str) -> bool:
    return name in request.GET or name in request.POST


def _int(request: HttpRequest, name: str) -> int | None:
    raw = (_param(request, name) or "").strip()
    return int(raw) if raw.lstrip("-").isdigit() else None


def _unix(moment: datetime | None) -> int:
    return int(moment.timestamp()) if moment else 0


def _ids(values: list[int]) -> str:
    return ",".join(str(i) for i in values)


def _flag(article: Any, annotation: str) -> int:
    """0 or 1 from a flag queries.mark_state sets (the model does not declare it)."""
    return int(bool(getattr(article, annotation)))


def _feeds_groups(reader: ReaderFeeds) -> list[dict[str, Any]]:
    return [
        {"group_id": pk, "feed_ids": _ids(reader.ids_in_category(pk))}
        for pk, _ in reader.categories()
    ]


def _items(
    request: HttpRequest, client: AppPassword, now: datetime, reader: ReaderFeeds
) -> dict[str, Any]:
    user = client.user
    with_ids = _param(request, "with_ids")
    since_id, max_id = _int(request, "since_id"), _int(request, "max_id")
    if with_ids is not None:
        wanted = [int(i) for i in with_ids.split(",") if i.strip().isdigit()][:ITEMS_PER_CALL]
        qs = queries.entries(user, now, EntryFilter(ids=tuple(wanted)), reader).order_by("pk")
    elif max_id is not None:
        # Older items, newest first; max_id=0 asks for the newest.
        flt = EntryFilter(before_id=max_id) if max_id > 0 else EntryFilter()
        qs = queries.entries(user, now, flt, reader).order_by("-pk")
    else:
        after = EntryFilter(after_id=since_id or 0)
        qs = queries.entries(user, now, after, reader).order_by("pk")
    total = tallies.kept_total(user, now, "fever-total", EntryFilter(), reader)
    articles = queries.mark_state(user, list(qs.only(*ENTRY_FIELDS)[:ITEMS_PER_CALL]))
    gate = Gate(user, articles, now)
    items = []
    link_of = article_links()
    for article in articles:
        link = link_of(article)
        items.append(
            {
                "id": article.pk,
                "feed_id": reader.feed_of(article),
                "title": article.title,
                "author": ", ".join(a for a in article.authors if a),
                "html": gate.show(article, link).html,
                "url": link,
                "is_saved": _flag(article, "is_starred"),
                "is_read": _flag(article, "is_read"),
                "created_on_time": _unix(article.published_at or article.fetched_at),
            }
        )
    return {"items": items, "total_items": total}


def _mark(
    request: HttpRequest, client: AppPassword, now: datetime, reader: ReaderFeeds
) -> dict[str, Any]:
    """`mark=item|feed|group`, `as=read|unread|saved|unsaved`, `id`, and `before` for feed/group."""
    user = client.user
    kind, as_, target = _param(request, "mark"), _param(request, "as"), _int(request, "id")
    if target is None:
        return {}
    if kind == "item":
        if not queries.entries(user, now, EntryFilter(ids=(target,)), reader).exists():
            return {}
        if as_ in ("read", "unread"):
            actions.set_read(user, [target], as_ == "read", now)
            return {"unread_item_ids": _unread_ids(client, now, reader)}
        if as_ in ("saved", "unsaved"):
            actions.set_starred(user, target, as_ == "saved")
            return {"saved_item_ids": _saved_ids(client, now, reader)}
        return {}
    if kind in ("feed", "group") and as_ == "read":
        before = _int(request, "before")
        if before is not None and not 0 <= before < queries.LATEST_TIME.timestamp():
            return {}  # no time the feed's items can have: nothing is marked
        # Group 0 is every feed ("Kindling"); -1, Sparks, holds none here.
        feed_ids: tuple[int, ...] | None = (target,)
        if kind == "group":
            feed_ids = None if target == 0 else tuple(reader.ids_in_category(target))
            if feed_ids == ():
                return {"unread_item_ids": _unread_ids(client, now, reader)}
        flt = EntryFilter(
            read=False,
            feed_ids=feed_ids,
            published_before=datetime.fromtimestamp(before, tz=UTC) if before else None,
        )
        ids = list(queries.entries(user, now, flt, reader).values_list("pk", flat=True))
        actions.set_read(user, ids, True, now)
        return {"unread_item_ids": _unread_ids(client, now, reader)}
    return {}


def _unread_ids(client: AppPassword, now: datetime, reader: ReaderFeeds) -> str:
    qs = queries.by_id(queries.entries(client.user, now, EntryFilter(read=False), reader))
    return _ids(list(qs.values_list("pk", flat=True)))


def _saved_ids(client: AppPassword, now: datetime, reader: ReaderFeeds) -> str:
    qs = queries.by_id(queries.entries(client.user, now, EntryFilter(starred=True), reader))
    return _ids(list(qs.values_list("pk", flat=True)))


def _feed_json(feed: SyncFeed, now: datetime) -> dict[str, Any]:
    publisher = feed.publisher
    return {
        "id": feed.id,
        "favicon_id": feed.id,
        "title": feed.title,
        "url": feed_url(publisher) if publisher else follow_feed_url(feed),
        "site_url": publisher.homepage if publisher else follow_page_url(feed),
        "is_spark": 0,
        "last_updated_on_time": _unix(now),
    }


def _too_many(base: dict[str, Any], limited: Throttled) -> JsonResponse:
    response = JsonResponse(base | {"error": "too many requests"}, status=429)
    response["Retry-After"] = str(limited.retry_after_s)
    return response


@csrf_exempt
def api(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    base: dict[str, Any] = {"api_version": API_VERSION, "auth": 0}
    api_key = (_param(request, "api_key") or "").strip()
    if not api_key:
        return JsonResponse(base)
    client = sign_in(request, "fever", lambda _: actions.use_fever_key(api_key, now))
    if client is None:
        return JsonResponse(base)
    if isinstance(client, Throttled):
        return _too_many(base, client)
    limited = throttle(client)
    if limited is not None:
        return _too_many(base, limited)
    data = base | {"auth": 1, "last_refreshed_on_time": _unix(now)}
    # The reader's follows, read once for the whole call (marking changes no follow).
    reader = reader_feeds(client.user)
    if _has(request, "mark"):
        data |= _mark(request, client, now, reader)
    if _has(request, "groups"):
        data["groups"] = [{"id": pk, "title": title} for pk, title in reader.categories()]
        data["feeds_groups"] = _feeds_groups(reader)
    if _has(request, "feeds"):
        data["feeds"] = [_feed_json(f, now) for f in reader.all]
        data["feeds_groups"] = _feeds_groups(reader)
    if _has(request, "favicons"):
        # A favicon is numbered as its feed; sections and topics have the blank one.
        stored = icons_as_data(reader.publisher_ids)
        data["favicons"] = [
            {"id": f.id, "data": stored.get(f.id, BLANK_FAVICON)} for f in reader.all
        ]
    if _has(request, "items"):
        data |= _items(request, client, now, reader)
    if _has(request, "links"):
        data["links"] = []
    if _has(request, "unread_item_ids"):
        data["unread_item_ids"] = _unread_ids(client, now, reader)
    if _has(request, "saved_item_ids"):
        data["saved_item_ids"] = _saved_ids(client, now, reader)
    return JsonResponse(data)
