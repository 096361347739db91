"""Charts drawn on the server: pygal renders each as inline SVG, so pages work without JavaScript.

Every chart is an accessible, script-free picture (`render_svg`) whose colours are CSS custom
properties (`chart_style`), so one chart follows the light or dark theme. Feed health
(`ingest.health_charts`) and payouts (`ledger.charts`) draw theirs with these.
"""

from __future__ import annotations

from typing import Any

from pygal.style import Style

__all__ = ["CHART_WIDTH_PX", "chart_style", "render_svg"]

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
    (and a strict CSP would refuse it), so it goes. pygal writes a <title> as the first child;
    role="img" makes it the accessible name.
    """
    for script in list(root.iter("{*}script")):
        script.getparent().remove(script)
    root.set("role", "img")
    root.set("focusable", "false")
    return root


def render_svg(chart: Any) -> str:
    chart.add_xml_filter(_accessible)
    return str(chart.render(is_unicode=True))
