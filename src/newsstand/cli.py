"""The `newsstand` console script: Django's management commands under one name.

`newsstand up`, `newsstand ingest --once`, `newsstand extract …`, `newsstand migrate`, … are all
management commands, so each is one thin caller of the package's actions.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsstand.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["newsstand", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
