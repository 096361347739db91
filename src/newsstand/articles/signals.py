"""What the articles package tells the packages above it. Articles sit at the bottom of the
layers and never import them: stories keep their copy of the sections (`Story.sections`) in
step by listening here (connected in `StoriesConfig.ready`)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that changed some stored articles' `section` (re-mapping them
# onto the Section list, or staff editing one), with `article_ids`: list[int], at most one
# batch of them. Receivers bring their copies in step in a few queries for the whole list, in
# the same transaction: if one raises, the change is rolled back rather than left half-copied.
article_sections_changed = Signal()
