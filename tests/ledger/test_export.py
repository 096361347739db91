"""The account data export's part for the ledger: a member's reads."""

from __future__ import annotations

import pytest

from newsstand.ledger.export import export_reads
from tests.ledger.scenario import TIME_ZONE, script_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(settings):
    settings.TIME_ZONE = TIME_ZONE
    return script_month()


def test_export_reads(month):
    rows = export_reads(month.m1)
    assert [(r["day"], r["publisher"], r["article_title"]) for r in rows] == [
        ("2026-11-03", "Alpha Times", "A1"),
        ("2026-11-04", "Alpha Times", "A1"),
        ("2026-11-04", "Alpha Times", "A2"),
        ("2026-11-05", "Beta Post", "B1"),
    ]
    assert rows[0]["how"] == "time"
    assert rows[0]["during_trial"] is False
    assert [r["during_trial"] for r in export_reads(month.m4)] == [True, True]
    assert rows[0]["article_url"] == month.a1.url
    assert export_reads(month.outsider) == []


def test_export_keeps_reads_of_a_deleted_article(month):
    month.a2.delete()
    rows = export_reads(month.m1)
    assert len(rows) == 4
    assert rows[2]["publisher"] == "Alpha Times"
    assert (rows[2]["article_id"], rows[2]["article_title"], rows[2]["article_url"]) == (
        None,
        None,
        None,
    )
