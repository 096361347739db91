"""Template helpers for the ledger: the read rules for the tracker, money in the staff pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from newsstand.ledger.payouts import format_money, format_percent
from newsstand.ledger.rules import ReadRules

register = template.Library()


@register.simple_tag
def full_read_rules() -> ReadRules:
    return ReadRules.from_settings()


@register.filter
def money(minor: int, currency: str) -> str:
    """{{ 1234|money:"EUR" }} -> €12.34"""
    return format_money(int(minor), currency)


@register.filter
def percent(fraction: Decimal) -> str:
    """{{ 0.725|percent }} -> 72.5%"""
    return format_percent(fraction)
