"""Extraction benchmark: `newsstand extract` against plain trafilatura, on the shared data.

Run:  .venv/bin/python -m bench.extraction [--jobs 2] [--limit N] [--skip-baseline]

Data sets (from $NEWSSTAND_SHARED_DATA, default ../shared/data):
  aeb/              body only (ground-truth.json: {id: {articleBody, url}})
  naeb-dev/         body, title, authors, date (articles.json)
  dates-mediacloud/ date only (eval_mediacloud_2020.json: {url: {file, date}})

Metrics:
  body F1      as /work/shared/data/README.md defines it: tokens re.findall(r"\\w+"), 4-gram
               shingles as a multiset; tp/fp/fn per page; precision averaged over pages with
               tp+fp > 0, recall over pages with tp+fn > 0 (fp = fn = 0 scores 1); F1 = 2PR/(P+R).
  title acc    share of pages whose title equals the truth after NFKC, casefold, quote/dash
               unification and whitespace collapsing.
  authors F1   per page, F1 between the sets of normalised names (truth "A, B" split on commas;
               both empty = 1, one empty = 0), averaged over pages.
  date acc     share of pages whose published date (YYYY-MM-DD as the page states it) equals
               the truth.
  pages/s      pages divided by time, two ways:
               in-process (the goal's measure): extract_article(page, url) and the baseline
                 trafilatura.extract(page, url=url) (standard settings) on the body sets' pages
                 already in memory, one process, timed page by page in one interleaved loop so
                 that load from other processes on the machine hits both alike; the goal is
                 newsstand in-process pages/s >= trafilatura's in the same run (ratio >= 1).
               CLI (reported too): the whole `newsstand extract --jobs N` subprocess (start-up,
                 reading .gz files, JSON output included), and --jobs 1 on the body sets.
Every run passes the page URL to both extractors (newsstand via --urls-from).
Results are printed as a table and written to bench/results/extraction.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSSTAND_SHARED_DATA", REPO.parent / "shared" / "data"))
EXTRACTION = SHARED / "extraction"
RESULTS = REPO / "bench" / "results" / "extraction.json"

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
    }
)


# --- data ------------------------------------------------------------------------------------


def load_cases(limit: int | None) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    aeb = EXTRACTION / "aeb"
    truth = json.loads((aeb / "ground-truth.json").read_text())
    for key, item in list(truth.items())[:limit]:
        path = aeb / "html" / f"{key}.html.gz"
        if path.exists():
            cases.append(
                {"set": "aeb", "path": path, "url": item.get("url"), "body": item["articleBody"]}
            )
    naeb = EXTRACTION / "naeb-dev"
    truth = json.loads((naeb / "articles.json").read_text())
    for key, item in list(truth.items())[:limit]:
        path = naeb / "html" / f"{key}.html.gz"
        if path.exists():
            cases.append(
                {
                    "set": "naeb-dev",
                    "path": path,
                    "url": item.get("url"),
                    "body": item["articleBody"],
                    "title": item["title"],
                    "authors": item["authors"],
                    "date": item["date"],
                }
            )
    mc = EXTRACTION / "dates-mediacloud"
    truth = json.loads((mc / "eval_mediacloud_2020.json").read_text())
    for url, item in list(truth.items())[:limit]:
        for folder in ("test_set", "cache", "eval"):
            path = mc / folder / f"{item['file']}.gz"
            if path.exists():
                cases.append(
                    {"set": "dates-mediacloud", "path": path, "url": url, "date": item["date"]}
                )
                break
    return cases


# --- metrics ---------------------------------------------------------------------------------


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text or "")
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def body_f1(pairs: list[tuple[str, str]]) -> dict[str, float]:
    precisions: list[float] = []
    recalls: list[float] = []
    for truth, pred in pairs:
        ts, ps = shingles(truth), shingles(pred)
        tp = sum((ts & ps).values())
        fp = sum((ps - ts).values())
        fn = sum((ts - ps).values())
        if fp == 0 and fn == 0:
            precisions.append(1.0)
            recalls.append(1.0)
            continue
        if tp + fp > 0:
            precisions.append(tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(tp / (tp + fn))
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def norm_title(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES).casefold()
    return re.sub(r"\s+", " ", text).strip()


def norm_name(name: str) -> str:
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", name).casefold()).strip()


def authors_f1(truth: str, pred: list[str]) -> float:
    t = {norm_name(a) for a in truth.split(",") if a.strip()}
    p = {norm_name(a) for a in pred if a.strip()}
    if not t and not p:
        return 1.0
    if not t or not p:
        return 0.0
    tp = len(t & p)
    if tp == 0:
        return 0.0
    precision, recall = tp / len(p), tp / len(t)
    return 2 * precision * recall / (precision + recall)


# --- runs ------------------------------------------------------------------------------------


def run_newsstand(cases: list[dict[str, Any]], jobs: int) -> tuple[list[dict[str, Any]], float]:
    exe = REPO / ".venv" / "bin" / "newsstand"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "newsstand"]
    env = {
        **os.environ,
        "NEWSSTAND_DATA_DIR": os.environ.get("NEWSSTAND_DATA_DIR", "/tmp/ns-bench"),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json") as urls:
        json.dump({str(c["path"]): c["url"] for c in cases if c.get("url")}, urls)
        urls.flush()
        command += ["extract", "--jobs", str(jobs), "--urls-from", urls.name]
        command += [str(c["path"]) for c in cases]
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        elapsed = time.perf_counter() - start
    # Exit status 1 means some pages could not be extracted: they are counted as errors below.
    if proc.returncode not in (0, 1):
        raise SystemExit(f"newsstand extract failed ({proc.returncode}): {proc.stderr[-2000:]}")
    records = [json.loads(line) for line in proc.stdout.split("\n") if line.strip()]
    if len(records) != len(cases):
        raise SystemExit(f"expected {len(cases)} records, got {len(records)}")
    return records, elapsed


def run_in_process(cases: list[dict[str, Any]]) -> tuple[list[str], float, float]:
    """Baseline texts, then trafilatura's and newsstand's total seconds, page by page."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsstand.settings")
    django.setup()
    import trafilatura

    from newsstand.ingest.extractor import extract_article

    pages = [gzip.decompress(c["path"].read_bytes()) for c in cases]
    # One warm-up page each: imports and lazily built tables are start-up, not per-page cost.
    trafilatura.extract(pages[0], url=cases[0]["url"])
    extract_article(pages[0], cases[0]["url"])
    texts: list[str] = []
    base_s = ours_s = 0.0
    for page, case in zip(pages, cases, strict=True):
        start = time.perf_counter()
        texts.append(trafilatura.extract(page, url=case["url"]) or "")
        middle = time.perf_counter()
        extract_article(page, case["url"])
        ours_s += time.perf_counter() - middle
        base_s += middle - start
    return texts, base_s, ours_s


