"""articles.0007 on a database that already has articles: raw sections kept, mapped ones set."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.migrations import leaf_nodes, migrate
from tests.reader.factories import make_publisher

BEFORE = [("articles", "0005_backfill_articletopic")]
AFTER = [("articles", "0007_seed_sections")]


@pytest.mark.django_db(transaction=True)
def test_stored_sections_are_mapped_and_their_raw_value_kept() -> None:
    publisher = make_publisher("Alpha Times")
    raw = ["TECHNOLOGY", "news", "Apollo 8, Frank Borman, Humans in Space, NASA History", ""]
    try:
        old = migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("articles", "Article")
        for i, section in enumerate(raw):
            old.objects.create(
                publisher_id=publisher.pk,
                url=f"https://a.example/{i}",
                title=f"A {i}",
                section=section,
            )
        state = migrate(AFTER).loader.project_state(AFTER).apps
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
        back = migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("articles", "Article")
        assert list(back.objects.order_by("pk").values_list("section", flat=True)) == raw
    finally:
        migrate(leaf_nodes())


@pytest.mark.parametrize(
    "migration",
    [
        "articles/migrations/0007_seed_sections.py",
        "stories/migrations/0004_story_sections_normalised.py",
        "search/migrations/0004_recompute_short_public_texts.py",
    ],
)
def test_data_migrations_use_no_live_code(migration: str) -> None:
    """A data migration does as it was written, whatever the live code says later: 0007 seeds
    the section list of its day, whatever articles.sections says now."""
    path = Path(__file__).parents[2] / "src/newsstand" / migration
    imported: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module or "")
    assert "django.db" in imported
    assert [m for m in imported if m.startswith("newsstand")] == []
