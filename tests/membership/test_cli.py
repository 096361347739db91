"""`newsstand members grant EMAIL --days N`, `members end EMAIL` and `members show EMAIL`."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from newsstand.gate.policy import viewer_of
from newsstand.membership import actions
from newsstand.membership.access import has_full_access
from newsstand.membership.models import Membership, MembershipEvent
from newsstand.membership.transitions import ProviderRef
from tests.membership.conftest import make_user

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("members", *args, stdout=out)
    return out.getvalue().strip()


def test_show_prints_state_and_end_in_utc() -> None:
    user = make_user("show@example.org")
    actions.start_trial(user, now=datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
    assert _run("show", "SHOW@example.org") == "show@example.org: trial until 2026-12-12 10:00 UTC"


def test_show_without_a_membership_row() -> None:
    make_user("bare@example.org")
    assert _run("show", "bare@example.org") == "bare@example.org: no membership"


def test_grant_extends_and_prints_the_new_end() -> None:
    user = make_user("grant@example.org")
    out = _run("grant", "grant@example.org", "--days", "30")
    membership = Membership.objects.get(user=user)
    assert membership.state == Membership.State.ACTIVE
    assert out.startswith("grant@example.org: active until ")
    end = membership.paid_until
    assert end is not None
    assert end.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") in out
    _run("grant", "grant@example.org", "--days", "5")
    membership.refresh_from_db()
    assert membership.paid_until == end + timedelta(days=5)
    assert MembershipEvent.objects.filter(reason="granted 5 days (CLI)").exists()


@pytest.mark.parametrize("start", ["trial", "grant", "past_due"])
def test_end_takes_full_access_away_now(start: str) -> None:
    user = make_user("end@example.org")
    if start == "trial":
        actions.start_trial(user)
    else:
        actions.grant_membership(user, 30, actor=None)
        if start == "past_due":
            actions.mark_past_due(user)
    assert has_full_access(user)
    out = _run("end", "end@example.org")
    user.refresh_from_db()
    assert not has_full_access(user)
    assert out.startswith("end@example.org: expired (access ended ")
    event = MembershipEvent.objects.filter(to_state=Membership.State.EXPIRED).get()
    assert event.reason == "ended by an operator (CLI)"
    # The gate, which every channel asks, now shows this reader the teaser.
    assert not viewer_of(user).full_access


def test_end_without_access_changes_nothing() -> None:
    make_user("bare@example.org")
    out = _run("end", "bare@example.org")
    assert out.splitlines()[0] == "bare@example.org: had no trial or membership to end."
    assert not MembershipEvent.objects.exclude(to_state=Membership.State.REGISTERED).exists()


def test_end_warns_that_the_provider_still_bills() -> None:
    user = make_user("paying@example.org")
    actions.activate(
        user,
        paid_until=datetime.now(UTC) + timedelta(days=30),
        ref=ProviderRef(provider="stripe", customer_id="cus_1", subscription_id="sub_1"),
    )
    err = StringIO()
    call_command("members", "end", "paying@example.org", stdout=StringIO(), stderr=err)
    assert "subscription sub_1 at stripe still bills" in err.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "nobody@example.org"), "No account has the email nobody@example.org."),
        (("grant", "nobody@example.org", "--days", "3"), "No account has the email"),
        (("end", "nobody@example.org"), "No account has the email"),
        (("show", "not-an-email"), "'not-an-email' is not an email address"),
        (("grant", "here@example.org", "--days", "0"), "--days must be between 1 and 3660"),
    ],
)
def test_clear_errors(args, message) -> None:
    make_user("here@example.org")
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not MembershipEvent.objects.filter(to_state=Membership.State.ACTIVE).exists()


def test_unknown_email_exits_non_zero_from_the_console_script(tmp_path) -> None:
    """The real `newsstand` entry point, in a subprocess, against its own empty database."""
    import os

    env = {**os.environ, "NEWSSTAND_DATA_DIR": str(tmp_path)}
    env.pop("NEWSSTAND_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "newsstand.cli", "migrate", "-v", "0"], env=env, check=True
    )
    result = subprocess.run(
        [sys.executable, "-m", "newsstand.cli", "members", "show", "ghost@example.org"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "No account has the email ghost@example.org." in result.stderr
