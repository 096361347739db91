"""Staff pages: feed health, adding sources, retiring publishers.

Views query and render; state changes go through `sources.actions` and `sources.staff_actions`.
Every page is for staff only; anonymous visitors are sent to the admin login.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.timesince import timeuntil
from django.views.decorators.http import require_POST, require_safe

from newsstand.ingest import staff_actions
from newsstand.ingest.discovery import DiscoveryError, VerifiedFeed, find_feeds
from newsstand.ingest.forms import AddSourceForm, PickFeedsForm
from newsstand.ingest.health_charts import (
    OUTCOMES,
    OutcomeSeries,
    Span,
    outcome_series,
    render_duration_svg,
    render_outcome_svg,
)
from newsstand.ingest.models import FeedCheck
from newsstand.ingest.workers import WORKER_HEARTBEAT_S, WORKER_STALE_S, worker_states
from newsstand.sources import actions
from newsstand.sources.models import Feed, Publisher
from newsstand.web.charts import chart_nonce

logger = logging.getLogger(__name__)

FEEDS_PER_PAGE = 50
RECENT_CHECKS = 50
GONE_PREFIX = "410"


# Pure decisions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedStatus:
    """How a feed is doing, in words a person reads at a glance, and why if it is not polled."""

    kind: str  # healthy | failing | stopped | retired | never | pending (for CSS and tests)
    label: str
    reason: str = ""


def feed_status(feed: Feed, *, last_outcome: str | None = None) -> FeedStatus:
    """The plain-words status of one feed. `last_outcome` is its latest FeedCheck's, if known."""
    if not feed.publisher.is_active:
        return FeedStatus(
            "retired",
            "Retired publisher",
            f"{feed.publisher.name} is retired: its feeds are not polled; its articles stay.",
        )
    if not feed.is_active:
        gone = last_outcome == FeedCheck.Outcome.GONE or feed.last_error.startswith(GONE_PREFIX)
        return FeedStatus(
            "stopped",
            "Stopped: 410 Gone" if gone else "Stopped",
            feed.last_error or "Polling was switched off by staff.",
        )
    if feed.error_count:
        checks = "check" if feed.error_count == 1 else "checks"
        return FeedStatus("failing", f"Failing for {feed.error_count} {checks}", feed.last_error)
    if feed.last_checked_at is None:
        return FeedStatus("never", "Never checked", "Newsstand has not fetched this feed yet.")
    if feed.last_error:
        # Errors are cleared by the next success; a leftover one means staff reactivated it.
        return FeedStatus("pending", "Reactivated", "Waiting for its first check since.")
    return FeedStatus("healthy", "Healthy")


def next_check_words(feed: Feed, now: datetime) -> str:
    """ "in 12 minutes", "due now", or "not scheduled" for feeds that are not polled."""
    if not feed.is_active or not feed.publisher.is_active:
        return "not scheduled"
    if feed.next_check_at <= now + timedelta(minutes=1):
        return "due now"
    return f"in {timeuntil(feed.next_check_at, now, depth=1)}"


@dataclass(frozen=True)
class FeedRow:
    feed: Feed
    status: FeedStatus
    next_check: str


# Queries ----------------------------------------------------------------------------------

TABS = {
    "all": ("All", Q()),
    "failing": (
        "Failing",
        Q(is_active=True, publisher__is_active=True, error_count__gt=0),
    ),
    "stopped": ("Stopped", Q(is_active=False) | Q(publisher__is_active=False)),
}


def _search(feeds: QuerySet[Feed], query: str) -> QuerySet[Feed]:
    if not query:
        return feeds
    return feeds.filter(
        Q(url__icontains=query)
        | Q(title__icontains=query)
        | Q(publisher__name__icontains=query)
        | Q(publisher__slug__icontains=query)
    )


