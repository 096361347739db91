"""What a reader's own changes tell the packages above personal, which it never imports: sync
brings the totals an app keeps up to date when the reader's follows change (sync.apps)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once a follow, unfollow, mute or unmute is committed, with `user`. Receivers must not
# raise: the change is made.
follows_changed = Signal()
