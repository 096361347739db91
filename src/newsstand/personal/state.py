"""Read side of a reader's own state: saved or not, followed or muted, muted publishers.

Each function is one small query, and asks nothing of anonymous visitors.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet

from newsstand.articles.models import Article
from newsstand.personal.models import Follow, SavedArticle

AnyUser = AbstractBaseUser | AnonymousUser

# A reader's state token lives this long unchanged; when it expires (or the cache evicts it) a
# new one is drawn, which only makes what was computed under the old one unreachable.
STATE_TOKEN_TTL_S = 7 * 24 * 3600


def _token_key(user_id: int, what: str = "state") -> str:
    return f"personal:{what}-token:{user_id}"


def state_token(user_id: int) -> str:
    """A token that changes whenever the reader's History, Saved or follows change (every
    change goes through personal.actions), so what is computed from them can be kept under it
    in the shared cache: the sync APIs' counters and where their pages ended."""
    return _token(user_id, "state")


def entries_token(user_id: int) -> str:
    """A token that changes when the reader's History changes in a way `StateChange` does not
    record (cleared, or a batch too large to log): what a total kept under it needs to be
    counted again for. Reads and saves leave it (sync.tallies applies them), and so do follows
    (it compares the feeds)."""
    return _token(user_id, "entries")


def _token(user_id: int, what: str) -> str:
    return str(cache.get_or_set(_token_key(user_id, what), uuid.uuid4().hex, STATE_TOKEN_TTL_S))


def new_state_token(user_id: int, *, derivable: bool = False) -> None:
    """Retire the reader's state token (and, unless kept totals can derive what changed, from
    `StateChange`s or from the follows, the entries token); the next `state_token` draws a new
    one.

    A delete, not a write of the new token: it is called on every article a reader opens, a
    delete is the cheaper of the two on every cache, and only readers whose apps sync ever draw
    a token again.
    """
    if derivable:
        cache.delete(_token_key(user_id))
    else:
        cache.delete_many([_token_key(user_id), _token_key(user_id, "entries")])


@dataclass(frozen=True)
class FollowState:
    following: bool = False
    muted: bool = False


def is_saved(user: AnyUser, article_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return SavedArticle.objects.filter(user_id=user.pk, article_id=article_id).exists()


def saved_flag(user: AnyUser) -> Exists | None:
    """An `is_saved` annotation for article lists: no extra query per page, None for anonymous."""
    if not user.is_authenticated:
        return None
    return Exists(SavedArticle.objects.filter(user_id=user.pk, article_id=OuterRef("pk")))


def card_flags(user: AnyUser) -> dict[str, Exists]:
    """What `web.listing.card_page` annotates for this reader: `is_saved` when signed in."""
    flag = saved_flag(user)
    return {} if flag is None else {"is_saved": flag}


def follow_state(user: AnyUser, kind: str, key: str) -> FollowState:
    if not user.is_authenticated:
        return FollowState()
    muted = (
        Follow.objects.filter(user_id=user.pk, kind=kind, key=key)
        .values_list("muted", flat=True)
        .first()
    )
    if muted is None:
        return FollowState()
    return FollowState(following=not muted, muted=muted)


def muted_publisher_ids(user: AnyUser) -> list[int]:
    if not user.is_authenticated:
        return []
    keys = Follow.objects.filter(
        user_id=user.pk, kind=Follow.Kind.PUBLISHER, muted=True
    ).values_list("key", flat=True)
    return [int(k) for k in keys if k.isascii() and k.isdigit()]


def hide_muted_publishers(user: AnyUser, articles: QuerySet[Article]) -> QuerySet[Article]:
    """`articles` without those of publishers the reader muted (one query when signed in)."""
    muted = muted_publisher_ids(user)
    return articles.exclude(publisher_id__in=muted) if muted else articles
