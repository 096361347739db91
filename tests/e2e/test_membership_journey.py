"""Issue #6's whole business in one journey, through real requests and locally signed webhooks:
sign up → confirm the email → read in the trial → the trial ends → the gate → pay with Stripe
(signed webhooks) → read again, with the payment on the books and every step in the audit trail.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsstand.membership.models import Membership, MembershipEvent, Payment
from tests.accounts.conftest import link_in
from tests.membership.conftest import StripeEvents, stripe_settings  # noqa: F401 - a fixture
from tests.reader.factories import make_article, make_publisher

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    """Argon2 costs about a second per hash here; this journey is about the business."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PASSWORD = "a-Long-pass-9041"
LATE_SENTENCE = "The fifth paragraph holds the journey marker sentence."


def _article():
    paragraphs = [
        "The opening paragraph says what happened in plain words for every reader.",
        "A second paragraph adds the context that a teaser may or may not include.",
        "The third paragraph quotes an official at some length about the decision.",
        "A fourth paragraph gives numbers that only members should be reading here.",
        LATE_SENTENCE,
    ]
    return make_article(
        make_publisher(),
        title="Journey headline",
        content_html="".join(f"<p>{p}</p>" for p in paragraphs),
        content_text="\n\n".join(paragraphs),
    )


@pytest.mark.usefixtures("stripe_settings")
def test_sign_up_read_in_trial_gate_after_expiry_pay_and_read_again(client: Client) -> None:
    article = _article()
    page = reverse("reader:article", args=[article.pk])

    # Anonymous: the gate.
    html = client.get(page).content.decode()
    assert LATE_SENTENCE not in html
    assert "Sign up to read this article" in html

    # Sign up and confirm the address: signed in, in a 14-day trial, reading everything.
    signup = client.post(
        reverse("account_signup"),
        {"email": "journey@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert signup.status_code == 302
    assert client.post(link_in(mail.outbox[-1])).status_code == 302
    user = User.objects.get(email="journey@example.org")
    membership = Membership.objects.get(user=user)
    assert membership.state == Membership.State.TRIAL
    assert LATE_SENTENCE in client.get(page).content.decode()

    # The trial ends (its date passes): the gate is back at once, before any job runs.
    Membership.objects.filter(pk=membership.pk).update(
        trial_ends_at=timezone.now() - timedelta(minutes=1)
    )
    html = client.get(page).content.decode()
    assert LATE_SENTENCE not in html
    assert "Become a member" in html

    # Pay through Stripe: the webhooks Stripe sends after Checkout, signed with the secret.
    events = StripeEvents(client)
    now = timezone.now()
    period_end = now + timedelta(days=30)
    for kind, obj in [
        ("checkout.session.completed", events.checkout(user.pk, "sub_journey")),
        (
            "customer.subscription.created",
            events.subscription("sub_journey", "active", period_end, user_id=user.pk),
        ),
        (
            "invoice.paid",
            events.invoice("in_journey", "sub_journey", period_end=period_end, paid_at=now),
        ),
    ]:
        response = events.post(events.event(kind, obj, now))
        assert response.status_code == 200, (kind, response.content)

    membership.refresh_from_db()
    assert membership.state == Membership.State.ACTIVE
    assert LATE_SENTENCE in client.get(page).content.decode()
    payment = Payment.objects.get(provider_payment_id="in_journey")
    assert (payment.user_id, payment.amount_minor, payment.currency) == (user.pk, 1299, "USD")
    trail = list(
        MembershipEvent.objects.filter(membership=membership)
        .order_by("pk")
        .values_list("to_state", flat=True)
    )
    assert trail[:2] == [Membership.State.REGISTERED, Membership.State.TRIAL]
    assert trail[-1] == Membership.State.ACTIVE
