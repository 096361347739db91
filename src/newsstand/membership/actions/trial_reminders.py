"""Trial reminders: email each trial reader on their reminder days, each kind at most once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from newsstand.membership.emails import trial_reminder_message
from newsstand.membership.models import Membership, TrialReminder
from newsstand.membership.reminders import due_reminder, reminder_kind

log = logging.getLogger(__name__)

State = Membership.State


def send_trial_reminders(now: datetime | None = None) -> int:
    """Email each trial reader whose reminder day has come; each kind at most once, ever.

    The TrialReminder row is written first, in the transaction that sends: a second worker
    running at the same moment fails on the unique constraint instead of sending again, and a
    failed send rolls the row back so the next run tries again.
    """
    now = now or timezone.now()
    days: tuple[int, ...] = tuple(settings.NEWSSTAND_TRIAL_REMINDER_DAYS)
    if not days:
        return 0
    earliest_start = now - timedelta(days=min(days) - 1)
    candidates = (
        Membership.objects.filter(
            state=State.TRIAL, trial_started_at__lte=earliest_start, trial_ends_at__gt=now
        )
        .select_related("user")
        .prefetch_related("reminders")
    )
    sent = 0
    for membership in candidates:
        day = due_reminder(membership.trial_started_at, membership.trial_ends_at, now, days)
        if day is None or not membership.user.email:
            continue
        kind = reminder_kind(day)
        if any(r.kind == kind for r in membership.reminders.all()):
            continue
        try:
            with transaction.atomic():
                TrialReminder.objects.create(membership=membership, kind=kind, sent_at=now)
                trial_reminder_message(membership, day, now).send()
        except IntegrityError:
            continue  # another worker sent it
        except OSError as exc:  # SMTP errors are OSErrors; the next run tries this one again
            log.error("trial reminder failed user_id=%s kind=%s: %s", membership.user_id, kind, exc)
            continue
        sent += 1
        log.info("trial reminder sent user_id=%s kind=%s", membership.user_id, kind)
    return sent
