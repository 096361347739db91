"""Deleting an account ends its billing first: the subscription is cancelled at a fake Stripe
API on 127.0.0.1 (real HTTP), and a Stripe that cannot cancel keeps the account."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsstand.accounts.deletion import DeletionBlocked
from newsstand.membership import actions
from newsstand.membership.models import Membership, MembershipEvent, Payment, ProviderEvent
from newsstand.membership.providers import stripe_provider
from newsstand.membership.providers.base import SubscriptionCancelFailed
from newsstand.membership.providers.manual import ManualProvider
from newsstand.membership.providers.stripe_provider import StripeProvider
from tests.membership.conftest import FakeStripe, StripeEvents, make_user

pytestmark = pytest.mark.django_db

S = Membership.State
DAY = timedelta(days=1)
PASSWORD = "x-Long-pass-123"  # make_user's
SUB = "sub_live_1"


@pytest.fixture
def member(client: Client) -> Any:
    """A paying Stripe member with one recorded payment, signed in."""
    user = make_user("leaving@example.org")
    actions.ensure_membership(user)
    Membership.objects.filter(user=user).update(
        state=S.ACTIVE,
        plan="monthly",
        provider="stripe",
        provider_customer_id="cus_leaving",
        provider_subscription_id=SUB,
        paid_until=timezone.now() + 20 * DAY,
    )
    Payment.objects.create(
        user=user,
        amount_minor=1299,
        currency="USD",
        paid_at=timezone.now() - 10 * DAY,
        provider="stripe",
        provider_payment_id="in_leaving_1",
    )
    client.force_login(user)
    return user


def _delete(client: Client) -> Any:
    return client.post(reverse("accounts:delete"), {"password": PASSWORD})


def _exists(user: Any) -> bool:
    return get_user_model().objects.filter(pk=user.pk).exists()


def test_deleting_a_stripe_member_cancels_the_subscription_first(
    client: Client, member: Any, fake_stripe: FakeStripe
) -> None:
    fake_stripe.subscriptions.add(SUB)
    response = _delete(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:deleted")
    assert fake_stripe.methods == ["DELETE"]
    path, form, headers = fake_stripe.requests[0]
    assert path == f"/v1/subscriptions/{SUB}"
    assert form == {}  # cancel now: no invoice_now, no prorate, no cancel_at_period_end
    assert headers["authorization"] == "Bearer sk_test_local"
    assert fake_stripe.subscriptions == set()  # Stripe bills nothing more
    assert not _exists(member)
    assert not Membership.objects.filter(user_id=member.pk).exists()
    # The revenue stays in the books, without the reader.
    payment = Payment.objects.get(provider_payment_id="in_leaving_1")
    assert payment.user is None and payment.amount_minor == 1299


def test_the_action_records_the_cancellation_before_the_user_goes(
    member: Any, fake_stripe: FakeStripe
) -> None:
    fake_stripe.subscriptions.add(SUB)
    membership = actions.end_billing_for_deletion(member)
    assert membership is not None and membership.state == S.CANCELED
    event = MembershipEvent.objects.filter(membership=membership).first()
    assert event is not None
    assert (event.from_state, event.to_state) == (S.ACTIVE, S.CANCELED)
    assert event.reason == f"subscription {SUB} canceled at Stripe: account deleted"
    # The provider's clock is untouched, so Stripe's own deleted event still applies in order.
    assert Membership.objects.get(pk=membership.pk).provider_state_at is None
    # Asked again (a retry after the deletion itself failed): Stripe says gone, no new event.
    actions.end_billing_for_deletion(member)
    assert fake_stripe.methods == ["DELETE", "DELETE"]
    assert MembershipEvent.objects.filter(membership=membership).count() == 2  # created, cancel


@pytest.mark.parametrize("state", [S.ACTIVE, S.CANCELED])
def test_an_already_gone_subscription_lets_deletion_proceed(
    client: Client, member: Any, fake_stripe: FakeStripe, state: str, caplog: Any
) -> None:
    # Not in fake_stripe.subscriptions: Stripe answers 404 resource_missing, as it does for a
    # subscription canceled before (from the portal, or by its unpaid end).
    Membership.objects.filter(user=member).update(state=state)
    with caplog.at_level(logging.INFO):
        response = _delete(client)
    assert response.status_code == 302
    assert fake_stripe.requests[0][0] == f"/v1/subscriptions/{SUB}"
    assert not _exists(member)
    assert "stripe subscription already gone" in caplog.text


BLOCKED = (
    "We could not cancel your subscription with Stripe, so your account was not deleted: {}. "
    "Try again in a few minutes, or cancel it from Manage subscription first."
)


def _assert_kept(member: Any, response: Any, reason: str) -> None:
    assert response.status_code == 503
    html = response.content.decode()
    assert BLOCKED.format(reason).replace("'", "&#x27;") in html
    assert 'role="alert"' in html
    assert f'href="{reverse("membership:plans")}">Manage subscription</a>' in html
    assert _exists(member)
    m = Membership.objects.get(user=member)
    assert (m.state, m.provider_subscription_id) == (S.ACTIVE, SUB)
    assert not MembershipEvent.objects.filter(membership=m, to_state=S.CANCELED).exists()
    assert Payment.objects.get(provider_payment_id="in_leaving_1").user_id == member.pk


def test_a_failing_stripe_keeps_the_account_and_says_why(
    client: Client,
    member: Any,
    fake_stripe: FakeStripe,
    caplog: Any,
    django_assert_max_num_queries: Any,
) -> None:
    fake_stripe.subscriptions.add(SUB)
    fake_stripe.fail_with = 500
    with django_assert_max_num_queries(10):
        response = _delete(client)
    _assert_kept(member, response, "Stripe answered 500 (Something went wrong on Stripe's end)")
    assert len(fake_stripe.requests) == 3  # the SDK retried twice, then gave up
    assert "stripe cancel failed" in caplog.text and "account deletion blocked" in caplog.text
    # Still signed in, and once Stripe is back the same request deletes.
    fake_stripe.fail_with = None
    assert _delete(client).status_code == 302
    assert not _exists(member) and fake_stripe.subscriptions == set()


def test_a_stripe_that_does_not_answer_keeps_the_account(
    client: Client, member: Any, fake_stripe: FakeStripe, monkeypatch: Any
) -> None:
    fake_stripe.subscriptions.add(SUB)
    monkeypatch.setattr(stripe_provider, "CANCEL_TIMEOUT_S", 0.2)
    monkeypatch.setattr(stripe_provider, "MAX_NETWORK_RETRIES", 0)
    fake_stripe.delay_s = 1.0
    response = _delete(client)
    _assert_kept(member, response, "Stripe could not be reached or did not answer in time")


def test_stripe_without_a_secret_key_keeps_the_account(
    client: Client, member: Any, fake_stripe: FakeStripe, stripe_settings: Any
) -> None:
    stripe_settings.NEWSSTAND_STRIPE_SECRET_KEY = ""
    response = _delete(client)
    _assert_kept(member, response, "Stripe is not configured: set NEWSSTAND_STRIPE_SECRET_KEY")
    assert fake_stripe.requests == []


def test_a_stripe_member_when_the_site_has_moved_to_manual_is_kept(
    client: Client, member: Any, fake_stripe: FakeStripe, stripe_settings: Any, caplog: Any
) -> None:
    stripe_settings.NEWSSTAND_PAYMENT_PROVIDER = "manual"
    response = _delete(client)
    assert response.status_code == 503
    assert "no longer takes payments through Stripe" in response.content.decode()
    assert "NEWSSTAND_PAYMENT_PROVIDER=manual" in caplog.text
    assert _exists(member) and fake_stripe.requests == []


@pytest.mark.parametrize("provider_setting", ["manual", "stripe"])
def test_members_without_a_subscription_are_deleted_without_calls(
    client: Client, fake_stripe: FakeStripe, stripe_settings: Any, provider_setting: str
) -> None:
    stripe_settings.NEWSSTAND_PAYMENT_PROVIDER = provider_setting
    granted = make_user("granted@example.org")
    actions.grant_membership(granted, 30, actor=None)
    assert Membership.objects.get(user=granted).provider == "manual"
    trial = make_user("trial@example.org")
    actions.start_trial(trial)
    for user in (granted, trial):
        signed_in = Client()
        signed_in.force_login(user)
        assert _delete(signed_in).status_code == 302
        assert not _exists(user)
    assert fake_stripe.requests == []


def test_the_manual_provider_has_nothing_to_cancel(member: Any) -> None:
    membership = Membership.objects.get(user=member)
    assert ManualProvider().cancel_subscription(membership) is None


def test_stripe_provider_without_a_subscription_id_makes_no_call(
    member: Any, fake_stripe: FakeStripe
) -> None:
    membership = Membership.objects.get(user=member)
    membership.provider_subscription_id = ""
    StripeProvider().cancel_subscription(membership)
    assert fake_stripe.requests == []


def test_stripe_refusing_the_cancel_raises_a_specific_error(
    member: Any, fake_stripe: FakeStripe
) -> None:
    fake_stripe.fail_with = 400
    membership = Membership.objects.get(user=member)
    with pytest.raises(SubscriptionCancelFailed) as caught:
        StripeProvider().cancel_subscription(membership)
    assert caught.value.subscription_id == SUB
    assert caught.value.reason == "Stripe answered 400 (No such price: 'price_x')"
    assert str(caught.value).startswith(f"Stripe subscription {SUB} not canceled: ")
    with pytest.raises(DeletionBlocked):
        actions.end_billing_for_deletion(member)


def test_stripes_late_webhooks_for_a_deleted_account_are_acknowledged(
    client: Client,
    member: Any,
    fake_stripe: FakeStripe,
    stripe_events: StripeEvents,
    caplog: Any,
) -> None:
    fake_stripe.subscriptions.add(SUB)
    user_id = member.pk
    assert _delete(client).status_code == 302
    ev = stripe_events
    now = timezone.now().replace(microsecond=0)
    gone = ev.subscription(SUB, "canceled", now + 20 * DAY, user_id=user_id, customer="cus_leaving")
    deleted = ev.event("customer.subscription.deleted", gone, now)
    final = ev.invoice("in_leaving_2", SUB, period_end=now, paid_at=now, customer="cus_leaving")
    final["parent"]["subscription_details"]["metadata"] = {"user_id": str(user_id)}
    paid = ev.event("invoice.paid", final, now)
    with caplog.at_level(logging.WARNING):
        assert ev.post(deleted).status_code == 200
        assert ev.post(paid).status_code == 200
        assert ev.post(deleted).status_code == 200  # Stripe's retry: a replay
    assert "provider event for no known member" in caplog.text
    outcomes = dict(ProviderEvent.objects.values_list("event_id", "outcome"))
    assert outcomes[deleted["id"]] == "no member for this customer"
    assert outcomes[paid["id"]] == "payment recorded; no member for this customer"
    # A last invoice paid before the cancel still counts as revenue, with no one's name on it.
    assert Payment.objects.get(provider_payment_id="in_leaving_2").user is None
    assert not Membership.objects.exists()


def test_a_subscription_started_by_an_account_deleted_before_its_webhook_is_cancelled(
    fake_stripe: FakeStripe, stripe_events: StripeEvents, django_capture_on_commit_callbacks: Any
) -> None:
    """Checkout, then delete the account before Stripe's events arrive: the subscription names
    a user who is gone, and it is cancelled rather than left billing nobody's card."""
    fake_stripe.subscriptions.add(SUB)
    ev = stripe_events
    now = timezone.now().replace(microsecond=0)
    sub = ev.subscription(SUB, "active", now + 30 * DAY, user_id=987654, customer="cus_gone")
    created = ev.event("customer.subscription.created", sub, now)
    with django_capture_on_commit_callbacks(execute=True):
        assert ev.post(created).status_code == 200
    assert fake_stripe.methods == ["DELETE"]
    assert fake_stripe.requests[0][0] == f"/v1/subscriptions/{SUB}"
    assert fake_stripe.subscriptions == set()
    outcome = ProviderEvent.objects.get(event_id=created["id"]).outcome
    assert "subscription of a deleted account: cancelling it" in outcome


