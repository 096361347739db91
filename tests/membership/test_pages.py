"""The /membership/ page, the manual checkout page and the staff members page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsstand.membership import actions
from newsstand.membership.models import Membership, MembershipEvent
from tests.membership.conftest import make_user

pytestmark = pytest.mark.django_db

S = Membership.State


def test_anonymous_visitors_see_the_offer_and_a_sign_up_link(
    client, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(10):
        response = client.get(reverse("membership:plans"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Fourteen days free" in html
    assert "One subscription that gives you access to news from hundreds of sites" in html
    assert reverse("account_signup") in html
    assert "$12.99" in html and "$119.00" in html
    assert "Subscribe monthly" not in html  # buttons need an account first


def test_trial_countdown_and_subscribe_buttons(client, django_assert_max_num_queries) -> None:
    user = make_user()
    actions.start_trial(user, now=timezone.now() - timedelta(days=10, hours=1))
    client.force_login(user)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("membership:plans")).content.decode()
    assert "4 days left in your free trial" in html
    assert html.count('action="/membership/checkout/"') == 2
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Manage your subscription" not in html


def test_last_day_says_one_day(client) -> None:
    user = make_user()
    actions.start_trial(user, now=timezone.now() - timedelta(days=13, hours=2))
    client.force_login(user)
    assert (
        "1 day left in your free trial" in client.get(reverse("membership:plans")).content.decode()
    )


def test_a_trial_over_by_date_reads_as_ended_before_the_job_runs(client) -> None:
    user = make_user()
    actions.start_trial(user, now=timezone.now() - timedelta(days=15))
    client.force_login(user)
    html = client.get(reverse("membership:plans")).content.decode()
    assert "Your free trial has ended." in html
    assert "left in your free trial" not in html
    assert 'action="/membership/checkout/"' in html


def test_trial_days_and_prices_follow_settings(client, settings) -> None:
    settings.NEWSSTAND_TRIAL_DAYS = 30
    settings.NEWSSTAND_PLANS = {
        "monthly": {"name": "Monthly", "interval": "month", "price": "9.50", "currency": "EUR"},
    }
    html = client.get(reverse("membership:plans")).content.decode()
    assert "Thirty days free" in html
    assert "€9.50" in html and "a month" in html


@pytest.mark.parametrize(
    ("state", "fields", "text"),
    [
        (S.ACTIVE, {"paid_until_days": 20}, "You are a member."),
        (S.PAST_DUE, {"paid_until_days": -1}, "Your last payment did not go through."),
        (S.EXPIRED, {}, "Your free trial has ended."),
        (S.CANCELED, {"paid_until_days": -3}, "Your subscription is canceled."),
        # Never had a trial (an account made with `newsstand users add`): offered one.
        (S.REGISTERED, {}, "You have not started your free trial yet"),
    ],
)
def test_each_state_reads_plainly(client, state, fields, text) -> None:
    user = make_user()
    days = fields.get("paid_until_days")
    Membership.objects.create(
        user=user,
        state=state,
        paid_until=timezone.now() + timedelta(days=days) if days is not None else None,
    )
    client.force_login(user)
    html = client.get(reverse("membership:plans")).content.decode()
    assert text in html
    paying = state in (S.ACTIVE, S.PAST_DUE)
    assert ('action="/membership/checkout/"' in html) is not paying


def test_manual_provider_checkout_explains_to_ask_the_operator(client, settings) -> None:
    settings.NEWSSTAND_PAYMENT_PROVIDER = "manual"
    user = make_user("manual@example.org")
    actions.start_trial(user)
    client.force_login(user)
    response = client.post(reverse("membership:checkout"), {"plan": "monthly"})
    assert response.status_code == 302
    assert response["Location"] == "/membership/checkout/manual/?plan=monthly"
    html = client.get(response["Location"]).content.decode()
    assert "ask the operator" in html
    assert "manual@example.org" in html and "$12.99" in html
    assert Membership.objects.get(user=user).state == S.TRIAL  # nothing changes by itself


def test_an_unknown_provider_setting_is_a_configuration_error(client, settings) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.NEWSSTAND_PAYMENT_PROVIDER = "paypal"
    with pytest.raises(ImproperlyConfigured, match="expected manual or stripe"):
        client.get(reverse("membership:plans"))


# Staff -------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    staff = make_user("editor@example.org", is_staff=True)
    client.force_login(staff)
    client.staff = staff
    return client


def test_members_page_is_staff_only(client) -> None:
    url = reverse("membership_staff:members")
    assert client.get(url).status_code == 302
    client.force_login(make_user())
    assert client.get(url).status_code == 302


def test_staff_grant_days_by_email(staff_client) -> None:
    reader = make_user("Grant.Me@example.org")
    url = reverse("membership_staff:members")
    response = staff_client.post(url, {"email": "grant.me@example.org", "days": "30"}, follow=True)
    assert response.status_code == 200
    membership = Membership.objects.get(user=reader)
    assert membership.state == S.ACTIVE
    assert membership.paid_until is not None
    assert timedelta(days=29) < membership.paid_until - timezone.now() <= timedelta(days=30)
    event = MembershipEvent.objects.get(membership=membership, to_state=S.ACTIVE)
    assert event.actor == staff_client.staff
    assert "Granted 30 days to Grant.Me@example.org" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"email": "nobody@example.org", "days": "30"},
            "No account has the email nobody@example.org",
        ),
        ({"email": "not-an-email", "days": "30"}, "Enter a valid email address."),
        ({"email": "reader@example.org", "days": "0"}, "greater than or equal to 1"),
        ({"email": "reader@example.org", "days": "99999"}, "less than or equal to 3660"),
    ],
)
def test_staff_grant_errors_are_specific(staff_client, data, error) -> None:
    make_user("reader@example.org")
    response = staff_client.post(reverse("membership_staff:members"), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not MembershipEvent.objects.filter(to_state=S.ACTIVE).exists()


def test_members_list_filters_and_stays_within_the_query_budget(
    staff_client, django_assert_max_num_queries
) -> None:
    for i in range(30):
        actions.start_trial(make_user(f"trial{i}@example.org"))
    actions.grant_membership(make_user("paid@example.org"), 30, staff_client.staff)
    url = reverse("membership_staff:members")
    with django_assert_max_num_queries(10):
        html = staff_client.get(url).content.decode()
    assert "trial7@example.org" in html and "paid@example.org" in html
    html = staff_client.get(url, {"state": "active"}).content.decode()
    assert "paid@example.org" in html and "trial7@example.org" not in html
    html = staff_client.get(url, {"q": "trial1"}).content.decode()
    assert "trial12@example.org" in html and "trial7@example.org" not in html
