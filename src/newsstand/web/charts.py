"""Charts drawn on the server: pygal renders each as inline SVG, so pages work without JavaScript.

Every chart is an accessible, script-free picture (`render_svg`) whose colours are CSS custom
properties (`chart_style`), so one chart follows the light or dark theme. Feed health
(`ingest.health_charts`) and payouts (`ledger.charts`) draw theirs with these.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.middleware.csp import get_nonce
from pygal.style import Style

__all__ = ["CHART_WIDTH_PX", "chart_nonce", "chart_style", "render_svg"]

CHART_WIDTH_PX = 960


def chart_style(colors: tuple[str, ...]) -> Style:
    # var(...) resolves against the page because the SVG is inline: one chart, both themes.
    return Style(
        background="transparent",
        plot_background="transparent",
        foreground="var(--text)",
        foreground_strong="var(--text)",
        foreground_subtle="var(--rule)",
        opacity="1",
        opacity_hover="0.85",
        colors=colors,
        # Given explicitly: pygal would otherwise try to parse the colours to pick text colours.
        value_colors=tuple("var(--text)" for _ in colors),
        font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
        title_font_size=15,
    )


def _accessible(root: Any) -> Any:
    """pygal xml filter: a static, accessible picture.

    pygal always embeds a config <script> for its optional tooltips; the page runs no script
    (and the CSP would refuse it), so it goes, with the hidden tooltip it would have filled (an
    inline style the CSP refuses too). pygal writes a <title> as the first child; role="img"
    makes it the accessible name.
    """
    for script in list(root.iter("{*}script")):
        script.getparent().remove(script)
    for tooltip in [g for g in root.iter("{*}g") if g.get("class") == "tooltip"]:
        tooltip.getparent().remove(tooltip)
    root.set("role", "img")
    root.set("focusable", "false")
    return root


def chart_nonce(request: HttpRequest) -> str:
    """The response's CSP nonce for a chart's <style>; "" where no CSP middleware runs."""
    nonce = get_nonce(request)
    return str(nonce) if nonce is not None else ""


def render_svg(chart: Any, *, nonce: str = "") -> str:
    """The chart as inline SVG. pygal's CSS is a <style> in it, which the page's CSP lets apply
    only with the response's nonce (`chart_nonce(request)`); without one it is left bare
    (tests, or a page under no CSP)."""

    def allow_styles(root: Any) -> Any:
        for style in root.iter("{*}style"):
            style.set("nonce", nonce)
        return root

    chart.add_xml_filter(_accessible)
    if nonce:
        chart.add_xml_filter(allow_styles)
    return str(chart.render(is_unicode=True))
