"""A whole-page cache for anonymous readers: home, article, story, publisher and section pages.

Why: at 20 connections on 2 sync workers a request waits behind ~10 others, so a page's p99 is
about ten times its service time. Rendering takes 20-25 ms; a cached copy about 1 ms
(docs/benchmarks.md).

The whole rule, here and nowhere else:

- A request is looked up (and may be stored) only if it is a GET or HEAD with no session cookie,
  no messages cookie and no Authorization header, and its query string holds only parameters the
  pages read (`PAGE_PARAMS`). Without a session cookie nobody is signed in, so the page is the
  anonymous rendering by definition; signed-in readers, staff and members always get a fresh
  page and never see a stored one.
- Only views marked with `@anonymous_page` are stored. For those requests the view sees
  `AnonymousUser` directly, so rendering does not touch the (empty) session.
- A response is stored only if it is a 200, not streamed, sets no cookie, did not read the CSRF
  token or touch the session (it would be someone's own page), does not vary on `*`, and is not
  `Cache-Control: private`, `no-cache` or `no-store`.
- The key is the page's absolute URL plus the reading preferences (theme, text size) exactly as
  the template reads them: at most 12 variants of a page, usually 1-3.
- Entries live `NEWSSTAND_PAGE_CACHE_S` seconds (0 turns the cache off). `bust_pages()` drops them
  all at once (staff changing Our Picks) by moving a generation number on: no key listing needed.
- A stored article page keeps the read it counts (`reads.ReadTarget`); a cached copy still
  counts it, with the same robot and prefetch rules as the view.

Django's own UpdateCacheMiddleware/FetchFromCacheMiddleware were the first choice; why they do
not fit is in docs/decisions.md. This module uses Django's cache framework (any backend, from
NEWSSTAND_CACHE_URL) and only adds the rule above.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import has_vary_header, patch_vary_headers
from django.utils.http import split_directive_names

from newsstand.reader.prefs import read_prefs
from newsstand.reader.reads import READ_TARGET_ATTR, ReadTarget, count_target
from newsstand.web.pagecache import GENERATION_KEY, KEY_PREFIX

logger = logging.getLogger(__name__)

# The only query parameters the cached pages read; any other (utm_source, a typo) bypasses the
# cache instead of filling it with copies of one page.
PAGE_PARAMS = frozenset({"page", "publisher"})
VIEW_FLAG = "anonymous_page_cache"
_STORE_ATTR = "_page_cache_store"
_UNCACHEABLE_DIRECTIVES = frozenset({"private", "no-cache", "no-store"})


@dataclass(frozen=True)
class CachedPage:
    """What is stored: the rendered bytes and headers (never cookies), and the read to replay."""

    generation: int
    content: bytes
    headers: tuple[tuple[str, str], ...]
    read: ReadTarget | None

    def to_response(self) -> HttpResponse:
        return HttpResponse(self.content, headers=dict(self.headers))


def anonymous_page[View: Callable[..., HttpResponseBase]](view: View) -> View:
    """Mark a view whose anonymous rendering may be cached (see the module's rule)."""
    setattr(view, VIEW_FLAG, True)
    return view


def is_cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return False
    if "Authorization" in request.headers:
        return False
    # htmx asks the same URL for a fragment (the next page of cards); fragments are not stored
    # and must never be served in place of the page.
    if "HX-Request" in request.headers:
        return False
    return set(request.GET) <= PAGE_PARAMS


def page_key(request: HttpRequest) -> str:
    """The page's absolute URL and the reader's preferences, as the template reads them."""
    prefs = read_prefs(request.COOKIES)
    url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"{KEY_PREFIX}:{prefs.theme}.{prefs.text_size}:{url}"


def is_storable(response: HttpResponseBase, request: HttpRequest) -> TypeGuard[HttpResponse]:
    """A response that is the same for every anonymous reader with these preferences.

    `Vary: Cookie` alone does not make a page personal: the gate says it on every article page
    (a member's cookie gets another page), which is true, and harmless here because lookups only
    happen without a session cookie. What would make it someone's own page is checked directly:
    a cookie set, the CSRF token read (its cookie is then renewed), or the session touched.
    """
    if not isinstance(response, HttpResponse) or response.status_code != 200:
        return False  # streamed responses are not HttpResponse
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and getattr(session, "accessed", False):
        return False
    if has_vary_header(response, "*"):
        return False
    directives = set(split_directive_names(response.get("Cache-Control", "")))
    return not directives & _UNCACHEABLE_DIRECTIVES


class AnonymousPageCacheMiddleware:
    """Serve and store anonymous pages. Sits after WhiteNoise and before the session, CSRF and
    auth middleware: hits skip them all, and stores see their final cookies and Vary headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        ttl_s: int = settings.NEWSSTAND_PAGE_CACHE_S
        if ttl_s <= 0 or not is_cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        generation, cached = self._lookup(key)
        if cached is not None and cached.generation == generation:
            if cached.read is not None:
                count_target(request, cached.read)
            return cached.to_response()
        setattr(request, _STORE_ATTR, False)
        response = self.get_response(request)
        if getattr(request, _STORE_ATTR, False) and is_storable(response, request):
            # The page depends on the preference cookies: tell browsers and proxies so.
            patch_vary_headers(response, ("Cookie",))
            page = CachedPage(
                generation=generation,
                content=response.content,
                headers=tuple(response.items()),
                read=getattr(request, READ_TARGET_ATTR, None),
            )
            try:
                cache.set(key, page, ttl_s)
            except Exception:
                logger.exception("page cache: store failed path=%s", request.path)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        if hasattr(request, _STORE_ATTR) and getattr(view_func, VIEW_FLAG, False):
            # No session cookie means nobody is signed in; saying so directly keeps the render
            # from reading the empty session, which would make it vary on Cookie.
            request.user = AnonymousUser()
            setattr(request, _STORE_ATTR, True)

    @staticmethod
    def _lookup(key: str) -> tuple[int, CachedPage | None]:
        try:
            found = cache.get_many([GENERATION_KEY, key])
        except Exception:
            logger.exception("page cache: lookup failed; rendering the page")
            return 0, None
        page = found.get(key)
        return int(found.get(GENERATION_KEY, 0)), page if isinstance(page, CachedPage) else None
