"""Golden tests for the briefing email: a fixed Briefing in, subject, text and HTML out
(`golden/briefing.{subject.txt,txt,html}`). Pure rendering, no database.

The tests only compare. After an intended change, rewrite the golden files with `make golden`
(`python -m tests.golden`) and review the diff.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import override_settings

from newsstand.briefing.content import Briefing, Item
from newsstand.briefing.emails import RenderedBriefing, briefing_message, render_briefing

GOLDEN = Path(__file__).parent / "golden"
FIXED_SETTINGS = {
    "SECRET_KEY": "golden-test-key-not-secret-0123456789-abcdefghijklmnop",
    "NEWSSTAND_SITE_URL": "https://news.example.org",
}


@pytest.fixture
def fixed(settings: Any) -> None:
    for name, value in FIXED_SETTINGS.items():
        setattr(settings, name, value)


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


READER = SimpleNamespace(pk=42, email="reader@example.org")


def _golden_render() -> RenderedBriefing:
    return render_briefing(READER, _briefing(), send_time=time(7, 0), time_zone="Europe/London")


def _golden_texts(rendered: RenderedBriefing) -> dict[str, str]:
    return {
        "briefing.subject.txt": rendered.subject + "\n",
        "briefing.txt": rendered.text,
        "briefing.html": rendered.html,
    }


def golden_files() -> list[tuple[Path, str]]:
    """(golden file, its content from today's templates) for `python -m tests.golden`."""
    with override_settings(**FIXED_SETTINGS):
        return [(GOLDEN / name, text) for name, text in _golden_texts(_golden_render()).items()]


def test_golden_email(fixed: None) -> None:
    rendered = _golden_render()
    for name, actual in _golden_texts(rendered).items():
        expected = (GOLDEN / name).read_text(encoding="utf-8")
        assert actual == expected, f"{name} differs from its golden file; see `make golden`"

    message = briefing_message(READER, rendered, date(2026, 11, 28))
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
