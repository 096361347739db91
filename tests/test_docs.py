"""The documentation: the README is a quick start, links resolve, every variable is in one table."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
CONFIGURATION = REPO_ROOT / "docs" / "configuration.md"
MARKDOWN = [README, *sorted((REPO_ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 150
# Where the code names variables; this file names some only as examples.
CODE_ROOTS = ("src", "scripts", "bench", "tests", "Makefile")
CODE_SUFFIXES = {".py", ".js", ".html", ".txt", ".toml", ""}

# A name ending in "_" is a prefix completed at run time, e.g. f"NEWSSTAND_STRIPE_PRICE_{plan}".
VARIABLE = re.compile(r"\bNEWSSTAND_[A-Z0-9_]+")
TABLE_ROW_VARIABLE = re.compile(r"^\| `(NEWSSTAND_[A-Z0-9_]+)` \|")
FENCED_BLOCK = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _code_files() -> list[Path]:
    files: list[Path] = []
    for name in CODE_ROOTS:
        root = REPO_ROOT / name
        candidates = [root] if root.is_file() else root.rglob("*")
        files += [
            p
            for p in candidates
            if p.is_file()
            and p.suffix in CODE_SUFFIXES
            and "__pycache__" not in p.parts
            and p != Path(__file__).resolve()
        ]
    return files


def _variables_in_code() -> set[str]:
    names: set[str] = set()
    for path in _code_files():
        names |= set(VARIABLE.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def _table_rows(path: Path) -> list[tuple[int, str]]:
    """(line number, variable) of each table row whose first cell is a variable."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        match = TABLE_ROW_VARIABLE.match(line)
        if match:
            rows.append((number, match.group(1)))
    return rows


def _documented() -> list[str]:
    return [name for _, name in _table_rows(CONFIGURATION)]


def _is_documented(name: str, documented: set[str]) -> bool:
    if name.endswith("_"):
        return any(d.startswith(name) for d in documented)
    return name in documented


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCED_BLOCK.sub("", path.read_text(encoding="utf-8"))
    seen: Counter[str] = Counter()
    anchors = set()
    for match in re.finditer(r"^#{1,6} (.+)$", text, re.MULTILINE):
        slug = _slug(match.group(1))
        anchors.add(f"{slug}-{seen[slug]}" if seen[slug] else slug)
        seen[slug] += 1
    return anchors


def _links(path: Path) -> list[str]:
    text = INLINE_CODE.sub("", FENCED_BLOCK.sub("", path.read_text(encoding="utf-8")))
    return LINK.findall(text)


def test_readme_is_a_quick_start() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines"
    assert lines[0].startswith("# Newsstand")
    # The two commands open it: the first thing after the title is the block that holds them.
    first = next(i for i, line in enumerate(lines[1:], 1) if line.strip())
    assert lines[first].startswith("```"), "README.md must open with the two commands"
    assert lines[first + 1].startswith("make run")
    assert lines[first + 2].startswith("make test")
    assert re.search(r"!\[[^\]]+\]\(docs/screenshots/[\w-]+\.png\)", "\n".join(lines))
    assert "(docs/configuration.md)" in "\n".join(lines)


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: p.name)
def test_relative_links_resolve(path: Path) -> None:
    broken = []
    for target in _links(path):
        if re.match(r"^[a-z][a-z+.-]*:", target):  # https:, mailto:: not ours to check
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(f"{target} (no heading #{anchor} in {linked.name})")
    assert not broken, f"{path.name}: broken links: {broken}"


def test_every_variable_is_in_the_configuration_table() -> None:
    documented = set(_documented())
    missing = sorted(n for n in _variables_in_code() if not _is_documented(n, documented))
    assert not missing, f"not in docs/configuration.md's table: {missing}"


def test_the_table_names_each_variable_once_and_only_real_ones() -> None:
    rows = _documented()
    assert [n for n, count in Counter(rows).items() if count > 1] == []
    in_code = _variables_in_code()
    stale = sorted(n for n in rows if not any(_is_documented(c, {n}) for c in in_code))
    assert not stale, f"docs/configuration.md documents variables no code reads: {stale}"


def test_variables_are_documented_in_one_table() -> None:
    numbers = [number for number, _ in _table_rows(CONFIGURATION)]
    lines = CONFIGURATION.read_text(encoding="utf-8").splitlines()
    assert numbers, "docs/configuration.md has no table of variables"
    assert all(line.startswith("|") for line in lines[numbers[0] : numbers[-1] + 1])
    # The docs name variables in prose; only the README's quick table repeats table rows.
    elsewhere = {p.name: _table_rows(p) for p in MARKDOWN if p not in (README, CONFIGURATION)}
    assert {name: rows for name, rows in elsewhere.items() if rows} == {}


def test_every_variable_the_docs_name_exists() -> None:
    documented = set(_documented())
    unknown = {
        f"{path.name}: {name}"
        for path in MARKDOWN
        for name in VARIABLE.findall(path.read_text(encoding="utf-8"))
        if not _is_documented(name, documented)
    }
    assert not unknown, f"variables named in the docs but not in the table: {sorted(unknown)}"


BENCHMARKS = REPO_ROOT / "docs" / "benchmarks.md"
# `bench/x.py` or `-m bench.x` in the Makefile's bench recipe.
BENCH_RUN = re.compile(r"(?:bench/(\w+)\.py|-m bench\.(\w+))")
# bench/stories_scale.py runs as `-m bench.stories --scale`.
RUN_THROUGH = {"stories_scale": "stories"}
BENCH_ROW = re.compile(r"^\| `bench/(\w+)\.py`[^|]*\| (yes|no)\b", re.MULTILINE)


def _make_bench_scripts() -> set[str]:
    """The bench scripts `make bench` runs, read from the Makefile's recipe."""
    recipe = re.search(
        r"^bench:.*\n((?:\t.*\n)+)", (REPO_ROOT / "Makefile").read_text(), re.MULTILINE
    )
    assert recipe, "the Makefile has no bench recipe"
    return {a or b for a, b in BENCH_RUN.findall(recipe.group(1))}


def test_the_benchmark_table_says_what_make_bench_runs() -> None:
    rows = BENCH_ROW.findall(BENCHMARKS.read_text(encoding="utf-8"))
    assert rows, "docs/benchmarks.md has no table of bench scripts"
    named = [script for script, _ in rows]
    assert [s for s, count in Counter(named).items() if count > 1] == []
    run = _make_bench_scripts()
    # Scripts make bench runs through another's option (their rows say "yes, as ...").
    in_make = run | {script for script, via in RUN_THROUGH.items() if via in run}
    assert {script for script, answer in rows if answer == "yes"} == in_make


def test_every_bench_script_is_in_the_benchmarks_doc() -> None:
    text = BENCHMARKS.read_text(encoding="utf-8")
    scripts = sorted(p.name for p in (REPO_ROOT / "bench").glob("*.py") if p.stem != "__init__")
    assert len(scripts) > 5, scripts
    missing = [name for name in scripts if f"bench/{name}" not in text]
    assert not missing, f"docs/benchmarks.md does not say what these are: {missing}"
