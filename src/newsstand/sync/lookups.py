"""`publisher__followed_by`: the articles of the publishers a reader follows, per database.

Every sync query narrows articles to the reader's followed publishers, 500 of them in the
benchmark. Written as a list (`publisher_id IN (%s, …)`), PostgreSQL parses, plans and binds
500 parameters in each statement, far longer than it takes to execute, and bringing a total up
to date takes three such statements (docs/benchmarks.md, Sync). There it is a subquery of the
reader's follows, one parameter. SQLite drives the (publisher, published_at) index from a list
but not from that subquery (every page several times slower), so it keeps the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import BigIntegerField, Lookup
from django.db.models.functions import Cast

from newsstand.personal.models import Follow


@dataclass(frozen=True)
class FollowedPublishers:
    """The lookup's value: whose follows, and the ids they named when read (the list form).
    `listed`: the list on every database, for follows as they were rather than as they are
    (sync.tallies brings a total counted before a follow up to date in those feeds)."""

    user_id: int
    ids: tuple[int, ...]
    listed: bool = False


class FollowedBy(Lookup):
    lookup_name = "followed_by"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params = self.process_lhs(compiler, connection)
        ids = self._value().ids
        if not ids:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", (*params, *ids)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        value = self._value()
        if value.listed:
            return self.as_sql(compiler, connection)
        lhs, params = self.process_lhs(compiler, connection)
        if not value.ids:
            raise EmptyResultSet
        sql, rows_params = _follows_sql(connection, value.user_id)
        return f"{lhs} IN ({sql})", (*params, *rows_params)

    def _value(self) -> FollowedPublishers:
        if not isinstance(self.rhs, FollowedPublishers):
            raise TypeError("publisher__followed_by takes a FollowedPublishers")
        return self.rhs


_FOLLOWS_SQL: dict[str, tuple[str, tuple[Any, ...]]] = {}  # by database vendor
_READER = -1  # stands for the reader's id while compiling: no user has it


def _follows_sql(connection: Any, user_id: int) -> tuple[str, tuple[Any, ...]]:
    """The subquery of the reader's followed publishers' ids, with its parameters: the same
    publishers as `ids` (sync.feeds.reader_feeds: followed, not muted, a number). Compiled once
    a database: a page that counts its total names the follows in seven places, each compiled
    through the ORM again otherwise."""
    if connection.vendor not in _FOLLOWS_SQL:
        rows = (
            Follow.objects.filter(
                user_id=_READER, kind="publisher", muted=False, key__regex=r"^[0-9]+$"
            )
            .annotate(publisher_id=Cast("key", BigIntegerField()))
            .values("publisher_id")
        )
        sql, params = rows.query.get_compiler(connection=connection).as_sql()
        _FOLLOWS_SQL[connection.vendor] = (sql, tuple(params))
    sql, params = _FOLLOWS_SQL[connection.vendor]
    return sql, tuple(user_id if p == _READER else p for p in params)
