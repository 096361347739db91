"""The offline evaluation on the MIND format: reading it, the baselines, the command."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bench.mind_fixture import write_fixture
from django.core.management import CommandError, call_command

from newsstand.foryou.evaluation import evaluate
from newsstand.foryou.mind import MindFormatError, read_behaviors, read_news

NEWS = [
    ("N1", "sports", "football", "Rovers win the cup final", "Rovers beat United 2-1 at Wembley."),
    ("N2", "sports", "football", "United sack their manager", "The club parted ways on Monday."),
    ("N3", "finance", "markets", "Shares fall as rates rise", "Stocks slid after the bank's move."),
    ("N4", "finance", "markets", "Bank raises rates again", "The central bank lifted its rate."),
    ("N5", "lifestyle", "food", "Ten soups for winter", "Warming recipes for cold evenings."),
]


def write_mind(folder: Path, behaviors: list[str], news: list[tuple[str, ...]] = NEWS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "news.tsv").write_text(
        "".join("\t".join([*n, "https://example.org/", "[]", "[]"]) + "\n" for n in news)
    )
    (folder / "behaviors.tsv").write_text("".join(b + "\n" for b in behaviors))
    return folder


def test_reads_the_published_format(tmp_path: Path) -> None:
    folder = write_mind(
        tmp_path,
        [
            "1\tU1\t11/15/2019 8:55:22 AM\tN1 N2\tN3-0 N4-1",
            "2\tU2\t11/15/2019 1:05:00 PM\t\tN5-1 N1-0",
        ],
    )
    news = read_news(folder)
    assert news["N1"].title == "Rovers win the cup final"
    assert news["N3"].category == "finance"
    assert news["N3"].subcategory == "markets"
    first, second = read_behaviors(folder)
    assert first.history == ("N1", "N2")
    assert first.candidates == ("N3", "N4")
    assert first.labels == (0, 1)
    assert first.time == datetime(2019, 11, 15, 8, 55, 22, tzinfo=UTC)
    assert second.history == ()
    assert second.time.hour == 13


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1\tU1\t11/15/2019 8:55:22 AM\tN1\tN3 N4", "no click label"),
        ("1\tU1\tyesterday\tN1\tN3-0 N4-1", "not like '11/15/2019 8:55:22 AM'"),
        ("1\tU1\t11/15/2019 8:55:22 AM\tN1", "line 1: 4 tab-separated columns, expected 5"),
    ],
)
def test_bad_behaviours_say_where(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(MindFormatError, match=message):
        read_behaviors(write_mind(tmp_path, [line]))


def test_missing_files_and_unknown_news_are_errors(tmp_path: Path) -> None:
    with pytest.raises(MindFormatError, match=r"news\.tsv not found"):
        read_news(tmp_path)
    folder = write_mind(tmp_path / "m", ["1\tU1\t11/15/2019 8:55:22 AM\tN1\tN3-0 N9-1"])
    with pytest.raises(MindFormatError, match=r"'N9', which is not in news\.tsv"):
        evaluate(folder)


def test_popularity_counts_only_earlier_clicks(tmp_path: Path) -> None:
    # In time order (not file order): N4 is clicked at 8:00, so at 9:00 popularity ranks it
    # first; the click at 9:00 itself and the one at 10:00 must not count at 9:00.
    folder = write_mind(
        tmp_path,
        [
            "1\tU1\t11/15/2019 9:00:00 AM\tN1\tN3-1 N4-0",
            "2\tU2\t11/15/2019 8:00:00 AM\tN1\tN4-1 N5-0",
            "3\tU3\t11/15/2019 10:00:00 AM\tN2\tN3-1 N5-0",
            "4\tU4\t11/15/2019 9:00:00 AM\tN2\tN3-1 N5-0",
        ],
    )
    report = evaluate(folder)
    # Impression 2 (first): nothing seen, all tied: 0.5. Impressions 1 and 4 at 9:00 both see
    # only N4's click: imp 1 ranks N4 over the clicked N3 (AUC 0), imp 4 ties N3/N5 (0.5).
    # Impression 3 at 10:00 sees N3's two clicks at 9:00: AUC 1.
    assert report.results["popularity"].auc == pytest.approx((0.5 + 0 + 0.5 + 1) / 4)
    assert report.impressions == 4


def test_skips_impressions_without_a_contrast(tmp_path: Path) -> None:
    folder = write_mind(
        tmp_path,
        [
            "1\tU1\t11/15/2019 9:00:00 AM\tN1\tN3-1 N4-1",
            "2\tU2\t11/15/2019 9:00:01 AM\t\tN3-1 N2-0",
        ],
    )
    report = evaluate(folder)
    assert (report.impressions, report.skipped, report.cold) == (1, 1, 1)
    # An empty history scores every candidate alike.
    # Two candidates, one clicked, tied: AUC 1/2, MRR (1 + 1/2) / 2, nDCG (1 + 1/log2 3) / 2.
    tied = (1 + 1 / math.log2(3)) / 2
    got = report.results["For You"]
    assert (got.auc, got.mrr, got.ndcg5, got.ndcg10) == pytest.approx((0.5, 0.75, tied, tied))


@pytest.fixture(scope="module")
def fixture_folder(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    folder = tmp_path_factory.mktemp("mind") / "fixture"
    counts = write_fixture(folder, shared=shared_data)
    assert counts["impressions"] >= 150
    return folder


def test_the_content_model_beats_random_clearly_on_topical_readers(fixture_folder: Path) -> None:
    report = evaluate(fixture_folder, seed=1)
    ours, rnd = report.results["For You"], report.results["random"]
    assert report.impressions >= 150 and report.cold == 0
    assert ours.auc > rnd.auc + 0.08
    assert ours.mrr > rnd.mrr + 0.05
    assert ours.ndcg10 > rnd.ndcg10 + 0.05
    assert 0.4 < rnd.auc < 0.6  # random is random
    assert ours.auc > report.results["popularity"].auc


def test_bench_recommend_command(fixture_folder: Path, tmp_path: Path) -> None:
    from io import StringIO

    out = StringIO()
    report_file = tmp_path / "report.json"
    call_command(
        "bench", "recommend", "--mind", str(fixture_folder), "--limit", "40", "--no-progress",
        "--json", str(report_file), stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "40 impressions evaluated" in text
    for method in ("For You", "For You + popularity", "popularity", "random"):
        assert f"\n{method} " in text
    assert "AUC 0.6776" in text
    saved = json.loads(report_file.read_text())
    assert saved["impressions"] == 40
    assert set(saved["results"]["For You"]) == {"auc", "mrr", "ndcg5", "ndcg10"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mind", "/nonexistent/mind"], "no such folder"),
        (["--limit", "0"], "--limit must be a positive"),
    ],
)
def test_bench_recommend_refuses_bad_arguments(
    tmp_path: Path, args: list[str], message: str
) -> None:
    if "--mind" not in args:
        args = ["--mind", str(write_mind(tmp_path, [])), *args]
    with pytest.raises(CommandError, match=message):
        call_command("bench", "recommend", "--no-progress", *args)


def test_bench_recommend_reports_format_errors(tmp_path: Path) -> None:
    folder = write_mind(tmp_path, ["1\tU1\t11/15/2019 9:00:00 AM\tN1\tN3 N4"])
    with pytest.raises(CommandError, match="no click label"):
        call_command("bench", "recommend", "--mind", str(folder), "--no-progress")
