"""The Google Reader API at /api/greader/, as FreshRSS, Miniflux and FeedHQ serve it to apps.

Google never published this API; apps speak what its unofficial notes (pyrfeed's wiki, undoc.in,
Martin Doms's posts) and the servers that copied it describe. Sign-in is ClientLogin: `Email` and
an app password give an `Auth=` token (sync.actions: an HMAC over the app password, void once it
is revoked), sent as `Authorization: GoogleLogin auth=<token>` with every call; write calls also
carry the `T` token from `reader/api/0/token`.

Streams: `user/-/state/com.google/reading-list` (every entry), `…/read`, `…/starred`, `feed/<id>`
(a followed publisher, section or topic: sync.feeds) and the folders `user/-/label/Following`
(the publishers), `…/Sections` and `…/Topics` (when the reader follows any). Streams
run in the order Newsstand stored the articles (Google Reader's crawl order), newest first unless
`r=o`; `ot`/`nt` bound the time stored, `xt`/`it` exclude or keep read or starred entries, `n`
is the page size and `c` the continuation (the last item's id). Items carry their id in the long
form `tag:google.com,2005:reader/item/<16 hex>`; calls accept that or the decimal short form.
Every item's content passes the gate (`sync.entries`), as in the Miniflux and Fever APIs.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from newsstand.articles.models import Article
from newsstand.sync import actions, counters, queries
from newsstand.sync.clients import Throttled, sign_in, throttle
from newsstand.sync.entries import ENTRY_FIELDS
from newsstand.sync.feeds import ReaderFeeds, reader_feeds
from newsstand.sync.greader_items import (
    CONTENT_TYPE_TEXT,
    DEFAULT_N,
    EPOCH,
    IGNORED_TAGS,
    ITEM_PREFIX,
    KEPT_UNREAD,
    LABEL,
    MAX_IDS,
    MAX_ITEMS,
    MICROSECONDS_DIGITS,
    READ,
    READING_LIST,
    STARRED,
    Item,
    Stream,
    atom_response,
    contents_json,
    items_of,
    origin_of,
    usec,
)
from newsstand.sync.jsonresponse import JsonResponse
from newsstand.sync.links import (
    READ_ONLY,
    icon_link,
    site,
)
from newsstand.sync.models import AppPassword
from newsstand.sync.queries import EntryFilter

View = Callable[..., HttpResponse]


class BadRequest(ValueError):
    pass


class NotFound(LookupError):
    pass


def text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type=CONTENT_TYPE_TEXT)


def too_many(limited: Throttled) -> HttpResponse:
    response = text("Too many requests: slow down.", 429)
    response["Retry-After"] = str(limited.retry_after_s)
    return response


def unauthorized(bad_token: bool = False) -> HttpResponse:
    response = text("Unauthorized", 401)
    if bad_token:
        # What Google Reader sent for a stale `T`: apps fetch a new one and try again.
        response["X-Reader-Google-Bad-Token"] = "true"
    return response


def _auth_token(request: HttpRequest) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    name, sep, token = value.strip().partition("=")
    if scheme != "GoogleLogin" or not sep or name.strip().lower() != "auth":
        return ""
    return token.strip()


def _values(request: HttpRequest, name: str) -> list[str]:
    """A parameter's values from the form body and the query string (apps use either)."""
    return request.POST.getlist(name) + request.GET.getlist(name)


def _value(request: HttpRequest, name: str) -> str:
    values = _values(request, name)
    return values[0].strip() if values else ""


# What some apps send as `T` instead of the token from /token: FeedMe sends none, Reeder "x"
# (FreshRSS accepts both). T guards against cross-site requests riding a cookie; every call
# here is signed in by an Authorization header, which no other site can make a browser send,
# so accepting them opens nothing. Any other wrong T is refused, so an app holding an old
# token learns to fetch a new one.
APP_EDIT_TOKENS = frozenset({"", "x"})


