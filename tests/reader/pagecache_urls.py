"""Views marked for the page cache that each do one thing that must keep them out of it.

Each response carries a fresh serial number, so a test can tell a render from a cached copy.
"""

from __future__ import annotations

import itertools

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.urls import path
from django.views.decorators.cache import cache_control

from newsstand.reader.pagecache import anonymous_page

_serial = itertools.count(1)


def _body(extra: str = "") -> str:
    return f"render {next(_serial)} {extra}"


@anonymous_page
def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_body())


@anonymous_page
def reads_session(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_body(str(request.session.get("anything"))))


@anonymous_page
def shows_user(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_body(str(request.user.is_authenticated)))


@anonymous_page
def csrf_form(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_body(get_token(request)))


@anonymous_page
def sets_cookie(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_body())
    response.set_cookie("seen", "1")
    return response


@anonymous_page
@cache_control(private=True)
def private(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_body())


@anonymous_page
def not_found(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_body(), status=404)


@anonymous_page
def streamed(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(iter([_body()]))


def unmarked(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_body())


urlpatterns = [
    path("plain/", plain),
    path("reads-session/", reads_session),
    path("shows-user/", shows_user),
    path("csrf-form/", csrf_form),
    path("sets-cookie/", sets_cookie),
    path("private/", private),
    path("not-found/", not_found),
    path("streamed/", streamed),
    path("unmarked/", unmarked),
]
