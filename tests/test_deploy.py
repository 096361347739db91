"""Production settings: `manage.py check --deploy` finds nothing, and HTTPS is enforced (redirect,
HSTS) with NEWSSTAND_HTTPS=1. Settings are read at import, so each check runs in a fresh
interpreter with the production environment."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

CHECK_TIMEOUT_S = 120


def _production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSSTAND_", "DJANGO_"))}
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "src"), str(REPO_ROOT)]),
            "DJANGO_SETTINGS_MODULE": "newsstand.settings",
            "NEWSSTAND_DATA_DIR": str(data_dir),
            "NEWSSTAND_HTTPS": "1",
            "NEWSSTAND_DEBUG": "0",
            "NEWSSTAND_SECRET_KEY": secrets.token_urlsafe(50),
            "NEWSSTAND_ALLOWED_HOSTS": "news.example.org",
            # A real mailer: the console one is refused for production (mail.E001). Never used.
            "NEWSSTAND_EMAIL_URL": "smtp://mail.example.org",
        }
    )
    env.update(extra)
    return env


def _python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=CHECK_TIMEOUT_S,
        check=False,
    )


def test_check_deploy_finds_nothing_with_production_settings(tmp_path: Path) -> None:
    result = _python(
        _production_env(tmp_path), "-m", "django", "check", "--deploy", "--fail-level", "WARNING"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_check_deploy_still_warns_about_a_weak_setup(tmp_path: Path) -> None:
    """The check above can fail: without HSTS it warns."""
    env = _production_env(tmp_path, NEWSSTAND_HSTS_SECONDS="0")
    result = _python(env, "-m", "django", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


SECURITY_MIDDLEWARE = """
import json
import django
django.setup()
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory

middleware = SecurityMiddleware(lambda request: HttpResponse("ok"))
factory = RequestFactory(HTTP_HOST="news.example.org")
secure = middleware(factory.get("/", HTTP_X_FORWARDED_PROTO="https"))
plain = middleware(factory.get("/articles/1/"))
health = middleware(factory.get("/healthz"))
print(json.dumps({
    "hsts": secure.get("Strict-Transport-Security"),
    "plain": [plain.status_code, plain.get("Location")],
    "health": health.status_code,
}))
"""


def test_https_is_enforced(tmp_path: Path) -> None:
    result = _python(_production_env(tmp_path), "-c", SECURITY_MIDDLEWARE)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["hsts"] == "max-age=31536000; includeSubDomains"
    assert seen["plain"] == [301, "https://news.example.org/articles/1/"]
    # A load balancer's health check on the plain address is answered, not redirected.
    assert seen["health"] == 200
