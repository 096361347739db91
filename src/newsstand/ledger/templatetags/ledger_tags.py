"""Template helpers for the ledger: the read rules for the tracker."""

from __future__ import annotations

from django import template

from newsstand.ledger.rules import ReadRules

register = template.Library()


@register.simple_tag
def full_read_rules() -> ReadRules:
    return ReadRules.from_settings()
