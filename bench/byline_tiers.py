"""What each byline tier earns: authors F1 with one tier switched off at a time.

Run:  nice -n 10 .venv/bin/python -m bench.byline_tiers [--jobs 2]

`extract_article` runs in process over naeb-dev and wcxb-dev (both halves) once as it is and
once with each byline source switched off (the tiers of `bylines.dom_bylines`, trafilatura's
byline XPaths, the publisher as the last resort, the printed line preferred over the declared
writers). Prints each set's authors F1 as it is, then each switch's change: a tier that costs
a set when on is a rule that does not hold there. Runs this checkout's code (its `src` first).
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections.abc import Callable
from multiprocessing import get_context
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from bench.extraction import authors_f1, load_cases  # noqa: E402 - after the path above

_DOM_TIERS = (
    "_microdata_bylines",
    "_rel_author_bylines",
    "_by_line_bylines",
    "_author_link_bylines",
    "_class_bylines",
    "_labelled_bylines",
)
SWITCHES = (*_DOM_TIERS, "markup_xpaths", "publisher_last_resort", "printed_line")

_cases: list[dict[str, Any]] = []


def _switch_off(name: str) -> None:
    """Patch the extractor's modules in this (worker) process so that *name* finds nothing."""
    from newsstand.ingest import bylines, extractor, metadata

    if name in _DOM_TIERS:
        setattr(bylines, name, lambda _tree: [])
    elif name == "markup_xpaths":
        extractor._markup_authors = lambda _tree, exclude, publisher_byline: publisher_byline
    elif name == "publisher_last_resort":
        markup, dom = extractor._markup_authors, bylines.dom_bylines
        extractor._markup_authors = lambda tree, exclude, publisher_byline: markup(
            tree, exclude, []
        )
        metadata.dom_bylines = lambda tree, headline, exclude: (dom(tree, headline, exclude)[0], [])
    elif name == "printed_line":
        metadata.with_printed_byline = lambda declared, headline, exclude: declared


def _init(switch: str | None, cases: list[dict[str, Any]]) -> None:
    _cases[:] = cases
    if switch:
        _switch_off(switch)


def _score(index: int) -> float:
    from newsstand.ingest.extractor import extract_article

    case = _cases[index]
    raw = Path(case["path"]).read_bytes()
    html = gzip.decompress(raw) if str(case["path"]).endswith(".gz") else raw
    try:
        authors = extract_article(html, case.get("url")).authors
    except Exception:  # a page the extractor refuses has no byline, as in bench.extraction
        authors = []
    return authors_f1(case["authors"], authors)


def _run(switch: str | None, cases: list[dict[str, Any]], jobs: int) -> dict[str, float]:
    # A fresh pool per switch: the patches live in the workers' modules.
    with get_context("spawn").Pool(jobs, initializer=_init, initargs=(switch, cases)) as pool:
        scores = pool.map(_score, range(len(cases)), chunksize=8)
    groups: dict[str, list[float]] = {}
    for case, value in zip(cases, scores, strict=True):
        name = case["set"] + (f" {case['half']}" if case.get("half") else "")
        groups.setdefault(name, []).append(value)
    return {name: sum(v) / len(v) for name, v in groups.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    cases = load_cases(None, ("naeb-dev", "wcxb-dev"))
    show: Callable[[dict[str, float]], str] = lambda r: "  ".join(  # noqa: E731 - one use
        f"{name} {r[name]:+.4f}" for name in sorted(r)
    )
    base = _run(None, cases, args.jobs)
    print(f"{'as it is':24}", "  ".join(f"{n} {base[n]:.4f}" for n in sorted(base)), flush=True)
    for switch in SWITCHES:
        result = _run(switch, cases, args.jobs)
        print(f"{switch + ' off':24}", show({n: result[n] - base[n] for n in result}), flush=True)


if __name__ == "__main__":
    main()
