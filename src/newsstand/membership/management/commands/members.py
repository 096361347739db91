"""`newsstand members grant EMAIL --days N`, `members end EMAIL` and `members show EMAIL`.

grant  gives N days of membership, from the end of what the reader already has (or now);
end    ends any trial or membership now (the reader keeps their account, without full access);
show   prints the reader's state and its end date, e.g. "trial until 2026-12-12 10:00 UTC".
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from newsstand.membership import actions
from newsstand.membership.access import user_membership
from newsstand.membership.status import NoSuchMember, describe, find_user_by_email
from newsstand.membership.transitions import MAX_GRANT_DAYS


class Command(BaseCommand):
    help = "Readers' memberships: show one, grant days by hand, or end one now."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        grant = sub.add_parser("grant", help="Grant or extend a membership by N days.")
        grant.add_argument("email", help="The reader's sign-in email")
        grant.add_argument("--days", type=int, required=True, help="Days to add (1-3660)")
        end = sub.add_parser("end", help="End a reader's trial or membership now.")
        end.add_argument("email", help="The reader's sign-in email")
        show = sub.add_parser("show", help="Print a reader's membership state and end date.")
        show.add_argument("email", help="The reader's sign-in email")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = find_user_by_email(options["email"])
        except NoSuchMember as exc:
            raise CommandError(f"{str(exc).capitalize()}.") from exc
        if options["action"] == "grant":
            days = options["days"]
            if not 0 < days <= MAX_GRANT_DAYS:
                raise CommandError(f"--days must be between 1 and {MAX_GRANT_DAYS}, not {days}")
            actions.grant_membership(user, days, actor=None, reason=f"granted {days} days (CLI)")
        elif options["action"] == "end":
            before = user_membership(user)
            had_access = before is not None and describe(before, timezone.now()).has_access
            membership = actions.end_membership(user, reason="ended by an operator (CLI)")
            if not had_access:
                self.stdout.write(f"{user.email}: had no trial or membership to end.")
            if membership.provider_subscription_id:
                # Our record changed, not the provider's: say so, or the operator would think
                # the reader no longer pays.
                self.stderr.write(
                    f"Note: subscription {membership.provider_subscription_id} at "
                    f"{membership.provider or 'the payment provider'} still bills; its next "
                    "renewal activates the membership again. Cancel it there too."
                )
        status = describe(user_membership(user), timezone.now())
        self.stdout.write(f"{user.email}: {status.summary}")
