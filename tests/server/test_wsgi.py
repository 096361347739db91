"""The WSGI module leaves what it loaded out of the garbage collector's reach (wsgi.py)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_loading_the_app_freezes_its_objects(tmp_path) -> None:
    code = (
        "import gc; before = gc.get_freeze_count()\n"
        "import newsstand.wsgi\n"
        "print(gc.get_freeze_count() - before)\n"
    )
    env = {**os.environ, "NEWSSTAND_DATA_DIR": str(tmp_path), "NEWSSTAND_DATABASE_URL": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    # Django, the views and the stories stack: hundreds of thousands of objects.
    assert int(out.stdout.strip()) > 100_000
