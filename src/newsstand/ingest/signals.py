"""What ingestion tells the packages above it. Ingest sits at the bottom of the layers and never
imports them: stories assign the new articles by listening here (stories.apps), the same way
for the CLI, the embedded worker and every worker process."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a feed refresh, outside any transaction, with `article_ids`: list[int] of the
# articles it stored (possibly empty). Receivers must not raise: a refresh is already recorded.
articles_stored = Signal()

# Sent after each feed check is recorded, with `outcome` (a FeedCheck outcome) and `duration_s`
# (float). The server's metrics count them; receivers must not raise.
feed_checked = Signal()
