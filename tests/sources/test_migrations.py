"""sources.0002 on a database that already has publishers: names that are an address become
placeholders ("host"), the others are the catalogue's; publishers made afterwards are staff's."""

from __future__ import annotations

import pytest

from newsstand.sources.models import Publisher
from tests.migrations import leaf_nodes, migrate

BEFORE = [("sources", "0001_initial")]
AFTER = [("sources", "0002_publisher_identity")]


@pytest.mark.django_db(transaction=True)
def test_existing_names_get_their_origin() -> None:
    try:
        old = migrate(BEFORE).loader.project_state(BEFORE).apps.get_model("sources", "Publisher")
        for slug, name in [
            ("a", "127.0.0.4"),
            ("b", "feedburner.com/crikey"),
            ("c", "example.co.uk"),
            ("d", "- Amar Ujala"),
            ("e", "Global Dispatch"),
        ]:
            old.objects.create(slug=slug, name=name)
        migrate(AFTER)
        origins = dict(Publisher.objects.values_list("slug", "name_source"))
        assert origins == {
            "a": "host",
            "b": "host",
            "c": "host",
            "d": "catalogue",
            "e": "catalogue",
        }
        assert Publisher.objects.create(slug="f", name="Typed").name_source == "staff"
    finally:
        migrate(leaf_nodes())
