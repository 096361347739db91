"""Who is reading, fetched with the article rather than after it.

The article page already spends its ten statements (reader, Related, Top stories, picks, the
read tally, history); a separate membership lookup would be the eleventh. So the viewer's
membership fields ride on the article's own SELECT as subqueries (`with_viewer_access`), and
`viewer_for_article` judges them with the one rule, `membership.access.membership_grants_access`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet, Subquery

from newsstand.articles.models import Article
from newsstand.gate.policy import ANONYMOUS, Viewer, viewer_of
from newsstand.membership.access import membership_grants_access
from newsstand.membership.models import Membership

# The membership fields the access rule reads, and the names they ride under on an article.
ACCESS_FIELDS = ("state", "trial_ends_at", "paid_until")
_PREFIX = "gate_membership_"


def with_viewer_access(articles: QuerySet[Article], user: Any) -> QuerySet[Article]:
    """`articles` carrying `user`'s membership fields; unchanged for an anonymous visitor."""
    if not getattr(user, "is_authenticated", False):
        return articles
    mine = Membership.objects.filter(user_id=user.pk)
    return articles.annotate(**{_PREFIX + f: Subquery(mine.values(f)[:1]) for f in ACCESS_FIELDS})


def viewer_for_article(article: Article, user: Any, now: datetime) -> Viewer:
    """The viewer, from the fields `with_viewer_access` put on `article` (else one query)."""
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    if not hasattr(article, _PREFIX + "state"):
        return viewer_of(user, now)
    state = getattr(article, _PREFIX + "state")
    # Only judged, never saved: a stand-in with the fields the rule reads.
    membership = (
        None
        if state is None
        else Membership(
            state=state,
            trial_ends_at=getattr(article, _PREFIX + "trial_ends_at"),
            paid_until=getattr(article, _PREFIX + "paid_until"),
        )
    )
    return Viewer(signed_in=True, full_access=membership_grants_access(membership, now))
