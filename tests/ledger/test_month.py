"""The ledger and the payout report on a scripted month (tests/ledger/scenario.py).

Expected figures, by hand, for November 2026 in Europe/Paris:

  reads   Alpha: m1 A1 3 Nov, m1 A1 4 Nov, m1 A2 4 Nov, m2 A1 3 Nov        = 4, readers m1 m2 = 2
          Beta:  m1 B1 5 Nov, m2 B1 10 Nov (twice that day, counted once)  = 2, readers m1 m2 = 2
          Gamma: m2 C1 30 Nov 23:30, m3 C1 1 Nov 00:30                     = 2, readers m2 m3 = 2
          all: 8 reads by 3 readers (m3's B1 is December's, its A2 October's)
  revenue 999 + 1499 + 999 (1 Nov 00:10 Paris) = 3497 EUR cents; the 1200 USD is not pooled
  pool    floor(3497 x 0.7) = floor(2447.9) = 2447
  split   2447 x 4/8 = 1223 rem 4/8; 2447 x 2/8 = 611 rem 6/8 (Beta and Gamma)
          floors 1223 + 611 + 611 = 2445, 2 cents left: to the two largest remainders, Beta
          and Gamma -> Alpha 1223, Beta 612, Gamma 612 = 2447
  October: m3 A2 = 1 read; revenue 999 -> pool floor(699.3) = 699, all to Alpha
  December: m3 B1 = 1 read; revenue 5000 -> pool 3500, all to Beta
  m4's B1 and C1 on 12 Nov were read in a free trial: 2 trial reads, in none of the figures above
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from newsstand.ledger.actions import ReadRefused, record_full_read
from newsstand.ledger.models import FullRead
from newsstand.ledger.payouts import Month
from newsstand.ledger.reports import month_report, month_reports
from newsstand.ledger.tickets import issue_ticket
from tests.ledger.scenario import TIME_ZONE, paris, pay, read, script_month
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db

NOVEMBER = Month(2026, 11)


@pytest.fixture
def month(settings):
    settings.TIME_ZONE = TIME_ZONE
    settings.NEWSSTAND_FULL_READ_SECONDS = 30
    settings.NEWSSTAND_PUBLISHER_SHARE = 0.7
    settings.NEWSSTAND_CURRENCY = "EUR"
    return script_month()


def test_ledger_rows_once_per_member_article_and_day(month):
    created = [o.created for o in month.outcomes]
    # The second A1 of m1 on 3 Nov and m2's second B1 on 10 Nov are the only repeats.
    assert created == [True, False, True, True, True, True, True, False] + [True] * 6
    assert month.outcomes[1].read.pk == month.outcomes[0].read.pk
    assert FullRead.objects.count() == 12
    assert set(FullRead.objects.filter(trial=True).values_list("user", flat=True)) == {month.m4.pk}
    first = month.outcomes[0].read
    assert first.publisher_id == month.alpha.pk
    assert first.day == date(2026, 11, 3)
    assert first.read_at == paris(2026, 11, 3, 10, 0)
    assert first.via == FullRead.Via.TIME
    # The repeat kept the first read's time and kind, not the scroll that came later.
    assert month.outcomes[7].read.via == FullRead.Via.TIME
    days = {(r.user_id, r.article_id): r.day for r in FullRead.objects.filter(user=month.m3)}
    assert days == {
        (month.m3.pk, month.c1.pk): date(2026, 11, 1),
        (month.m3.pk, month.b1.pk): date(2026, 12, 1),
        (month.m3.pk, month.a2.pk): date(2026, 10, 31),
    }


def test_a_non_members_read_is_refused_and_not_recorded(month):
    with pytest.raises(ReadRefused) as refused:
        read(month.outsider, month.a1, paris(2026, 11, 6, 9, 0))
    assert refused.value.code == "not_a_member"
    assert refused.value.status == 403
    assert not FullRead.objects.filter(user=month.outsider).exists()


def test_a_read_after_the_membership_or_trial_ended_is_refused(month):
    for member in (month.m1, month.m4):
        with pytest.raises(ReadRefused) as refused:
            read(member, month.a1, paris(2027, 2, 1, 9, 0))
        assert refused.value.code == "not_a_member"


def test_trial_reads_are_recorded_but_not_pooled(month):
    report = month_report(NOVEMBER)
    assert report.trial_reads == 2
    # m4's reads of B1 and C1 changed neither the reads, the readers nor the split.
    assert (report.reads, report.readers) == (8, 3)
    beta, gamma = report.row_for(month.beta.pk), report.row_for(month.gamma.pk)
    assert beta is not None and (beta.reads, beta.readers, beta.payout_minor) == (2, 2, 612)
    assert gamma is not None and (gamma.reads, gamma.readers, gamma.payout_minor) == (2, 2, 612)
    # A publisher read only by trial members gets nothing and is not listed.
    delta = make_publisher("Delta Weekly")
    d1 = make_article(delta, title="D1")
    read(month.m4, d1, paris(2026, 11, 14, 9, 0))
    report = month_report(NOVEMBER)
    assert report.trial_reads == 3
    assert report.row_for(delta.pk) is None
    assert report.allocated_minor == report.pool_minor == 2447


def test_a_ticket_records_one_read_even_across_midnight(month):
    opened = paris(2026, 11, 20, 23, 59, 0)
    ticket = issue_ticket(month.m1.pk, month.a1.pk, opened)
    first = record_full_read(
        month.m1, month.a1, opened + timedelta(seconds=40), ticket=ticket, via="time"
    )
    assert first.created and first.read.day == date(2026, 11, 20)
    # The same ticket redeemed after midnight would be a new day's read: refused.
    with pytest.raises(ReadRefused) as refused:
        record_full_read(month.m1, month.a1, paris(2026, 11, 21, 0, 1), ticket=ticket, via="time")
    assert (refused.value.code, refused.value.status) == ("ticket_used", 409)
    assert "2026-11-20" in refused.value.message
    assert (
        FullRead.objects.filter(
            user=month.m1, article=month.a1, day__gte=date(2026, 11, 20)
        ).count()
        == 1
    )
    # A page opened after midnight is a new read.
    fresh = issue_ticket(month.m1.pk, month.a1.pk, paris(2026, 11, 21, 0, 2))
    again = record_full_read(
        month.m1, month.a1, paris(2026, 11, 21, 0, 3), ticket=fresh, via="time"
    )
    assert again.created and again.read.day == date(2026, 11, 21)


def test_november_report_by_hand(month, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        report = month_report(NOVEMBER)
    assert report.month == NOVEMBER
    assert report.currency == "EUR"
    assert report.revenue_minor == 3497
    assert report.pool_minor == 2447
    assert report.other_revenue == (("USD", 1200),)
    assert report.reads == 8
    assert report.readers == 3
    rows = [(r.name, r.reads, r.readers, r.read_share, r.payout_minor) for r in report.rows]
    assert rows == [
        ("Alpha Times", 4, 2, Decimal("0.5"), 1223),
        ("Beta Post", 2, 2, Decimal("0.25"), 612),
        ("Gamma Daily", 2, 2, Decimal("0.25"), 612),
    ]
    assert report.allocated_minor == report.pool_minor
    assert report.unallocated_minor == 0


def test_neighbouring_months_by_hand(month, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        october, november, december = month_reports([Month(2026, 10), NOVEMBER, Month(2026, 12)])
    assert (october.revenue_minor, october.pool_minor, october.reads) == (999, 699, 1)
    assert [(r.name, r.payout_minor) for r in october.rows] == [("Alpha Times", 699)]
    assert november.pool_minor == 2447
    assert (december.revenue_minor, december.pool_minor, december.reads) == (5000, 3500, 1)
    assert [(r.name, r.payout_minor) for r in december.rows] == [("Beta Post", 3500)]


def test_other_currency_and_share_settings(month, settings):
    settings.NEWSSTAND_CURRENCY = "USD"
    settings.NEWSSTAND_PUBLISHER_SHARE = 0.5
    report = month_report(NOVEMBER)
    # 1200 x 0.5 = 600 over 4:2:2 = 300, 150, 150 exactly; the euros are listed, not pooled.
    assert (report.revenue_minor, report.pool_minor) == (1200, 600)
    assert [r.payout_minor for r in report.rows] == [300, 150, 150]
    assert report.other_revenue == (("EUR", 3497),)


def test_a_month_without_reads_allocates_nothing(month):
    september = Month(2026, 9)
    report = month_report(september)
    assert (report.reads, report.pool_minor, report.rows) == (0, 0, ())
    # Revenue but no reads: the pool is reported and left unallocated.
    pay(1000, paris(2026, 9, 10, 12, 0))
    report = month_report(september)
    assert (report.pool_minor, report.allocated_minor, report.unallocated_minor) == (700, 0, 700)


def test_deleted_account_keeps_its_reads_but_not_its_reader(month):
    month.m3.delete()
    report = month_report(NOVEMBER)
    assert report.reads == 8  # m3's November read of C1 is still paid for
    assert report.readers == 2
    gamma = report.row_for(month.gamma.pk)
    assert gamma is not None and (gamma.reads, gamma.readers) == (2, 1)
    assert FullRead.objects.filter(user=None).count() == 3
