"""Django settings. Everything an operator sets comes from the environment (see README)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from newsstand.config import env_bool, env_float, env_int, env_path

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR: Path = env_path("NEWSSTAND_DATA_DIR", Path.cwd() / "var")
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("NEWSSTAND_DEBUG", default=False)


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
    "huey.contrib.djhuey",
    "newsstand.server",
    "newsstand.sources",
    "newsstand.articles",
    "newsstand.stories",
    "newsstand.ingest",
    "newsstand.reader",
    "allauth",
    "allauth.account",
    "newsstand.accounts",
    "newsstand.membership",
    "newsstand.foryou",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE avoids the
        # "database is locked" upgrade deadlock between concurrent writers.
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=10000;"
            "PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

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
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False

# Membership (membership/): the free trial every sign-up starts, without a card.
NEWSSTAND_TRIAL_DAYS = env_int("NEWSSTAND_TRIAL_DAYS", 14)

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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("NEWSSTAND_HTTPS", default=False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Background work: django.tasks on Huey. Embedded default is SqliteHuey in the data dir;
# NEWSSTAND_TASK_QUEUE_URL=redis://host:port/db scales it out over machines.
TASK_QUEUE_URL = os.environ.get("NEWSSTAND_TASK_QUEUE_URL", "")
if TASK_QUEUE_URL.startswith(("redis://", "rediss://")):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "newsstand",
        "url": TASK_QUEUE_URL,
        "immediate": False,
        "consumer": {"workers": env_int("NEWSSTAND_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "newsstand",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        # Tasks run in the consumer, also under DEBUG (huey's default would run them inline).
        "immediate": env_bool("NEWSSTAND_TASKS_IMMEDIATE", default=False),
        "consumer": {"workers": env_int("NEWSSTAND_WORKERS", 2), "worker_type": "thread"},
    }
TASKS = {"default": {"BACKEND": "huey.contrib.djhuey.tasks_backend.HueyBackend"}}

# Ingestion.
USER_AGENT = os.environ.get(
    "NEWSSTAND_USER_AGENT",
    "Newsstand/0.1 (+https://github.com/newsstand/newsstand; self-hosted news reader)",
)

# Top stories ranking (stories/ranking.py; these are its defaults, any key may be left out).
# score = (breadth + velocity + reads) x 0.5 ** (hours since the story's last update / half-life)
NEWSSTAND_RANKING = {
    "window_hours": 48.0,  # only stories updated this recently are ranked; older ones score 0
    "breadth_weight": 1.0,  # x ln(1 + distinct publishers)
    "velocity_weight": 0.6,  # x ln(1 + articles published in the last velocity_hours)
    "velocity_hours": 6.0,
    "reads_weight": 0.4,  # x ln(1 + reads of the story on this site in the last reads_hours)
    "reads_hours": 6.0,
    "half_life_hours": 8.0,  # the score halves for every this many hours without an update
}

# Story clustering (stories/clustering.py): an article joins the best story of the last
# WINDOW_DAYS scoring at least THRESHOLD (fused similarity, time penalty, section/topic bonus);
# the hourly repair merges stories whose centroids score MERGE_THRESHOLD and splits groups
# whose average linkage is under SPLIT_THRESHOLD.
NEWSSTAND_STORIES_WINDOW_DAYS = env_float("NEWSSTAND_STORIES_WINDOW_DAYS", 3.0)
NEWSSTAND_STORIES_THRESHOLD = env_float("NEWSSTAND_STORIES_THRESHOLD", 0.55)
NEWSSTAND_STORIES_MERGE_THRESHOLD = 0.6
NEWSSTAND_STORIES_SPLIT_THRESHOLD = 0.35

# For You (foryou/config.py has every key and its default; any may be set here). A reader's
# profile weighs saved > long dwell > read, halving every profile_half_life_days; an article
# scores (similarity to the profile + follow and Top-story boosts) x freshness.
NEWSSTAND_FORYOU: dict[str, float] = {
    "half_life_hours": 24.0,  # freshness halves for every this many hours since publication
    "max_per_publisher": 3,  # at most this many articles of one publisher on a page
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "kv": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "kv"}},
    "root": {"handlers": ["console"], "level": os.environ.get("NEWSSTAND_LOG_LEVEL", "INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "trafilatura": {"level": "ERROR"},
        "htmldate": {"level": "ERROR"},
        # A handler here stops Huey's consumer from adding its own, which would log twice.
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
