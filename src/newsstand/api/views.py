"""/account/api-tokens/: a reader makes and revokes their personal API tokens.

A new token is shown once, on the page that answers the POST that made it (never stored, never
put in a redirect or the session); that page is `no-store`, so going back never shows it again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from newsstand.api.actions import TokenError, create_api_token, revoke_api_token
from newsstand.api.models import TOKEN_NAME_MAX_CHARS, ApiToken


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=TOKEN_NAME_MAX_CHARS,
        help_text="What you will use it for, so you can tell your tokens apart.",
    )


def _reader(request: HttpRequest) -> Any:
    """The signed-in reader (every view here is login_required)."""
    return request.user


def _page(
    request: HttpRequest,
    form: NewTokenForm,
    *,
    secret: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "tokens": list(ApiToken.objects.filter(user=_reader(request))),
        "secret": secret,
        "error": error,
        "api_base": request.build_absolute_uri(reverse("api:api-root")),
    }
    return render(request, "api/tokens.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, NewTokenForm())
    form = NewTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        new = create_api_token(_reader(request), form.cleaned_data["name"])
    except TokenError as exc:
        return _page(request, form, error=str(exc), status=400)
    return _page(request, NewTokenForm(), secret=new.secret)


@never_cache
@login_required
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        revoke_api_token(_reader(request), token_id)
    except TokenError as exc:
        return _page(request, NewTokenForm(), error=str(exc), status=404)
    return HttpResponseRedirect(reverse("api_tokens:list"))
