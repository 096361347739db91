from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .texts import CHIPS, FLOOD_A, FLOOD_B


def run(path: Path) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("similarity", "--pairs", str(path), stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def write_pairs(path: Path, rows: list[list[str]], *, bom: bool = False) -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_text(("\ufeff" if bom else "") + buf.getvalue(), encoding="utf-8")
    return path


def test_scores_pairs_with_quotes_newlines_and_bom(tmp_path: Path) -> None:
    path = write_pairs(
        tmp_path / "pairs.csv",
        [
            ["pair_id", "text1", "text2", "extra"],
            ["same", FLOOD_A, FLOOD_B, "x"],
            ["different", FLOOD_A, CHIPS, "y"],
            ['with "quotes", commas', 'He said "yes",\nthen left.', "", "z"],
        ],
        bom=True,
    )
    rows = run(path)
    assert [r["pair_id"] for r in rows] == ["same", "different", 'with "quotes", commas']
    scores = {r["pair_id"]: float(r["similarity"]) for r in rows}
    assert scores["same"] > scores["different"]
    assert all(0.0 <= s <= 1.0 for s in scores.values())


def test_header_only_prints_header(tmp_path: Path) -> None:
    path = write_pairs(tmp_path / "empty.csv", [["pair_id", "text1", "text2"]])
    assert run(path) == []


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = write_pairs(tmp_path / "bad.csv", [["pair_id", "text_a", "text2"], ["1", "a", "b"]])
    with pytest.raises(CommandError, match=r"missing column text1 \(header has: pair_id"):
        run(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"pair_id,text1,text2\n1,only one field\n", "line 2: row has fewer fields"),
        (b'pair_id,text1,text2\n1,"unterminated,b\n', "line"),
        (b"pair_id,text1,text2\n1,\xff\xfe,b\n", "not UTF-8"),
    ],
    ids=["empty", "short-row", "unterminated-quote", "not-utf8"],
)
def test_malformed_input_gives_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "nope.csv")
