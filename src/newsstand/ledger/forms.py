"""The read claim the tracker posts to /reads/."""

from __future__ import annotations

from django import forms

from newsstand.ledger.models import FullRead

# A signed ticket is about 100 characters; anything far longer is not one of ours.
TICKET_MAX_CHARS = 500


class ReadClaimForm(forms.Form):
    article = forms.IntegerField(min_value=1, error_messages={"required": "Which article?"})
    ticket = forms.CharField(
        max_length=TICKET_MAX_CHARS,
        error_messages={"required": "The read ticket from the article page is missing."},
    )
    via = forms.ChoiceField(choices=FullRead.Via.choices)
    depth = forms.FloatField(min_value=0.0, max_value=1.0, required=False)

    def reason(self) -> str:
        """All the form's errors as one sentence per field, for the 400 response."""
        return " ".join(
            f"{field}: {' '.join(str(m) for m in messages)}"
            for field, messages in self.errors.items()
        )
