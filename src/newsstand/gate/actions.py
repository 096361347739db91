"""State changes of the gate: opening an article (which may spend a metered read)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.gate.metering import meter_state, month_of
from newsstand.gate.models import MeteredRead
from newsstand.gate.policy import GateDecision, decide
from newsstand.gate.signals import gate_decided
from newsstand.gate.viewer import viewer_for_article

logger = logging.getLogger(__name__)


def record_metered_read(user: Any, article_id: int, now: datetime) -> None:
    """Count `article_id` against `user`'s free articles for `now`'s month.

    One INSERT that the unique constraint turns into a no-op for an article already counted this
    month, so two tabs opening the same article together still count it once.
    """
    MeteredRead.objects.bulk_create(
        [MeteredRead(user=user, article_id=article_id, month=month_of(now), read_at=now)],
        ignore_conflicts=True,
    )
    logger.info("gate.metered_read user=%s article=%s", user.pk, article_id)


def open_article(
    user: Any, article: Article, now: datetime | None = None, *, may_spend: bool = True
) -> GateDecision:
    """Decide what `user` reads of `article` and, for a first metered read, count it.

    Every channel that can show full text (the page, its print view, the API) calls this, so the
    meter is spent the same way whichever one the reader uses. `may_spend=False` for prefetches
    and probes, which never cost a free article (gate.policy.decide). An article fetched through
    `gate.viewer.with_viewer_access` brings the reader's membership along (no extra query).
    """
    now = now or timezone.now()
    viewer = viewer_for_article(article, user, now)
    meter = meter_state(viewer, user, article.pk, now)
    decision = decide(viewer, meter, article, may_spend=may_spend)
    if decision.record_metered_read:
        record_metered_read(user, article.pk, now)
    gate_decided.send(sender=GateDecision, reason=str(decision.reason), full=decision.full)
    return decision
