"""Read side of onboarding: does this reader still have Start reading ahead of them?"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from newsstand.foryou.models import Onboarding


def start_pending(user: AbstractBaseUser) -> bool:
    """True for a reader who signed up and has not yet seen /start/ (one query)."""
    return Onboarding.objects.filter(user_id=user.pk, started_at__isnull=True).exists()
