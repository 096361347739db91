"""The account page, "Download my data" and deleting an account. allauth serves the rest
(sign-up, sign-in, sign-out, password reset, email and password change) with our templates."""

from __future__ import annotations

import json

from allauth.account.models import EmailAddress
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from newsstand.accounts import actions
from newsstand.accounts.forms import DeleteAccountForm


def _user(request: HttpRequest) -> User:
    # login_required has run: the user is a signed-in auth.User.
    user = request.user
    assert isinstance(user, User)
    return user


@never_cache
@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    addresses = list(EmailAddress.objects.filter(user=user))
    primary = next((a for a in addresses if a.primary), None)
    pending = next((a for a in addresses if not a.primary and not a.verified), None)
    return render(
        request,
        "accounts/account.html",
        {"email": primary.email if primary else user.email, "pending": pending},
    )


@never_cache
@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The reader's data as one JSON file, downloaded (GET: it changes nothing)."""
    data = actions.export_user_data(_user(request))
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"newsstand-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    """Offer the export first; delete only on a POST carrying the account's password.

    A deletion step that cannot finish (the payment provider did not cancel the subscription)
    keeps the account and says why on this page: 503, as for an unavailable checkout.
    """
    user = _user(request)
    form = DeleteAccountForm(data=request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.delete_account(user)
        except actions.DeletionBlocked as exc:
            context = {"form": DeleteAccountForm(user=user), "blocked": str(exc)}
            return render(request, "accounts/delete.html", context, status=503)
        logout(request)
        return redirect("accounts:deleted")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)


def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/deleted.html")
