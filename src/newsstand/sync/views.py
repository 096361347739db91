"""/account/app-passwords/: a reader makes and revokes the app passwords reading apps sign in with.

A new password is shown once, on the page that answers the POST that made it (never stored,
never put in a redirect or the session); that page is `no-store`, so going back never shows it
again. The page also tells the three addresses apps connect to.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from newsstand.sync.actions import AppPasswordError, create_app_password, revoke_app_password
from newsstand.sync.models import APP_PASSWORD_NAME_MAX_CHARS, AppPassword


class NewAppPasswordForm(forms.Form):
    name = forms.CharField(
        label="App",
        max_length=APP_PASSWORD_NAME_MAX_CHARS,
        help_text="The app you will use it in, so you can tell your passwords apart.",
    )


def sync_urls() -> dict[str, str]:
    """The three addresses an app is given, on this site."""
    base = settings.NEWSSTAND_SITE_URL
    return {
        "miniflux": f"{base}/",
        "greader": f"{base}/api/greader/",
        "fever": f"{base}/api/fever/",
    }


def _page(
    request: HttpRequest,
    form: NewAppPasswordForm,
    *,
    password: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    context = {
        "form": form,
        "app_passwords": list(AppPassword.objects.filter(user=user)),
        "password": password,
        "error": error,
        "email": user.email,
        "urls": sync_urls(),
    }
    return render(request, "sync/app_passwords.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def app_passwords(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, NewAppPasswordForm())
    form = NewAppPasswordForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        new = create_app_password(request.user, form.cleaned_data["name"])
    except AppPasswordError as exc:
        return _page(request, form, error=str(exc), status=400)
    return _page(request, NewAppPasswordForm(), password=new.password)


@never_cache
@login_required
@require_POST
def revoke(request: HttpRequest, app_password_id: int) -> HttpResponse:
    try:
        revoke_app_password(request.user, app_password_id)
    except AppPasswordError as exc:
        return _page(request, NewAppPasswordForm(), error=str(exc), status=404)
    return HttpResponseRedirect(reverse("app_passwords:list"))
