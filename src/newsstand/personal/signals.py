"""What a reader's own changes tell the packages above personal, which it never imports: sync
brings the totals an app keeps up to date when the reader's entries change as a whole
(sync.apps)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once a follow, unfollow, mute, unmute or a cleared History is committed, with `user`:
# changes to which entries a reader has, or to all their states at once, not an article's.
# Receivers must not raise: the change is made.
entries_reshaped = Signal()
