"""Membership emails (trial reminders): HTML and plain text, through Django's email backend."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from newsstand.membership.models import Membership
from newsstand.membership.plans import all_plans
from newsstand.membership.reminders import trial_days_left


def trial_reminder_message(
    membership: Membership, day: int, now: datetime
) -> EmailMultiAlternatives:
    days_left = trial_days_left(membership.trial_ends_at, now)
    context = {
        "user": membership.user,
        "day": day,
        "days_left": days_left,
        "last_day": days_left <= 1,
        "trial_ends_at": membership.trial_ends_at,
        "plans": all_plans(),
        "plans_url": settings.NEWSSTAND_SITE_URL + reverse("membership:plans"),
    }
    subject = render_to_string("membership/email/trial_reminder_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("membership/email/trial_reminder.txt", context),
        to=[membership.user.email],
    )
    message.attach_alternative(
        render_to_string("membership/email/trial_reminder.html", context), "text/html"
    )
    return message
