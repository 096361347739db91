"""/staff/payouts/: the month's report, its CSV and a publisher's chart, for staff only."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from newsstand.ledger.csvfile import HEADER
from newsstand.ledger.payouts import Month
from newsstand.ledger.reports import current_month
from tests.ledger.factories import make_member
from tests.ledger.scenario import TIME_ZONE, script_month
from tests.reader.factories import make_publisher

pytestmark = pytest.mark.django_db

PAYOUTS = "/staff/payouts/"


@pytest.fixture
def month(settings):
    settings.TIME_ZONE = TIME_ZONE
    settings.NEWSSTAND_PUBLISHER_SHARE = 0.7
    settings.NEWSSTAND_CURRENCY = "EUR"
    return script_month()


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_user("editor", password="pw-not-used", is_staff=True)
    client.force_login(user)
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_urls():
    assert reverse("reader:staff:payouts") == PAYOUTS
    assert reverse("reader:staff:payouts_publisher", args=[7]) == "/staff/payouts/publisher/7/"


def test_staff_only(client):
    pub = make_publisher()
    urls = [
        PAYOUTS,
        f"{PAYOUTS}?format=csv",
        reverse("reader:staff:payouts_publisher", args=[pub.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login"))
    client.force_login(make_member())  # a paying reader is not staff
    for url in urls:
        assert client.get(url).status_code == 302, url


def test_month_page_shows_the_report(staff_client, month, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = staff_client.get(PAYOUTS, {"month": "2026-11"})
    assert response.status_code == 200
    html = response.content.decode()
    text = _text(html)
    assert "November 2026" in text
    assert "€34.97" in text  # revenue
    assert "70% of revenue" in text
    assert "€24.47" in text  # pool
    assert re.search(r"Alpha Times\s*</a>\s*</th>\s*<td class=\"num\">4</td>", html)
    assert "€12.23" in text and text.count("€6.12") == 2
    assert "Also received $12.00 in USD" in text
    assert "Also 2 full reads by members in a free trial: recorded, not paid for" in text
    assert "<svg" in html and 'role="img"' in html
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'aria-current="page">Payouts<' in html  # the staff nav
    assert f"/staff/payouts/publisher/{month.alpha.pk}/?month=2026-11" in html


def test_default_month_is_last_month(staff_client):
    response = staff_client.get(PAYOUTS)
    assert response.status_code == 200
    assert current_month().shifted(-1).label in response.content.decode()


def test_csv_export(staff_client, month, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = staff_client.get(PAYOUTS, {"month": "2026-11", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="newsstand-payouts-2026-11.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == HEADER
    by_name = {r[2]: r for r in rows[1:]}
    assert by_name["Alpha Times"][4:] == ["4", "2", "0.500000", "1223", "12.23", "EUR"]
    assert by_name["Beta Post"][4:] == ["2", "2", "0.250000", "612", "6.12", "EUR"]
    assert by_name["Gamma Daily"][4:] == ["2", "2", "0.250000", "612", "6.12", "EUR"]
    assert sum(int(r[7]) for r in rows[1:]) == 2447
    assert all(r[0] == "2026-11" for r in rows[1:])


def test_csv_defuses_formula_names(staff_client, month):
    month.alpha.name = '=HYPERLINK("http://evil.example")'
    month.alpha.save()
    response = staff_client.get(PAYOUTS, {"month": "2026-11", "format": "csv"})
    names = [r[2] for r in csv.reader(io.StringIO(response.content.decode()))]
    assert '\'=HYPERLINK("http://evil.example")' in names


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"month": "2026-13"}, "the month must be 01 to 12"),
        ({"month": "soon"}, "expected YYYY-MM"),
        ({"month": "2026-11", "format": "xlsx"}, "Unknown format"),
    ],
)
def test_bad_input_is_a_400_with_the_reason(staff_client, query, message):
    response = staff_client.get(PAYOUTS, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_publisher_page_renders_its_chart(staff_client, month, django_assert_max_num_queries):
    url = reverse("reader:staff:payouts_publisher", args=[month.beta.pk])
    with django_assert_max_num_queries(10):
        response = staff_client.get(url, {"month": "2026-12"})
    assert response.status_code == 200
    html = response.content.decode()
    text = _text(html)
    assert "Beta Post: reads and payouts" in text
    # The chart's SVG (the header's icons are SVG too): the one pygal draws as an image.
    svg = next(part for part in html.split("<svg")[1:] if 'role="img"' in part.split(">", 1)[0])
    svg = svg.split("</svg>", 1)[0]
    assert "Beta Post: full reads and payout, 12 months to December 2026" in svg
    assert "Dec 2026" in svg and "Jan 2026" in svg
    assert "Payout (dashed line, right axis)" in text
    # November: 2 reads, €6.12; December: 1 read, the whole €35.00 pool.
    assert re.search(r"November 2026</a></th>\s*<td class=\"num\">2</td>", html)
    assert "€6.12" in text and "€35.00" in text
    assert "€41.12" in text  # 12 months' total
    assert (
        staff_client.get(reverse("reader:staff:payouts_publisher", args=[99999])).status_code == 404
    )


def test_month_picker_offers_recent_months(staff_client):
    html = staff_client.get(PAYOUTS, {"month": "2020-01"}).content.decode()
    assert '<option value="2020-01" selected>January 2020</option>' in html
    assert f'<option value="{current_month()}"' in html
    assert Month(2019, 12).label in html  # the previous-month link
