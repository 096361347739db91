"""State changes of ingestion: claiming feeds, refreshing them, storing articles.

Views, tasks and commands call these; nothing else writes feeds' schedules or articles.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from newsstand.articles.actions import index_article_topics
from newsstand.articles.models import Article
from newsstand.articles.sections import normalise_section, section_catalogue
from newsstand.fields import fit
from newsstand.ingest import identity, leases, pipeline, politeness, scheduling
from newsstand.ingest.drafts import ArticleDraft, normalize_url
from newsstand.ingest.feeds import FeedParseError, ParsedEntry, ParsedFeed, parse_feed
from newsstand.ingest.fetcher import (
    FEED_MAX_BYTES,
    FetchError,
    FetchResult,
    fetch,
)
from newsstand.ingest.models import FeedCheck, WorkerHeartbeat
from newsstand.ingest.pipeline import Deferred
from newsstand.ingest.signals import articles_stored, feed_checked
from newsstand.ingest.workers import WORKER_FORGET_S
from newsstand.sources.actions import (
    name_publisher_from_feed,
    rename_publisher,
    set_publisher_icon,
)
from newsstand.sources.catalog import site_key
from newsstand.sources.models import Feed, Publisher
from newsstand.sources.naming import NameSource

log = logging.getLogger(__name__)

# A claimed feed waits in the queue this long at most; then the next tick may claim it again.
# Once a worker starts it, the lease is short and renewed while it runs (ingest/leases.py), so a
# worker that dies mid-refresh holds its feed for leases.RUNNING_LEASE_S only.
LEASE_S = 10 * 60
# A claim this old while nothing waits in the queue lost its task (release_lost_claims).
LOST_CLAIM_S = 30
# New items fetched per refresh: a feed dumping thousands of links cannot stall the queue.
MAX_NEW_ITEMS_PER_REFRESH = 200
# How often a publisher's homepage is read again for its name and icon.
IDENTITY_REFRESH = timedelta(days=7)
# Error text kept with a feed and its check (characters): the message a staff member reads, not
# a whole error page a server sent back.
ERROR_MAX_CHARS = 2000


@dataclass
class RefreshReport:
    feed_id: int
    outcome: str  # "ok", "not_modified", "error", "gone", "skipped"
    error_kind: str = ""
    entries: int = 0
    new_articles: int = 0
    page_errors: int = 0
    # Entries left for a later refresh (host throttling us, robots.txt unreachable).
    deferred: int = 0
    error: str = ""
    # Why entries were deferred: shown with the check, though the feed itself was fine.
    note: str = ""
    # Entries that failed on their own (a value the database refused, a bug on odd input);
    # the others are stored all the same. The first failure is described in `item_error`.
    item_errors: int = 0
    item_error: str = ""
    article_ids: list[int] = field(default_factory=list)
    # Set when this refresh found the publisher's name and icon due for a look
    # (`refresh_publisher_identity`); the caller runs it, off the feed's own path.
    identity_due_for: int | None = None


def claim_feed(feed_id: int, *, now: datetime | None = None) -> datetime | None:
    """Take the lease on one feed: its end, which the refresh presents to start, or None when
    another worker holds it."""
    now = now or timezone.now()
    until = now + timedelta(seconds=LEASE_S)
    updated = (
        Feed.objects.filter(pk=feed_id)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(leased_until=until)
    )
    return until if updated == 1 else None


def claim_due_leases(
    *, limit: int | None = None, now: datetime | None = None
) -> list[tuple[int, datetime]]:
    """Lease every active feed whose check time has come: (feed id, lease end) of each.

    Each claim is a conditional UPDATE, so two tickers racing never both get a feed.
    """
    now = now or timezone.now()
    due = (
        Feed.objects.filter(is_active=True, publisher__is_active=True, next_check_at__lte=now)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .order_by("next_check_at")
        .values_list("pk", flat=True)
    )
    if limit is not None:
        due = due[:limit]
    claims = [(pk, claim_feed(pk, now=now)) for pk in list(due)]
    return [(pk, until) for pk, until in claims if until is not None]


def claim_due_feeds(*, limit: int | None = None, now: datetime | None = None) -> list[int]:
    """The ids of `claim_due_leases`, for callers that refresh the feeds themselves at once."""
    return [pk for pk, _ in claim_due_leases(limit=limit, now=now)]


def release_lost_claims(*, now: datetime | None = None) -> int:
    """Free the feeds claimed LOST_CLAIM_S ago or more and not started; how many.

    Call it only when the task queue holds nothing: such a claim's task is gone (a worker killed
    between taking it from the queue and starting it, a tick killed between claiming and
    enqueueing, a queue that lost its contents), and the feed would wait out LEASE_S. A task that
    does turn up after all finds its claim changed and skips, so the feed is fetched once.
    """
    now = now or timezone.now()
    # A claim ends LEASE_S after it was taken; a started feed's lease ends within
    # RUNNING_LEASE_S (renewed), so it is never taken for a claim.
    claims = Feed.objects.filter(
        leased_until__gt=now + timedelta(seconds=leases.RUNNING_LEASE_S),
        leased_until__lte=now + timedelta(seconds=LEASE_S - LOST_CLAIM_S),
    )
    return claims.update(leased_until=None)


def release_feed(feed_id: int) -> None:
    Feed.objects.filter(pk=feed_id).update(leased_until=None)


# Called with the number of new items once they are known, then with None after each item.
ItemProgress = Callable[[int | None], None]


def refresh_feed(
    feed_id: int,
    *,
    force: bool = False,
    progress: ItemProgress | None = None,
    lease: datetime | None = None,
    extract_processes: int | None = None,
) -> RefreshReport:
    """Fetch, parse and store one feed, holding its lease (renewed while it runs) until done.

    `lease` is the end of the claim the tick took (claim_due_leases): the refresh starts only if
    that claim still holds, so a feed claimed twice is fetched once. Without it the lease is
    taken whatever it was, as commands fetching a feed by hand do. `force` ignores the stored
    validators (ETag / Last-Modified), as `ingest --feed` does. `extract_processes`: worker
    processes that extract pages while the next download, when a refresh has many
    (`ingest.pipeline`); by default NEWSSTAND_INGEST_EXTRACT_PROCESSES (0: in this process).
    """
    try:
        feed = Feed.objects.select_related("publisher").get(pk=feed_id)
    except Feed.DoesNotExist:
        return RefreshReport(feed_id, "skipped", error="feed no longer exists")
    if not leases.start_lease(feed.pk, claimed=lease):
        log.info("refresh skipped, another worker holds the feed feed_id=%s", feed.pk)
        return RefreshReport(feed.pk, "skipped", error="another worker holds this feed")
    host = urlsplit(feed.url).hostname or ""
    started = time.monotonic()
    try:
        processes = (
            settings.NEWSSTAND_INGEST_EXTRACT_PROCESSES
            if extract_processes is None
            else extract_processes
        )
        report = _refresh(feed, host, force=force, progress=progress, extract_processes=processes)
    except Exception as exc:
        # A bug must not leave the feed leased for ever nor kill the worker's other feeds.
        log.exception("refresh failed unexpectedly feed_id=%s host=%s", feed.pk, host)
        _record_error(feed, f"Internal error while refreshing: {type(exc).__name__}: {exc}")
        report = RefreshReport(feed.pk, "error", error_kind="internal", error=str(exc))
    finally:
        leases.finish_lease(feed.pk)
    duration_s = time.monotonic() - started
    if report.outcome in {"ok", "not_modified"} and claim_identity_check(feed.publisher):
        report.identity_due_for = feed.publisher_id
    error = report.error or " ".join(filter(None, [report.note, report.item_error]))
    FeedCheck.objects.create(
        feed_id=feed.pk,
        outcome=report.outcome,
        error_kind=report.error_kind,
        error=error[:ERROR_MAX_CHARS],
        duration_ms=round(duration_s * 1000),
        entries=report.entries,
        new_articles=report.new_articles,
        page_errors=report.page_errors,
        item_errors=report.item_errors,
    )
    feed_checked.send(sender=Feed, outcome=report.outcome, duration_s=duration_s)
    articles_stored.send(sender=Feed, article_ids=list(report.article_ids))
    return report


def _refresh(
    feed: Feed,
    host: str,
    *,
    force: bool,
    progress: ItemProgress | None,
    extract_processes: int,
) -> RefreshReport:
    try:
        # Feeds skip robots.txt (see politeness' docstring) but not the per-host limit.
        with politeness.host_slot(feed.url):
            result = fetch(
                feed.url,
                etag=None if force else feed.etag or None,
                last_modified=None if force else feed.last_modified or None,
                max_bytes=FEED_MAX_BYTES,
            )
    except FetchError as exc:
        return _fetch_failed(feed, host, exc)

    if result.not_modified:
        _record_success(feed, result, parsed=None)
        log.info("feed not modified feed_id=%s host=%s", feed.pk, host)
        return RefreshReport(feed.pk, "not_modified")

    try:
        parsed = parse_feed(result.content, result.url)
    except FeedParseError as exc:
        _record_error(feed, f"The feed could not be read: {exc}")
        log.warning("feed parse error feed_id=%s host=%s error=%s", feed.pk, host, exc)
        return RefreshReport(feed.pk, "error", error_kind="parse", error=str(exc))

    report = RefreshReport(feed.pk, "ok", entries=len(parsed.entries))
    new = _new_entries(feed, parsed.entries)
    fresh = new[:MAX_NEW_ITEMS_PER_REFRESH]
    if progress:
        progress(len(fresh))
    wait_s = 0.0
    for entry, outcome in pipeline.drafts(
        fresh, feed_id=feed.pk, host=host, processes=extract_processes
    ):
        try:
            if isinstance(outcome, Exception):
                raise outcome
            wait_s = max(wait_s, _take_entry(feed, outcome, report))
        except Exception as exc:
            # One bad item must not stop the items after it, on this refresh or the next.
            _item_failed(feed, entry, host, report, exc)
        if progress:
            progress(None)
    if report.deferred:
        report.note = (
            f"{report.deferred} new item(s) left for the next check. First reason: {report.note}"
        )
    if report.item_errors:
        report.error_kind = report.error_kind or "bad_item"
        report.item_error = (
            f"{report.item_errors} item(s) could not be stored. First: {report.item_error}"
        )
    # Entries not processed yet must be seen again, so the next fetch must not be a 304.
    complete = len(new) == len(fresh) and not report.deferred
    _record_success(feed, result, parsed=parsed, complete=complete, wait_s=wait_s)
    log.info(
        "feed refreshed feed_id=%s host=%s entries=%d new=%d page_errors=%d deferred=%d "
        "item_errors=%d",
        feed.pk,
        host,
        report.entries,
        report.new_articles,
        report.page_errors,
        report.deferred,
        report.item_errors,
    )
    return report


def _take_entry(feed: Feed, draft: ArticleDraft | Deferred, report: RefreshReport) -> float:
    """Store one new entry's draft, counting it in `report`; the seconds to wait before the
    next check if the entry was deferred."""
    if isinstance(draft, Deferred):
        report.deferred += 1
        if not report.note:
            report.error_kind, report.note = draft.kind, draft.reason
        return draft.wait_s
    # A savepoint per item: on PostgreSQL an error inside a transaction would otherwise
    # abort it for every item after.
    with transaction.atomic():
        article, created = store_article(feed, draft)
    if draft.extraction_error:
        report.page_errors += 1
    if created:
        report.new_articles += 1
        report.article_ids.append(article.pk)
    return 0.0


def _item_failed(
    feed: Feed, entry: ParsedEntry, host: str, report: RefreshReport, exc: Exception
) -> None:
    log.warning(
        "feed item failed feed_id=%s host=%s guid=%r url=%r error=%r",
        feed.pk,
        host,
        entry.guid,
        entry.url,
        exc,
        exc_info=True,
    )
    report.item_errors += 1
    if not report.item_error:
        report.item_error = f"guid {entry.guid!r}, {entry.url}: {type(exc).__name__}: {exc}"


def _fetch_failed(feed: Feed, host: str, exc: FetchError) -> RefreshReport:
    log.warning(
        "feed fetch error feed_id=%s host=%s kind=%s error=%s", feed.pk, host, exc.kind, exc
    )
    if exc.kind == "http_status" and getattr(exc, "status", None) == 410:
        # 410 Gone is the publisher telling us to stop: stop, visibly, never silently.
        Feed.objects.filter(pk=feed.pk).update(
            is_active=False,
            last_error="410 Gone: the publisher removed this feed. Polling has stopped; "
            "reactivate it in the admin if it comes back.",
            last_error_at=timezone.now(),
            last_checked_at=timezone.now(),
            error_count=feed.error_count + 1,
        )
        return RefreshReport(feed.pk, "gone", error_kind=exc.kind, error=str(exc))
    retry_after = getattr(exc, "retry_after_s", None)
    _record_error(feed, str(exc), retry_after_s=retry_after)
    return RefreshReport(feed.pk, "error", error_kind=exc.kind, error=str(exc))


def _new_entries(feed: Feed, entries: list[ParsedEntry]) -> list[ParsedEntry]:
    """Entries not stored yet, by GUID or by URL, with duplicates inside the feed dropped."""
    guids = {e.guid for e in entries if e.guid}
    urls = {normalize_url(e.url) for e in entries if e.url}
    known_guids = set(
        Article.objects.filter(publisher_id=feed.publisher_id, guid__in=guids).values_list(
            "guid", flat=True
        )
    )
    known_urls = set(Article.objects.filter(url__in=urls).values_list("url", flat=True))
    fresh: list[ParsedEntry] = []
    seen: set[str] = set()
    for entry in entries:
        if not entry.url:
            continue
        url = normalize_url(entry.url)
        key = entry.guid or url
        if key in seen or url in seen:
            continue
        seen.update({key, url})
        if (entry.guid and entry.guid in known_guids) or url in known_urls:
            continue
        fresh.append(entry)
    return fresh


def _section(page: str, feed: str) -> str:
    """The page's section mapped onto the Section list, else the feed's (staff may set one)."""
    catalogue = section_catalogue()
    return normalise_section(page, catalogue) or normalise_section(feed, catalogue) or ""


def store_article(feed: Feed, draft: ArticleDraft) -> tuple[Article, bool]:
    """Persist one decided article; (article, created). Idempotent by URL and content."""
    existing = _find_existing(feed, draft)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            article = Article.objects.create(
                publisher_id=feed.publisher_id,
                feed=feed,
                url=draft.url,
                guid=fit(Article, "guid", draft.guid),
                title=fit(Article, "title", draft.title),
                authors=draft.authors,
                section=_section(draft.section, feed.section),
                section_source=fit(Article, "section_source", draft.section or feed.section),
                topics=draft.topics,
                published_at=draft.published,
                updated_at=draft.updated,
                lead_image_url=fit(Article, "lead_image_url", draft.lead_image_url),
                lead_image_caption=draft.lead_image_caption,
                lead_image_credit=fit(Article, "lead_image_credit", draft.lead_image_credit),
                summary=draft.summary,
                content_html=draft.html,
                content_text=draft.text,
                language=fit(Article, "language", draft.language),
                word_count=draft.word_count,
                content_hash=draft.content_hash,
                extraction_error=draft.extraction_error,
            )
            index_article_topics(article)
    except IntegrityError:
        # Another worker stored the same URL between our check and insert.
        found = Article.objects.filter(url=draft.url).first()
        if found is None:
            raise
        return found, False
    return article, True


def _find_existing(feed: Feed, draft: ArticleDraft) -> Article | None:
    match = Q(url=draft.url) | Q(publisher_id=feed.publisher_id, guid=draft.guid)
    if draft.content_hash:
        match |= Q(publisher_id=feed.publisher_id, content_hash=draft.content_hash)
    return Article.objects.filter(match).first()


def _record_success(
    feed: Feed,
    result: FetchResult,
    *,
    parsed: ParsedFeed | None,
    complete: bool = True,
    wait_s: float = 0.0,
) -> None:
    """Store a successful check. `complete` False: entries remain, so forget the validators
    (the next fetch gets the whole feed) and check again no sooner than `wait_s`."""
    now = timezone.now()
    if parsed is not None:
        published = [e.published for e in parsed.entries]
        ttl = parsed.ttl_minutes
    else:
        # 304: the feed's rhythm is what we stored from it.
        published = list(
            Article.objects.filter(feed=feed)
            .order_by("-published_at")
            .values_list("published_at", flat=True)[:50]
        )
        ttl = None
    next_check = scheduling.next_check_after_success(
        now, published, ttl_minutes=ttl, max_age_s=_max_age_s(result, now)
    )
    fields: dict[str, object] = {
        "last_checked_at": now,
        "last_success_at": now,
        "error_count": 0,
        "last_error": "",
        "next_check_at": max(next_check, now + timedelta(seconds=wait_s)),
    }
    if not result.not_modified:
        fields["etag"] = fit(Feed, "etag", result.etag or "") if complete else ""
        fields["last_modified"] = (
            fit(Feed, "last_modified", result.last_modified or "") if complete else ""
        )
        if parsed is not None and parsed.title and not feed.title:
            fields["title"] = fit(Feed, "title", parsed.title)
        if parsed is not None and parsed.title:
            # On every refresh, not only the first: a feed added from discovery has its title
            # already, and its publisher may still be named after its address.
            name_publisher_from_feed(
                feed.publisher, feed_url=feed.url, title=parsed.title, link=parsed.link
            )
    moved_to = result.permanent_redirect
    if (
        moved_to
        and moved_to != feed.url
        and not Feed.objects.filter(url=moved_to).exclude(pk=feed.pk).exists()
    ):
        log.info("feed moved permanently feed_id=%s to=%s", feed.pk, moved_to)
        fields["url"] = moved_to
    Feed.objects.filter(pk=feed.pk).update(**fields)


def _record_error(feed: Feed, message: str, *, retry_after_s: float | None = None) -> None:
    now = timezone.now()
    count = feed.error_count + 1
    Feed.objects.filter(pk=feed.pk).update(
        error_count=count,
        last_error=message[:ERROR_MAX_CHARS],
        last_error_at=now,
        last_checked_at=now,
        next_check_at=scheduling.next_check_after_error(now, count, retry_after_s=retry_after_s),
    )


def _max_age_s(result: FetchResult, now: datetime) -> float | None:
    """Seconds the publisher asked us to cache the feed for (Cache-Control, then Expires)."""
    cache_control = result.headers.get("cache-control", "")
    for part in cache_control.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() in {"max-age", "s-maxage"} and value.strip().isdigit():
            return float(value.strip())
    expires = result.headers.get("expires")
    if expires:
        try:
            when = parsedate_to_datetime(expires)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is not None:
            return max(0.0, (when - now).total_seconds())
    return None


def note_worker_alive(
    name: str,
    *,
    host: str,
    pid: int,
    threads: int,
    started_at: datetime,
    fetching: int,
    now: datetime | None = None,
) -> None:
    """A worker's heartbeat: it is alive at `now`, fetching `fetching` feeds."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        name=fit(WorkerHeartbeat, "name", name),
        defaults={
            "host": fit(WorkerHeartbeat, "host", host),
            "pid": pid,
            "threads": threads,
            "started_at": started_at,
            "seen_at": now,
            "fetching": fetching,
        },
    )


