"""Template filters for the reader."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.timesince import timesince

from newsstand.reader.prefs import ReaderPrefs, read_prefs

register = template.Library()

# Past a week, "3 weeks ago" is less useful to a news reader than the date itself.
RELATIVE_LIMIT = timedelta(days=7)
JUST_NOW = timedelta(minutes=1)


@register.filter
def ago(value: datetime | None, now: datetime | None = None) -> str:
    """Short human time: "just now", "5 minutes ago", "2 days ago", else "4 Mar 2024"."""
    if value is None:
        return ""
    now = now or timezone.now()
    delta = now - value
    if delta < timedelta(0):
        # Feeds sometimes date items slightly in the future (clock skew, time-zone bugs).
        return "just now" if -delta < JUST_NOW * 10 else _absolute(value)
    if delta < JUST_NOW:
        return "just now"
    if delta < RELATIVE_LIMIT:
        return f"{timesince(value, now, depth=1)} ago"
    return _absolute(value)


def _absolute(value: datetime) -> str:
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_date(local, "j M Y")


@register.simple_tag(takes_context=True)
def reader_prefs(context: template.Context) -> ReaderPrefs:
    """The reader's text size and theme, read from the request's cookies."""
    request = context.get("request")
    return read_prefs(request.COOKIES if request is not None else {})
