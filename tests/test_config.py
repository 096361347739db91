"""Settings read from the environment fail with a message that names the variable."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from newsstand.config import (
    EMAIL_TIMEOUT_S,
    cache_from_url,
    email_from,
    email_mailer,
    env_bool,
    env_float,
    env_int,
    env_numbers,
    env_path,
    group_from_mapping,
    is_local_cache,
    load_group,
    shared_redis_url,
    task_queue_from_url,
)
from newsstand.fields import fit, max_length


def test_booleans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NS_X", "Yes")
    assert env_bool("NS_X", default=False) is True
    monkeypatch.setenv("NS_X", "0")
    assert env_bool("NS_X", default=True) is False
    monkeypatch.delenv("NS_X")
    assert env_bool("NS_X", default=True) is True
    monkeypatch.setenv("NS_X", "maybe")
    with pytest.raises(ValueError, match="NS_X='maybe'"):
        env_bool("NS_X", default=False)


def test_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NS_N", "4")
    assert env_int("NS_N", 2) == 4
    assert env_float("NS_N", 0.5) == 4.0
    monkeypatch.setenv("NS_N", " ")
    assert env_int("NS_N", 2) == 2
    monkeypatch.setenv("NS_N", "four")
    with pytest.raises(ValueError, match="NS_N='four': expected a whole number"):
        env_int("NS_N", 2)
    with pytest.raises(ValueError, match="NS_N='four': expected a number"):
        env_float("NS_N", 0.5)


def test_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NS_P", str(tmp_path / "a" / ".." / "b"))
    assert env_path("NS_P", Path("/default")) == tmp_path / "b"
    monkeypatch.delenv("NS_P")
    assert env_path("NS_P", Path("/default")) == Path("/default")


# Outgoing mail: NEWSSTAND_EMAIL_URL / NEWSSTAND_EMAIL_FILE_PATH / NEWSSTAND_EMAIL_FROM.


def test_email_defaults_to_the_console() -> None:
    assert email_mailer(None, None) == {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    assert email_mailer("", "  ")["BACKEND"].endswith("console.EmailBackend")


def test_email_to_files(tmp_path: Path) -> None:
    mailer = email_mailer(None, str(tmp_path / "mail"))
    assert mailer == {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(tmp_path / "mail")},
    }


@pytest.mark.parametrize(
    ("url", "options"),
    [
        (
            "smtp://relay.internal",
            {"host": "relay.internal", "port": 25, "username": "", "password": ""},
        ),
        (
            "smtp+tls://news%40example.org:p%40ss%2Fw0rd@mail.example.org",
            {
                "host": "mail.example.org",
                "port": 587,
                "username": "news@example.org",
                "password": "p@ss/w0rd",
                "use_tls": True,
            },
        ),
        (
            "SMTPS://apikey:secret@smtp.example.org:2465",
            {"host": "smtp.example.org", "port": 2465, "username": "apikey", "use_ssl": True},
        ),
    ],
)
def test_email_over_smtp(url: str, options: dict[str, object]) -> None:
    mailer = email_mailer(url, None)
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    defaults = {"use_tls": False, "use_ssl": False, "timeout": EMAIL_TIMEOUT_S}
    assert mailer["OPTIONS"] == {**defaults, "password": mailer["OPTIONS"]["password"], **options}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.org", "unknown scheme 'http'"),
        ("smtp+tls://user:secret@", "no host"),
        ("smtp://mail.example.org:99999", "not a number between 1 and 65535"),
        ("smtp://mail.example.org:25/path", "only user, password, host and port"),
        ("smtp://user:pa?ss@mail.example.org", "only user, password, host and port"),
    ],
)
def test_bad_email_urls_say_why_without_the_password(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        email_mailer(url, None)
    assert str(caught.value).startswith("NEWSSTAND_EMAIL_URL: ")
    assert "secret" not in str(caught.value)


def test_email_url_and_file_path_together_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="both set: choose one"):
        email_mailer("smtp://mail.example.org", str(tmp_path))


def test_email_from() -> None:
    assert email_from(None, "newsstand@localhost") == "newsstand@localhost"
    assert email_from(" Newsstand <news@example.org> ", "x") == "Newsstand <news@example.org>"
    with pytest.raises(ValueError, match="NEWSSTAND_EMAIL_FROM='Newsstand'"):
        email_from("Newsstand", "x")


def test_file_mailer_writes_the_message(tmp_path: Path) -> None:
    """End to end: Django builds its mailer from our MAILERS entry and writes the email."""
    from django.core.mail import EmailMessage
    from django.test import override_settings

    with override_settings(MAILERS={"default": email_mailer(None, str(tmp_path))}):
        EmailMessage("Hello", "Body", "news@example.org", ["reader@example.org"]).send()
    (written,) = tmp_path.iterdir()
    assert "Subject: Hello" in written.read_text()


def test_cache_urls() -> None:
    assert cache_from_url("locmem://")["BACKEND"].endswith("LocMemCache")
    file_cache = cache_from_url("file:///var/lib/newsstand/cache")
    assert file_cache["BACKEND"] == "newsstand.server.filecache.FileCache"
    assert is_local_cache(file_cache)
    assert file_cache["LOCATION"] == "/var/lib/newsstand/cache"
    redis = cache_from_url("rediss://:secret@cache.internal:6380/2")
    assert redis == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "rediss://:secret@cache.internal:6380/2",
    }
    assert cache_from_url("dummy://")["BACKEND"].endswith("DummyCache")
    with pytest.raises(ValueError, match="absolute path"):
        cache_from_url("file://cache")
    with pytest.raises(ValueError, match="unknown scheme"):
        cache_from_url("memcached://127.0.0.1:11211")
    with pytest.raises(ValueError, match="expected one of"):
        cache_from_url("/var/cache")


def test_env_numbers_holds_only_the_variables_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NS_WINDOW", raising=False)
    monkeypatch.setenv("NS_LIMIT", "0.7")
    monkeypatch.setenv("NS_BLANK", " ")
    assert env_numbers(window="NS_WINDOW", limit="NS_LIMIT", blank="NS_BLANK") == {"limit": 0.7}
    monkeypatch.setenv("NS_WINDOW", "three")
    with pytest.raises(ValueError, match="NS_WINDOW='three'"):
        env_numbers(window="NS_WINDOW")


@dataclass(frozen=True)
class _Group:
    half_life_hours: float = 8.0
    weight: float = 0.5
    page_size: int = 30


def test_a_group_is_its_defaults_overridden_key_by_key() -> None:
    group = group_from_mapping(_Group, "NS_GROUP", {"weight": 2, "page_size": 10.0})
    assert group == _Group(half_life_hours=8.0, weight=2.0, page_size=10)
    assert isinstance(group.page_size, int)
    assert group_from_mapping(_Group, "NS_GROUP", {}, defaults=_Group(weight=1)) == _Group(weight=1)


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ({"wieght": 1}, "NS_GROUP has unknown key.*wieght.*known: half_life_hours"),
        ({"weight": "heavy"}, "NS_GROUP weight='heavy': expected a number"),
        ({"page_size": 2.5}, "NS_GROUP page_size=2.5: expected a whole number"),
        ({"half_life_hours": 0}, "NS_GROUP half_life_hours must be positive"),
        ({"page_size": 0}, "NS_GROUP page_size must be positive"),
        ({"weight": -1}, "NS_GROUP weight must not be negative"),
    ],
)
def test_a_bad_group_value_names_the_setting(configured: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        group_from_mapping(_Group, "NS_GROUP", configured, positive={"page_size"})


def test_a_group_is_read_when_loaded(settings: Settings) -> None:
    settings.NS_GROUP = {"weight": 3}
    assert load_group(_Group, "NS_GROUP").weight == 3.0
    settings.NS_GROUP = {"weight": 4}
    assert load_group(_Group, "NS_GROUP").weight == 4.0
    del settings.NS_GROUP
    assert load_group(_Group, "NS_GROUP") == _Group()


def test_text_is_cut_at_the_length_the_model_declares() -> None:
    from newsstand.articles.models import Article
    from newsstand.sources.models import Feed

    assert max_length(Article, "title") == Article._meta.get_field("title").max_length
    assert fit(Article, "title", "x" * 5000) == "x" * max_length(Article, "title")
    assert fit(Feed, "etag", "short") == "short"
    with pytest.raises(ValueError, match=r"Article\.publisher has no max_length"):
        max_length(Article, "publisher")


def test_queue_urls(tmp_path: Path) -> None:
    local = task_queue_from_url("", data_dir=tmp_path, workers=3)
    assert (local.kind, local.shared) == ("sqlite", False)
    assert local.huey["filename"] == str(tmp_path / "tasks.sqlite3")
    assert local.huey["consumer"] == {"workers": 3, "worker_type": "thread"}
    file = task_queue_from_url("sqlite:////srv/q.sqlite3", data_dir=tmp_path, workers=2)
    assert (file.kind, file.huey["filename"]) == ("sqlite", "/srv/q.sqlite3")
    redis = task_queue_from_url("rediss://:pw@q.internal:6380/0", data_dir=tmp_path, workers=2)
    assert redis.shared and redis.huey["huey_class"] == "huey.PriorityRedisHuey"
    assert redis.huey["url"] == "rediss://:pw@q.internal:6380/0"
    postgres = task_queue_from_url("postgres://u@db/news", data_dir=tmp_path, workers=2)
    assert postgres.shared and postgres.huey["huey_class"] == "huey.PostgresHuey"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("amqp://guest:secret@mq/", "unknown form amqp://"),
        ("localhost:6379", "unknown form without a scheme"),
        ("sqlite://relative.db", "absolute file"),
    ],
)
def test_a_queue_url_not_understood_is_an_error(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        task_queue_from_url(url, data_dir=tmp_path, workers=2)
    assert "secret" not in str(caught.value)


def test_the_shared_redis_is_the_cache_s_else_the_queue_s() -> None:
    assert shared_redis_url("redis://c/1", "redis://q/0") == "redis://c/1"
    assert shared_redis_url("file:///tmp/c", "redis://q/0") == "redis://q/0"
    assert shared_redis_url("file:///tmp/c", "") == ""
