"""Trial reads are flagged (and left out of the pool); a ticket records one read at most.

Reads recorded before this keep trial=False: they were counted under the old rule and may
have been paid. A ticket redeemed on two days before this (after midnight, within its 12 hours)
left two rows with one (user, article, opened_at); both stay, as they were paid for, and the
later ones have their opened_at moved on by a microsecond each (tickets carry milliseconds, so
no ticket can name the moved time) for the constraint to hold.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count


def separate_reused_tickets(apps, schema_editor):
    FullRead = apps.get_model("ledger", "FullRead")
    reused = (
        FullRead.objects.filter(user__isnull=False, article__isnull=False)
        .values("user_id", "article_id", "opened_at")
        .annotate(rows=Count("id"))
        .filter(rows__gt=1)
    )
    for group in reused:
        rows = FullRead.objects.filter(
            user_id=group["user_id"],
            article_id=group["article_id"],
            opened_at=group["opened_at"],
        ).order_by("day", "id")
        for shift, row in enumerate(rows):
            if shift:
                row.opened_at += timedelta(microseconds=shift)
                row.save(update_fields=["opened_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_backfill_articletopic"),
        ("ledger", "0001_initial"),
        ("sources", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="fullread",
            name="trial",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(separate_reused_tickets, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="fullread",
            constraint=models.UniqueConstraint(
                fields=("user", "article", "opened_at"), name="ledger_one_read_per_ticket"
            ),
        ),
    ]
