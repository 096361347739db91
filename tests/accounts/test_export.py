"""Download my data: the registry other packages add their parts to, and what the file holds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsstand.accounts.actions import EXPORT_FORMAT, export_user_data
from newsstand.accounts.export import (
    register_exporter,
    registered_exporters,
    unregister_exporter,
)
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _reading(user: User) -> dict[str, Any]:
    return {"saved": [{"title": "Harbour bridge reopens", "at": datetime(2025, 3, 1, tzinfo=UTC)}]}


@pytest.fixture
def reading_part() -> Iterator[None]:
    """A second part, as the personal package would register it in its AppConfig.ready()."""
    register_exporter("reading", _reading)
    yield
    unregister_exporter("reading")


def test_account_part_is_registered_at_start_up() -> None:
    assert next(iter(registered_exporters())) == "account"


def test_export_holds_the_account_and_every_registered_part(
    client: Client, reader: User, reading_part: None
) -> None:
    client.post(reverse("account_login"), {"login": reader.email, "password": PASSWORD})
    reader.refresh_from_db()
    data = export_user_data(reader)
    assert data["format"] == EXPORT_FORMAT
    assert abs(datetime.fromisoformat(data["exported_at"]) - timezone.now()).total_seconds() < 60
    assert data["account"] == {
        "email": "reader@example.org",
        "email_verified": True,
        "date_joined": reader.date_joined.isoformat(),
        "last_login": reader.last_login.isoformat() if reader.last_login else None,
    }
    assert data["account"]["last_login"] is not None
    assert data["reading"]["saved"][0]["title"] == "Harbour bridge reopens"

    # The download writes what the parts return, datetimes included.
    download = client.get(reverse("accounts:export"))
    body = json.loads(download.content)
    assert body["account"] == data["account"]
    assert body["reading"] == {
        "saved": [{"title": "Harbour bridge reopens", "at": "2025-03-01T00:00:00Z"}]
    }


def test_export_of_a_user_who_never_signed_in(reader: User) -> None:
    assert export_user_data(reader)["account"]["last_login"] is None


def test_download_is_written_with_djangos_json_encoder(
    signed_in: Client, django_assert_max_num_queries: Any
) -> None:
    # The download costs a query per part ("Download my data" grows with every package that
    # keeps reader data): the session, the user, one for each part and one more for membership's
    # payments. The odd_types part below asks nothing.
    budget = 2 + len(registered_exporters()) + 1
    register_exporter("odd_types", lambda user: {"amount": Decimal("4.99")})
    try:
        with django_assert_max_num_queries(budget):
            response = signed_in.get(reverse("accounts:export"))
    finally:
        unregister_exporter("odd_types")
    assert json.loads(response.content)["odd_types"] == {"amount": "4.99"}


def test_registry_refuses_clashing_names() -> None:
    register_exporter("reading", _reading)
    try:
        register_exporter("reading", _reading)  # the same pair again is harmless
        with pytest.raises(ValueError, match="already registered"):
            register_exporter("reading", lambda user: None)
    finally:
        unregister_exporter("reading")
    with pytest.raises(ValueError, match="reserved"):
        register_exporter("exported_at", _reading)
    with pytest.raises(ValueError, match="identifier"):
        register_exporter("my part", _reading)


def test_a_failing_part_fails_the_export(reader: User) -> None:
    """Better no file than a file that silently leaves a part out."""

    def broken(user: User) -> None:
        raise RuntimeError("ledger unavailable")

    register_exporter("ledger", broken)
    try:
        with pytest.raises(RuntimeError, match="ledger unavailable"):
            export_user_data(reader)
    finally:
        unregister_exporter("ledger")
