"""What a reader's own changes tell the packages above personal, which it never imports: sync
brings the totals an app keeps up to date when the reader's entries change as a whole, or an
article's read or saved state changes on the website (sync.apps)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once a follow, unfollow, mute, unmute or a cleared History is committed, with `user`:
# changes to which entries a reader has, or to all their states at once, not an article's.
# Receivers must not raise: the change is made.
entries_reshaped = Signal()

# Sent when articles' read or saved state changes (History or Saved written, personal.actions),
# with `user_id`, after the reader's new state token, inside the change's transaction if it has
# one: receivers act on commit (transaction.on_commit), quickly (article views send it) and
# without raising.
states_changed = Signal()
