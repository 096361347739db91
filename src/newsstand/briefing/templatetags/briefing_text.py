"""Plain-text email helpers: lines wrapped for mail readers, continuation lines indented."""

from __future__ import annotations

import textwrap

from django import template

register = template.Library()

# Plain-text mail is read at 78 columns at most (RFC 5322 recommends it for lines).
LINE_CHARS = 76


@register.filter
def wrap_indented(text: str, first: str = "  ") -> str:
    """`text` wrapped at LINE_CHARS, the first line starting with `first`, the others with two
    spaces (none when `first` is empty); words (and URLs) are never broken."""
    return textwrap.fill(
        " ".join(str(text).split()),
        width=LINE_CHARS,
        initial_indent=first,
        subsequent_indent="  " if first else "",
        break_long_words=False,
        break_on_hyphens=False,
    )
