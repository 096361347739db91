"""The Miniflux v1 API at /v1/, as Miniflux 2 documents it, for apps that speak it.

Authentication: an app password as `X-Auth-Token`, or HTTP Basic with the reader's email and an
app password. Field names and JSON types follow Miniflux's own models (feeds, categories,
entries, counters, errors as {"error_message": …}). Calls that would change what Newsstand
publishes (adding feeds, categories, users, editing entries) answer 403 and say why.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from newsstand.articles.models import MAX_ID, Article
from newsstand.personal.state import is_saved
from newsstand.sync import actions, counters, queries, tallies
from newsstand.sync.clients import Throttled, basic_or_token, throttle
from newsstand.sync.entries import ENTRY_FIELDS
from newsstand.sync.feeds import ReaderFeeds, SyncFeed, reader_feeds
from newsstand.sync.jsonresponse import JsonResponse
from newsstand.sync.links import (
    READ_ONLY,
    icons_as_data,
)
from newsstand.sync.miniflux_json import (
    category_json,
    entries_page,
    feed_json,
    rfc3339,
)
from newsstand.sync.models import AppPassword
from newsstand.sync.queries import EntryFilter

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000  # entries a page at most: each carries its body
MAX_IDS_PER_UPDATE = 10_000
ORDER_FIELDS = {
    "id": "pk",
    "status": "is_read",
    "published_at": "published_at",
    "created_at": "fetched_at",
    "changed_at": "fetched_at",
    "title": "title",
    "category_id": "pk",
    "category_title": "pk",
}

View = Callable[..., HttpResponse]


class BadRequest(ValueError):
    pass


class NotFound(LookupError):
    pass


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error_message": message}, status=status)


def too_many(limited: Throttled) -> JsonResponse:
    response = error(429, "Too many requests: slow down.")
    response["Retry-After"] = str(limited.retry_after_s)
    return response


def no_content() -> HttpResponse:
    return HttpResponse(status=204)


def endpoint(*methods: str) -> Callable[[View], View]:
    """A Miniflux call: authenticated by app password, throttled per app password, JSON errors.

    Other methods on a known path answer 403 (the write calls Newsstand does not offer).
    """

    def wrap(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def handle(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            client = basic_or_token(request, "X-Auth-Token", "miniflux")
            if client is None:
                return error(401, "Access Unauthorized")
            if isinstance(client, Throttled):
                return too_many(client)
            limited = throttle(client)
            if limited is not None:
                return too_many(limited)
            if request.method not in methods and not (
                request.method == "HEAD" and "GET" in methods
            ):
                return error(403, READ_ONLY)
            try:
                return view(request, client, **kwargs)
            except BadRequest as exc:
                return error(400, str(exc))
            except NotFound as exc:
                return error(404, str(exc))

        return handle

    return wrap


def _int(request: HttpRequest, name: str, default: int | None = None) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"Invalid {name} value: {raw!r}") from None


def _time(request: HttpRequest, name: str) -> datetime | None:
    value = _int(request, name)
    if value is None or value <= 0:
        return None
    try:
        moment = datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        moment = None
    if moment is None or moment >= queries.LATEST_TIME:
        raise BadRequest(f"Invalid {name} value: {value} is past the year 9999")
    return moment


def _bool(request: HttpRequest, name: str) -> bool | None:
    raw = request.GET.get(name, "").strip().lower()
    if not raw:
        return None
    if raw in ("1", "t", "true"):
        return True
    if raw in ("0", "f", "false"):
        return False
    raise BadRequest(f"Invalid {name} value: {raw!r}")


def entry_filter(
    request: HttpRequest,
    reader: ReaderFeeds,
    *,
    feed_id: int | None = None,
    category_id: int | None = None,
) -> EntryFilter | None:
    """The filter an entries request asks for; None when it can match nothing."""
    statuses = set(request.GET.getlist("status"))
    unknown = statuses - {"read", "unread", "removed"}
    if unknown:
        raise BadRequest(f"Invalid status value: {sorted(unknown)[0]!r}")
    read: bool | None = None
    wanted = statuses - {"removed"}
    if statuses and not wanted:
        return None  # only removed entries: Newsstand removes none
    if wanted == {"read"}:
        read = True
    elif wanted == {"unread"}:
        read = False
    category = category_id if category_id is not None else _int(request, "category_id")
    feed = feed_id if feed_id is not None else _int(request, "feed_id")
    feed_ids: tuple[int, ...] | None = (feed,) if feed else None
    if category is not None:
        in_category = tuple(reader.ids_in_category(category))
        if not in_category:
            return None
        feed_ids = tuple(i for i in feed_ids if i in in_category) if feed_ids else in_category
        if not feed_ids:
            return None
    return EntryFilter(
        read=read,
        starred=_bool(request, "starred"),
        feed_ids=feed_ids,
        published_after=_time(request, "after") or _time(request, "published_after"),
        published_before=_time(request, "before") or _time(request, "published_before"),
        after_id=_int(request, "after_entry_id"),
        before_id=_int(request, "before_entry_id"),
        search=request.GET.get("search", ""),
    )


@dataclass(frozen=True)
class _Order:
    """A list's `order` and `direction`, as asked (checked once, `_order`)."""

    name: str  # Miniflux's name: "published_at", "status", "category_title", …
    field: str  # the Article field (ORDER_FIELDS)
    descending: bool

    @property
    def seeks(self) -> bool:
        """Whether pages are sought from where the last ended (`_page`): not for orders by
        state or category, whose values no cursor holds."""
        return self.field != "is_read" and not self.name.startswith("category")

    @property
    def bounds_dates(self) -> bool:
        """Whether a cursor bounds the publication dates from below (`queries.entries`)."""
        return self.field == "published_at" and not self.descending

    def apply(self, qs: QuerySet[Article]) -> QuerySet[Article]:
        # The database's own NULL order (only an undated saved article has none): asking
        # PostgreSQL for NULLS FIRST on ASC stops it walking the published_at index, and it
        # sorts every entry, bodies included, for a page.
        if self.descending:
            return qs.order_by(F(self.field).desc(), "-pk")
        return qs.order_by(F(self.field).asc(), "pk")


