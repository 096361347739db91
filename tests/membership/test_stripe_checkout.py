"""Checkout and the billing portal against a fake Stripe API on 127.0.0.1, over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsstand.membership import actions
from newsstand.membership.models import Membership
from tests.membership.conftest import FakeStripe, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = make_user("checkout@example.org")
    actions.start_trial(user)
    client.force_login(user)
    return user


def test_subscribe_creates_a_checkout_session_and_redirects(
    client, reader, fake_stripe: FakeStripe
) -> None:
    response = client.post(reverse("membership:checkout"), {"plan": "annual"})
    assert response.status_code == 302
    assert response["Location"] == "https://checkout.stripe.test/c/pay/cs_test_fake"
    path, form, headers = fake_stripe.requests[0]
    assert path == "/v1/checkout/sessions"
    assert headers["authorization"] == "Bearer sk_test_local"
    assert form["mode"] == "subscription"
    assert form["client_reference_id"] == str(reader.pk)
    assert form["customer_email"] == "checkout@example.org"
    assert form["line_items[0][price]"] == "price_annual"
    assert form["line_items[0][quantity]"] == "1"
    assert form["metadata[plan]"] == "annual"
    assert form["subscription_data[metadata][user_id]"] == str(reader.pk)
    assert form["success_url"] == "http://testserver/membership/?checkout=success"
    assert form["cancel_url"] == "http://testserver/membership/?checkout=canceled"
    # Subscribing in the trial: Stripe bills when our trial would have ended.
    trial_end = Membership.objects.get(user=reader).trial_ends_at
    assert form["subscription_data[trial_end]"] == str(int(trial_end.timestamp()))


def test_a_known_customer_is_reused_and_no_trial_end_once_it_is_over(
    client, reader, fake_stripe: FakeStripe
) -> None:
    Membership.objects.filter(user=reader).update(
        state=Membership.State.EXPIRED,
        provider_customer_id="cus_known",
        trial_ends_at=timezone.now() - timedelta(days=1),
    )
    client.post(reverse("membership:checkout"), {"plan": "monthly"})
    form = fake_stripe.requests[0][1]
    assert form["customer"] == "cus_known"
    assert "customer_email" not in form
    assert "subscription_data[trial_end]" not in form


def test_stripe_refusing_checkout_shows_a_clear_page_and_logs(
    client, reader, fake_stripe: FakeStripe, caplog
) -> None:
    fake_stripe.fail_with = 400
    response = client.post(reverse("membership:checkout"), {"plan": "monthly"})
    assert response.status_code == 503
    assert "Subscribing is not available right now" in response.content.decode()
    assert "No such price" in caplog.text


def test_a_plan_without_a_stripe_price_is_not_sent_to_stripe(
    client, reader, fake_stripe: FakeStripe, stripe_settings, caplog
) -> None:
    stripe_settings.NEWSSTAND_PLANS = {
        **stripe_settings.NEWSSTAND_PLANS,
        "annual": {**stripe_settings.NEWSSTAND_PLANS["annual"], "stripe_price_id": ""},
    }
    response = client.post(reverse("membership:checkout"), {"plan": "annual"})
    assert response.status_code == 503
    assert fake_stripe.requests == []
    assert "NEWSSTAND_STRIPE_PRICE_ANNUAL" in caplog.text


def test_unknown_plan_is_400_and_checkout_needs_sign_in_and_post(
    client, reader, fake_stripe
) -> None:
    response = client.post(reverse("membership:checkout"), {"plan": "weekly"})
    assert response.status_code == 400
    assert "no plan called" in response.content.decode()
    assert client.get(reverse("membership:checkout")).status_code == 405
    client.logout()
    response = client.post(reverse("membership:checkout"), {"plan": "monthly"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert fake_stripe.requests == []


def test_checkout_form_needs_its_csrf_token(reader) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    assert strict.post(reverse("membership:checkout"), {"plan": "monthly"}).status_code == 403


def test_manage_opens_the_billing_portal(client, reader, fake_stripe: FakeStripe) -> None:
    Membership.objects.filter(user=reader).update(
        state=Membership.State.ACTIVE,
        provider="stripe",
        provider_customer_id="cus_portal",
        paid_until=timezone.now() + timedelta(days=20),
    )
    page = client.get(reverse("membership:plans")).content.decode()
    assert "Manage your subscription" in page
    response = client.post(reverse("membership:portal"))
    assert response.status_code == 302
    assert response["Location"] == "https://billing.stripe.test/p/session/bps_test_fake"
    path, form, _ = fake_stripe.requests[0]
    assert path == "/v1/billing_portal/sessions"
    assert form == {"customer": "cus_portal", "return_url": "http://testserver/membership/"}


def test_manage_without_a_stripe_customer_explains(client, reader, fake_stripe) -> None:
    response = client.post(reverse("membership:portal"))
    assert response.status_code == 503
    assert "not available" in response.content.decode()
    assert fake_stripe.requests == []


def test_a_paying_member_cannot_start_a_second_subscription(client, reader, fake_stripe) -> None:
    Membership.objects.filter(user=reader).update(
        state=Membership.State.ACTIVE,
        provider="stripe",
        provider_customer_id="cus_paying",
        paid_until=timezone.now() + timedelta(days=20),
    )
    response = client.post(reverse("membership:checkout"), {"plan": "annual"})
    assert response.status_code == 409
    assert "You are already a member" in response.content.decode()
    assert fake_stripe.requests == []
