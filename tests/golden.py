"""Rewrite the golden files from what the code produces now: `make golden`, or
`python -m tests.golden` from the repository root.

The golden tests (tests/ingest/test_feeds.py, tests/ingest/test_extractor.py,
tests/briefing/test_rendering.py) only compare and fail on any difference; this command is the one
way to change what they expect. Run it after an intended change, then read `git diff tests/`
before committing: the diff is the change a reader of the feed, page or email would see.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path


def _golden_files() -> Iterable[tuple[Path, str]]:
    # Imported here: the test modules read Django settings when they are imported.
    from tests.briefing import test_rendering
    from tests.ingest import test_extractor, test_feeds

    yield from test_feeds.golden_files()
    yield from test_extractor.golden_files()
    yield from test_rendering.golden_files()


def main() -> int:
    # Settings create their data directory; a scratch one keeps the work tree clean.
    os.environ.setdefault("NEWSSTAND_DATA_DIR", tempfile.mkdtemp(prefix="newsstand-golden-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsstand.settings")
    import django
    from django.conf import settings

    django.setup()
    root = Path(__file__).resolve().parents[1]
    written = same = 0
    for path, text in _golden_files():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            same += 1
            continue
        path.write_text(text, encoding="utf-8")
        written += 1
        print(f"rewrote {path.relative_to(root)}")
    print(f"{written} golden file(s) rewritten, {same} unchanged. Review them: git diff tests/")
    if not Path(settings.SHARED_DATA_DIR).is_dir():
        print(
            f"Shared data not found at {settings.SHARED_DATA_DIR}: the feed cases taken from it "
            "were left as they are (set NEWSSTAND_SHARED_DATA)."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
