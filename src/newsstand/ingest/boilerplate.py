"""Short lines that page templates put between paragraphs and readers should not see.

Newsletter prompts, paywall teasers, share bars, "Related stories" headers: site-independent
phrasings only, and only for short blocks, so a paragraph that merely mentions a newsletter stays.
"""

from __future__ import annotations

import re

__all__ = ["MAX_BOILERPLATE_CHARS", "is_boilerplate"]

MAX_BOILERPLATE_CHARS = 160

_PATTERNS = re.compile(
    r"""^\W*(?:
        sign\s+up\s+(?:to|for|now|here|today)\b
      | subscribe\s+(?:to|now|today|for)\b
      | get\s+(?:our|the)\s+(?:\w+\s+){0,3}newsletter
      | (?:our|the|free)\s+(?:\w+\s+){0,3}newsletter\b.*\b(?:sign|subscribe|inbox)
      | already\s+a\s+subscriber
      | (?:related|recommended|more|trending|popular)\s+
        (?:stories|articles|coverage|content|reading|news|links|posts)\W*$
      | (?:also\s+)?read\s+more\W*$
      | (?:read|see|watch)\s+(?:more|also)\s*:
      | share\s+(?:this|on)\b
      | follow\s+us\s+on\b
      | click\s+here\s+to\b
      | advertisement\W*$
      | (?:story\s+)?continues\s+below
      | this\s+(?:article|story)\s+(?:is\s+)?continues?\s+below
      | (?:sign\s+in|log\s+in)\s+(?:to|or)\s+
      | create\s+a\s+free\s+account
      | we\s+use\s+cookies\b
      | copyright\s+©
      | ©\s*\d{4}
      | all\s+rights\s+reserved\W*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def is_boilerplate(text: str) -> bool:
    """True when a short block of body text is template furniture, not prose."""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_BOILERPLATE_CHARS:
        return False
    return bool(_PATTERNS.match(stripped))
