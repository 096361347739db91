"""`newsstand briefing send-due` and `newsstand briefing preview EMAIL [--html]`.

send-due  sends every briefing due now, in this process (the worker's minute tick does the same
          through the task queue); each goes at most once whichever of them runs.
preview   prints the briefing EMAIL's reader would get now (plain text, or the HTML with --html),
          sending nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from newsstand.briefing import actions, schedule
from newsstand.briefing.content import build_briefing
from newsstand.briefing.emails import render_briefing
from newsstand.membership.status import NoSuchMember, find_user_by_email


class Command(BaseCommand):
    help = "The daily briefing: send the due ones now, or preview a reader's."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        sub.add_parser("send-due", help="Send every briefing that is due now.")
        preview = sub.add_parser("preview", help="Print a reader's briefing as it would go now.")
        preview.add_argument("email", help="The reader's sign-in email")
        preview.add_argument("--html", action="store_true", help="Print the HTML part")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "send-due":
            outcomes = actions.send_due_briefings()
            for o in outcomes:
                detail = f" ({o.detail})" if o.detail else ""
                self.stdout.write(f"user {o.user_id} {o.local_date}: {o.outcome}{detail}")
            sent = sum(o.outcome == "sent" for o in outcomes)
            self.stdout.write(f"{sent} briefing{'s' if sent != 1 else ''} sent.")
            return
        try:
            user = find_user_by_email(options["email"])
        except NoSuchMember as exc:
            raise CommandError(f"{str(exc).capitalize()}.") from exc
        pref = actions.preference_for(user)
        try:
            zone = schedule.zone_named(pref.time_zone)
        except schedule.UnknownTimeZone:
            zone = schedule.zone_named("UTC")
        now = timezone.now()
        briefing = build_briefing(user, now, now.astimezone(zone).date())
        rendered = render_briefing(user, briefing, send_time=pref.send_time, time_zone=zone.key)
        self.stdout.write(f"Subject: {rendered.subject}\n")
        self.stdout.write(rendered.html if options["html"] else rendered.text)
