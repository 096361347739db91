"""Moving the test database along the migration graph, for tests of a data migration: migrate
back to just before it, make rows the way the old schema had them, migrate forward, check."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

Targets = list[tuple[str, str]]


def migrate(targets: Targets) -> MigrationExecutor:
    """Migrate to `targets`; a fresh executor, whose loader knows the state reached."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def leaf_nodes(app_label: str | None = None) -> Targets:
    """The latest migrations (of one app, or of all). A test leaves the database at all of
    them: migrating one app back unapplies other apps' migrations that depend on it, which
    restoring that app alone would leave unapplied for the tests after it."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes(app_label)
