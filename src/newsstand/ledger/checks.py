"""System checks: a bad ledger setting stops `newsstand up` and `check`, naming the variable."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from newsstand.ledger.rules import PayoutRules, ReadRules


@checks.register()
def ledger_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for rules in (ReadRules, PayoutRules):
        try:
            rules.from_settings()
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="newsstand.ledger.E001"))
    return errors
