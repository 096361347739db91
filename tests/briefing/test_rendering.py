"""Golden tests for the briefing email: a fixed Briefing in, subject, text and HTML out
(`golden/briefing.{subject.txt,txt,html}`). Pure rendering, no database.

Regenerate after an intended change with NEWSSTAND_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from datetime import date, time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from newsstand.briefing.content import Briefing, Item
from newsstand.briefing.emails import briefing_message, render_briefing

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def fixed(settings: Any) -> None:
    settings.SECRET_KEY = "golden-test-key-not-secret-0123456789-abcdefghijklmnop"
    settings.NEWSSTAND_SITE_URL = "https://news.example.org"


def _briefing() -> Briefing:
    site = "https://news.example.org"
    return Briefing(
        local_date=date(2026, 11, 28),
        top=(
            Item(
                title="Tidal barrier closes for the first time as the surge arrives",
                url=f"{site}/stories/1/",
                source="3 sources",
                teaser="The eight steel gates swung shut at 04:10, before high water.",
                image_url="https://images.example/barrier.jpg",
                image_alt="The barrier's gates at dawn",
            ),
            Item(
                title='Orchard village "swaps car park for trees" & <wins> award',
                url=f"{site}/stories/2/",
                source="1 source",
                teaser="Five years ago the village voted to dig up its car park.",
            ),
        ),
        picks=(
            Item(
                title="The last wooden ferry on the Calder",
                url=f"{site}/articles/7/",
                source="The Lantern Review",
                teaser="The crossing takes nine minutes.",
                note="Our editor's favourite long read",
            ),
        ),
        for_you=(
            Item(
                title="Night trains return to the coast",
                url=f"{site}/articles/9/",
                source="Meridian Daily",
                teaser=(
                    "The sleeper runs again from May, eight years after it was withdrawn, "
                    "with new cabins, a café car and a stop at every harbour town on the coast."
                ),
                note="Because you read \u201cRail timetable changes\u201d",
            ),
        ),
    )


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("NEWSSTAND_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_golden_email(fixed: None) -> None:
    reader = SimpleNamespace(pk=42, email="reader@example.org")
    rendered = render_briefing(reader, _briefing(), send_time=time(7, 0), time_zone="Europe/London")
    _check("briefing.subject.txt", rendered.subject + "\n")
    _check("briefing.txt", rendered.text)
    _check("briefing.html", rendered.html)

    message = briefing_message(reader, rendered, date(2026, 11, 28))
    headers = dict(message.extra_headers)
    # The header and the link at the foot of both parts are the same signed URL.
    link = rendered.text.rsplit("Unsubscribe: ", 1)[1].strip()
    assert headers["List-Unsubscribe"] == f"<{link}>"
    assert f'href="{link}"' in rendered.html
    assert headers["Message-ID"] == "<briefing.42.20261128@news.example.org>"
    assert headers["Auto-Submitted"] == "auto-generated"


def test_markup_in_headlines_is_escaped_in_html_and_plain_in_text(fixed: None) -> None:
    reader = SimpleNamespace(pk=42, email="reader@example.org")
    rendered = render_briefing(reader, _briefing(), send_time=time(7, 0), time_zone="UTC")
    assert "&quot;swaps car park for trees&quot; &amp; &lt;wins&gt; award" in rendered.html
    assert '"swaps car park for trees" & <wins> award' in rendered.text
    assert "<wins>" not in rendered.html


def test_plain_text_lines_fit_a_mail_reader(fixed: None) -> None:
    reader = SimpleNamespace(pk=42, email="reader@example.org")
    rendered = render_briefing(reader, _briefing(), send_time=time(7, 0), time_zone="UTC")
    long_lines = [
        line for line in rendered.text.splitlines() if len(line) > 78 and "://" not in line
    ]
    assert long_lines == []
