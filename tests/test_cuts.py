"""Text written to a column is never cut at a bare number: a column's length comes from the
model (`newsstand.fields.fit`), so a migration that widens it widens every cut; any other cap
is a named constant that says its unit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "newsstand"
# The queryset and model calls that write the keyword values they are given.
WRITING_CALLS = {"create", "update", "get_or_create", "update_or_create"}


def _bare_cut(node: ast.AST) -> bool:
    """`text[:200]`: a slice from the start to a literal number."""
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Slice)
        and node.slice.lower is None
        and node.slice.step is None
        and isinstance(node.slice.upper, ast.Constant)
        and isinstance(node.slice.upper.value, int)
    )


def _written_values(tree: ast.AST) -> list[ast.expr]:
    """Every value a write names: keywords of create/update calls (their `defaults` too), of a
    model's constructor (any capitalised name), and values set on an attribute."""
    values: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in WRITING_CALLS or name[:1].isupper():
                # A `defaults={...}` dict is walked whole with its keyword.
                values += [keyword.value for keyword in node.keywords]
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) for t in node.targets
        ):
            values.append(node.value)
    return values


def bare_cuts(source: str) -> list[str]:
    """The bare-number cuts among the values `source` writes, as source text."""
    return [
        ast.unparse(sub)
        for value in _written_values(ast.parse(source))
        for sub in ast.walk(value)
        if _bare_cut(sub)
    ]


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("Turn.objects.filter(n=1).update(taken_by=who[:200])", ["who[:200]"]),
        ("Check.objects.create(error=(a or b)[:2000])", ["(a or b)[:2000]"]),
        ("Feed(title=t[:500])", ["t[:500]"]),
        ("X.objects.update_or_create(k=1, defaults={'name': n[:80]})", ["n[:80]"]),
        ("row.title = title[:500]", ["title[:500]"]),
        ("Turn.objects.update(taken_by=fit(Turn, 'taken_by', who))", []),
        ("Check.objects.create(error=e[:ERROR_MAX_CHARS])", []),
        ("rows = qs.values_list('x', flat=True)[:50]", []),
        ("shown = raw[:40]", []),
    ],
)
def test_the_check_finds_bare_cuts_in_writes(source: str, found: list[str]) -> None:
    assert bare_cuts(source) == found


def test_no_write_cuts_text_at_a_bare_number() -> None:
    files = [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]
    assert len(files) > 100, f"found only {len(files)} files under {SRC}"
    found = [
        f"{path.relative_to(SRC)}: {cut}"
        for path in files
        for cut in bare_cuts(path.read_text(encoding="utf-8"))
    ]
    assert not found, (
        f"cut to the model's length with newsstand.fields.fit, or name the cap: {found}"
    )