def test_a_subscription_that_names_no_user_of_ours_is_never_cancelled(
    fake_stripe: FakeStripe, stripe_events: StripeEvents, django_capture_on_commit_callbacks: Any
) -> None:
    """One made in Stripe's dashboard, or for another product on the same account."""
    fake_stripe.subscriptions.add(SUB)
    ev = stripe_events
    now = timezone.now().replace(microsecond=0)
    sub = ev.subscription(SUB, "active", now + 30 * DAY, customer="cus_elsewhere")
    with django_capture_on_commit_callbacks(execute=True):
        assert ev.post(ev.event("customer.subscription.created", sub, now)).status_code == 200
    assert fake_stripe.methods == []
    assert fake_stripe.subscriptions == {SUB}


def test_a_failed_orphan_cancel_is_logged_for_the_operator(
    fake_stripe: FakeStripe,
    stripe_events: StripeEvents,
    django_capture_on_commit_callbacks: Any,
    caplog: Any,
) -> None:
    fake_stripe.subscriptions.add(SUB)
    fake_stripe.fail_with = 500
    ev = stripe_events
    now = timezone.now().replace(microsecond=0)
    sub = ev.subscription(SUB, "active", now + 30 * DAY, user_id=987654, customer="cus_gone")
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        assert ev.post(ev.event("customer.subscription.created", sub, now)).status_code == 200
    assert "orphaned subscription not cancelled" in caplog.text
    assert fake_stripe.subscriptions == {SUB}
