"""Byline rules: the writer, not the outlet credited beside them."""

from __future__ import annotations

import json

import lxml.html
import pytest

from newsstand.ingest.authors import normalize_authors
from newsstand.ingest.metadata import read_metadata


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        (
            "Javier Espinoza and Patricia Nilsson, Financial Times",
            ["Javier Espinoza", "Patricia Nilsson"],
        ),
        ("Najib Jobain, Associated Press and Samy Magdy", ["Najib Jobain", "Samy Magdy"]),
        ("Terry Pluto, cleveland.com", ["Terry Pluto"]),
        ("Jonathan Wasserman | Bleacher Report", ["Jonathan Wasserman"]),
        # An outlet credited alone is the author a reader is told of.
        ("The Associated Press", ["The Associated Press"]),
        ("Reuters", ["Reuters"]),
        # A surname is not an outlet.
        ("Jane Post and John Daily", ["Jane Post", "John Daily"]),
    ],
)
def test_outlet_beside_a_writer_is_dropped(byline: str, expected: list[str]) -> None:
    assert normalize_authors([byline]) == expected


def _page(author: object) -> lxml.html.HtmlElement:
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "H",
          "author": author}  # fmt: skip
    return lxml.html.fromstring(
        '<html><head><script type="application/ld+json">'
        + json.dumps(ld)
        + "</script></head><body><h1>H</h1></body></html>"
    )


def test_json_ld_organisation_beside_a_person_is_not_an_author() -> None:
    tree = _page(
        [
            {"@type": "Person", "name": "Jane Roe"},
            {"@type": "NewsMediaOrganization", "name": "Global Wire Service"},
        ]
    )
    assert read_metadata(tree, "https://news.example.com/a").authors == ["Jane Roe"]


def test_json_ld_organisation_alone_stays_the_author() -> None:
    tree = _page({"@type": "Organization", "name": "Global Wire Service"})
    assert read_metadata(tree, "https://news.example.com/a").authors == ["Global Wire Service"]
