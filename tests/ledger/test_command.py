"""`newsstand payouts report`, and the settings check."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError

from tests.ledger.scenario import TIME_ZONE, script_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(settings):
    settings.TIME_ZONE = TIME_ZONE
    settings.NEWSSTAND_PUBLISHER_SHARE = 0.7
    settings.NEWSSTAND_CURRENCY = "EUR"
    return script_month()


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("payouts", "report", *args, stdout=out)
    return out.getvalue()


def test_report_as_text(month):
    lines = _run("--month", "2026-11").splitlines()
    assert lines[0] == "Publisher payouts for November 2026 (2026-11)"
    assert lines[1] == "Revenue €34.97 x publishers' share 70% = pool €24.47"
    assert lines[2] == "8 full reads by 3 readers of 3 publishers"
    table = [line.split() for line in lines[4:]]
    assert table[1] == ["Alpha", "Times", "4", "2", "50.00%", "€12.23"]
    assert table[2] == ["Beta", "Post", "2", "2", "25.00%", "€6.12"]
    assert table[3] == ["Gamma", "Daily", "2", "2", "25.00%", "€6.12"]
    assert table[4] == ["Total", "8", "3", "100.00%", "€24.47"]
    assert "Also 2 full reads by members in a free trial: recorded, not paid for" in lines[-2]
    assert "Also received $12.00 in USD: not in the pool" in lines[-1]


def test_report_as_csv(month):
    rows = list(csv.reader(io.StringIO(_run("--month", "2026-11", "--csv"))))
    assert rows[0][:3] == ["month", "publisher_id", "publisher"]
    assert [(r[2], r[7]) for r in rows[1:]] == [
        ("Alpha Times", "1223"),
        ("Beta Post", "612"),
        ("Gamma Daily", "612"),
    ]


def test_empty_month_says_the_pool_is_not_allocated(month):
    text = _run("--month", "2026-09")
    assert "0 full reads by 0 readers of 0 publishers" in text


def test_bad_month_is_a_clear_error(month):
    with pytest.raises(CommandError, match="--month '2026/11' is not a month: expected YYYY-MM"):
        _run("--month", "2026/11")


def test_bad_settings_stop_the_checks(settings):
    settings.NEWSSTAND_FULL_READ_SCROLL = 1.5
    with pytest.raises(SystemCheckError, match=r"NEWSSTAND_FULL_READ_SCROLL=1\.5"):
        call_command("check")
    settings.NEWSSTAND_FULL_READ_SCROLL = 0.6
    settings.NEWSSTAND_PUBLISHER_SHARE = 7
    with pytest.raises(SystemCheckError, match="NEWSSTAND_PUBLISHER_SHARE=7"):
        call_command("check")
