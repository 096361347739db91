"""POST /reads/: the tracker's claim that a member read an article in full.

Answers JSON: 201 when the read is recorded, 200 when it already was today (with another
ticket), 400 with the reason for a bad claim (a forged, expired or someone else's ticket, too
shallow), 403 for a visitor who is not a member, 404 for an unknown article, 409 for a ticket
that already recorded a read, 425 for a claim before the reading time has passed since the page
was served and 429 past the member's reads per day or per ten minutes (both with Retry-After
when waiting helps). CSRF protection applies as to any POST.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from newsstand.articles.models import Article
from newsstand.ledger import actions
from newsstand.ledger.forms import ReadClaimForm


def _refused(code: str, reason: str, status: int, retry_after_s: int | None = None) -> JsonResponse:
    body: dict[str, object] = {"recorded": False, "code": code, "reason": reason}
    if retry_after_s is not None:
        body["retry_after"] = retry_after_s
    response = JsonResponse(body, status=status)
    if retry_after_s is not None:
        response["Retry-After"] = str(retry_after_s)
    return response


@never_cache
@require_POST
def record_read(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return _refused("not_signed_in", "Sign in as a member for your reads to count.", 403)
    form = ReadClaimForm(request.POST)
    if not form.is_valid():
        return _refused("invalid", form.reason(), 400)
    data = form.cleaned_data
    article = Article.objects.only("pk", "publisher_id").filter(pk=data["article"]).first()
    if article is None:
        return _refused("no_article", f"There is no article {data['article']}.", 404)
    try:
        outcome = actions.record_full_read(
            request.user,
            article,
            timezone.now(),
            ticket=data["ticket"],
            via=data["via"],
            depth=data["depth"],
        )
    except actions.ReadRefused as exc:
        return _refused(exc.code, exc.message, exc.status, exc.retry_after_s)
    return JsonResponse(
        {"recorded": True, "new": outcome.created, "day": outcome.read.day.isoformat()},
        status=201 if outcome.created else 200,
    )
