"""Text cut to fit a model's column, at the length the model declares (never a copy of it).

A migration that widens a field widens every cut with it.
"""

from __future__ import annotations

import functools

from django.db.models import Model


@functools.cache
def max_length(model: type[Model], field: str) -> int:
    """The `max_length` of a model's character field."""
    found = model._meta.get_field(field)
    length = getattr(found, "max_length", None)  # a relation has none
    if length is None:
        raise ValueError(f"{model.__name__}.{field} has no max_length")
    return int(length)


def fit(model: type[Model], field: str, text: str) -> str:
    """`text` cut to the field's `max_length`."""
    return text[: max_length(model, field)]