def _edit_token_ok(client: AppPassword, token: str) -> bool:
    return token in APP_EDIT_TOKENS or actions.is_greader_edit_token(client, token)


def endpoint(*methods: str, write: bool = False) -> Callable[[View], View]:
    """A Google Reader call: the auth token, the rate per app password, `T` for write calls."""

    def wrap(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def handle(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            token = _auth_token(request)
            if not token:
                return unauthorized()
            client = sign_in(request, "greader", lambda _: actions.use_greader_token(token))
            if client is None:
                return unauthorized()
            if isinstance(client, Throttled):
                return too_many(client)
            limited = throttle(client)
            if limited is not None:
                return too_many(limited)
            allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())
            if request.method not in allowed:
                response = text(f"Use {' or '.join(methods)}.", 405)
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            if write and not _edit_token_ok(client, _value(request, "T")):
                return unauthorized(bad_token=True)
            try:
                return view(request, client, **kwargs)
            except BadRequest as exc:
                return text(str(exc), 400)
            except NotFound as exc:
                return text(str(exc), 404)

        return handle

    return wrap


# Item ids ----------------------------------------------------------------------------------


def parse_item_id(raw: str) -> int:
    """An article id from the long form (prefix and hex), bare 16-digit hex, or decimal."""
    value = raw.strip()
    try:
        if value.startswith(ITEM_PREFIX):
            return int(value.removeprefix(ITEM_PREFIX), 16)
        if len(value) == 16 and re.fullmatch(r"[0-9a-fA-F]{16}", value):
            return int(value, 16)
        return int(value)
    except ValueError:
        raise BadRequest(f"Not an item id: {raw!r}") from None


def _item_ids(request: HttpRequest, limit: int) -> list[int]:
    raw = [v for v in _values(request, "i") if v.strip()]
    if not raw:
        raise BadRequest("Name the items with i=")
    if len(raw) > limit:
        raise BadRequest(f"At most {limit} items a call")
    return list(dict.fromkeys(parse_item_id(v) for v in raw))


# Streams -----------------------------------------------------------------------------------


def _canonical(stream_id: str) -> str:
    # `user/<id>/…` is the same stream as `user/-/…` (the signed-in reader).
    return re.sub(r"^user/\d+/", "user/-/", stream_id.strip())


def stream_of(user: Any, stream_id: str, reader: ReaderFeeds) -> Stream:
    """The stream an id names, among the reader's feeds (`reader`, read once a call)."""
    sid = _canonical(stream_id)
    if sid in ("", READING_LIST):
        return Stream(READING_LIST, "Reading list", EntryFilter())
    if sid == READ:
        return Stream(READ, "Read", EntryFilter(read=True))
    if sid == STARRED:
        return Stream(STARRED, "Starred", EntryFilter(starred=True))
    for category_id, title in reader.categories():
        if sid == LABEL + title:
            feed_ids = tuple(reader.ids_in_category(category_id))
            return Stream(sid, title, EntryFilter(feed_ids=feed_ids))
    rest = sid.removeprefix("feed/")
    feed = reader.get(int(rest)) if rest != sid and rest.isascii() and rest.isdigit() else None
    if feed is not None:
        return Stream(sid, feed.title, EntryFilter(feed_ids=(feed.id,)))
    raise NotFound(f"No such stream: {stream_id}")


def _narrowed(flt: EntryFilter, target: str, keep: bool) -> EntryFilter | None:
    """`flt` with `it` (keep=True) or `xt` (keep=False) `target` applied; None if it empties it."""
    sid = _canonical(target)
    if sid in (READ, KEPT_UNREAD):
        read = keep if sid == READ else not keep
        if flt.read is not None and flt.read != read:
            return None
        return dataclasses.replace(flt, read=read)
    if sid == STARRED:
        if flt.starred is not None and flt.starred != keep:
            return None
        return dataclasses.replace(flt, starred=keep)
    return flt  # other targets (labels, feeds, sharing) narrow nothing Newsstand keeps


def _time(request: HttpRequest, name: str) -> datetime | None:
    raw = _value(request, name)
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit():
        raise BadRequest(f"{name} is a Unix time in seconds")
    try:
        if len(raw) >= MICROSECONDS_DIGITS:
            moment = EPOCH + timedelta(microseconds=int(raw))
        else:
            moment = EPOCH + timedelta(seconds=int(raw))
    except OverflowError:
        moment = queries.LATEST_TIME
    if moment >= queries.LATEST_TIME:
        raise BadRequest(f"{name} is past the year 9999")
    return moment


def _count(request: HttpRequest, most: int) -> int:
    raw = _value(request, "n")
    if not raw:
        return min(DEFAULT_N, most)
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise BadRequest("n is a positive number")
    return min(int(raw), most)


@dataclasses.dataclass(frozen=True)
class Page:
    ids: list[int]
    continuation: str | None


def stream_page(
    request: HttpRequest, user: Any, stream: Stream, most: int, reader: ReaderFeeds
) -> Page:
    """One page of `stream`'s entry ids as the request's n, r, c, ot, nt, it and xt ask."""
    flt: EntryFilter | None = stream.flt
    for target in _values(request, "it"):
        flt = _narrowed(flt, target, keep=True) if flt else None
    for target in _values(request, "xt"):
        flt = _narrowed(flt, target, keep=False) if flt else None
    n = _count(request, most)
    if flt is None:
        return Page([], None)
    oldest_first = _value(request, "r") == "o"
    after = _time(request, "ot")
    before = _time(request, "nt")
    flt = dataclasses.replace(flt, stored_after=after, stored_before=before)
    cont = _value(request, "c")
    if cont:
        if not cont.isascii() or not cont.isdigit():
            raise BadRequest("Not a continuation of this stream")
        if oldest_first:
            flt = dataclasses.replace(flt, after_id=int(cont))
        else:
            flt = dataclasses.replace(flt, before_id=int(cont))
    qs = queries.entries(user, timezone.now(), flt, reader)
    if most > MAX_ITEMS:
        # Long id lists: found through the window's index, then sorted (queries.by_id).
        qs = queries.by_id(qs, newest_first=not oldest_first)
    else:
        # A page of items: walking the ids from the newest (or the continuation) finds it
        # after a few rows when most entries match.
        qs = qs.order_by("pk" if oldest_first else "-pk")
    ids = list(qs.values_list("pk", flat=True)[: n + 1])
    more = len(ids) > n
    ids = ids[:n]
    return Page(ids, str(ids[-1]) if more else None)


def _articles(user: Any, ids: list[int], now: datetime, reader: ReaderFeeds) -> list[Article]:
    """The reader's entries among `ids`, in the order of `ids`, ready for items."""
    entries = queries.entries(user, now, EntryFilter(ids=tuple(ids)), reader)
    found = {a.pk: a for a in entries.only(*ENTRY_FIELDS)}
    return [found[i] for i in ids if i in found]


# Calls -------------------------------------------------------------------------------------


@csrf_exempt
def client_login(request: HttpRequest) -> HttpResponse:
    """`Email` and an app password (`Passwd`) for the auth token, as Google's ClientLogin."""
    if request.method != "POST":
        response = text("Use POST.", 405)
        response["Allow"] = "POST"
        return response
    email, password = _value(request, "Email"), _value(request, "Passwd")
    if not password:
        return text("Error=BadAuthentication\n", 401)
    found = sign_in(
        request,
        "greader",
        lambda may_hash: actions.greader_login(email, password, may_hash=may_hash),
        email=email,
    )
    if found is None:
        return text("Error=BadAuthentication\n", 401)
    if isinstance(found, Throttled):
        return too_many(found)
    client, token = found
    limited = throttle(client)
    if limited is not None:
        return too_many(limited)
    if _value(request, "output") == "json":
        return JsonResponse({"SID": token, "LSID": "null", "Auth": token})
    # SID and LSID are there for old clients that parse three lines; only Auth is used.
    return text(f"SID={token}\nLSID=null\nAuth={token}\n")


@csrf_exempt
def ping(request: HttpRequest) -> HttpResponse:
    """The API's root: some apps check it answers before they sign in."""
    return text("OK")


@endpoint("GET", "POST")
def token(request: HttpRequest, client: AppPassword) -> HttpResponse:
    return text(actions.greader_edit_token(client) + "\n")


@endpoint("GET")
def user_info(request: HttpRequest, client: AppPassword) -> HttpResponse:
    user = client.user
    return JsonResponse(
        {
            "userId": str(user.pk),
            "userName": user.email,
            "userProfileId": str(user.pk),
            "userEmail": user.email,
            "isBloggerUser": False,
            "signupTimeSec": int(user.date_joined.timestamp()),
            "isMultiLoginEnabled": False,
        }
    )


def _folder(title: str, **extra: str) -> dict[str, str]:
    return {"id": LABEL + title, "label": title, **extra}


@endpoint("GET")
def subscription_list(request: HttpRequest, client: AppPassword) -> HttpResponse:
    subscriptions = []
    for feed in reader_feeds(client.user).all:
        origin = origin_of(feed)
        subscriptions.append(
            {
                "id": origin.stream_id,
                "title": feed.title,
                "categories": [_folder(feed.category_title, type="folder")],
                "sortid": f"{feed.id:08X}",
                "firstitemmsec": "0",
                "url": origin.feed_url,
                "htmlUrl": origin.html_url,
                # A section or topic has no icon of its own: the site's.
                "iconUrl": icon_link(feed.publisher) if feed.publisher else _site_icon(),
            }
        )
    return JsonResponse({"subscriptions": subscriptions})


@endpoint("GET")
def tag_list(request: HttpRequest, client: AppPassword) -> HttpResponse:
    folders = [_folder(title, type="folder") for _, title in reader_feeds(client.user).categories()]
    return JsonResponse({"tags": [{"id": STARRED}, *folders]})


@endpoint("GET")
def unread_count(request: HttpRequest, client: AppPassword) -> HttpResponse:
    reader = reader_feeds(client.user)
    counts = counters.unread_by_feed(client.user, timezone.now())
    rows = [
        {"id": f"feed/{pk}", "count": c.unread, "newestItemTimestampUsec": str(usec(c.newest))}
        for pk, c in sorted(counts.items())
    ]
    for category_id, title in reader.categories():
        counted = [counts[i] for i in reader.ids_in_category(category_id) if i in counts]
        rows.append(_unread_row(LABEL + title, counted))
    rows.append(_unread_row(READING_LIST, list(counts.values())))
    total = sum(c.unread for c in counts.values())
    return JsonResponse({"max": total, "unreadcounts": rows})


def _site_icon() -> str:
    return site(static("reader/icons/icon-192.png"))


def _unread_row(stream_id: str, counts: list[counters.FeedUnread]) -> dict[str, Any]:
    newest = max((usec(c.newest) for c in counts), default=0)
    unread = sum(c.unread for c in counts)
    return {"id": stream_id, "count": unread, "newestItemTimestampUsec": str(newest)}


@endpoint("GET")
def items_ids(request: HttpRequest, client: AppPassword) -> HttpResponse:
    reader = reader_feeds(client.user)
    stream = stream_of(client.user, _value(request, "s"), reader)
    page = stream_page(request, client.user, stream, MAX_IDS, reader)
    data: dict[str, Any] = {"itemRefs": [{"id": str(i)} for i in page.ids]}
    if page.continuation:
        data["continuation"] = page.continuation
    return JsonResponse(data)


@endpoint("GET", "POST")
def items_contents(request: HttpRequest, client: AppPassword) -> HttpResponse:
    user, now = client.user, timezone.now()
    ids = sorted(_item_ids(request, MAX_ITEMS), reverse=_value(request, "r") != "o")
    reader = reader_feeds(user)
    items = items_of(user, _articles(user, ids, now, reader), now, reader)
    return contents_json(request, Stream(READING_LIST, "Reading list", EntryFilter()), items, None)


def _stream_items(
    request: HttpRequest, client: AppPassword, stream_id: str
) -> tuple[Stream, list[Item], str | None]:
    user, now = client.user, timezone.now()
    # The reader's follows read once for the stream, its page and its items.
    reader = reader_feeds(user)
    stream = stream_of(user, stream_id or _value(request, "s"), reader)
    page = stream_page(request, user, stream, MAX_ITEMS, reader)
    items = items_of(user, _articles(user, page.ids, now, reader), now, reader)
    return stream, items, page.continuation


@endpoint("GET", "POST")
def stream_contents(request: HttpRequest, client: AppPassword, stream_id: str = "") -> HttpResponse:
    return contents_json(request, *_stream_items(request, client, stream_id))


@endpoint("GET")
def atom(request: HttpRequest, client: AppPassword, stream_id: str = "") -> HttpResponse:
    return atom_response(request, *_stream_items(request, client, stream_id))


def _tags(request: HttpRequest, name: str) -> set[str]:
    return {_canonical(t) for t in _values(request, name) if t.strip()}


@endpoint("POST", write=True)
def edit_tag(request: HttpRequest, client: AppPassword) -> HttpResponse:
    """Add (`a`) or remove (`r`) read, kept-unread and starred on items (`i`)."""
    user, now = client.user, timezone.now()
    add, remove = _tags(request, "a"), _tags(request, "r")
    if not add and not remove:
        raise BadRequest("Name a tag to add (a=) or remove (r=)")
    if add & remove:
        raise BadRequest("A tag cannot be added and removed at once")
    mark_read = READ in add or KEPT_UNREAD in remove
    mark_unread = READ in remove or KEPT_UNREAD in add
    if mark_read and mark_unread:
        raise BadRequest("An item cannot be marked read and unread at once")
    labels = {t for t in add | remove if t.startswith(LABEL) or t.startswith("feed/")}
    if labels:
        return text(READ_ONLY, 403)
    unknown = (add | remove) - {READ, STARRED, KEPT_UNREAD} - IGNORED_TAGS
    if unknown:
        raise BadRequest(f"Unknown tag: {sorted(unknown)[0]}")
    wanted = _item_ids(request, MAX_IDS)
    ids = list(
        queries.entries(user, now, EntryFilter(ids=tuple(wanted))).values_list("pk", flat=True)
    )
    if mark_read or mark_unread:
        actions.set_read(user, ids, mark_read, now)
    if STARRED in add or STARRED in remove:
        actions.set_starred_many(user, ids, STARRED in add)
    return text("OK")


@endpoint("POST", write=True)
def mark_all_as_read(request: HttpRequest, client: AppPassword) -> HttpResponse:
    """Every unread entry of stream `s` read, or those stored up to `ts` (seconds or µs)."""
    user, now = client.user, timezone.now()
    reader = reader_feeds(user)
    stream = stream_of(user, _value(request, "s"), reader)
    until = _time(request, "ts")
    flt = _narrowed(stream.flt, READ, keep=False)
    if flt is not None:
        if until is not None:
            # Inclusive: an app sends the newest item it has shown, and that one is read too.
            in_usec = len(_value(request, "ts")) >= MICROSECONDS_DIGITS
            step = timedelta(microseconds=1) if in_usec else timedelta(seconds=1)
            flt = dataclasses.replace(flt, stored_before=until + step)
        ids = list(queries.entries(user, now, flt, reader).values_list("pk", flat=True))
        actions.set_read(user, ids, True, now)
    return text("OK")


@endpoint("GET", "POST")
def read_only(request: HttpRequest, client: AppPassword, **kwargs: Any) -> HttpResponse:
    """Subscribing, renaming and deleting folders: Newsstand's publishers are chosen on the site."""
    return text(READ_ONLY, 403)


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return text("Not found: this Google Reader call does not exist here.", 404)
