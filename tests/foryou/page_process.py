"""One web process's For You page for one reader, as JSON on stdout (test_processes.py).

Run:  python -m tests.foryou.page_process --user ID --now ISO-TIME [--wait SECONDS]

The database, the cache and whether the corpus is built in the background come from the
environment (NEWSSTAND_DATABASE_URL, NEWSSTAND_CACHE_URL,
NEWSSTAND_FORYOU_BUILD_IN_BACKGROUND), as in a web process.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", type=int, required=True)
    parser.add_argument("--now", required=True)
    parser.add_argument("--wait", type=float, default=0.0)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsstand.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from newsstand.foryou import live

    user = get_user_model().objects.get(pk=args.user)
    page = live.feed_page(
        user, limit=live.FEED_DEPTH, now=datetime.fromisoformat(args.now), wait_s=args.wait
    )
    entries = [[e.article.pk, list(e.reasons)] for e in page.entries]
    print(json.dumps({"preparing": page.preparing, "entries": entries}))


if __name__ == "__main__":
    main()
