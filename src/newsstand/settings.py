"""Django settings, read from the environment: every variable is in docs/configuration.md."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from newsstand.config import (
    cache_from_url,
    email_from,
    email_mailer,
    env_bool,
    env_float,
    env_int,
    env_int_list,
    env_list,
    env_numbers,
    env_path,
    shared_redis_url,
    task_queue_from_url,
)

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR: Path = env_path("NEWSSTAND_DATA_DIR", Path.cwd() / "var")
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("NEWSSTAND_DEBUG", default=False)

# Metrics (server/metrics.py): prometheus_client's multiprocess mode keeps each process's counters
# in files here, so /metrics adds up every gunicorn worker and the worker of `up`. It reads the
# variable when first imported, which is after settings; set here, never inherited, so each
# node (and each test server) has its own.
METRICS_DIR = DATA_DIR / "metrics"
METRICS_DIR.mkdir(exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)
# With a token, /metrics wants `Authorization: Bearer <token>`; without, loopback clients only.
METRICS_TOKEN = os.environ.get("NEWSSTAND_METRICS_TOKEN", "").strip()


def _secret_key() -> str:
    """Take the key from the environment; else keep one generated into the data dir."""
    from_env = os.environ.get("NEWSSTAND_SECRET_KEY")
    if from_env:
        return from_env
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # O_EXCL so two processes starting together never write two different keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# A key generated per data dir differs from node to node: each would reject the others' sessions.
# With PostgreSQL the system checks (server/checks.py) refuse to start without it.
SECRET_KEY_FROM_ENV = bool(os.environ.get("NEWSSTAND_SECRET_KEY"))
# This PostgreSQL site is one machine on purpose: its queue and cache may be local files.
SINGLE_NODE = env_bool("NEWSSTAND_SINGLE_NODE", default=False)

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("NEWSSTAND_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("NEWSSTAND_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Server-side fetches of loopback/private/link-local addresses are refused unless this is set
# (tests and local benchmarks serve a "publisher web" on 127.0.0.1). SSRF guard.
ALLOW_PRIVATE_URLS = env_bool("NEWSSTAND_ALLOW_PRIVATE_URLS", default=False)

# Where the shared benchmark/test data lives (never shipped in the product).
SHARED_DATA_DIR: Path = env_path(
    "NEWSSTAND_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # SearchVectorField (search/models.py); only used on PostgreSQL, harmless on SQLite.
    "django.contrib.postgres",
    # Before djhuey: its `run_huey` is ours (server/management/commands/run_huey.py).
    "newsstand.server",
    "huey.contrib.djhuey",
    "newsstand.sources",
    "newsstand.articles",
    "newsstand.stories",
    "newsstand.ingest",
    "newsstand.reader",
    "newsstand.web",
    # Before allauth, so its templates (account/*.html, allauth/layouts/*) win over allauth's own.
    "newsstand.accounts",
    "allauth",
    "allauth.account",
    "newsstand.membership",
    "newsstand.personal",
    "newsstand.ledger",
    # The membership gate on every channel, and the JSON API with the outgoing feeds.
    "newsstand.gate",
    "newsstand.api",
    # Django Ninja's own static files, so /api/docs serves Swagger UI locally, not from a CDN.
    "ninja",
    "newsstand.search",
    "newsstand.foryou",
    # The daily briefing email: preferences, deliveries (at most once), its pages and its tick.
    "newsstand.briefing",
    # Reading apps: app passwords and the Miniflux, Google Reader and Fever sync APIs.
    "newsstand.sync",
]

MIDDLEWARE = [
    # First: a request id and the latency clock around everything, cached pages included.
    "newsstand.server.requests.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache, so a page served from it gets the header too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, CSRF and auth: a cached anonymous page skips them, and a page is stored
    # only after they have added their cookies and Vary headers (reader/pagecache.py).
    "newsstand.reader.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # request.htmx: list pages and forms answer HTMX with a fragment (personal/, web/listing).
    "django_htmx.middleware.HtmxMiddleware",
    "newsstand.gate.middleware.ClearCacheOnSignOutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "newsstand.urls"
WSGI_APPLICATION = "newsstand.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASE_URL = (
    os.environ.get("NEWSSTAND_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'newsstand.sqlite3'}"
)
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
SQLITE_MMAP_BYTES = 1024**3
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept open between requests like PostgreSQL's (conn_max_age above): a new SQLite
    # connection runs the pragmas below, reads the schema again and starts with an empty page
    # cache, 6 ms of a 30 ms sync page (docs/benchmarks.md, Sync).
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE avoids the
        # "database is locked" upgrade deadlock between concurrent writers.
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=10000;"
            "PRAGMA foreign_keys=ON;"
            # Pages read through a memory map, not a read() each into the connection's own
            # 2 MB cache: an app paging through its unread entries reads new rows on every
            # page (about 2 ms of its 10 ms query; docs/benchmarks.md, Sync). An upper bound
            # of address space, shared between processes, not memory taken.
            f"PRAGMA mmap_size={SQLITE_MMAP_BYTES};"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

# The cache (rendered pages, the publisher strip, allauth's rate limits). See config.cache_from_url.
CACHE_URL = os.environ.get("NEWSSTAND_CACHE_URL", "").strip() or f"file://{DATA_DIR / 'cache'}"
CACHES = {"default": cache_from_url(CACHE_URL)}
# Seconds an anonymous reader's page is served from the cache (reader/pagecache.py); 0 turns it
# off. Staff changing Our Picks empties it at once; everything else shows within this time.
NEWSSTAND_PAGE_CACHE_S = env_int("NEWSSTAND_PAGE_CACHE_S", 60)
# Reads of article pages (for Top stories) are buffered per web process and written together
# at most this many seconds after the first (reader/reads.py); 0 writes each read at once.
NEWSSTAND_READS_FLUSH_S = env_float("NEWSSTAND_READS_FLUSH_S", 10.0)

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
# Readers sign in with their email; Django's username is filled in by allauth behind the scenes.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Never tell a visitor whether an address has an account (sign-up, reset and email change).
ACCOUNT_PREVENT_ENUMERATION = True
# Mandatory, because unique emails and an instant sign-in at sign-up would tell a visitor which
# addresses have an account; the link in the verification email signs the new reader in.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False

# Accounts (accounts/): the rest of allauth's behaviour, our templates and the account page.
ACCOUNT_ADAPTER = "newsstand.accounts.adapter.AccountAdapter"
# Sign-up hashes the password for a taken address too, so both answer in the same time; it
# shows the password rules in one line and the trial's length.
ACCOUNT_FORMS = {"signup": "newsstand.accounts.forms.SignupForm"}
# One address per account: a new one replaces the old once its link is followed.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False  # signing out is a POST (with CSRF), never a link or prefetch
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Newsstand] "
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts:account"
ACCOUNT_EMAIL_CONFIRMATION_AUTHENTICATED_REDIRECT_URL = "accounts:account"
# Attempts per client address (ip), per email typed (key) or per signed-in user; "5/5m/key" is five
# in five minutes. Counted in the default cache: per process unless a shared cache is configured.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Behind N reverse proxies, rate limits take the client address from X-Forwarded-For; with 0 (the
# default) the header is ignored, since anyone can send it.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("NEWSSTAND_TRUSTED_PROXY_COUNT", 0)
# The addresses gunicorn accepts X-Forwarded-Proto from (its --forwarded-allow-ips), when there
# are proxies at all; with NEWSSTAND_TRUSTED_PROXY_COUNT=0 it accepts them from no one.
TRUSTED_PROXY_IPS = env_list("NEWSSTAND_TRUSTED_PROXY_IPS", ["127.0.0.1", "::1"])

# The JSON API (api/): calls per client address when anonymous, per user when signed in (a
# session or a token); past either the call is a 429 with Retry-After.
NEWSSTAND_API_ANON_RATE = os.environ.get("NEWSSTAND_API_ANON_RATE", "120/m")
NEWSSTAND_API_SIGNED_IN_RATE = os.environ.get("NEWSSTAND_API_SIGNED_IN_RATE", "600/m")

# Email: console by default, files with NEWSSTAND_EMAIL_FILE_PATH, SMTP with NEWSSTAND_EMAIL_URL.
MAILERS = {
    "default": email_mailer(
        os.environ.get("NEWSSTAND_EMAIL_URL"), os.environ.get("NEWSSTAND_EMAIL_FILE_PATH")
    )
}
DEFAULT_FROM_EMAIL = email_from(os.environ.get("NEWSSTAND_EMAIL_FROM"), "newsstand@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Membership (membership/): the free trial every sign-up starts, without a card.
NEWSSTAND_TRIAL_DAYS = env_int("NEWSSTAND_TRIAL_DAYS", 14)
# Days of the trial (day 1 is the day it starts) on which a reminder email goes out.
NEWSSTAND_TRIAL_REMINDER_DAYS = env_int_list("NEWSSTAND_TRIAL_REMINDER_DAYS", (11, 14))
# A member whose renewal failed (past_due) keeps reading this long after the paid period ends,
# while the provider retries the card.
NEWSSTAND_PAST_DUE_GRACE_DAYS = env_int("NEWSSTAND_PAST_DUE_GRACE_DAYS", 7)
# Who takes payment: "manual" (staff grant memberships) or "stripe".
NEWSSTAND_PAYMENT_PROVIDER = os.environ.get("NEWSSTAND_PAYMENT_PROVIDER", "manual").strip().lower()
NEWSSTAND_STRIPE_SECRET_KEY = os.environ.get("NEWSSTAND_STRIPE_SECRET_KEY", "")
NEWSSTAND_STRIPE_WEBHOOK_SECRET = os.environ.get("NEWSSTAND_STRIPE_WEBHOOK_SECRET", "")
# Empty: Stripe's own API. Tests (and stripe-mock) point it at a local server.
NEWSSTAND_STRIPE_API_BASE = os.environ.get("NEWSSTAND_STRIPE_API_BASE", "")
NEWSSTAND_CURRENCY = os.environ.get("NEWSSTAND_CURRENCY", "USD").strip().upper()
# The plans readers choose from; "price" is for display, Stripe charges what its price id says.
NEWSSTAND_PLANS = {
    "monthly": {
        "name": "Monthly",
        "interval": "month",
        "price": os.environ.get("NEWSSTAND_PLAN_MONTHLY_PRICE", "12.99"),
        "currency": NEWSSTAND_CURRENCY,
        "stripe_price_id": os.environ.get("NEWSSTAND_STRIPE_PRICE_MONTHLY", ""),
    },
    "annual": {
        "name": "Annual",
        "interval": "year",
        "price": os.environ.get("NEWSSTAND_PLAN_ANNUAL_PRICE", "119.00"),
        "currency": NEWSSTAND_CURRENCY,
        "stripe_price_id": os.environ.get("NEWSSTAND_STRIPE_PRICE_ANNUAL", ""),
    },
}
# Absolute links in emails (the trial reminders), where there is no request to build them from.
NEWSSTAND_SITE_URL = os.environ.get("NEWSSTAND_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Read ledger and payouts (ledger/): a member's read counts once the article was visible for
# FULL_READ_SECONDS or scrolled past FULL_READ_SCROLL of its body; publishers share
# PUBLISHER_SHARE of each month's revenue in CURRENCY by their reads.
NEWSSTAND_FULL_READ_SECONDS = env_int("NEWSSTAND_FULL_READ_SECONDS", 30)
NEWSSTAND_FULL_READ_SCROLL = env_float("NEWSSTAND_FULL_READ_SCROLL", 0.6)
# Full reads counted per member and day (POST /reads/ answers 429 past it): no one reads 200
# articles a day, a script farming one publisher's payout does.
NEWSSTAND_FULL_READS_PER_DAY = env_int("NEWSSTAND_FULL_READS_PER_DAY", 200)
# And per member in any ten minutes (429 past it): a reader finishes one article at a time (each
# takes FULL_READ_SECONDS at least); a script redeems a stack of tickets at once.
NEWSSTAND_FULL_READS_PER_10_MIN = env_int("NEWSSTAND_FULL_READS_PER_10_MIN", 20)
NEWSSTAND_PUBLISHER_SHARE = env_float("NEWSSTAND_PUBLISHER_SHARE", 0.7)
# (NEWSSTAND_CURRENCY is set with the plans above.)

# The gate (gate/): full articles a registered non-member may read free each calendar month;
# 0 turns metering off.
NEWSSTAND_METERED_FREE_ARTICLES = env_int("NEWSSTAND_METERED_FREE_ARTICLES", 0)

# Reading apps (sync/): how far back a followed publisher's articles are entries (days), and the
# calls each app password may make a minute (429 past it).
NEWSSTAND_SYNC_WINDOW_DAYS = env_float("NEWSSTAND_SYNC_WINDOW_DAYS", 30.0)
NEWSSTAND_SYNC_RATE_PER_MINUTE = env_int("NEWSSTAND_SYNC_RATE_PER_MINUTE", 600)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("NEWSSTAND_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise warns on every request when STATIC_ROOT is missing, even with finders serving files.
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve app static files straight from the package when collectstatic has not run.
WHITENOISE_USE_FINDERS = True

# A sign-in lasts two weeks (not renewed per request: that would write the session on every page);
# with "Remember me" left unticked it ends when the browser closes.
# Sessions are read from the cache (the shared file cache by default) and written through to
# the database: a signed-in page saves the session query it would run on every request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 14 * 24 * 60 * 60  # seconds
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie (forms carry the token), so scripts may not read it either.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Articles show third-party HTML; the sanitizer (ingest/sanitizer.py) is one defence, this policy
# the second: no inline script or style anywhere, nothing loaded from elsewhere but images over
# https (lead images and those in article bodies). Inline <style> needs the request's nonce
# (`{{ csp_nonce }}`; only the staff charts have one). A view with other needs says so with
# django.views.decorators.csp.csp_override.
NEWSSTAND_HTTPS = env_bool("NEWSSTAND_HTTPS", default=False)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.NONCE],
    # A site served over plain http (one machine, a test) shows publishers' http images too;
    # over https they are asked for over https (web.presentation.image_src).
    "img-src": [CSP.SELF, "https:"] if NEWSSTAND_HTTPS else [CSP.SELF, "https:", "http:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if NEWSSTAND_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Plain http is redirected to https, except the health check, which a load balancer calls
    # on the server's own address.
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # HSTS: a browser that has seen the site uses only https for it (and its subdomains) this long.
    SECURE_HSTS_SECONDS = env_int("NEWSSTAND_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("NEWSSTAND_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("NEWSSTAND_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Asking browsers to build the domain in (hstspreload.org) is its owner's decision, hard
        # to undo, so it is opt-in, and `check --deploy` need not remind every install of it.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Background work: django.tasks on Huey. Embedded default is SqliteHuey in the data dir;
# NEWSSTAND_TASK_QUEUE_URL=redis://host:port/db (or postgres://) scales it out over machines, and
# any other form is an error (config.task_queue_from_url).
TASK_QUEUE_URL = os.environ.get("NEWSSTAND_TASK_QUEUE_URL", "").strip()
TASK_QUEUE = task_queue_from_url(
    TASK_QUEUE_URL,
    data_dir=DATA_DIR,
    workers=env_int("NEWSSTAND_WORKERS", 2),
    immediate=env_bool("NEWSSTAND_TASKS_IMMEDIATE", default=False),
)
HUEY = TASK_QUEUE.huey
TASKS = {"default": {"BACKEND": "huey.contrib.djhuey.tasks_backend.HueyBackend"}}
# Where the workers of a cluster share per-host fetch slots, robots.txt rules and back-offs
# (ingest/politeness.py): the cache's Redis, else the queue's; "" keeps them in each process.
COORDINATION_REDIS_URL = shared_redis_url(CACHE_URL, TASK_QUEUE_URL)

# Ingestion.
USER_AGENT = os.environ.get(
    "NEWSSTAND_USER_AGENT",
    "Newsstand/0.1 (+https://github.com/newsstand/newsstand; self-hosted news reader)",
)
# Worker processes a feed refresh extracts its pages in while the next ones download, when it
# has many new ones (ingest.pipeline); 0 extracts in the refreshing process. `newsstand ingest
# --feed URL` uses one per CPU whatever this says (--extract-processes); task workers, which
# refresh several feeds at once already, and `ingest --once` use this.
NEWSSTAND_INGEST_EXTRACT_PROCESSES = env_int("NEWSSTAND_INGEST_EXTRACT_PROCESSES", 0)

# Groups of tunables. Each is a dict whose keys override the defaults of one frozen dataclass,
# where every key is listed and explained once; a key not set keeps its default, and an
# unknown key or a bad value is an error naming the setting (newsstand.config.load_group).
# They are read when used, so tests override them with the `settings` fixture.
#
# Top stories ranking: stories.ranking.RankingSettings.
# score = (breadth + velocity + reads) x 0.5 ** (hours since the story's last update / half-life)
NEWSSTAND_RANKING: dict[str, float] = {}
# Story clustering: stories.clustering_engine.ClusterConfig; the environment can set two keys.
# Its window_days is the one stories window: wire copies, For You and Related Stories use it.
NEWSSTAND_STORIES = env_numbers(
    window_days="NEWSSTAND_STORIES_WINDOW_DAYS", threshold="NEWSSTAND_STORIES_THRESHOLD"
)
# Article similarity: stories.similarity.SimilaritySettings (entity_boost, embedding_weight).
NEWSSTAND_SIMILARITY: dict[str, float] = {}
# Wire copies: stories.wirecopy.WireCopySettings (max_entries, min_containment).
NEWSSTAND_WIRECOPY: dict[str, float] = {}

# Search (search/). The backend class follows the database engine; set the variable only for a
# backend of your own. Results rank as relevance x 0.5 ** (age in days / half-life): see
# search/backends/__init__.py.
NEWSSTAND_SEARCH_BACKEND = os.environ.get("NEWSSTAND_SEARCH_BACKEND") or (
    "newsstand.search.backends.postgres.PostgresSearch"
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    else "newsstand.search.backends.sqlite.SqliteSearch"
)
NEWSSTAND_SEARCH_HALF_LIFE_DAYS = env_float("NEWSSTAND_SEARCH_HALF_LIFE_DAYS", 14.0)
# Searches one reader may make in a minute (signed in: per account; else per client address,
# see ALLAUTH_TRUSTED_PROXY_COUNT); past it the page answers 429 (search/throttle.py).
NEWSSTAND_SEARCHES_PER_MINUTE = env_int("NEWSSTAND_SEARCHES_PER_MINUTE", 30)
# Suggestions as the reader types (/search/suggest), counted apart the same way: one a
# keystroke, so many more; past it the fragment is an empty 429.
NEWSSTAND_SUGGESTIONS_PER_MINUTE = env_int("NEWSSTAND_SUGGESTIONS_PER_MINUTE", 120)
# For You: foryou.config.ForYouSettings (a group, as above). A reader's profile weighs saved >
# long dwell > read, halving every profile_half_life_days; an article scores (similarity to the
# profile + follow and Top-story boosts) x freshness.
NEWSSTAND_FORYOU: dict[str, float] = {}
# Each web process vectorises the stories window once for For You (~1 s per 1,000 articles).
# In a background thread, so no request waits for it; until it is ready For You shows the Top
# stories and the latest, and says so.
NEWSSTAND_FORYOU_BUILD_IN_BACKGROUND = env_bool(
    "NEWSSTAND_FORYOU_BUILD_IN_BACKGROUND", default=True
)

# Logs go to standard error: plain lines, or one JSON object a line with NEWSSTAND_LOG_FORMAT=json
# (python-json-logger), each with the request id of the request it was written in.
LOG_FORMAT = os.environ.get("NEWSSTAND_LOG_FORMAT", "text").strip().lower() or "text"
if LOG_FORMAT not in {"text", "json"}:
    raise ValueError(f"NEWSSTAND_LOG_FORMAT={LOG_FORMAT!r}: expected text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "newsstand.server.requests.RequestIdFilter"}},
    "formatters": {
        "kv": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "kv",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("NEWSSTAND_LOG_LEVEL", "INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "trafilatura": {"level": "ERROR"},
        "htmldate": {"level": "ERROR"},
        # A handler here stops Huey's consumer from adding its own, which would log twice.
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
