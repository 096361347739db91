"""`{{ url|image_src }}`: a publisher's image address as a page may show it (web.presentation)."""

from __future__ import annotations

from django import template

from newsstand.web.presentation import image_src as _image_src

register = template.Library()


@register.filter
def image_src(url: str) -> str:
    return _image_src(url)
