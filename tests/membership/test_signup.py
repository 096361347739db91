"""Signing up through allauth starts the free trial (the user_signed_up receiver)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from newsstand.membership import actions
from newsstand.membership.access import has_full_access
from newsstand.membership.models import Membership, MembershipEvent
from tests.accounts.conftest import link_in

pytestmark = pytest.mark.django_db

S = Membership.State


def _sign_up(client, email: str):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": "a-Long-pass-9041", "password2": "a-Long-pass-9041"},
    )


def test_sign_up_starts_a_fourteen_day_trial_without_a_card(client, settings) -> None:
    settings.NEWSSTAND_TRIAL_DAYS = 14
    before = timezone.now()
    response = _sign_up(client, "new.reader@example.org")
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(email="new.reader@example.org")
    membership = Membership.objects.get(user=user)
    assert membership.state == S.TRIAL
    assert membership.trial_started_at is not None and membership.trial_ends_at is not None
    assert before <= membership.trial_started_at <= timezone.now()
    assert membership.trial_ends_at - membership.trial_started_at == timedelta(days=14)
    assert membership.provider == "" and membership.provider_customer_id == ""
    assert has_full_access(user)
    assert list(
        MembershipEvent.objects.filter(membership=membership)
        .order_by("pk")
        .values_list("from_state", "to_state")
    ) == [("", S.REGISTERED), (S.REGISTERED, S.TRIAL)]


def test_the_signed_up_reader_sees_the_countdown(client) -> None:
    _sign_up(client, "countdown@example.org")
    # Sign-up signs in once the address is confirmed (docs/decisions.md).
    client.post(link_in(mail.outbox[-1]))
    html = client.get(reverse("membership:plans")).content.decode()
    assert "14 days left in your free trial" in html


def test_a_failed_sign_up_starts_nothing(client) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "typo@example.org", "password1": "a-Long-pass-9041", "password2": "different"},
    )
    assert response.status_code == 200
    assert not Membership.objects.exists()


def test_the_trial_is_not_restarted_by_a_second_sign_up_signal(client) -> None:
    _sign_up(client, "once@example.org")
    user = get_user_model().objects.get(email="once@example.org")
    first_end = Membership.objects.get(user=user).trial_ends_at
    from allauth.account.signals import user_signed_up

    user_signed_up.send(sender=user.__class__, request=None, user=user)
    assert Membership.objects.get(user=user).trial_ends_at == first_end
    with pytest.raises(actions.IllegalTransition):
        actions.start_trial(user)
