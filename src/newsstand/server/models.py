"""What the processes of a cluster agree on through the database."""

from __future__ import annotations

from django.db import models


class SchedulerTurn(models.Model):
    """The last turn of one periodic job taken by any scheduler (server/actions.take_turn).

    `number` is the job's period since the epoch (a minute for Huey's periodic tasks, 15 s for the
    ingest tick): the scheduler that moves it forward runs that period's job, the others skip it.
    """

    name = models.CharField(max_length=64, primary_key=True)
    number = models.BigIntegerField(default=-1)
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} #{self.number}"
