"""The plans readers subscribe to, read from settings.NEWSSTAND_PLANS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

INTERVALS = {"month": relativedelta(months=1), "year": relativedelta(years=1)}


class UnknownPlan(LookupError):
    pass


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    interval: str  # month | year
    price: Decimal  # for display; the provider charges what its own price says
    currency: str  # ISO 4217
    stripe_price_id: str = ""

    @property
    def display_price(self) -> str:
        return format_currency(self.price, self.currency, locale="en")

    @property
    def per(self) -> str:
        return f"a {self.interval}"

    def period_end(self, start: datetime) -> datetime:
        end: datetime = start + INTERVALS[self.interval]
        return end


def _plan(key: str, raw: dict[str, Any]) -> Plan:
    interval = str(raw.get("interval", ""))
    if interval not in INTERVALS:
        raise ImproperlyConfigured(
            f"NEWSSTAND_PLANS[{key!r}]['interval'] is {interval!r}: expected month or year"
        )
    try:
        price = Decimal(str(raw["price"]))
    except (KeyError, InvalidOperation):
        raise ImproperlyConfigured(
            f"NEWSSTAND_PLANS[{key!r}]['price'] must be a decimal amount such as 12.99"
        ) from None
    currency = str(raw.get("currency", "")).upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ImproperlyConfigured(
            f"NEWSSTAND_PLANS[{key!r}]['currency'] is {currency!r}: expected ISO 4217, e.g. USD"
        )
    return Plan(
        key=key,
        name=str(raw.get("name") or key.title()),
        interval=interval,
        price=price,
        currency=currency,
        stripe_price_id=str(raw.get("stripe_price_id") or ""),
    )


def all_plans() -> list[Plan]:
    return [_plan(key, raw) for key, raw in settings.NEWSSTAND_PLANS.items()]


def get_plan(key: str) -> Plan:
    raw = settings.NEWSSTAND_PLANS.get(key)
    if raw is None:
        known = ", ".join(settings.NEWSSTAND_PLANS)
        raise UnknownPlan(f"no plan called {key!r} (plans: {known})")
    return _plan(key, raw)


def plan_for_stripe_price(price_id: str) -> Plan | None:
    for plan in all_plans():
        if price_id and plan.stripe_price_id == price_id:
            return plan
    return None
