"""The membership admin: filters, the read-only audit trail inline, the grant action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from newsstand.membership import actions
from newsstand.membership.models import Membership, MembershipEvent
from tests.membership.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def members():
    trial = make_user("trial@example.org")
    actions.start_trial(trial)
    paid = make_user("paid@example.org")
    actions.grant_membership(paid, 30, None)
    return {"trial": trial.membership, "paid": Membership.objects.get(user=paid)}


def test_changelist_filters_by_state(admin_client, members, django_assert_max_num_queries) -> None:
    url = reverse("admin:membership_membership_changelist")
    with django_assert_max_num_queries(10):
        html = admin_client.get(url, {"state__exact": "trial"}).content.decode()
    assert "trial@example.org" in html and "paid@example.org" not in html


def test_change_page_shows_the_trail_read_only(admin_client, members) -> None:
    membership = members["paid"]
    url = reverse("admin:membership_membership_change", args=[membership.pk])
    html = admin_client.get(url).content.decode()
    assert "granted 30 days" in html
    assert 'name="state"' not in html  # states change through actions only
    assert 'name="events-0-reason"' not in html
    # A crafted POST cannot edit the state either.
    admin_client.post(url, {"state": "canceled"})
    membership.refresh_from_db()
    assert membership.state == Membership.State.ACTIVE


def test_events_cannot_be_added_changed_or_deleted(admin_client, members) -> None:
    event = MembershipEvent.objects.first()
    assert (
        admin_client.get(reverse("admin:membership_membershipevent_changelist")).status_code == 200
    )
    assert admin_client.get(reverse("admin:membership_membershipevent_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:membership_membershipevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert MembershipEvent.objects.filter(pk=event.pk).exists()
    assert admin_client.get(reverse("admin:membership_providerevent_changelist")).status_code == 200


def test_grant_action_asks_for_days_then_grants(admin_client, members) -> None:
    url = reverse("admin:membership_membership_changelist")
    trial = members["trial"]
    form = admin_client.post(url, {"action": "grant_days", "_selected_action": [trial.pk]})
    assert form.status_code == 200
    assert 'name="days"' in form.content.decode()
    done = admin_client.post(
        url,
        {"action": "grant_days", "_selected_action": [trial.pk], "days": "7", "apply": "Grant"},
        follow=True,
    )
    assert "Granted 7 days to 1 member(s)." in done.content.decode()
    trial.refresh_from_db()
    assert trial.state == Membership.State.ACTIVE
    bad = admin_client.post(
        url,
        {"action": "grant_days", "_selected_action": [trial.pk], "days": "-1", "apply": "Grant"},
        follow=True,
    )
    assert "Days must be a whole number from 1 to 3660." in bad.content.decode()