def _order(request: HttpRequest) -> _Order:
    order = request.GET.get("order", "published_at")
    direction = request.GET.get("direction", "asc")
    if order not in ORDER_FIELDS:
        raise BadRequest(f"Invalid order value: {order!r}")
    if direction not in ("asc", "desc"):
        raise BadRequest(f"Invalid direction value: {direction!r}")
    return _Order(order, ORDER_FIELDS[order], direction == "desc")


def _list_entries(
    request: HttpRequest,
    client: AppPassword,
    feed_id: int | None,
    category_id: int | None = None,
) -> HttpResponse:
    user, now = client.user, timezone.now()
    reader = reader_feeds(user)
    if feed_id is not None and not reader.has(feed_id):
        raise NotFound("Feed not found")
    flt = entry_filter(request, reader, feed_id=feed_id, category_id=category_id)
    if flt is None:
        return JsonResponse({"total": 0, "entries": []})
    order = _order(request)
    # A limit below 1 gives the default page, a negative offset the first.
    limit = _int(request, "limit", DEFAULT_LIMIT) or DEFAULT_LIMIT
    limit = min(limit, MAX_LIMIT) if limit > 0 else DEFAULT_LIMIT
    # Past the database's OFFSET (a 64-bit integer) every list is empty anyway.
    offset = min(max(_int(request, "offset", 0) or 0, 0), MAX_ID)
    scope, pages_scope = queries.kept_scopes(user, now)
    total = tallies.kept_total(user, now, f"miniflux-total:{flt!r}", flt, reader, scope)

    def ordered(not_before: datetime | None = None) -> QuerySet[Article]:
        qs = queries.entries(user, now, flt, reader, not_before=not_before, scope=scope)
        if order.field == "is_read":
            qs = queries.with_state(qs, user)
        return order.apply(qs.only(*ENTRY_FIELDS))

    page = _page(order, pages_scope, flt, ordered, offset, limit)
    return JsonResponse({"total": total, "entries": entries_page(user, page, now, reader)})


def _page(
    order: _Order,
    scope: str,
    flt: EntryFilter,
    ordered: Callable[..., QuerySet[Article]],
    offset: int,
    limit: int,
) -> list[Article]:
    """`ordered()[offset : offset + limit]`, sought from where the app's previous page ended.
    `ordered(not_before)` is the ordered list, bounded below by a publication time when sought
    by date (`queries.entries`).

    Apps page with offset=0, 100, 200…; each page keeps where it ended (for as long as the
    reader's state and the articles stay the same: `queries.kept_scopes`), so the next one seeks
    there instead of walking every row before it.
    """
    if not order.seeks:
        return list(ordered()[offset : offset + limit])

    def key(position: int) -> str:
        what = f"miniflux-cursor:{flt!r}:{order.name}:{order.descending}:{position}"
        return queries.kept_key(scope, what)

    field, descending = order.field, order.descending
    cursor = cache.get(key(offset)) if offset else None
    if isinstance(cursor, queries.Cursor):
        sought = ordered(cursor.value) if order.bounds_dates else ordered()
        page = list(queries.after_cursor(sought, field, cursor, descending=descending)[:limit])
        if len(page) < limit:
            # Undated rows are below any bound: from the list unbounded.
            undated = queries.nulls_after(ordered(), field, descending=descending)
            page += list(undated[: limit - len(page)])
    else:
        page = list(ordered()[offset : offset + limit])
    if len(page) == limit:
        last = page[-1]
        value = last.pk if field == "pk" else getattr(last, field)
        after = queries.Cursor(value, last.pk)
        # Written once, not on every call that ends here: a write is a file on the default cache.
        if value is not None and cache.get(key(offset + limit)) != after:
            cache.set(key(offset + limit), after, queries.COUNT_KEEP_S)
    return page


