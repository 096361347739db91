"""Plain trafilatura as a command: the baseline for `newsstand extract --jobs N` (bench.extraction).

Run:  python -m bench.trafilatura_cli [--jobs N] [--urls-from MAP] FILE...

The same shape as `newsstand extract`: .html/.html.gz files in, one JSON line per file out (in
input order, {"input", "text"}), N worker processes started by forkserver with 4 pages per task,
the page URL from a JSON map. Only trafilatura and the standard library are imported, so its
start-up is what a trafilatura user pays. `trafilatura.extract(html, url=url)`: standard settings.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_CHUNKSIZE = 4  # as newsstand extract


def extract_one(task: tuple[str, str | None]) -> dict[str, str]:
    import trafilatura

    source, url = task
    data = Path(source).read_bytes()
    if source.endswith(".gz"):
        data = gzip.decompress(data)
    try:
        text = trafilatura.extract(data, url=url) or ""
    except Exception as exc:  # a baseline that fails on a page scores it empty
        return {"input": source, "text": "", "error": repr(exc)}
    return {"input": source, "text": text}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--urls-from", type=Path)
    args = parser.parse_args()
    urls = json.loads(args.urls_from.read_text()) if args.urls_from else {}
    tasks = [(source, urls.get(source)) for source in args.inputs]
    out = sys.stdout
    if args.jobs == 1:
        for record in map(extract_one, tasks):
            out.write(json.dumps(record) + "\n")
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=context) as pool:
        for record in pool.map(extract_one, tasks, chunksize=_CHUNKSIZE):
            out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
