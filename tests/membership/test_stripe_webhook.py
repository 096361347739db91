"""Stripe webhooks through the test client, signed with Stripe's scheme: every transition,
replays, out-of-order delivery, bad signatures and unknown events."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsstand.membership import actions
from newsstand.membership.models import Membership, MembershipEvent, Payment, ProviderEvent
from newsstand.membership.providers.stripe_provider import parse_event
from tests.membership.conftest import StripeEvents, make_user, sign

pytestmark = pytest.mark.django_db

S = Membership.State
DAY = timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def reader(now):
    user = make_user("subscriber@example.org")
    actions.start_trial(user, now=now - 3 * DAY)
    return user


def _membership(user) -> Membership:
    return Membership.objects.get(user=user)


def _trail(user) -> list[tuple[str, str]]:
    return list(
        MembershipEvent.objects.filter(membership__user=user)
        .order_by("pk")
        .values_list("from_state", "to_state")
    )


def test_full_lifecycle(stripe_events: StripeEvents, reader, now) -> None:
    ev = stripe_events

    # Checkout finished: linked and reading at once, before the subscription's own events.
    r = ev.post(ev.event("checkout.session.completed", ev.checkout(reader.pk, "sub_1"), now))
    assert r.status_code == 200, r.content
    m = _membership(reader)
    assert (m.state, m.provider, m.provider_customer_id, m.provider_subscription_id, m.plan) == (
        S.ACTIVE,
        "stripe",
        "cus_test_1",
        "sub_1",
        "monthly",
    )
    assert m.provider_state_at is None  # checkout never orders subscription events

    # The subscription's creation, a second before the checkout event, still applies.
    period_end = now + 30 * DAY + timedelta(hours=1)  # not quite the provisional month
    sub = ev.subscription("sub_1", "active", period_end, user_id=reader.pk)
    r = ev.post(ev.event("customer.subscription.created", sub, now - timedelta(seconds=1)))
    assert r.status_code == 200
    m = _membership(reader)
    assert m.paid_until == period_end and m.provider_state_at == now - timedelta(seconds=1)

    # First invoice: revenue recorded.
    inv = ev.invoice("in_1", "sub_1", period_end=period_end, paid_at=now)
    assert ev.post(ev.event("invoice.paid", inv, now)).status_code == 200
    payment = Payment.objects.get()
    assert (payment.provider_payment_id, payment.amount_minor, payment.currency) == (
        "in_1",
        1299,
        "USD",
    )
    assert payment.user == reader and payment.provider == "stripe"

    # Renewal fails: past_due, still reading through the grace period.
    renewal = now + 30 * DAY
    failed = ev.invoice("in_2", "sub_1", period_end=renewal + 30 * DAY, paid_at=renewal)
    assert ev.post(ev.event("invoice.payment_failed", failed, renewal)).status_code == 200
    m = _membership(reader)
    assert m.state == S.PAST_DUE and m.paid_until == period_end
    # Stripe's subscription.updated for the same failure: nothing new for us.
    sub_pd = ev.subscription("sub_1", "past_due", renewal + 30 * DAY, user_id=reader.pk)
    ev.post(ev.event("customer.subscription.updated", sub_pd, renewal + timedelta(seconds=1)))
    m = _membership(reader)
    assert m.state == S.PAST_DUE and m.paid_until == period_end
    assert m.provider_state_at == renewal + timedelta(seconds=1)

    # The retry goes through: active again, paid to the new period's end.
    retried = renewal + 2 * DAY
    paid = ev.invoice("in_2", "sub_1", period_end=renewal + 30 * DAY, paid_at=retried)
    assert ev.post(ev.event("invoice.paid", paid, retried)).status_code == 200
    m = _membership(reader)
    assert m.state == S.ACTIVE and m.paid_until == renewal + 30 * DAY
    assert Payment.objects.count() == 2

    # The reader cancels; Stripe ends the subscription.
    gone = ev.subscription("sub_1", "canceled", renewal + 30 * DAY, user_id=reader.pk)
    ended = renewal + 30 * DAY
    assert ev.post(ev.event("customer.subscription.deleted", gone, ended)).status_code == 200
    assert _membership(reader).state == S.CANCELED

    assert _trail(reader) == [
        ("", S.REGISTERED),
        (S.REGISTERED, S.TRIAL),
        (S.TRIAL, S.ACTIVE),  # checkout
        (S.ACTIVE, S.ACTIVE),  # the subscription's real period
        (S.ACTIVE, S.PAST_DUE),  # Stripe's own updated(past_due) then changes nothing
        (S.PAST_DUE, S.ACTIVE),
        (S.ACTIVE, S.CANCELED),
    ]
    assert set(
        MembershipEvent.objects.exclude(provider_event_id="").values_list(
            "provider_event_id", flat=True
        )
    ) <= set(ProviderEvent.objects.values_list("event_id", flat=True))


def test_replay_is_a_200_no_op(stripe_events: StripeEvents, reader, now) -> None:
    ev = stripe_events
    event = ev.event(
        "invoice.paid", ev.invoice("in_9", "sub_9", period_end=now + 30 * DAY, paid_at=now), now
    )
    first = ev.post(event)
    events_after_first = MembershipEvent.objects.count()
    second = ev.post(event)
    assert first.status_code == second.status_code == 200
    assert second.content == b"already processed"
    assert Payment.objects.count() == 1
    assert ProviderEvent.objects.filter(event_id=event["id"]).count() == 1
    assert MembershipEvent.objects.count() == events_after_first


def test_the_same_invoice_in_two_events_is_one_payment(stripe_events, reader, now) -> None:
    ev = stripe_events
    inv = ev.invoice("in_dup", "sub_1", period_end=now + 30 * DAY, paid_at=now)
    ev.post(ev.event("invoice.paid", inv, now))
    ev.post(ev.event("invoice.paid", inv, now + timedelta(seconds=5)))
    assert Payment.objects.filter(provider_payment_id="in_dup").count() == 1


def test_an_older_event_arriving_late_does_not_undo_a_newer_state(
    stripe_events: StripeEvents, reader, now
) -> None:
    ev = stripe_events
    t1, t2 = now - timedelta(minutes=10), now - timedelta(minutes=5)
    older = ev.event(
        "customer.subscription.updated",
        ev.subscription("sub_1", "active", now + 30 * DAY, user_id=reader.pk),
        t1,
    )
    newer = ev.event(
        "customer.subscription.deleted",
        ev.subscription("sub_1", "canceled", now + 30 * DAY, user_id=reader.pk),
        t2,
    )
    ev.post(
        ev.event(
            "customer.subscription.created",
            ev.subscription("sub_1", "active", now + 30 * DAY, user_id=reader.pk),
            t1 - timedelta(seconds=30),
        )
    )
    assert ev.post(newer).status_code == 200
    assert _membership(reader).state == S.CANCELED
    response = ev.post(older)
    assert response.status_code == 200
    m = _membership(reader)
    assert m.state == S.CANCELED
    assert m.provider_state_at == t2
    assert ProviderEvent.objects.get(event_id=older["id"]).outcome.startswith("ignored")


def test_out_of_order_past_due_then_older_active(stripe_events, reader, now) -> None:
    ev = stripe_events
    end = now + 20 * DAY
    ev.post(
        ev.event(
            "customer.subscription.created",
            ev.subscription("sub_1", "active", end, user_id=reader.pk),
            now - timedelta(seconds=300),
        )
    )
    ev.post(
        ev.event(
            "customer.subscription.updated",
            ev.subscription("sub_1", "past_due", end, user_id=reader.pk),
            now - timedelta(seconds=100),
        )
    )
    late = ev.event(
        "customer.subscription.updated",
        ev.subscription("sub_1", "active", end, user_id=reader.pk),
        now - timedelta(seconds=200),
    )
    assert ev.post(late).status_code == 200
    assert _membership(reader).state == S.PAST_DUE
    assert ProviderEvent.objects.get(event_id=late["id"]).outcome.startswith("stale")


def test_subscription_events_before_checkout_are_found_by_metadata(
    stripe_events, reader, now
) -> None:
    ev = stripe_events
    end = now + 365 * DAY
    sub = ev.subscription("sub_7", "active", end, user_id=reader.pk, price="price_annual")
    ev.post(ev.event("customer.subscription.created", sub, now - timedelta(seconds=2)))
    m = _membership(reader)
    assert (m.state, m.plan, m.paid_until) == (S.ACTIVE, "annual", end)
    # The checkout event, a second later, brings no news and changes nothing.
    before = MembershipEvent.objects.count()
    ev.post(
        ev.event(
            "checkout.session.completed",
            ev.checkout(reader.pk, "sub_7", plan="annual"),
            now - timedelta(seconds=1),
        )
    )
    assert MembershipEvent.objects.count() == before
    assert _membership(reader).paid_until == end


def test_a_checkout_after_the_subscription_ended_does_not_revive_it(
    stripe_events, reader, now
) -> None:
    ev = stripe_events
    end = now + 30 * DAY
    ev.post(
        ev.event(
            "customer.subscription.created",
            ev.subscription("sub_1", "active", end, user_id=reader.pk),
            now - timedelta(seconds=9),
        )
    )
    ev.post(
        ev.event(
            "customer.subscription.deleted",
            ev.subscription("sub_1", "canceled", end, user_id=reader.pk),
            now - timedelta(seconds=5),
        )
    )
    ev.post(
        ev.event(
            "checkout.session.completed",
            ev.checkout(reader.pk, "sub_1"),
            now - timedelta(seconds=8),
        )
    )
    assert _membership(reader).state == S.CANCELED


def test_a_new_subscription_after_a_canceled_one(stripe_events, reader, now) -> None:
    ev = stripe_events
    end = now + 30 * DAY
    ev.post(
        ev.event(
            "customer.subscription.created",
            ev.subscription("sub_old", "active", end, user_id=reader.pk),
            now - timedelta(seconds=100),
        )
    )
    ev.post(
        ev.event(
            "customer.subscription.deleted",
            ev.subscription("sub_old", "canceled", end, user_id=reader.pk),
            now - timedelta(seconds=90),
        )
    )
    ev.post(
        ev.event(
            "checkout.session.completed",
            ev.checkout(reader.pk, "sub_new"),
            now - timedelta(seconds=10),
        )
    )
    m = _membership(reader)
    assert (m.state, m.provider_subscription_id) == (S.ACTIVE, "sub_new")
    # The old subscription's late news cannot cancel the new one.
    ev.post(
        ev.event(
            "customer.subscription.deleted",
            ev.subscription("sub_old", "canceled", end, user_id=reader.pk),
            now - timedelta(seconds=5),
        )
    )
    assert _membership(reader).state == S.ACTIVE


def test_trialing_on_stripe_is_active_until_the_trial_end(stripe_events, reader, now) -> None:
    ev = stripe_events
    trial_end = now + 11 * DAY
    sub = ev.subscription("sub_t", "trialing", trial_end, user_id=reader.pk)
    ev.post(ev.event("customer.subscription.created", sub, now))
    m = _membership(reader)
    assert (m.state, m.paid_until) == (S.ACTIVE, trial_end)


@pytest.mark.parametrize(("status", "state"), [("unpaid", S.CANCELED), ("paused", S.CANCELED)])
def test_unpaid_and_paused_end_access(stripe_events, reader, now, status, state) -> None:
    ev = stripe_events
    end = now + 30 * DAY
    ev.post(
        ev.event(
            "customer.subscription.created",
            ev.subscription("sub_1", "active", end, user_id=reader.pk),
            now - timedelta(seconds=10),
        )
    )
    ev.post(
        ev.event(
            "customer.subscription.updated",
            ev.subscription("sub_1", status, end, user_id=reader.pk),
            now,
        )
    )
    assert _membership(reader).state == state


def test_incomplete_subscription_changes_nothing(stripe_events, reader, now) -> None:
    ev = stripe_events
    before = _trail(reader)
    sub = ev.subscription("sub_1", "incomplete", now + 30 * DAY, user_id=reader.pk)
    assert ev.post(ev.event("customer.subscription.created", sub, now)).status_code == 200
    assert _membership(reader).state == S.TRIAL and _trail(reader) == before


def test_payment_failed_for_a_trial_reader_is_no_transition(stripe_events, reader, now) -> None:
    ev = stripe_events
    inv = ev.invoice("in_f", "", period_end=now + 30 * DAY, paid_at=now, customer="cus_unknown")
    inv["parent"]["subscription_details"]["metadata"] = {"user_id": str(reader.pk)}
    assert ev.post(ev.event("invoice.payment_failed", inv, now)).status_code == 200
    assert _membership(reader).state == S.TRIAL


def test_an_illegal_transition_is_logged_and_answered_200(
    stripe_events, reader, now, caplog
) -> None:
    ev = stripe_events
    ev.post(
        ev.event(
            "customer.subscription.created",
            ev.subscription("sub_1", "active", now + DAY, user_id=reader.pk),
            now - timedelta(seconds=20),
        )
    )
    # Stripe says "active" but for a period that has already ended: nothing to activate.
    late = ev.event(
        "customer.subscription.updated",
        ev.subscription("sub_1", "active", now - DAY, user_id=reader.pk),
        now,
    )
    with caplog.at_level(logging.WARNING):
        assert ev.post(late).status_code == 200
    assert "not applied" in ProviderEvent.objects.get(event_id=late["id"]).outcome
    assert "provider event not applied" in caplog.text


def test_unknown_event_types_are_acknowledged_and_ignored(stripe_events, reader, now) -> None:
    ev = stripe_events
    before = _trail(reader)
    event = ev.event("customer.created", {"id": "cus_x", "object": "customer"}, now)
    response = ev.post(event)
    assert response.status_code == 200
    assert b"ignored" in response.content
    assert _trail(reader) == before
    assert ProviderEvent.objects.filter(event_id=event["id"]).exists()


def test_events_for_nobody_we_know_record_the_payment_and_warn(stripe_events, now, caplog) -> None:
    ev = stripe_events
    inv = ev.invoice(
        "in_orphan", "sub_zzz", period_end=now + 30 * DAY, paid_at=now, customer="cus_zzz"
    )
    with caplog.at_level(logging.WARNING):
        assert ev.post(ev.event("invoice.paid", inv, now)).status_code == 200
    assert Payment.objects.get().user is None
    assert "no known member" in caplog.text


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "t=123,v1=deadbeef",
        "garbage",
    ],
)
def test_bad_signature_is_400_with_a_clear_log_and_no_change(
    stripe_events, reader, now, caplog, signature
) -> None:
    ev = stripe_events
    before = _trail(reader)
    event = ev.event(
        "customer.subscription.created",
        ev.subscription("sub_1", "active", now + 30 * DAY, user_id=reader.pk),
        now,
    )
    with caplog.at_level(logging.WARNING):
        response = ev.post(event, signature=signature)
    assert response.status_code == 400
    assert "stripe webhook signature check failed" in caplog.text
    assert _trail(reader) == before and not ProviderEvent.objects.exists()


def test_signed_with_the_wrong_secret_or_too_long_ago_is_400(stripe_events, reader, now) -> None:
    ev = stripe_events
    event = ev.event(
        "customer.subscription.created",
        ev.subscription("sub_1", "active", now + 30 * DAY, user_id=reader.pk),
        now,
    )
    assert ev.post(event, secret="whsec_someone_else").status_code == 400
    import json

    payload = json.dumps(event)
    old = sign(payload, timestamp=int(now.timestamp()) - 3600)
    assert ev.post(event, signature=old).status_code == 400
    assert _membership(reader).state == S.TRIAL


def test_tampered_payload_is_400(stripe_events, reader, now) -> None:
    import json

    ev = stripe_events
    event = ev.event(
        "customer.subscription.created",
        ev.subscription("sub_1", "active", now + 30 * DAY, user_id=reader.pk),
        now,
    )
    signature = sign(json.dumps(event))
    event["data"]["object"]["items"]["data"][0]["current_period_end"] += 10 * 365 * 86400
    assert ev.post(event, signature=signature).status_code == 400


def test_missing_webhook_secret_refuses_everything(stripe_events, settings, now) -> None:
    settings.NEWSSTAND_STRIPE_WEBHOOK_SECRET = ""
    event = stripe_events.event("customer.created", {"id": "cus_x"}, now)
    assert stripe_events.post(event).status_code == 400


def test_only_post_and_only_when_stripe_is_the_provider(client, settings) -> None:
    url = reverse("membership:stripe_webhook")
    settings.NEWSSTAND_PAYMENT_PROVIDER = "stripe"
    assert client.get(url).status_code == 405
    settings.NEWSSTAND_PAYMENT_PROVIDER = "manual"
    assert client.post(url, data="{}", content_type="application/json").status_code == 404


def test_older_payload_shapes_are_read_too(settings) -> None:
    """Before 2025 API versions: current_period_end on the subscription, invoice.subscription."""
    sub = {
        "id": "sub_old",
        "customer": {"id": "cus_1", "object": "customer"},
        "status": "active",
        "current_period_end": 1_900_000_000,
        "metadata": {"user_id": "7", "plan": "annual"},
        "items": {"data": [{"price": {"id": "price_unknown"}}]},
    }
    update = parse_event(
        {
            "id": "evt_1",
            "type": "customer.subscription.updated",
            "created": 1_800_000_000,
            "data": {"object": sub},
        }
    )
    assert update.period_end is not None and int(update.period_end.timestamp()) == 1_900_000_000
    assert (update.user_id, update.customer_id, update.plan) == (7, "cus_1", "annual")
    invoice = {
        "id": "in_1",
        "customer": "cus_1",
        "subscription": "sub_old",
        "amount_paid": 500,
        "currency": "eur",
        "lines": {"data": []},
    }
    update = parse_event(
        {
            "id": "evt_2",
            "type": "invoice.paid",
            "created": 1_800_000_000,
            "data": {"object": invoice},
        }
    )
    assert update.subscription_id == "sub_old"
    assert update.payment is not None and update.payment.currency == "EUR"
