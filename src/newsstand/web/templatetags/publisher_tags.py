"""`{% publisher_logo publisher size %}`: a publisher's icon beside its name.

The image is decorative (alt=""): the name is always written next to it.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from newsstand.sources.models import Publisher
from newsstand.web.icons import icon_url

register = template.Library()


@register.simple_tag
def publisher_logo(publisher: Publisher, size: int = 24, css_class: str = "") -> SafeString:
    """An `<img>` of the publisher's icon, `size` CSS pixels square, lazily loaded."""
    classes = f"publisher-logo {css_class}".strip()
    return format_html(
        '<img class="{}" src="{}" width="{}" height="{}" alt="" loading="lazy" decoding="async">',
        classes,
        icon_url(publisher),
        int(size),
        int(size),
    )