def _attention_rank() -> Case:
    """Failing first, then stopped, retired, never checked, healthy."""
    return Case(
        When(TABS["failing"][1], then=Value(0)),
        When(is_active=False, then=Value(1)),
        When(publisher__is_active=False, then=Value(2)),
        When(last_checked_at__isnull=True, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )


def _last_outcome() -> Subquery:
    latest = FeedCheck.objects.filter(feed=OuterRef("pk")).order_by("-checked_at", "-id")
    return Subquery(latest.values("outcome")[:1])


def _chart_context(series: OutcomeSeries, what: str, nonce: str) -> dict[str, object]:
    span = series.span.label
    # pygal builds the SVG from numbers and our fixed labels; text it draws is escaped by lxml.
    return {
        "chart_rows": [
            (series.label(b), [b.count(o.key) for o in OUTCOMES], b.total, b.avg_duration_ms)
            for b in series.buckets
        ],
        "totals": series.totals,
        "outcome_totals": [(o, series.totals.count(o.key)) for o in OUTCOMES],
        "outcomes": OUTCOMES,
        "span": series.span.value,
        "spans": [(s.value, s.label) for s in Span],
        "outcome_svg": mark_safe(  # noqa: S308 - generated by pygal, see above
            render_outcome_svg(series, title=f"Fetch outcomes for {what}, {span}", nonce=nonce)
        ),
        "duration_svg": mark_safe(  # noqa: S308 - generated by pygal, see above
            render_duration_svg(
                series, title=f"Average check duration for {what}, {span}", nonce=nonce
            )
        ),
    }


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to the page the form was on (a same-site `next`), else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


# Views ------------------------------------------------------------------------------------


@staff_member_required
@require_safe
def feed_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("status", "all")
    if tab not in TABS:
        tab = "all"
    query = request.GET.get("q", "").strip()[:200]
    span = Span.parse(request.GET.get("span"))
    now = timezone.now()

    searched = _search(Feed.objects.all(), query)
    counts = searched.aggregate(
        **{key: Count("id", filter=condition) for key, (_, condition) in TABS.items()}
    )
    feeds = (
        searched.filter(TABS[tab][1])
        .select_related("publisher")
        .annotate(attention=_attention_rank(), last_outcome=_last_outcome())
        .order_by("attention", "-error_count", "publisher__name", "url")
    )
    page = Paginator(feeds, FEEDS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        FeedRow(
            feed=f,
            status=feed_status(f, last_outcome=getattr(f, "last_outcome", None)),
            next_check=next_check_words(f, now),
        )
        for f in page.object_list
    ]
    context = {
        "page": page,
        "rows": rows,
        "tab": tab,
        "tabs": [(key, label, counts[key]) for key, (label, _) in TABS.items()],
        "query": query,
        **_chart_context(outcome_series(span, now=now), "all feeds", chart_nonce(request)),
        **_workers_context(now),
    }
    return render(request, "ingest/staff/feed_list.html", context)


def _workers_context(now: datetime) -> dict[str, object]:
    workers = worker_states(now)
    return {
        "workers": workers,
        "workers_alive": sum(1 for w in workers if w.alive),
        "heartbeat_s": WORKER_HEARTBEAT_S,
        "stale_s": WORKER_STALE_S,
    }


@staff_member_required
@require_safe
def feed_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(Feed.objects.select_related("publisher"), pk=pk)
    now = timezone.now()
    checks = list(
        FeedCheck.objects.filter(feed=feed).order_by("-checked_at", "-id")[:RECENT_CHECKS]
    )
    span = Span.parse(request.GET.get("span"))
    context = {
        "feed": feed,
        "status": feed_status(feed, last_outcome=checks[0].outcome if checks else None),
        "next_check": next_check_words(feed, now),
        "checks": checks,
        **_chart_context(
            outcome_series(span, feed_id=feed.pk, now=now), "this feed", chart_nonce(request)
        ),
    }
    return render(request, "ingest/staff/feed_detail.html", context)


@staff_member_required
@require_POST
def feed_check_now(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(Feed.objects.select_related("publisher"), pk=pk)
    if not feed.is_active or not feed.publisher.is_active:
        messages.error(request, f"{feed.url} is not polled; reactivate it first.")
    else:
        staff_actions.check_feed_now(feed)
        messages.success(request, f"{feed.url} will be checked within a minute.")
    return _back(request, reverse("reader:staff:feed", args=[feed.pk]))


@staff_member_required
@require_POST
def feed_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(Feed.objects.select_related("publisher"), pk=pk)
    staff_actions.reactivate_feed(feed)
    if feed.publisher.is_active:
        messages.success(
            request, f"{feed.url} is active again and will be checked within a minute."
        )
    else:
        messages.warning(
            request,
            f"{feed.url} is active again, but its publisher {feed.publisher.name} is retired: "
            "un-retire the publisher to poll it.",
        )
    return _back(request, reverse("reader:staff:feed", args=[feed.pk]))


@staff_member_required
@require_safe
def publisher_detail(request: HttpRequest, slug: str) -> HttpResponse:
    publisher = get_object_or_404(Publisher, slug=slug)
    now = timezone.now()
    feeds = publisher.feeds.annotate(last_outcome=_last_outcome()).order_by("url")
    rows = []
    for f in feeds:
        f.publisher = publisher  # already loaded: spares a query per row
        rows.append(
            FeedRow(
                feed=f,
                status=feed_status(f, last_outcome=getattr(f, "last_outcome", None)),
                next_check=next_check_words(f, now),
            )
        )
    context = {"publisher": publisher, "rows": rows, "article_count": publisher.articles.count()}
    return render(request, "ingest/staff/publisher.html", context)


@staff_member_required
@require_POST
def publisher_retire(request: HttpRequest, slug: str) -> HttpResponse:
    publisher = get_object_or_404(Publisher, slug=slug)
    if not publisher.is_active:
        messages.info(request, f"{publisher.name} was already retired.")
    else:
        count = actions.retire_publisher(publisher)
        messages.success(
            request,
            f"{publisher.name} is retired: {count} feed(s) stopped. Its articles stay readable.",
        )
    return _back(request, reverse("reader:staff:publisher", args=[publisher.slug]))


@staff_member_required
@require_POST
def publisher_unretire(request: HttpRequest, slug: str) -> HttpResponse:
    publisher = get_object_or_404(Publisher, slug=slug)
    if publisher.is_active:
        messages.info(request, f"{publisher.name} is not retired.")
    else:
        count = staff_actions.unretire_publisher(publisher)
        messages.success(
            request,
            f"{publisher.name} is back: {count} feed(s) will be checked within a minute.",
        )
    return _back(request, reverse("reader:staff:publisher", args=[publisher.slug]))


def _add_feeds(request: HttpRequest, feeds: list[VerifiedFeed]) -> HttpResponse:
    added: list[Feed] = []
    for found in feeds:
        try:
            feed, created = staff_actions.add_discovered_feed(found)
        except actions.InvalidFeedURL as exc:
            messages.error(request, str(exc))
            continue
        if created:
            messages.success(
                request, f"Added {found.title or found.url}; it will be checked within a minute."
            )
        else:
            messages.info(request, f"{found.url} was already a source ({feed.publisher.name}).")
        added.append(feed)
    if len(added) == 1:
        return redirect("reader:staff:feed", pk=added[0].pk)
    return redirect("reader:staff:feeds")


@staff_member_required
def add_source(request: HttpRequest) -> HttpResponse:
    """Step one: a web address. A feed is added at once; a page's feeds are offered to pick."""
    if request.method == "POST" and "candidates" in request.POST:
        pick = PickFeedsForm(request.POST)
        if pick.is_valid():
            return _add_feeds(request, pick.chosen())
        url = request.POST.get("url", "")
        form = AddSourceForm(initial={"url": url})
        return render(request, "ingest/staff/add_source.html", {"form": form, "pick": pick})
    if request.method == "POST":
        form = AddSourceForm(request.POST)
        if form.is_valid():
            url = form.cleaned_data["url"]
            try:
                search = find_feeds(url)
            except DiscoveryError as exc:
                logger.info("staff add source: nothing found url=%s why=%s", url, exc.message)
                form.add_error("url", exc.message)
            else:
                if search.is_feed:
                    return _add_feeds(request, search.feeds)
                pick = PickFeedsForm(feeds=search.feeds)
                context = {"form": form, "pick": pick, "search": search}
                return render(request, "ingest/staff/add_source.html", context)
        return render(request, "ingest/staff/add_source.html", {"form": form}, status=200)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    form = AddSourceForm(initial={"url": request.GET.get("url", "")})
    return render(request, "ingest/staff/add_source.html", {"form": form})
