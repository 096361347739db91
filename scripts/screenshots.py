"""`make screenshots`: every reader page type, phone and desktop widths, in two sets.

The demo set (docs/screenshots/, committed) runs against a throwaway data directory seeded with
invented demo content: fictional publishers and articles written for this script, lead images
drawn here as SVG.

The real set (docs/screenshots/real/, never committed: .gitignore) is built from the shared real
pages (../shared/data, NEWSSTAND_SHARED_DATA): a local publisher web (tests/httpserver.py, as the
end-to-end tests use) serves a few publishers' naeb-dev pages behind an RSS feed each, Newsstand
ingests them as it would any site, and the main pages are shot, phone and desktop, light and
dark. Those pages are copyrighted news, there to judge the design on real content only. Their
pictures live on the publishers' servers, which the browser never contacts: a neutral
placeholder stands in for each.

    scripts/screenshots.py [--set demo|real|all]     (default all; real is skipped without data)
"""

from __future__ import annotations

import functools
import http.server
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

logger = logging.getLogger("screenshots")

REPO = Path(__file__).resolve().parents[1]
# The browser tests and this script start Chromium the same way (tests/browser/chromium.py).
sys.path.insert(0, str(REPO))
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - needs REPO on sys.path

OUT_DIR = REPO / "docs" / "screenshots"
REAL_OUT_DIR = OUT_DIR / "real"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
DARK_PAGES = ("home", "article")
# Real set: how many sites of naeb-dev (two pages each), and which (news sites with pictures).
REAL_SITES = (
    "http://www.aljazeera.com",
    "http://www.latimes.com",
    "http://www.politico.eu",
    "http://www.space.com",
    "http://www.technologyreview.com",
    "http://phys.org",
    "http://www.pbs.org",
    "http://usatoday.com",
)
# Real pages carry their own (2023) dates; the set is moved to the last hours so that the home's
# Top stories and sections, which look at recent news, have something to show.
REAL_SPACING = timedelta(minutes=53)
SERVER_START_TIMEOUT_S = 30
PAGE_TIMEOUT_MS = 15_000
STAFF_USER = "demo-editor"
# A throwaway account in a throwaway database, deleted with it.
STAFF_PASSWORD = "screenshots-demo-7241"  # noqa: S105 (see above)

# --- demo content (invented; any likeness to real titles is accidental) ---------------------

PUBLISHERS = [
    ("The Harbour Gazette", "harbour-gazette", "GB"),
    ("Northfield Courier", "northfield-courier", "GB"),
    ("Meridian Daily", "meridian-daily", "IE"),
    ("The Lantern Review", "lantern-review", "GB"),
]

# (hue for the SVG, label drawn on it)
IMAGES = {
    "barrier": (205, "Tidal barrier"),
    "quay": (190, "Quay at dusk"),
    "orchard": (110, "Orchard"),
    "library": (35, "Reading room"),
    "rail": (260, "Night train"),
    "comet": (285, "Observatory"),
}


@dataclass(frozen=True)
class DemoArticle:
    key: str
    publisher: str  # slug
    title: str
    section: str
    authors: tuple[str, ...]
    minutes_ago: int
    paragraphs: tuple[str, ...]
    image: str = ""
    caption: str = ""
    credit: str = ""
    story: str = ""  # articles sharing a story key form one story


BARRIER_FACTS = (
    "The barrier's eight steel gates swung shut at 04:10, forty minutes before high water, "
    "holding back a surge that the coastal office had forecast at 1.4 metres above normal."
)

