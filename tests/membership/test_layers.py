"""Payment providers translate and call their APIs; they never change a membership. So no
provider module imports membership.actions: the webhook view calls the actions, and the actions
ask the provider (get_provider) when a subscription must be cancelled."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import newsstand.membership.providers as providers_package

ACTIONS = "newsstand.membership.actions"
PROVIDER_FILES = sorted(Path(providers_package.__file__).parent.glob("*.py"))


def imported_modules(source: str) -> set[str]:
    """Every module a source file imports, at any depth (lazy imports in functions count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def imports_actions(source: str) -> bool:
    return any(m == ACTIONS or m.startswith(f"{ACTIONS}.") for m in imported_modules(source))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from newsstand.membership.actions import ensure_membership", True),
        ("from newsstand.membership import actions", True),
        ("import newsstand.membership.actions.verbs", True),
        ("def f():\n    from newsstand.membership.actions.persistence import persist_change", True),
        ("from newsstand.membership.models import Membership", False),
        ("from newsstand.membership.providers.base import ProviderUpdate", False),
    ],
)
def test_the_check_sees_every_form_of_import(source: str, expected: bool) -> None:
    assert imports_actions(source) is expected


def test_the_provider_files_are_found() -> None:
    names = {path.name for path in PROVIDER_FILES}
    assert {"base.py", "manual.py", "stripe_provider.py"} <= names


@pytest.mark.parametrize("path", PROVIDER_FILES, ids=lambda p: p.name)
def test_no_provider_module_imports_membership_actions(path: Path) -> None:
    assert not imports_actions(path.read_text(encoding="utf-8")), (
        f"{path.name} imports {ACTIONS}: a provider only translates; the view calls the actions"
    )
