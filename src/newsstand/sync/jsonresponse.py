"""`JsonResponse` as Django's, encoded by orjson: what every sync API answers with.

A page of 100 entries is ~0.5 MB of JSON (whole bodies); the standard library encodes it in
2.8 ms through Django's encoder, orjson in 0.2 (bench/sync.py's pages, docs/decisions.md). The
output is the same JSON: datetimes, lazy strings and the rest go through Django's own encoder,
and dictionaries with number keys (feed counters) are written as Django writes them, as strings.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)
_django = DjangoJSONEncoder()


class JsonResponse(HttpResponse):
    """Django's `JsonResponse` (`safe` as there: only a dict unless told otherwise)."""

    def __init__(self, data: Any, safe: bool = True, **kwargs: Any) -> None:
        if safe and not isinstance(data, dict):
            raise TypeError("Only a dict is serialized unless safe=False (as Django's).")
        kwargs.setdefault("content_type", "application/json")
        content = orjson.dumps(data, default=_django.default, option=OPTIONS)
        super().__init__(content=content, **kwargs)
