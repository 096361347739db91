"""`newsstand bench recommend --mind DIR [--limit N]`: the For You ranker on MIND, offline.

Reads a MIND folder (news.tsv and behaviors.tsv, e.g. MINDsmall_dev), ranks every impression's
candidates with the For You ranker and with popularity and random baselines in the same run, and
prints AUC, MRR, nDCG@5 and nDCG@10 averaged over impressions (see `foryou.evaluation`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from newsstand.foryou.config import ForYouSettings
from newsstand.foryou.evaluation import NRMS_REFERENCE_AUC, EvaluationReport, evaluate
from newsstand.foryou.mind import MindFormatError


class Command(BaseCommand):
    help = "Offline benchmarks: `recommend` evaluates the For You ranker on a MIND folder."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="bench", required=True, metavar="BENCH")
        rec = sub.add_parser(
            "recommend", help="Rank MIND impressions with For You and baselines; report metrics."
        )
        rec.add_argument(
            "--mind",
            required=True,
            type=Path,
            metavar="DIR",
            help="A MIND folder with news.tsv and behaviors.tsv (a labelled split: dev or train).",
        )
        rec.add_argument(
            "--limit", type=int, default=None, help="Evaluate only the first N impressions."
        )
        rec.add_argument("--seed", type=int, default=0, help="Seed of the random baseline (0).")
        rec.add_argument("--json", type=Path, default=None, help="Also write the report here.")
        rec.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["mind"]
        limit = options["limit"]
        if limit is not None and limit <= 0:
            raise CommandError("--limit must be a positive number of impressions")
        if not folder.is_dir():
            raise CommandError(f"--mind {folder}: no such folder")
        try:
            cfg = ForYouSettings.from_settings()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        bars: dict[str, tqdm] = {}

        def progress(stage: str, done: int, total: int) -> None:
            bar = bars.get(stage)
            if bar is None:
                for previous in bars.values():
                    previous.close()
                unit = "news" if stage == "vectorise" else "impression"
                bar = bars[stage] = tqdm(
                    desc=stage, total=total, unit=unit, disable=options["no_progress"]
                )
            bar.update(done - bar.n)

        try:
            report = evaluate(folder, limit=limit, seed=options["seed"], cfg=cfg, progress=progress)
        except MindFormatError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars.values():
                bar.close()
        self._print(report)
        if options["json"] is not None:
            options["json"].write_text(json.dumps(report.as_dict(), indent=2) + "\n")

    def _print(self, report: EvaluationReport) -> None:
        w = self.stdout.write
        w(
            f"MIND folder {report.folder}: {report.news} news, {report.impressions} impressions "
            f"evaluated ({report.skipped} skipped: all or no candidates clicked; "
            f"{report.cold} with an empty history)"
        )
        w(f"{'method':<22} {'AUC':>7} {'MRR':>7} {'nDCG@5':>7} {'nDCG@10':>8}")
        for name, m in report.results.items():
            w(f"{name:<22} {m.auc:7.4f} {m.mrr:7.4f} {m.ndcg5:7.4f} {m.ndcg10:8.4f}")
        w(f"Reference: NRMS, published (MIND paper, MIND-large test): AUC {NRMS_REFERENCE_AUC:.4f}")
        ms = 1000 * report.rank_s / max(report.impressions, 1)
        w(
            f"Vectorised in {report.vectorise_s:.1f} s; "
            f"ranking {ms:.2f} ms an impression (all methods)."
        )
