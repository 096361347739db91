"""The densest block and the region around it (newsstand.ingest.density)."""

from __future__ import annotations

import lxml.html

from newsstand.ingest.density import main_block, main_region, prose_paragraphs

SENTENCE = "a paragraph of the article that runs long enough to count as prose here"


def _paragraphs(prefix: str, n: int, end: str = ".") -> str:
    return "".join(f"<p>{prefix} {k}: {SENTENCE}{end}</p>" for k in range(n))


def test_teaser_excerpts_cut_off_with_an_ellipsis_are_not_prose() -> None:
    tree = lxml.html.document_fromstring(
        f'<html><body><div id="story">{_paragraphs("Story", 2)}</div>'
        + "".join(
            f'<div class="teaser">{_paragraphs(f"Teaser {n}", 1, " …")}</div>' for n in range(6)
        )
        + "</body></html>"
    )
    assert all("Teaser" not in p.text_content() for p, _ in prose_paragraphs(tree))
    block, _ = main_block(tree)
    assert block is not None and block.get("id") == "story"


def _region_id(html: str) -> str | None:
    tree = lxml.html.document_fromstring(html)
    paragraphs = prose_paragraphs(tree)
    block, _ = main_block(tree, paragraphs)
    assert block is not None
    region, _ = main_region(block, paragraphs)
    return region.get("id") or region.get("class")


def _section(n: int, size: int = 3) -> str:
    return (
        f'<section class="part"><div class="text">{_paragraphs(f"Part {n}", size)}</div></section>'
    )


def test_the_region_gathers_like_named_sections() -> None:
    html = (
        '<html><body><nav><a href="/">Home</a></nav><div id="parts">'
        + _section(0, 4)
        + "".join(_section(n) for n in range(1, 5))
        + "</div></body></html>"
    )
    assert _region_id(html) == "parts"


def test_the_region_stops_before_foreign_prose_and_menus() -> None:
    carousel = (
        '<div class="carousel">'
        + "".join(f'<div class="slide">{_paragraphs(f"Slide {n}", 3)}</div>' for n in range(4))
        + "</div>"
    )
    html = (
        '<html><body><div id="page">'
        + carousel
        + f'<div class="story">{_paragraphs("Story", 9)}</div></div></body></html>'
    )
    assert _region_id(html) == "story"
    menu = "".join(f'<a href="/s{n}">Section number {n} of the site</a> ' for n in range(40))
    html = (
        f'<html><body><div id="page"><div class="menu">{menu}</div>'
        f'<div id="parts">{"".join(_section(n) for n in range(3))}</div></div></body></html>'
    )
    assert _region_id(html) == "parts"


def test_paragraphs_in_hidden_elements_do_not_count_for_the_region() -> None:
    hidden = '<div class="message hidden">' + _paragraphs("Hidden", 2) + "</div>"
    html = (
        f'<html><body><div id="outer"><div id="parts">{"".join(_section(n) for n in range(3))}'
        f"</div>{hidden}</div></body></html>"
    )
    assert _region_id(html) == "parts"
    assert _region_id(html.replace(" hidden", "")) == "outer"
