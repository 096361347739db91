"""For You's state changes: onboarding, and the follows "Start reading" writes.

Follows go through `personal.actions`, the one place they are written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from newsstand.foryou.models import Onboarding
from newsstand.personal import actions as personal
from newsstand.personal.models import Follow
from newsstand.personal.targets import FollowTarget

logger = logging.getLogger(__name__)


def begin_onboarding(user: AbstractBaseUser, *, now: datetime | None = None) -> None:
    """A new reader: their next sign-in (or the sign-up's own) lands on Start reading."""
    Onboarding.objects.get_or_create(
        user_id=user.pk, defaults={"created_at": now or timezone.now()}
    )


def mark_start_seen(user: AbstractBaseUser, *, now: datetime | None = None) -> bool:
    """The reader reached /start/; they are not sent there again. True the first time."""
    updated = Onboarding.objects.filter(user_id=user.pk, started_at__isnull=True).update(
        started_at=now or timezone.now()
    )
    return bool(updated)


@dataclass(frozen=True)
class StartReport:
    followed: int
    unfollowed: int


def apply_start_choices(
    user: AbstractBaseUser,
    *,
    chosen: Iterable[FollowTarget],
    offered: Iterable[FollowTarget],
) -> StartReport:
    """Follow every chosen topic and publisher; stop following those offered but not chosen.

    Only what the page offered is touched: a follow made elsewhere (a section, a story, a
    publisher not listed) stays, and mutes stay unless the reader ticks the muted thing.
    """
    chosen = list(chosen)
    picked = {(t.kind, t.key) for t in chosen}
    current = set(Follow.objects.filter(user_id=user.pk, muted=False).values_list("kind", "key"))
    followed = unfollowed = 0
    with transaction.atomic():
        for target in chosen:
            if (target.kind, target.key) not in current:
                personal.follow(user, target)
                followed += 1
        for target in offered:
            key = (target.kind, target.key)
            if key in current and key not in picked:
                personal.unfollow(user, target.kind, target.key)
                unfollowed += 1
    logger.info(
        "start reading saved user_id=%s followed=%d unfollowed=%d", user.pk, followed, unfollowed
    )
    return StartReport(followed=followed, unfollowed=unfollowed)