def score(cases: list[dict[str, Any]], records: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("aeb", "naeb-dev", "dates-mediacloud"):
        rows = [(c, r) for c, r in zip(cases, records, strict=True) if c["set"] == name]
        if not rows:
            continue
        result: dict[str, Any] = {"pages": len(rows), "errors": sum("error" in r for _, r in rows)}
        if "body" in rows[0][0]:
            result["body"] = body_f1([(c["body"], r.get("text") or "") for c, r in rows])
        if "title" in rows[0][0]:
            result["title_acc"] = sum(
                norm_title(c["title"]) == norm_title(r.get("title")) for c, r in rows
            ) / len(rows)
            result["authors_f1"] = sum(
                authors_f1(c["authors"], r.get("authors") or []) for c, r in rows
            ) / len(rows)
        if "date" in rows[0][0]:
            result["date_acc"] = sum(
                (r.get("published") or "")[:10] == c["date"] for c, r in rows
            ) / len(rows)
        out[name] = result
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="pages per data set")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--dump", type=Path, help="write per-page records (JSON lines) here")
    args = parser.parse_args()
    if not EXTRACTION.is_dir():
        raise SystemExit(f"shared data not found at {EXTRACTION} (set NEWSSTAND_SHARED_DATA)")

    cases = load_cases(args.limit)
    records, elapsed = run_newsstand(cases, args.jobs)
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "command": "python -m bench.extraction " + " ".join(sys.argv[1:]),
        "cli_command": (
            f"newsstand extract --jobs {args.jobs} --urls-from <map> <{len(cases)} files>"
        ),
        "newsstand": {
            "pages_per_s": len(cases) / elapsed,
            "seconds": elapsed,
            "jobs": args.jobs,
            **score(cases, records),
        },
    }
    if args.dump:
        with args.dump.open("w") as fh:
            for case, record in zip(cases, records, strict=True):
                fh.write(
                    json.dumps({**{k: str(v) for k, v in case.items()}, "pred": record}) + "\n"
                )
    if not args.skip_baseline:
        body_cases = [c for c in cases if "body" in c]
        texts, base_elapsed, ours_elapsed = run_in_process(body_cases)
        base: dict[str, Any] = {
            "pages_per_s": len(body_cases) / base_elapsed,
            "seconds": base_elapsed,
        }
        for name in ("aeb", "naeb-dev"):
            pairs = [
                (c["body"], t) for c, t in zip(body_cases, texts, strict=True) if c["set"] == name
            ]
            if pairs:
                base[name] = {"body": body_f1(pairs)}
        report["trafilatura_standard"] = base
        report["newsstand_in_process_body_sets"] = {
            "pages_per_s": len(body_cases) / ours_elapsed,
            "seconds": ours_elapsed,
        }
        report["speed_ratio_in_process_vs_trafilatura"] = base_elapsed / ours_elapsed
        # The CLI on the same pages, one job: includes start-up, file reading and JSON output.
        _, same_elapsed = run_newsstand(body_cases, 1)
        report["newsstand_jobs1_body_sets"] = {"pages_per_s": len(body_cases) / same_elapsed}
        report["speed_ratio_jobs1_vs_trafilatura"] = (len(body_cases) / same_elapsed) / base[
            "pages_per_s"
        ]

    print_table(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))


