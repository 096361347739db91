"""How Newsstand's tooling starts Debian's Chromium: the browser tests and `make screenshots`.

Never a Playwright browser download (none is possible here). The flags keep Chromium off the
network: no update checks, sync, field trials or QUIC probes; --no-sandbox because CI runs as root.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("NEWSSTAND_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-sync",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
]