ARTICLES = [
    DemoArticle(
        key="barrier-gazette",
        publisher="harbour-gazette",
        title="Port Aldine's tidal barrier closes for the first time as storm surge arrives",
        section="World",
        authors=("Maren Holt",),
        minutes_ago=95,
        image="barrier",
        caption="The eastern gates of the Port Aldine barrier, closed before dawn.",
        credit="Illustration: Newsstand demo",
        story="barrier",
        paragraphs=(
            BARRIER_FACTS,
            "Harbourmaster Idris Quayle said the closure had gone "
            "\u201cexactly as rehearsed\u201d. Shops along Ropewalk Street, flooded twice "
            "in the past decade, stayed dry.",
            "The barrier took eleven years to build and was finished last spring. Until this "
            "week it had only been closed for tests, each announced days in advance.",
            "Engineers will inspect the gate seals once the water drops on Thursday. The "
            "barrier is expected to reopen to shipping by the afternoon tide.",
            "Residents gathered on the sea wall at first light to watch the gates rise again "
            "from the water, some of them with flasks of tea and folding chairs.",
        ),
    ),
    DemoArticle(
        key="barrier-courier",
        publisher="northfield-courier",
        title="Storm surge held back at Port Aldine as new barrier passes first real test",
        section="World",
        authors=("Tobias Wren", "Ada Lindqvist"),
        minutes_ago=35,
        image="quay",
        caption="Fishing boats sheltering inside the barrier on Tuesday evening.",
        credit="Illustration: Newsstand demo",
        story="barrier",
        paragraphs=(
            "Port Aldine's new tidal barrier kept the town dry overnight as a storm surge ran "
            "up the estuary, in the first closure of the gates outside a drill.",
            BARRIER_FACTS,
            "Fishing crews had moved their boats inside the barrier on Tuesday. \u201cWe've "
            "never had a night this calm in a storm,\u201d said skipper Nell Farrow.",
            "Upriver, the villages of Lowmere and Cask End reported minor flooding of fields, "
            "which the barrier was never designed to protect.",
        ),
    ),
    DemoArticle(
        key="barrier-meridian",
        publisher="meridian-daily",
        title="What the Port Aldine barrier closure means for other estuary towns",
        section="World",
        authors=("Colm Arden",),
        minutes_ago=12,
        story="barrier",
        paragraphs=(
            "The smooth closure of the Port Aldine barrier has renewed calls for similar "
            "defences along the rest of the estuary.",
            "Council leaders in Saltby and Greywater wrote to the regional authority on "
            "Wednesday asking for their own schemes to be brought forward.",
            BARRIER_FACTS,
            "A review of the barrier's first season is due in the spring.",
        ),
    ),
    DemoArticle(
        key="orchard",
        publisher="lantern-review",
        title="The village that swapped its car park for an orchard",
        section="Culture",
        authors=("Priya Castell",),
        minutes_ago=50,
        image="orchard",
        caption="Young apple trees where the parking bays used to be.",
        credit="Illustration: Newsstand demo",
        paragraphs=(
            "Five years ago, Little Fennick voted to dig up the car park behind its village "
            "hall. Today forty apple and pear trees stand in its place.",
            "The harvest is shared out each October at a festival that now draws visitors "
            "from three counties, most of whom arrive by the restored branch-line bus.",
            "\u201cWe thought we'd lose the shop,\u201d said parish clerk Ruth Ambery. "
            "\u201cInstead people stay longer.\u201d",
        ),
    ),
    DemoArticle(
        key="library",
        publisher="harbour-gazette",
        title="Town library extends opening hours after record winter footfall",
        section="Culture",
        authors=("Maren Holt",),
        minutes_ago=140,
        image="library",
        caption="The reading room at Port Aldine library.",
        credit="Illustration: Newsstand demo",
        paragraphs=(
            "Port Aldine library will open until nine on weekday evenings from next month "
            "after visits rose by a third over the winter.",
            "Librarians credit a quiet-study scheme for students and a weekly repair caf\u00e9.",
        ),
    ),
    DemoArticle(
        key="rail",
        publisher="meridian-daily",
        title="Overnight sleeper service between Meridian and the coast to return",
        section="Business",
        authors=("Sorcha Venn",),
        minutes_ago=200,
        image="rail",
        caption="A sleeper carriage being refitted at the Calder works.",
        credit="Illustration: Newsstand demo",
        paragraphs=(
            "The overnight sleeper between Meridian and the coast will run again from the "
            "summer timetable, eight years after it was withdrawn.",
            "Operators say bookings for the first month opened on Monday and sold out "
            "within a day.",
        ),
    ),
    DemoArticle(
        key="comet",
        publisher="northfield-courier",
        title="Amateur astronomers spot a comet from a school observatory",
        section="Science",
        authors=("Ada Lindqvist",),
        minutes_ago=260,
        image="comet",
        caption="The Northfield school observatory dome.",
        credit="Illustration: Newsstand demo",
        paragraphs=(
            "A group of sixth-formers and their physics teacher have had a comet provisionally "
            "named after their school, after spotting it on images taken in January.",
            "The object is faint and will not be visible without a telescope.",
        ),
    ),
    DemoArticle(
        key="ferry",
        publisher="lantern-review",
        title="A slow crossing: notes from the last wooden ferry on the Calder",
        section="Culture",
        authors=("Jonah Pell",),
        minutes_ago=330,
        paragraphs=(
            "The ferry takes nine minutes to cross and has done so since before anyone on "
            "board can remember.",
            "Its owner, Hal Breck, intends to keep it running "
            "\u201cas long as the river does\u201d.",
        ),
    ),
    DemoArticle(
        key="bakery",
        publisher="harbour-gazette",
        title="Co-operative bakery opens on Ropewalk Street",
        section="Business",
        authors=(),
        minutes_ago=420,
        paragraphs=(
            "A bakery owned by its twelve staff opened on Ropewalk Street on Saturday.",
            "The first loaves sold out by ten in the morning.",
        ),
    ),
]


