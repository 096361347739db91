"""ledger.0002 on a database that already has reads: one ticket counted on two days stays paid."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.ledger.factories import make_member
from tests.migrations import leaf_nodes, migrate
from tests.reader.factories import make_article, make_publisher

BEFORE = [("ledger", "0001_initial")]
AFTER = [("ledger", "0002_one_read_per_ticket_and_trial")]


@pytest.mark.django_db(transaction=True)
def test_a_ticket_counted_on_two_days_keeps_both_reads() -> None:
    member = make_member()
    article = make_article(make_publisher("Alpha Times"))
    opened = datetime(2026, 11, 20, 22, 59, 0, 123000, tzinfo=UTC)
    try:
        old = migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("ledger", "FullRead")
        for day in (date(2026, 11, 20), date(2026, 11, 21)):
            old.objects.create(
                user_id=member.pk,
                article_id=article.pk,
                publisher_id=article.publisher_id,
                day=day,
                read_at=opened,
                opened_at=opened,
                via="time",
            )
        new = migrate(AFTER).loader.project_state(AFTER).apps.get_model("ledger", "FullRead")
        rows = list(new.objects.order_by("day").values_list("day", "opened_at", "trial"))
        assert [r[0] for r in rows] == [date(2026, 11, 20), date(2026, 11, 21)]
        assert rows[0][1] == opened
        assert (rows[1][1] - opened).total_seconds() == pytest.approx(1e-6)
        assert [r[2] for r in rows] == [False, False]  # counted as they were
    finally:
        migrate(leaf_nodes())
