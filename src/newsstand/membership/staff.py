"""Staff page /staff/members/: who is a member, and granting or extending memberships by hand."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from newsstand.membership import actions
from newsstand.membership.forms import GrantForm
from newsstand.membership.models import Membership
from newsstand.membership.status import NoSuchMember, describe, find_user_by_email, utc

MEMBERS_PER_PAGE = 50


@staff_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = find_user_by_email(form.cleaned_data["email"])
        except NoSuchMember as exc:
            form.add_error("email", f"{str(exc).capitalize()}.")
        else:
            days = form.cleaned_data["days"]
            membership = actions.grant_membership(user, days, request.user)
            messages.success(
                request,
                f"Granted {days} days to {user.email}: member until "
                f"{utc(membership.paid_until) if membership.paid_until else 'further notice'}.",
            )
            return HttpResponseRedirect(reverse("membership_staff:members"))

    state = request.GET.get("state", "")
    query = request.GET.get("q", "").strip()
    rows = Membership.objects.select_related("user").order_by("-updated_at", "-pk")
    if state in Membership.State.values:
        rows = rows.filter(state=state)
    if query:
        rows = rows.filter(user__email__icontains=query)
    page = Paginator(rows, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(
        request,
        "membership/staff_members.html",
        {
            "form": form,
            "page": page,
            "rows": [(m, describe(m, now)) for m in page.object_list],
            "states": Membership.State.choices,
            "state": state,
            "query": query,
        },
        status=400 if request.method == "POST" else 200,
    )
