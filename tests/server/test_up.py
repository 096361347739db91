"""`newsstand up` starts gunicorn as the settings say."""

from __future__ import annotations

from pytest_django.fixtures import Settings

from newsstand.server.management.commands.up import gunicorn_argv


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_forwarded_headers_are_believed_from_the_trusted_proxies_only(settings: Settings) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXY_IPS = ["127.0.0.1", "::1"]
    assert _option(gunicorn_argv("127.0.0.1:8000", 2), "--forwarded-allow-ips") == ""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = ["10.0.0.5", "172.28.0.0/16"]
    argv = gunicorn_argv("0.0.0.0:8000", 3)
    assert _option(argv, "--forwarded-allow-ips") == "10.0.0.5,172.28.0.0/16"
    assert (_option(argv, "--bind"), _option(argv, "--workers")) == ("0.0.0.0:8000", "3")


def test_json_logs_replace_gunicorn_s_access_log(settings: Settings) -> None:
    settings.LOG_FORMAT = "text"
    assert _option(gunicorn_argv("127.0.0.1:8000", 2), "--access-logfile") == "-"
    settings.LOG_FORMAT = "json"
    assert "--access-logfile" not in gunicorn_argv("127.0.0.1:8000", 2)