def placeholder_svg(hue: int, label: str) -> str:
    """A 1200x675 lead-image stand-in: sky gradient, hills and a label."""
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675"
 viewBox="0 0 1200 675">
<defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1">
<stop offset="0" stop-color="hsl({hue},45%,78%)"/><stop offset="1" stop-color="hsl({hue},35%,55%)"/>
</linearGradient></defs>
<rect width="1200" height="675" fill="url(#s)"/>
<circle cx="920" cy="170" r="70" fill="hsl({(hue + 40) % 360},70%,88%)"/>
<path d="M0 470 Q300 360 600 460 T1200 430 V675 H0Z" fill="hsl({hue},30%,38%)"/>
<path d="M0 560 Q350 480 700 560 T1200 540 V675 H0Z" fill="hsl({hue},30%,26%)"/>
<text x="600" y="630" text-anchor="middle" font-family="sans-serif" font-size="34" fill="#fff"
 opacity=".85">{label}</text>
</svg>
"""


# --- seeding ---------------------------------------------------------------------------------


def seed(image_base: str) -> None:
    """Migrate, then fill the database with the demo content, stories, ranking and a pick."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from newsstand.articles.actions import index_article_topics
    from newsstand.articles.models import Article
    from newsstand.ingest.models import FeedCheck
    from newsstand.personal import actions as personal
    from newsstand.personal.targets import resolve_target
    from newsstand.sources.models import Feed, Publisher
    from newsstand.stories.actions import refresh_story_stats
    from newsstand.stories.actions.curation import add_pick, rank_stories, record_read
    from newsstand.stories.models import Story

    call_command("migrate", "--no-input", verbosity=0)
    now = timezone.now()
    pubs: dict[str, Publisher] = {}
    feeds: dict[str, Feed] = {}
    for name, slug, country in PUBLISHERS:
        pub = Publisher.objects.create(
            name=name,
            slug=slug,
            homepage=f"https://{slug}.example/",
            country=country,
            language="en",
            topics=["News"],
        )
        pubs[slug] = pub
        feeds[slug] = Feed.objects.create(
            publisher=pub,
            url=f"https://{slug}.example/rss.xml",
            title=f"{name}: top stories",
            section="News",
            last_checked_at=now - timedelta(minutes=4),
            last_success_at=now - timedelta(minutes=4),
            next_check_at=now + timedelta(minutes=11),
        )
    _seed_feed_health(feeds, now, FeedCheck)

    stories: dict[str, Story] = {}
    for item in ARTICLES:
        story_key = item.story or item.key
        if story_key not in stories:
            stories[story_key] = Story.objects.create(headline=item.title)
        body_text = "\n\n".join(item.paragraphs)
        words = len(body_text.split())
        article = Article.objects.create(
            publisher=pubs[item.publisher],
            feed=feeds[item.publisher],
            story=stories[story_key],
            url=f"https://{item.publisher}.example/news/{item.key}",
            guid=item.key,
            title=item.title,
            authors=list(item.authors),
            section=item.section,
            published_at=now - timedelta(minutes=item.minutes_ago),
            lead_image_url=f"{image_base}/{item.image}.svg" if item.image else "",
            lead_image_caption=item.caption,
            lead_image_credit=item.credit,
            summary=item.paragraphs[0],
            content_html="".join(f"<p>{p}</p>" for p in item.paragraphs),
            content_text=body_text,
            language="en",
            # Demo bodies are short; count them as the full pieces they stand for.
            word_count=max(words * 8, 300),
            topics=[item.section],
        )
        index_article_topics(article)
    refresh_story_stats(s.pk for s in stories.values())
    for article in Article.objects.filter(story=stories["barrier"]):
        for _ in range(3):
            record_read(article, now=now)
    record_read(Article.objects.get(guid="orchard"), now=now)
    rank_stories(now=now)

    user = get_user_model().objects.create_superuser(STAFF_USER, "", STAFF_PASSWORD)
    add_pick(
        story=stories["barrier"],
        blurb="Three titles on the night the new gates held.",
        created_by=user,
        now=now,
    )
    add_pick(
        article=Article.objects.get(guid="orchard"),
        blurb="A small village's big idea.",
        created_by=user,
        expires_at=now + timedelta(days=2),
        now=now,
    )
    # The signed-in pages' reader read one article and follows a publisher: For You has
    # reasons to give, History and Following have something to list.
    personal.note_article_opened(user, Article.objects.get(guid="orchard"), now=now)
    personal.follow(user, resolve_target("publisher", str(pubs["harbour-gazette"].pk)))


