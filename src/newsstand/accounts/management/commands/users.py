"""`newsstand users add EMAIL`: a reader account that can sign in at once.

The password comes from standard input, never the command line (where `ps` and shell history
would show it): typed twice at a hidden prompt on a terminal, else the first line of the pipe.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsstand.accounts import actions


class Command(BaseCommand):
    help = "Manage reader accounts."
    # call_command(..., stdin=StringIO("password\n")) in tests, as createsuperuser does.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser(
            "add",
            help="Add an account with a verified email; the password is read from stdin",
        )
        add.add_argument("email", help="the address the reader signs in with")

    def handle(self, *args: Any, **options: Any) -> None:
        stdin: TextIO = options.get("stdin") or sys.stdin
        email: str = options["email"]
        password = self._read_password(stdin)
        try:
            user = actions.add_user(email, password)
        except actions.AccountError as exc:
            raise CommandError(f"Cannot add {email}: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Added {user.email}; they can sign in now."))

    def _read_password(self, stdin: TextIO) -> str:
        if stdin.isatty():
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ; nothing was added.")
            return password
        line = stdin.readline()
        # Only the line break goes: spaces may belong to the password.
        password = line.rstrip("\r\n")
        if not password:
            raise CommandError(
                "No password on standard input: pipe one line, e.g. "
                "`printf '%s\\n' \"$PASSWORD\" | newsstand users add EMAIL`."
            )
        return password
