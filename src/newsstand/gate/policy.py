"""Who reads an article's full text, decided once for every channel.

`decide` is pure: the viewer's access, the meter's state and the article in, a `GateDecision`
out. The article page, its print view and the JSON API ask it; outgoing feeds never carry full
text at all; search lets readers without full access match and quote only `article_teaser`
(with the title, byline and summary: search/public.py). Persisting a metered read is
`gate.actions.record_metered_read`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from newsstand.articles.models import Article
from newsstand.gate.teaser import Teaser, make_body_teaser
from newsstand.membership.access import has_full_access
from newsstand.web.presentation import strip_duplicate_lead


class Reason(StrEnum):
    MEMBER = "member"  # a trial or paying member: reads everything
    METERED = "metered"  # a registered non-member's free article this month
    NO_BODY = "no_body"  # we kept no text: nothing behind the gate to protect
    ANONYMOUS = "anonymous"  # not signed in: the teaser and an invitation to sign up
    NOT_MEMBER = "not_member"  # signed in without a current membership, metering off
    METER_USED_UP = "meter_used_up"  # signed in, no membership, this month's free articles read
    NOT_SPENT = "not_spent"  # a free article is spent only when the reader opens it (not a
    # prefetch, a HEAD probe or the service worker keeping saved articles)


@dataclass(frozen=True)
class Viewer:
    signed_in: bool
    full_access: bool


ANONYMOUS = Viewer(signed_in=False, full_access=False)


@dataclass(frozen=True)
class MeterState:
    """A registered non-member's free articles this calendar month."""

    limit: int  # free full articles a month; 0 turns metering off
    used: int = 0  # distinct articles read free this month
    already_read: bool = False  # this article is one of them (reading it again is free)


METER_OFF = MeterState(limit=0)


@dataclass(frozen=True)
class GateDecision:
    full: bool
    reason: Reason
    # Store this read against the month's allowance (a first metered read of the article).
    record_metered_read: bool = False
    # Free articles left this month after this read; None where metering does not apply.
    free_left: int | None = None
    free_limit: int = 0

    @property
    def gated(self) -> bool:
        return not self.full

    @property
    def shows_full_text(self) -> bool:
        """Whether the response carries text beyond the teaser (and so must stay private)."""
        return self.full and self.reason is not Reason.NO_BODY


def decide(
    viewer: Viewer, meter: MeterState, article: Article, *, may_spend: bool = True
) -> GateDecision:
    """Full text or the teaser for `viewer` reading `article`, and why.

    `may_spend` is False for requests that are not the reader opening the article: they never
    cost a free article, so they get the teaser where a new metered read would be needed.
    """
    if not article.content_html.strip():
        return GateDecision(full=True, reason=Reason.NO_BODY)
    if viewer.full_access:
        return GateDecision(full=True, reason=Reason.MEMBER)
    if not viewer.signed_in:
        return GateDecision(full=False, reason=Reason.ANONYMOUS)
    if meter.limit <= 0:
        return GateDecision(full=False, reason=Reason.NOT_MEMBER)
    if meter.already_read:
        left = max(0, meter.limit - meter.used)
        return GateDecision(True, Reason.METERED, free_left=left, free_limit=meter.limit)
    if meter.used < meter.limit and not may_spend:
        left = meter.limit - meter.used
        return GateDecision(False, Reason.NOT_SPENT, free_left=left, free_limit=meter.limit)
    if meter.used < meter.limit:
        left = meter.limit - meter.used - 1
        return GateDecision(
            True, Reason.METERED, record_metered_read=True, free_left=left, free_limit=meter.limit
        )
    return GateDecision(False, Reason.METER_USED_UP, free_left=0, free_limit=meter.limit)


def viewer_of(user: Any, now: datetime | None = None) -> Viewer:
    """The viewer as the gate sees them (one query for a signed-in user's membership)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    return Viewer(signed_in=True, full_access=has_full_access(user, now))


def shown_body(article: Article) -> str:
    """The sanitised body as the article page shows it (the lead image and caption not twice)."""
    return strip_duplicate_lead(
        article.content_html,
        article.lead_image_url,
        article.lead_image_caption,
        article.lead_image_credit,
    )


def article_teaser(article: Article) -> Teaser:
    """The teaser every gated channel shows: the page, the print view, the API, search."""
    return make_body_teaser(shown_body(article))


def safe_snippet_source(article: Article, user: Any, now: datetime | None = None) -> str:
    """The text search may quote from for `user`: the whole text for members, else the teaser.

    Metering never applies here: a free monthly article is read on its page, while a snippet
    drawn from deep in the body would hand out the text without counting it.
    """
    if viewer_of(user, now).full_access:
        return article.content_text or article_teaser(article).text
    return article_teaser(article).text
