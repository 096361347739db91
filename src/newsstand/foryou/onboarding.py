"""Read side of onboarding: does this reader still have Start reading ahead of them?"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse

from newsstand.foryou.models import Onboarding


def start_pending(user: AbstractBaseUser) -> bool:
    """True for a reader who signed up and has not yet seen /start/ (one query)."""
    return Onboarding.objects.filter(user_id=user.pk, started_at__isnull=True).exists()


def start_url_if_pending(user: AbstractBaseUser) -> str:
    """Start reading's address for a reader who has not seen it yet (accounts' landing hook)."""
    return reverse("foryou:start") if start_pending(user) else ""
