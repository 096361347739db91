"""The search form: GET parameters in, a query and filters out, or specific messages."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.cache import cache
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info

from newsstand.articles.models import Article
from newsstand.search.backends import SearchFilters
from newsstand.sources.models import Publisher

# The section and language pickers offer what the newest articles use: a bounded read, where a
# DISTINCT over every article grows with the archive.
FACET_SAMPLE_ARTICLES = 5_000
FACET_CACHE_S = 600
FACET_CACHE_KEY = "search:facets"
MAX_SECTION_OPTIONS = 200
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# Dates outside these are typing mistakes, and datetime arithmetic near year 1 or 9999 overflows.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def _facets() -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(publishers as (slug, name), sections, primary language subtags), cached.

    Sections and languages are those of the newest articles; publishers all of them by name.
    """
    cached: tuple[list[tuple[str, str]], list[str], list[str]] | None = cache.get(FACET_CACHE_KEY)
    if cached is not None:
        return cached
    publishers = list(Publisher.objects.order_by("name").values_list("slug", "name"))
    newest = list(
        Article.objects.order_by("-id").values_list("section", "language")[:FACET_SAMPLE_ARTICLES]
    )
    sections = sorted({s for s, _ in newest if s}, key=str.casefold)[:MAX_SECTION_OPTIONS]
    languages = sorted(
        {
            code
            for _, lang in newest
            if (code := lang.replace("_", "-").split("-")[0].lower()) and _LANGUAGE.fullmatch(code)
        }
    )
    facets = (publishers, sections, languages)
    cache.set(FACET_CACHE_KEY, facets, FACET_CACHE_S)
    return facets


def _options(choices: list[tuple[str, str]], chosen: str) -> SafeString:
    """<option>s with `chosen` selected. Built in Python: hundreds of publishers rendered one by
    one through the template (or format_html) cost 40-200 ms a page."""
    parts = [
        f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>'
        f"{escape(label)}</option>"
        for value, label in choices
    ]
    # Both value and label went through escape(); the rest is constant markup.
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped parts, see above


def language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name"])
    except KeyError:
        return code


class QueryField(forms.CharField):
    """The query box: any text at all (query.py reads it), NUL bytes included."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]


class SearchForm(forms.Form):
    q = QueryField(required=False, strip=True, label="Search articles")
    publisher = forms.CharField(required=False, max_length=200, label="Publisher")
    section = forms.CharField(
        required=False,
        max_length=200,
        label="Section",
        error_messages={"max_length": "A section name is at most %(limit_value)d characters."},
    )
    language = forms.ChoiceField(
        required=False,
        label="Language",
        error_messages={"invalid_choice": "“%(value)s” is not a language code such as en or de."},
    )
    since = forms.DateField(
        required=False,
        label="From",
        error_messages={"invalid": "Enter the start date as YYYY-MM-DD, e.g. 2025-03-01."},
    )
    until = forms.DateField(
        required=False,
        label="To",
        error_messages={"invalid": "Enter the end date as YYYY-MM-DD, e.g. 2025-03-31."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.publisher_choices, self.sections, languages = _facets()
        chosen = (self.data.get("language") or "").lower()
        if _LANGUAGE.fullmatch(chosen) and chosen not in languages:
            # A language no recent article uses is still a valid choice (older ones may).
            languages = sorted([*languages, chosen])
        self.language_choices = [("", "Any language")] + [(c, language_name(c)) for c in languages]
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = self.language_choices
        self.publisher_id: int | None = None

    @property
    def publisher_options(self) -> SafeString:
        return _options(
            [("", "Any publisher"), *self.publisher_choices], str(self["publisher"].value() or "")
        )

    @property
    def language_options(self) -> SafeString:
        return _options(self.language_choices, str(self["language"].value() or "").lower())

    def clean_publisher(self) -> str:
        slug: str = self.cleaned_data.get("publisher") or ""
        if slug:
            # Looked up, not checked against the cached list: a publisher added a minute ago
            # is a valid filter.
            found = Publisher.objects.filter(slug=slug).values_list("pk", flat=True).first()
            if found is None:
                raise forms.ValidationError(f"There is no publisher “{slug}”.")
            self.publisher_id = found
        return slug

    def clean_language(self) -> str:
        value: str = self.cleaned_data.get("language") or ""
        return value.lower()

    def clean_since(self) -> date | None:
        return _in_range(self.cleaned_data.get("since"), "start")

    def clean_until(self) -> date | None:
        return _in_range(self.cleaned_data.get("until"), "end")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def filters(self) -> SearchFilters:
        """The filters of a valid form."""
        data = self.cleaned_data
        return SearchFilters(
            publisher_id=self.publisher_id,
            section=data.get("section") or "",
            language=data.get("language") or "",
            since=_day_start(data.get("since")),
            until=_day_start(data["until"] + timedelta(days=1)) if data.get("until") else None,
        )


def _in_range(day: date | None, which: str) -> date | None:
    if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise forms.ValidationError(
            f"Enter a {which} date between {EARLIEST_DATE.year} and {LATEST_DATE.year}."
        )
    return day


def _day_start(day: date | None) -> datetime | None:
    """Midnight starting `day` in the site's time zone (dates are the reader's calendar days)."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))