def print_table(report: dict[str, Any]) -> None:
    ours = report["newsstand"]
    base = report.get("trafilatura_standard", {})
    rows = [
        ("aeb body F1", ours.get("aeb", {}).get("body", {}).get("f1"),
         base.get("aeb", {}).get("body", {}).get("f1"), "≥ 0.965"),
        ("naeb-dev body F1", ours.get("naeb-dev", {}).get("body", {}).get("f1"),
         base.get("naeb-dev", {}).get("body", {}).get("f1"), "≥ 0.94"),
        ("naeb-dev title acc", ours.get("naeb-dev", {}).get("title_acc"), None, "≥ 0.95"),
        ("naeb-dev authors F1", ours.get("naeb-dev", {}).get("authors_f1"), None, "≥ 0.85"),
        ("naeb-dev date acc", ours.get("naeb-dev", {}).get("date_acc"), None, "≥ 0.90"),
        ("dates-mediacloud date acc", ours.get("dates-mediacloud", {}).get("date_acc"), None,
         "≥ 0.90"),
        (f"pages/s (newsstand --jobs {ours['jobs']}, all sets)", ours["pages_per_s"], None, ""),
        ("pages/s in-process (goal; body sets)",
         report.get("newsstand_in_process_body_sets", {}).get("pages_per_s"),
         base.get("pages_per_s"), "≥ baseline"),
        ("  ratio newsstand / trafilatura, in-process",
         report.get("speed_ratio_in_process_vs_trafilatura"), None, "≥ 1"),
        ("pages/s CLI --jobs 1 (body sets)",
         report.get("newsstand_jobs1_body_sets", {}).get("pages_per_s"), base.get("pages_per_s"),
         "reported"),
    ]  # fmt: skip
    print(f"{'metric':<55} {'newsstand':>10} {'trafilatura':>12}  goal")
    for name, value, baseline, goal in rows:
        v = f"{value:.3f}" if isinstance(value, float) else "-"
        b = f"{baseline:.3f}" if isinstance(baseline, float) else "-"
        print(f"{name:<55} {v:>10} {b:>12}  {goal}")


if __name__ == "__main__":
    main()