def _one_entry(
    client: AppPassword, entry_id: int, feed_ids: tuple[int, ...] | None = None
) -> HttpResponse:
    user, now = client.user, timezone.now()
    flt = EntryFilter(ids=(entry_id,), feed_ids=feed_ids)
    article = queries.entries(user, now, flt).only(*ENTRY_FIELDS).first()
    if article is None:
        raise NotFound("Entry not found")
    return JsonResponse(entries_page(user, [article], now)[0])


def _followed(client: AppPassword, feed_id: int) -> SyncFeed:
    feed = reader_feeds(client.user).get(feed_id)
    if feed is None:
        raise NotFound("Feed not found")
    return feed


def _mark_all_read(client: AppPassword, feed_ids: list[int]) -> HttpResponse:
    now = timezone.now()
    flt = EntryFilter(read=False, feed_ids=tuple(feed_ids))
    ids = list(queries.entries(client.user, now, flt).values_list("pk", flat=True))
    actions.set_read(client.user, ids, True, now)
    return no_content()


@endpoint("GET")
def me(request: HttpRequest, client: AppPassword) -> HttpResponse:
    user = client.user
    return JsonResponse(
        {
            "id": user.pk,
            "username": user.email,
            "is_admin": False,
            "theme": "system_serif",
            "language": "en_US",
            "timezone": settings.TIME_ZONE,
            "entry_sorting_direction": "desc",
            "entry_sorting_order": "published_at",
            "stylesheet": "",
            "custom_js": "",
            "external_font_hosts": "",
            "google_id": "",
            "openid_connect_id": "",
            "entries_per_page": DEFAULT_LIMIT,
            "keyboard_shortcuts": True,
            "show_reading_time": True,
            "entry_swipe": True,
            "gesture_nav": "tap",
            "last_login_at": rfc3339(user.last_login) if user.last_login else None,
            "display_mode": "standalone",
            "default_reading_speed": 230,
            "cjk_reading_speed": 500,
            "default_home_page": "unread",
            "categories_sorting_order": "unread_count",
            "mark_read_on_view": True,
            "mark_read_on_media_player_completion": False,
            "media_playback_rate": 1.0,
            "block_filter_entry_rules": "",
            "keep_filter_entry_rules": "",
            "always_open_external_links": False,
        }
    )


@endpoint("GET")
def categories(request: HttpRequest, client: AppPassword) -> HttpResponse:
    user = client.user
    reader = reader_feeds(user)
    if not _bool(request, "counts"):
        listed = [category_json(user, pk, title) for pk, title in reader.categories()]
        return JsonResponse(listed, safe=False)
    _, unreads = counters.counters(user, timezone.now())
    counted = []
    for pk, title in reader.categories():
        ids = reader.ids_in_category(pk)
        unread = sum(unreads.get(i, 0) for i in ids)
        counted.append(category_json(user, pk, title, unread=unread, feeds=len(ids)))
    return JsonResponse(counted, safe=False)


def _category_or_404(client: AppPassword, category_id: int) -> list[int]:
    """The ids of the category's feeds."""
    reader = reader_feeds(client.user)
    if category_id not in dict(reader.categories()):
        raise NotFound("Category not found")
    return reader.ids_in_category(category_id)


@endpoint("GET")
def category_feeds(request: HttpRequest, client: AppPassword, category_id: int) -> HttpResponse:
    _category_or_404(client, category_id)
    return _feed_list(client, category_id)


@endpoint("GET")
def category_entries(request: HttpRequest, client: AppPassword, category_id: int) -> HttpResponse:
    _category_or_404(client, category_id)
    return _list_entries(request, client, None, category_id)


@endpoint("GET")
def category_entry(
    request: HttpRequest, client: AppPassword, category_id: int, entry_id: int
) -> HttpResponse:
    return _one_entry(client, entry_id, tuple(_category_or_404(client, category_id)))


@endpoint("PUT")
def category_mark_all_read(
    request: HttpRequest, client: AppPassword, category_id: int
) -> HttpResponse:
    return _mark_all_read(client, _category_or_404(client, category_id))


