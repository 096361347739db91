"""State changes of the server processes: the scheduler's turns."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from newsstand.fields import fit
from newsstand.server.models import SchedulerTurn


def take_turn(name: str, number: int, *, taken_by: str = "") -> bool:
    """Take period `number` of job `name` for this scheduler: True for exactly one caller per
    period, whatever the number of schedulers asking (a conditional UPDATE on one row)."""
    if not SchedulerTurn.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                SchedulerTurn.objects.create(name=name)
        except IntegrityError:
            pass  # another scheduler created it first: the UPDATE below decides
    return (
        SchedulerTurn.objects.filter(name=name, number__lt=number).update(
            number=number,
            taken_by=fit(SchedulerTurn, "taken_by", taken_by),
            taken_at=timezone.now(),
        )
        == 1
    )
