"""The test database as a URL (NEWSSTAND_DATABASE_URL), for processes a test starts: its rows
must be committed first (a transactional test)."""

from __future__ import annotations

from django.db import connection


def database_url(name: str | None = None) -> str:
    """The test database's URL, or that of database `name` on the same PostgreSQL server."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return (
        f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name or db['NAME']}"
    )
