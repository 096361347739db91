"""The briefing settings form: on or off, the local time, and the time zone.

The time zone comes from the list, or, when the list is left at "this device's time zone",
from a hidden field a small script fills with the browser's zone (Intl API). Without
JavaScript the reader picks from the list; either way the name must be one zoneinfo knows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms

from newsstand.briefing.schedule import UnknownTimeZone, known_time_zones, zone_named

DETECT = ""  # the list's first choice: take the zone the browser reported


def time_zone_choices() -> list[tuple[str, Any]]:
    """The zones grouped by region ("Europe", "America", ...), for a list with optgroups."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name in sorted(known_time_zones()):
        if "/" not in name and name != "UTC":
            continue  # legacy aliases ("EST", "Cuba"): the regional names cover them
        if name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/")):
            continue
        region = name.split("/", 1)[0] if "/" in name else "Other"
        groups[region].append((name, name.replace("_", " ")))
    return [(DETECT, "This device's time zone"), *sorted(groups.items())]


class BriefingForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Email me the daily briefing")
    send_time = forms.TimeField(
        label="Send it at",
        help_text="Your local time, e.g. 07:00 or 18:30.",
        input_formats=["%H:%M", "%H:%M:%S", "%H.%M", "%H%M"],
        widget=forms.TimeInput(attrs={"type": "time", "step": "60"}, format="%H:%M"),
        error_messages={
            "required": "Enter the time to send it, e.g. 07:00.",
            "invalid": "Enter a time of day as hours and minutes, e.g. 07:00 or 18:30.",
        },
    )
    time_zone = forms.CharField(
        label="Time zone",
        required=False,
        help_text="Leave it at “This device's time zone” to use this browser's.",
        widget=forms.Select(choices=time_zone_choices()),
    )
    # Filled by briefing/timezone.js with Intl.DateTimeFormat().resolvedOptions().timeZone.
    browser_time_zone = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["time_zone"].widget
        current = (self.initial.get("time_zone") or "").strip()
        listed = {value for _, group in widget.choices[1:] for value, _ in group}
        if current and current not in listed:
            # A zone saved under a name the list leaves out (an alias a browser reported).
            widget.choices = [widget.choices[0], (current, current), *widget.choices[1:]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        chosen = (data.get("time_zone") or "").strip()
        detected = (data.get("browser_time_zone") or "").strip()
        name = chosen or detected
        if not name:
            self.add_error(
                "time_zone",
                "Choose your time zone from the list (this browser did not tell us its own).",
            )
            return data
        try:
            zone_named(name)
        except UnknownTimeZone as exc:
            self.add_error("time_zone", str(exc))
            return data
        data["time_zone"] = name
        return data
