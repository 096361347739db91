"""A small Fever API client written from Fever's API document (version 3), for the tests.

Every call is a POST of `api_key` (md5 of "email:password") to `<base>?api&<what>`; the answer is
JSON with `api_version`, `auth` and what was asked for.
"""

from __future__ import annotations

import hashlib
from typing import Any

import requests


class FeverError(Exception):
    pass


class FeverClient:
    def __init__(self, base_url: str, email: str, password: str) -> None:
        self.base_url = base_url
        self.api_key = hashlib.md5(f"{email}:{password}".encode()).hexdigest()
        self.session = requests.Session()

    def call(self, *flags: str, **params: Any) -> dict[str, Any]:
        query = "&".join(["api", *flags])
        response = self.session.post(
            f"{self.base_url}?{query}",
            data={"api_key": self.api_key, **{k: str(v) for k, v in params.items()}},
            timeout=10,
        )
        if response.status_code != 200:
            raise FeverError(f"HTTP {response.status_code}")
        data = response.json()
        if data.get("api_version") != 3:
            raise FeverError(f"not a Fever API: {data}")
        return data

    def authenticated(self) -> bool:
        return self.call()["auth"] == 1

    def groups(self) -> dict[str, Any]:
        return self.call("groups")

    def feeds(self) -> dict[str, Any]:
        return self.call("feeds")

    def favicons(self) -> list[dict[str, Any]]:
        return self.call("favicons")["favicons"]

    def items(self, **params: int | str) -> dict[str, Any]:
        flags = ["items"] + [f"{k}={v}" for k, v in params.items()]
        return self.call(*flags)

    def all_items(self) -> list[dict[str, Any]]:
        """Every item, 50 at a time by since_id, as the spec tells a client to sync."""
        found: list[dict[str, Any]] = []
        since = 0
        while True:
            batch = self.items(since_id=since)["items"]
            if not batch:
                return found
            found += batch
            since = max(item["id"] for item in batch)

    def unread_item_ids(self) -> list[int]:
        return _ids(self.call("unread_item_ids")["unread_item_ids"])

    def saved_item_ids(self) -> list[int]:
        return _ids(self.call("saved_item_ids")["saved_item_ids"])

    def links(self) -> list[Any]:
        return self.call("links")["links"]

    def mark(self, kind: str, as_: str, id_: int, before: int | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"mark": kind, "as": as_, "id": id_}
        if before is not None:
            params["before"] = before
        return self.call(**params)


def _ids(text: str) -> list[int]:
    return [int(i) for i in text.split(",") if i]
