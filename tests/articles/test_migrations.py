"""articles.0007 on a database that already has articles: raw sections kept, mapped ones set."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.reader.factories import make_publisher

BEFORE = [("articles", "0005_backfill_articletopic")]
AFTER = [("articles", "0007_seed_sections")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_stored_sections_are_mapped_and_their_raw_value_kept() -> None:
    publisher = make_publisher("Alpha Times")
    raw = ["TECHNOLOGY", "news", "Apollo 8, Frank Borman, Humans in Space, NASA History", ""]
    try:
        old = _migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("articles", "Article")
        for i, section in enumerate(raw):
            old.objects.create(
                publisher_id=publisher.pk,
                url=f"https://a.example/{i}",
                title=f"A {i}",
                section=section,
            )
        state = _migrate(AFTER).loader.project_state(AFTER).apps
        new = state.get_model("articles", "Article")
        rows = list(new.objects.order_by("pk").values_list("section", "section_source"))
        assert rows == [
            ("Technology", "TECHNOLOGY"),
            ("", "news"),
            ("Science", raw[2]),
            ("", ""),
        ]
        assert state.get_model("articles", "Section").objects.filter(name="Sport").exists()
        # Back: the raw values return to `section`.
        back = _migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("articles", "Article")
        assert list(back.objects.order_by("pk").values_list("section", flat=True)) == raw
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("articles"))


def test_the_seed_migration_uses_no_live_code() -> None:
    """A fresh migrate seeds the list as it was written, whatever articles.sections says now."""
    path = Path(__file__).parents[2] / "src/newsstand/articles/migrations/0007_seed_sections.py"
    imported: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module or "")
    assert "django.db" in imported
    assert [m for m in imported if m.startswith("newsstand")] == []