def forget_old_workers(now: datetime | None = None) -> int:
    """Drop the heartbeats of workers silent for a day; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=WORKER_FORGET_S)
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).delete()
    return deleted


def note_worker_stopped(name: str) -> None:
    """A worker stopping cleanly leaves no heartbeat behind to look dead."""
    WorkerHeartbeat.objects.filter(name=name).delete()


# --- the publisher's name and icon, from its site -------------------------------------------


@dataclass(frozen=True)
class IdentityReport:
    publisher_id: int
    renamed: bool = False
    icon_changed: bool = False
    has_icon: bool = False
    notes: tuple[str, ...] = ()


def claim_identity_check(publisher: Publisher, *, now: datetime | None = None) -> bool:
    """Whether the publisher's site is due a look for its name and icon (never looked at, or
    not for IDENTITY_REFRESH); if so, marks it looked at now, so that of its feeds refreshed
    at once only one asks. The check is in memory first: no query on most refreshes."""
    now = now or timezone.now()
    due_before = now - IDENTITY_REFRESH
    checked = publisher.identity_checked_at
    if checked is not None and checked >= due_before:
        return False
    claimed = (
        Publisher.objects.filter(pk=publisher.pk)
        .filter(Q(identity_checked_at__isnull=True) | Q(identity_checked_at__lt=due_before))
        .update(identity_checked_at=now)
    )
    publisher.identity_checked_at = now
    return claimed == 1


def _homepage(publisher: Publisher) -> tuple[str, str] | None:
    """The address to read for the publisher's identity, and its site key; None when it has
    none of its own (a feed on a hosting platform, whose root is the platform's)."""
    feed_url = (
        publisher.feeds.order_by("pk").values_list("url", flat=True).first() or publisher.homepage
    )
    url = publisher.homepage or feed_url
    if not url:
        return None
    site = site_key(url)
    if "/" in site:
        return None
    if not publisher.homepage:
        parts = urlsplit(url)
        url = f"{parts.scheme}://{parts.netloc}/"
    return url, site


def refresh_publisher_identity(publisher_id: int) -> IdentityReport:
    """Read the publisher's homepage for the name the site gives itself and fetch its best
    icon; rename it unless staff named it (sources.naming.replaces) and store the icon.

    Every request goes through the fetcher's SSRF guard and size caps. A lookup that finds
    no icon keeps the one stored before; pages then draw a monogram only if there never was one.
    """
    publisher = Publisher.objects.filter(pk=publisher_id).first()
    if publisher is None:
        return IdentityReport(publisher_id)
    Publisher.objects.filter(pk=publisher.pk).update(identity_checked_at=timezone.now())
    target = _homepage(publisher)
    if target is None:
        return IdentityReport(publisher.pk, has_icon=bool(publisher.icon_version))
    homepage, site = target
    lookup = identity.look_up_site(homepage, site=site, preferred_icon=publisher.logo)
    renamed = lookup.name is not None and rename_publisher(publisher, lookup.name, NameSource.SITE)
    changed = False
    if lookup.icon is not None:
        changed = set_publisher_icon(
            publisher,
            data=lookup.icon.data,
            content_type=lookup.icon.image.content_type,
            width=lookup.icon.image.width,
            height=lookup.icon.image.height,
            source_url=lookup.icon.url,
        )
    log.info(
        "publisher identity checked publisher=%s renamed=%s icon=%s notes=%d",
        publisher.slug,
        renamed,
        "changed" if changed else ("kept" if publisher.icon_version else "none"),
        len(lookup.notes),
    )
    return IdentityReport(
        publisher.pk,
        renamed=renamed,
        icon_changed=changed,
        has_icon=bool(publisher.icon_version),
        notes=lookup.notes,
    )
