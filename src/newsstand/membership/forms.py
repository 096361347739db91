from __future__ import annotations

from django import forms

from newsstand.membership.transitions import MAX_GRANT_DAYS

DEFAULT_GRANT_DAYS = 30


class GrantForm(forms.Form):
    email = forms.EmailField(label="Reader's email", help_text="The address they sign in with.")
    days = forms.IntegerField(
        label="Days to add",
        min_value=1,
        max_value=MAX_GRANT_DAYS,
        initial=DEFAULT_GRANT_DAYS,
        help_text="Counted from the end of the membership they already have, or from now.",
    )
