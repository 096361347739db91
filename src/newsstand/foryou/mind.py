"""Reading the MIND news-recommendation data set (Wu et al., ACL 2020), as it is published.

A MIND folder (e.g. MINDsmall_dev/) holds two tab-separated files without a header line:

news.tsv       news id, category, subcategory, title, abstract, url, title entities,
               abstract entities (JSON; not used here)
behaviors.tsv  impression id, user id, time ("11/15/2019 8:55:22 AM"), history (the news ids
               the user clicked before, space-separated, may be empty), impressions
               ("N123-1 N456-0 …": each candidate shown and whether it was clicked)

The test split's impressions carry no labels; it cannot be evaluated offline.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

NEWS_FILE = "news.tsv"
BEHAVIORS_FILE = "behaviors.tsv"
TIME_FORMAT = "%m/%d/%Y %I:%M:%S %p"
NEWS_COLUMNS = 8
BEHAVIOR_COLUMNS = 5


class MindFormatError(ValueError):
    """A MIND file is missing or not in the published format; the message says where."""


@dataclass(frozen=True, slots=True)
class MindNews:
    id: str
    category: str
    subcategory: str
    title: str
    abstract: str


@dataclass(frozen=True, slots=True)
class Impression:
    impression_id: str
    user_id: str
    time: datetime  # naive in the file; read as UTC
    history: tuple[str, ...]
    candidates: tuple[str, ...]
    labels: tuple[int, ...]  # 1 clicked, 0 shown and not clicked


def _rows(path: Path, columns: int) -> Iterator[tuple[int, list[str]]]:
    if not path.is_file():
        raise MindFormatError(
            f"{path} not found: a MIND folder has {NEWS_FILE} and {BEHAVIORS_FILE}"
        )
    # Titles contain quotes, so no CSV quoting: the format is plain tab-separated.
    with path.open(encoding="utf-8", newline="") as fh:
        for line_no, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not row or row == [""]:
                continue
            if len(row) < columns:
                raise MindFormatError(
                    f"{path.name} line {line_no}: {len(row)} tab-separated columns, "
                    f"expected {columns}"
                )
            yield line_no, row


def read_news(folder: Path) -> dict[str, MindNews]:
    """Every news item of `folder`/news.tsv by id."""
    out: dict[str, MindNews] = {}
    for _, row in _rows(folder / NEWS_FILE, NEWS_COLUMNS):
        news_id, category, subcategory, title, abstract = (c.strip() for c in row[:5])
        out[news_id] = MindNews(news_id, category, subcategory, title, abstract)
    return out


def parse_impressions(text: str, *, where: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """ "N1-1 N2-0" -> (("N1", "N2"), (1, 0)); unlabelled or malformed entries are errors."""
    ids: list[str] = []
    labels: list[int] = []
    for entry in text.split():
        news_id, sep, label = entry.rpartition("-")
        if not sep or label not in {"0", "1"} or not news_id:
            raise MindFormatError(
                f"{where}: impression {entry!r} has no click label (-1 or -0); "
                "MIND's test split is unlabelled, evaluate on the dev (or train) split"
            )
        ids.append(news_id)
        labels.append(int(label))
    return tuple(ids), tuple(labels)


def read_behaviors(folder: Path) -> list[Impression]:
    """Every impression of `folder`/behaviors.tsv, in file order."""
    out: list[Impression] = []
    for line_no, row in _rows(folder / BEHAVIORS_FILE, BEHAVIOR_COLUMNS):
        where = f"{BEHAVIORS_FILE} line {line_no}"
        try:
            when = datetime.strptime(row[2].strip(), TIME_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            raise MindFormatError(
                f"{where}: time {row[2]!r} is not like '11/15/2019 8:55:22 AM'"
            ) from None
        candidates, labels = parse_impressions(row[4], where=where)
        out.append(
            Impression(
                impression_id=row[0].strip(),
                user_id=row[1].strip(),
                time=when,
                history=tuple(row[3].split()),
                candidates=candidates,
                labels=labels,
            )
        )
    return out
