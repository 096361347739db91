"""Forms for the staff pages that add sources."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core import signing

from newsstand.ingest.discovery import VerifiedFeed

__all__ = ["AddSourceForm", "PickFeedsForm", "sign_feeds"]

# Discovered candidates travel through the page signed, so the second step offers exactly the
# feeds that were verified, without fetching them again.
CANDIDATES_SALT = "newsstand.ingest.discovery.candidates"
CANDIDATES_MAX_AGE_S = 60 * 60


INVALID_URL_MESSAGE = (
    "That is not a web address Newsstand can fetch. "
    "Try something like https://www.example.com/ or https://example.com/feed.xml."
)


class AddSourceForm(forms.Form):
    url = forms.URLField(
        label="Web address",
        max_length=2000,
        assume_scheme="https",
        help_text="A feed, a publisher's homepage, or one of its articles.",
        error_messages={
            "required": "Paste a web address to look for feeds.",
            "invalid": INVALID_URL_MESSAGE,
        },
        widget=forms.URLInput(
            attrs={"placeholder": "https://www.example.com/", "autocomplete": "url"}
        ),
    )

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"])
        # Django's URLField also accepts ftp://; feeds and pages are only fetched over HTTP(S).
        if urlsplit(url).scheme not in ("http", "https"):
            raise forms.ValidationError(INVALID_URL_MESSAGE, code="invalid")
        return url


def sign_feeds(feeds: list[VerifiedFeed]) -> str:
    return signing.dumps(
        [[f.url, f.title, f.type, f.entries, f.site_name, f.homepage] for f in feeds],
        salt=CANDIDATES_SALT,
    )


def _unsign_feeds(token: str) -> list[VerifiedFeed]:
    rows = signing.loads(token, salt=CANDIDATES_SALT, max_age=CANDIDATES_MAX_AGE_S)
    return [
        VerifiedFeed(
            url=str(u),
            title=str(t),
            type=str(k),
            entries=int(n),
            # Lists signed before the site's name was carried have none.
            site_name=str(rest[0]) if rest else "",
            homepage=str(rest[1]) if len(rest) > 1 else "",
        )
        for u, t, k, n, *rest in rows
    ]


class PickFeedsForm(forms.Form):
    """Step two: tick which of the discovered feeds to add."""

    candidates = forms.CharField(widget=forms.HiddenInput)
    feeds = forms.MultipleChoiceField(
        label="Feeds to add",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one feed to add."},
    )

    def __init__(self, *args: Any, feeds: list[VerifiedFeed] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if feeds is None:
            token = self.data.get("candidates", "") if self.is_bound else ""
            try:
                feeds = _unsign_feeds(token)
            except (signing.BadSignature, ValueError, TypeError):
                feeds = []
        else:
            self.initial["candidates"] = sign_feeds(feeds)
            self.initial["feeds"] = [f.url for f in feeds[:1]]
        self.discovered = feeds
        field = self.fields["feeds"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(f.url, f.url) for f in feeds]

    def clean_candidates(self) -> str:
        if not self.discovered:
            raise forms.ValidationError(
                "This list of feeds has expired. Look the address up again."
            )
        return str(self.cleaned_data["candidates"])

    def chosen(self) -> list[VerifiedFeed]:
        picked = set(self.cleaned_data["feeds"])
        return [f for f in self.discovered if f.url in picked]
