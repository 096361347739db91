"""The `newsstand` console script: Django's management commands under one name.

`newsstand up`, `newsstand ingest --once`, `newsstand extract …`, `newsstand migrate`, … are all
management commands, so each is one thin caller of the package's actions.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsstand.settings")
    if args[:1] == ["extract"]:
        # Extraction needs no database, apps or URLs: setting Django up would cost more than
        # extracting a hundred pages. Same options, output and exit status as the command.
        from newsstand.ingest.batch import main as extract_main

        sys.exit(extract_main(args[1:]))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["newsstand", *args])


if __name__ == "__main__":
    main()
