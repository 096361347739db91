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


def test_an_account_made_with_users_add_can_start_its_trial_on_the_membership_page(
    client, settings
) -> None:
    """`newsstand users add` sends no sign-up signal: no trial at creation, so /membership/,
    which advertises the trial, must let such a reader start it (docs/decisions.md)."""
    from newsstand.accounts.actions import add_user

    settings.NEWSSTAND_TRIAL_DAYS = 14
    user = add_user("made.by.cli@example.org", "a-Long-pass-9041")
    assert not Membership.objects.filter(user=user).exists()
    client.force_login(user)
    page = client.get(reverse("membership:plans")).content.decode()
    assert "Fourteen days free" in page
    assert f'action="{reverse("membership:start_trial")}"' in page
    assert "Start your 14-day free trial" in page

    response = client.post(reverse("membership:start_trial"))
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert membership.state == S.TRIAL
    assert membership.trial_ends_at - membership.trial_started_at == timedelta(days=14)
    assert has_full_access(user)
    after = client.get(response["Location"]).content.decode()
    assert "Your free trial has started" in after
    assert "14 days left in your free trial" in after
    assert reverse("membership:start_trial") not in after

    # Once per reader, ever: a second try changes nothing.
    again = client.post(reverse("membership:start_trial"))
    assert again.status_code == 409
    assert MembershipEvent.objects.filter(membership=membership).count() == 1 + 1  # row + trial


def test_starting_a_trial_needs_a_signed_in_reader_and_a_post(client) -> None:
    assert client.get(reverse("membership:start_trial")).status_code in (302, 405)
    response = client.post(reverse("membership:start_trial"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not Membership.objects.exists()


def test_a_reader_whose_trial_ended_is_not_offered_another(client) -> None:
    user = get_user_model().objects.create_user("ended", "ended@example.org", "x-Long-pass-1")
    actions.start_trial(user, now=timezone.now() - timedelta(days=30))
    actions.expire_due_memberships()
    client.force_login(user)
    page = client.get(reverse("membership:plans")).content.decode()
    assert reverse("membership:start_trial") not in page
