"""What the gate tells the packages above it (the server's metrics count its decisions)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by actions.open_article with `reason` (a policy.Reason value) and `full` (bool: full text
# shown). Receivers must not raise.
gate_decided = Signal()