def _seed_feed_health(feeds: dict[str, Any], now: datetime, check_model: Any) -> None:
    """48 hours of checks, one feed failing for the last few, so the charts have something."""
    failing = feeds["lantern-review"]
    failing.error_count = 4
    failing.last_error = "http_status: 503 Service Unavailable from lantern-review.example"
    failing.last_error_at = now - timedelta(minutes=9)
    failing.last_success_at = now - timedelta(hours=1, minutes=10)
    failing.save()
    rows = []
    for slug, feed in feeds.items():
        for i in range(0, 48 * 4):  # every 15 minutes
            at = now - timedelta(minutes=15 * i + 4)
            if slug == "lantern-review" and i < 4:
                rows.append(
                    check_model(
                        feed=feed,
                        checked_at=at,
                        outcome="error",
                        error_kind="http_status",
                        error=failing.last_error,
                        duration_ms=900,
                    )
                )
                continue
            fresh = i % 5 == 0
            rows.append(
                check_model(
                    feed=feed,
                    checked_at=at,
                    outcome="ok" if fresh else "not_modified",
                    duration_ms=180 + (i * 37) % 400,
                    entries=20 if fresh else 0,
                    new_articles=1 + i % 3 if fresh else 0,
                )
            )
    check_model.objects.bulk_create(rows)


