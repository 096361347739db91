"""What stories tell the packages above them (the server's metrics count assignments)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after ingestion's articles were given stories, with `started` and `joined` (ints: new
# stories, and articles that joined one). Receivers must not raise.
stories_assigned = Signal()