@endpoint("PUT")
def refresh(request: HttpRequest, client: AppPassword, **ids: int) -> HttpResponse:
    """Newsstand polls every publisher itself: a refresh asks nothing more of it."""
    return no_content()


def _feed_list(client: AppPassword, category_id: int | None = None) -> HttpResponse:
    user, now = client.user, timezone.now()
    reader = reader_feeds(user)
    listed = reader.all if category_id is None else reader.in_category(category_id)
    return JsonResponse([feed_json(user, f, now) for f in listed], safe=False)


@endpoint("GET")
def feeds(request: HttpRequest, client: AppPassword) -> HttpResponse:
    return _feed_list(client)


@endpoint("GET")
def feed(request: HttpRequest, client: AppPassword, feed_id: int) -> HttpResponse:
    return JsonResponse(feed_json(client.user, _followed(client, feed_id), timezone.now()))


def _icon_json(publisher_id: int, missing: str) -> HttpResponse:
    data = icons_as_data([publisher_id]).get(publisher_id)
    if data is None:
        raise NotFound(missing)
    return JsonResponse({"id": publisher_id, "data": data, "mime_type": data.split(";", 1)[0]})


@endpoint("GET")
def feed_icon(request: HttpRequest, client: AppPassword, feed_id: int) -> HttpResponse:
    if _followed(client, feed_id).publisher is None:
        raise NotFound("This feed doesn't have any icon")
    return _icon_json(feed_id, "This feed doesn't have any icon")


@endpoint("GET")
def icon(request: HttpRequest, client: AppPassword, icon_id: int) -> HttpResponse:
    # An icon is numbered as its publisher; only those of followed publishers are shown.
    if icon_id not in reader_feeds(client.user).publisher_ids:
        raise NotFound("Icon not found")
    return _icon_json(icon_id, "Icon not found")


@endpoint("GET")
def feed_entries(request: HttpRequest, client: AppPassword, feed_id: int) -> HttpResponse:
    return _list_entries(request, client, feed_id)


@endpoint("GET")
def feed_entry(
    request: HttpRequest, client: AppPassword, feed_id: int, entry_id: int
) -> HttpResponse:
    _followed(client, feed_id)
    return _one_entry(client, entry_id, (feed_id,))


@endpoint("PUT")
def feed_mark_all_read(request: HttpRequest, client: AppPassword, feed_id: int) -> HttpResponse:
    _followed(client, feed_id)
    return _mark_all_read(client, [feed_id])


@endpoint("GET")
def feed_counters(request: HttpRequest, client: AppPassword) -> HttpResponse:
    reads, unreads = counters.counters(client.user, timezone.now())
    return JsonResponse(
        {
            "reads": {str(k): v for k, v in reads.items()},
            "unreads": {str(k): v for k, v in unreads.items()},
        }
    )


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object")
    return body


@endpoint("GET", "PUT")
def entries(request: HttpRequest, client: AppPassword) -> HttpResponse:
    if request.method != "PUT":
        return _list_entries(request, client, None)
    body = _json_body(request)
    ids, status = body.get("entry_ids"), body.get("status")
    if not isinstance(ids, list) or not ids or not all(type(i) is int for i in ids):
        raise BadRequest("The list of entry IDs is required")
    if len(ids) > MAX_IDS_PER_UPDATE:
        raise BadRequest(f"At most {MAX_IDS_PER_UPDATE} entry IDs at a time")
    if status not in ("read", "unread"):
        raise BadRequest("Invalid entry status: use read or unread")
    actions.set_read(client.user, list(queries.possible_ids(ids)), status == "read")
    return no_content()


@endpoint("GET")
def entry(request: HttpRequest, client: AppPassword, entry_id: int) -> HttpResponse:
    return _one_entry(client, entry_id)


@endpoint("GET")
def entry_content(request: HttpRequest, client: AppPassword, entry_id: int) -> HttpResponse:
    """The original content: what the gate lets this reader see, as in the entry itself."""
    response = _one_entry(client, entry_id)
    return JsonResponse({"content": json.loads(response.content)["content"]})


@endpoint("PUT")
def bookmark(request: HttpRequest, client: AppPassword, entry_id: int) -> HttpResponse:
    """Toggle starred, which is Saved on the site."""
    user = client.user
    flt = EntryFilter(ids=(entry_id,))
    if not queries.entries(user, timezone.now(), flt).exists():
        raise NotFound("Entry not found")
    actions.set_starred(user, entry_id, not is_saved(user, entry_id))
    return no_content()


@endpoint()
def read_only(request: HttpRequest, client: AppPassword, **kwargs: Any) -> HttpResponse:
    raise AssertionError("unreachable: every method answers 403")  # pragma: no cover


@csrf_exempt
def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    return error(404, "Not found: this Miniflux call does not exist here.")