# --- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def image_server(root: Path) -> Iterator[str]:
    """Serve the placeholder images from `root` on 127.0.0.1, as a publisher's CDN would."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def newsstand_server(env: dict[str, str]) -> Iterator[str]:
    """`newsstand runserver` on a free loopback port, stopped on exit."""
    port = free_port()
    cli = Path(sys.executable).with_name("newsstand")
    log_path = Path(env["NEWSSTAND_DATA_DIR"]) / "runserver.log"
    log = log_path.open("wb")
    # Fixed arguments: this venv's own entry point and a port we picked.
    proc = subprocess.Popen(  # noqa: S603 (see above)
        [str(cli), "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            try:
                # An http:// URL built right here, never user input.
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = log_path.read_text(errors="replace")
                    raise SystemExit(f"newsstand runserver did not start:\n{err}") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# --- capture ---------------------------------------------------------------------------------

# Lazy images below the fold would stay blank in a full-page shot; load them all first.
LOAD_ALL_IMAGES_JS = """async () => {
  const imgs = [...document.images];
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => {
    i.addEventListener('load', r); i.addEventListener('error', r);
  })));
}"""


# What stands in for a picture on a server the browser must not contact (the real set's).
OFFLINE_IMAGE = placeholder_svg(30, "Picture on the publisher's site")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


def _stay_offline(route: Any) -> None:
    """Playwright route handler: loopback goes through; a picture from elsewhere gets the
    placeholder; anything else from elsewhere is refused."""
    from urllib.parse import urlsplit

    request = route.request
    if urlsplit(request.url).hostname in LOOPBACK_HOSTS:
        route.continue_()
    elif request.resource_type == "image":
        route.fulfill(status=200, content_type="image/svg+xml", body=OFFLINE_IMAGE)
    else:
        route.abort()


def capture(
    base: str,
    pages: dict[str, str],
    staff_pages: dict[str, str],
    *,
    out_dir: Path = OUT_DIR,
    dark_pages: tuple[str, ...] = DARK_PAGES,
) -> list[Path]:
    """Full-page shots of `pages` (signed out) and `staff_pages` (signed in as the staff user),
    at each of WIDTHS, light, and dark too for `dark_pages` (names of either kind)."""
    from playwright.sync_api import Browser, sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def shoot(browser: Browser, name: str, path: str, size: str, theme: str, staff: bool) -> None:
        width, height = WIDTHS[size]
        ctx = browser.new_context(
            base_url=base,
            viewport={"width": width, "height": height},
            color_scheme=theme,  # type: ignore[arg-type]  # "light"/"dark" literal
            service_workers="block",
        )
        ctx.set_default_timeout(PAGE_TIMEOUT_MS)
        ctx.route("**/*", _stay_offline)
        ctx.add_cookies([{"name": "newsstand_theme", "value": theme, "url": base}])
        page = ctx.new_page()
        if staff:
            page.goto("/admin/login/")
            page.fill("#id_username", STAFF_USER)
            page.fill("#id_password", STAFF_PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_load_state()
        page.goto(path, wait_until="networkidle")
        page.evaluate(LOAD_ALL_IMAGES_JS)
        suffix = "" if theme == "light" else f"-{theme}"
        out = out_dir / f"{name}-{size}{suffix}.png"
        page.screenshot(path=str(out), full_page=True)
        written.append(out)
        logger.info("wrote %s (%d KB)", out.relative_to(REPO), out.stat().st_size // 1024)
        ctx.close()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for size in WIDTHS:
            for staff, named in ((False, pages), (True, staff_pages)):
                for name, path in named.items():
                    shoot(browser, name, path, size, "light", staff=staff)
                    if name in dark_pages:
                        shoot(browser, name, path, size, "dark", staff=staff)
        browser.close()
    return written


def _environment(tmp: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "NEWSSTAND_DATA_DIR": str(tmp / "data"),
        "DJANGO_SETTINGS_MODULE": "newsstand.settings",
        "NEWSSTAND_DEBUG": "0",
        "NEWSSTAND_LOG_LEVEL": "WARNING",
        # The demo window is small: build For You's corpus in the first request, so the
        # For You shot shows the reader's picks rather than the "still preparing" notice.
        "NEWSSTAND_FORYOU_BUILD_IN_BACKGROUND": "0",
    }
    env.pop("NEWSSTAND_DATABASE_URL", None)
    os.environ.update(env)
    os.environ.pop("NEWSSTAND_DATABASE_URL", None)
    return env


def _setup_django() -> None:
    import django

    django.setup()
    # The project's LOGGING (applied by setup) sets the root to WARNING; this script reports.
    logger.setLevel(logging.INFO)


def run_demo() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="newsstand-shots-"))
    try:
        env = _environment(tmp)
        images = tmp / "images"
        images.mkdir()
        for key, (hue, label) in IMAGES.items():
            (images / f"{key}.svg").write_text(placeholder_svg(hue, label))
        _setup_django()
        from newsstand.articles.models import Article
        from newsstand.stories.models import Story

        with image_server(images) as image_base:
            seed(image_base)
            article = Article.objects.get(guid="barrier-gazette")
            story = Story.objects.get(articles=article)
            pages = {
                "home": "/",
                "article": f"/articles/{article.pk}/",
                "story": f"/stories/{story.pk}/",
                "publishers": "/publishers/",
                "publisher": "/publishers/harbour-gazette/",
                "section": "/sections/World/",
                "settings": "/settings/",
                "offline": "/offline/",
                "search": "/search?q=barrier",
                "sign-in": "/accounts/login/",
                "sign-up": "/accounts/signup/",
                "membership": "/membership/",
            }
            staff_pages = {
                "staff-feeds": "/staff/feeds/",
                "staff-picks": "/staff/picks/",
                "staff-ranking": "/staff/ranking/",
                "staff-members": "/staff/members/",
                "staff-payouts": "/staff/payouts/",
                # Signed in (as the staff user): the reader's own pages.
                "home-signed-in": "/",
                "saved": "/saved/",
                "history": "/history/",
                "following": "/following/",
                "for-you": "/for-you/",
                "start": "/start/",
                "account": "/account/",
                "briefing-settings": "/account/briefing/",
                "briefing-preview": "/briefing/preview/",
                "briefing-email": "/briefing/preview/email/",
            }
            with newsstand_server(env) as base:
                written = capture(base, pages, staff_pages)
        total_kb = sum(p.stat().st_size for p in written) // 1024
        logger.info("%d screenshots, %d KB in %s", len(written), total_kb, OUT_DIR)
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- real content ----------------------------------------------------------------------------


def _rss(site_title: str, base: str, items: list[tuple[str, str, str, datetime]]) -> bytes:
    from email.utils import format_datetime
    from xml.sax.saxutils import escape

    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>{escape(site_title)}</title><link>{base}/</link><description>News</description>",
    ]
    for key, title, link, when in items:
        parts.append(
            f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
            f'<guid isPermaLink="false">{key}</guid>'
            f"<pubDate>{format_datetime(when)}</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def seed_real(shared: Path, web: Any) -> dict[str, Any]:
    """Serve REAL_SITES' naeb-dev pages from `web` behind one feed per site, ingest them as
    Newsstand ingests any site, then date them over the last hours, rank, pick and personalise
    as the demo does. Returns what the page list needs."""
    import gzip
    import json

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone
    from django.utils.text import slugify

    from newsstand.articles.models import Article
    from newsstand.ingest.actions import refresh_feed
    from newsstand.ingest.extractor import parse_html
    from newsstand.ingest.metadata import read_metadata
    from newsstand.personal import actions as personal
    from newsstand.personal.targets import resolve_target
    from newsstand.sources.models import Feed, Publisher
    from newsstand.stories.actions import refresh_story_stats
    from newsstand.stories.actions.curation import add_pick, rank_stories, record_read

    call_command("migrate", "--no-input", verbosity=0)
    root = shared / "extraction" / "naeb-dev"
    truth: dict[str, dict[str, str]] = json.loads((root / "articles.json").read_text())
    now = timezone.now()
    feeds: list[Feed] = []
    for n, site in enumerate(REAL_SITES):
        keys = sorted(k for k, v in truth.items() if v["site"] == site)
        keys = [k for k in keys if (root / "html" / f"{k}.html.gz").exists()]
        if not keys:
            continue
        prefix = f"/{n}"
        items = []
        for i, key in enumerate(keys):
            page = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes())
            link = web.add(
                f"{prefix}/news/{key}.html",
                page,
                headers={"Content-Type": "text/html; charset=utf-8"},
            )
            items.append((key, truth[key]["title"], link, now - REAL_SPACING * (n + i)))
        tree = parse_html(page.decode("utf-8", errors="replace"))
        site_name = read_metadata(tree, truth[keys[0]]["url"]).site_name if tree else ""
        name = site_name or site.split("//", 1)[1].removeprefix("www.")
        publisher = Publisher.objects.create(
            name=name, slug=f"{slugify(name)}-{n}", homepage=f"{site}/", language="en"
        )
        feed_url = web.add(
            f"{prefix}/feed.xml",
            _rss(name, web.url(prefix), items),
            headers={"Content-Type": "application/rss+xml"},
        )
        feeds.append(Feed.objects.create(publisher=publisher, url=feed_url, title=name))
    for feed in feeds:
        report = refresh_feed(feed.pk, force=True)
        logger.info("ingested %s: %s, %d new", feed.title, report.outcome, report.new_articles)
    articles = list(Article.objects.order_by("pk"))
    for i, article in enumerate(articles):
        when = now - REAL_SPACING * i
        Article.objects.filter(pk=article.pk).update(published_at=when, fetched_at=when)
    refresh_story_stats({a.story_id for a in articles if a.story_id})
    for i, article in enumerate(Article.objects.filter(story__isnull=False).order_by("pk")[:6]):
        for _ in range(6 - i):
            record_read(article, now=now)
    rank_stories(now=now)

    user = get_user_model().objects.create_superuser(STAFF_USER, "", STAFF_PASSWORD)
    pictured = Article.objects.exclude(lead_image_url="").order_by("pk")
    if pictured.exists():
        add_pick(article=pictured.last(), blurb="Worth your time today.", created_by=user, now=now)
    first = Article.objects.order_by("pk").first()
    if first is not None:
        personal.note_article_opened(user, first, now=now)
        personal.follow(user, resolve_target("publisher", str(first.publisher_id)))
    return {"articles": Article.objects.count()}


def run_real() -> int:
    shared = Path(os.environ.get("NEWSSTAND_SHARED_DATA") or REPO.parent / "shared" / "data")
    if not (shared / "extraction" / "naeb-dev" / "articles.json").is_file():
        logger.warning("real set SKIPPED: no shared data at %s (NEWSSTAND_SHARED_DATA)", shared)
        return 0
    from tests.httpserver import PublisherWeb

    tmp = Path(tempfile.mkdtemp(prefix="newsstand-shots-real-"))
    web = PublisherWeb().start()
    try:
        # The publisher web is on 127.0.0.1, which the fetcher refuses unless told otherwise.
        os.environ["NEWSSTAND_ALLOW_PRIVATE_URLS"] = "1"
        env = _environment(tmp)
        _setup_django()
        from newsstand.articles.models import Article
        from newsstand.sources.models import Publisher
        from newsstand.stories.models import Story

        facts = seed_real(shared, web)
        if not facts["articles"]:
            logger.error("real set: nothing was ingested from the local publisher web")
            return 1
        lead = Article.objects.exclude(lead_image_url="").order_by("-published_at").first()
        article = lead or Article.objects.order_by("-published_at").first()
        assert article is not None  # at least one article, checked above
        story = Story.objects.filter(score__gt=0).order_by("-score").first()
        publisher = Publisher.objects.order_by("pk").first()
        word = max((w for w in article.title.split() if w.isalpha()), key=len, default="news")
        pages = {
            "home": "/",
            "article": article.get_absolute_url(),
            "search": f"/search?q={word.lower()}",
        }
        if story is not None:
            pages["story"] = story.get_absolute_url()
        if publisher is not None:
            pages["publisher"] = f"/publishers/{publisher.slug}/"
        staff_pages = {"home-signed-in": "/", "for-you": "/for-you/"}
        with newsstand_server(env) as base:
            written = capture(
                base,
                pages,
                staff_pages,
                out_dir=REAL_OUT_DIR,
                dark_pages=(*pages, *staff_pages),
            )
        logger.info("%d real-page screenshots in %s (not committed)", len(written), REAL_OUT_DIR)
        return 0
    finally:
        web.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=("demo", "real", "all"), default="all")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    if not CHROMIUM.is_file():
        logger.error("Chromium not found at %s (apt-get install chromium)", CHROMIUM)
        return 1
    if args.set == "demo":
        return run_demo()
    if args.set == "real":
        return run_real()
    # Each set configures Django for its own data directory: one process each.
    for name in ("demo", "real"):
        # This interpreter and this script, with a fixed argument.
        done = subprocess.run([sys.executable, __file__, "--set", name], check=False)  # noqa: S603
        if done.returncode:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
