"""Story clustering decisions: which story a new article joins, and how stories are repaired.

Pure: articles are ids, vectors and a little metadata; stories are opaque keys (story pks in
production, anything hashable in tests and the benchmark). Nothing here touches the database;
`stories.actions` persists what is decided.

An article's affinity to a member of a story is the fused text similarity of the two
(`SimilarityModel`), minus a penalty that grows with the hours between them (the same words
three days apart are more often a follow-up or a different match of the same league), plus a
small bonus when sections or topics agree. A story's score is 3/4 its best member affinity plus
1/4 its second best (the best again for a one-article story, 0 for a member that was not even a
candidate): a single close member is enough, but a story that only one outlier member links to
scores lower, which keeps one long chain of loosely related articles from growing. The article
joins the best story scoring at least `threshold`, else it starts a new one. A wire copy (the
same text republished) joins its original's story without scoring. The other stories whose
best member scores at least `link_floor` are the decision's related stories (Related Stories
on article pages shows those at `related_floor` and above).

Batch re-clustering is the same decision replayed in publication order over precomputed
neighbour lists, so `stories recluster` and incremental assignment agree. Repair merges stories
whose centroids are very similar and splits stories whose members fall into groups that are
clearly apart (average-linkage on the members' affinity matrix).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from newsstand.config import load_group
from newsstand.stories.similarity import ArticleVector, SimilarityModel
from newsstand.stories.window import CANDIDATES, Neighbour, WindowIndex
from newsstand.stories.wirecopy import Sketch, WireCopyIndex, make_sketch

HOUR_S = 3600.0


@dataclass(frozen=True)
class ClusterConfig:
    """How stories are formed; settings.NEWSSTAND_STORIES overrides any field (`from_settings`)."""

    # The stories window, the one setting of its length: an article looks for its story and
    # its wire-copy original among the articles published this many days around it, For You
    # ranks the articles of the last window, Related Stories looks this far either side. Three
    # days also covers a weekend's republishing.
    window_days: float = 3.0
    # SemEval-2022 pairs: fused >= 0.5 keeps P 0.83 / R 0.84 for "same story" (Overall <= 2),
    # but a window of 100k articles offers every article many near misses: on the synthetic
    # window of bench/stories_scale.py, 0.55 lifts pairwise precision from 0.88 to 0.97 at 30k
    # for a recall of 0.992 instead of 0.995. Two stories of one event are merged by repair,
    # and linked as Related meanwhile; one story of two events is what readers notice. 0.58
    # rather than 0.55 since Related links exist: at 10k, pairwise P 0.993 -> 0.998 for
    # R 0.993 -> 0.990; on the SemEval pairs ingested as pages (bench/stories_pairs.py), no
    # unrelated pair (Overall >= 3.5) in one story instead of 2 of 69, same-event pairs in
    # one story 78% -> 75%, all but one of them together or linked either way.
    threshold: float = 0.58
    # Full penalty after a few `time_tau_h`; 0.1 at 24 h apart, 0.14 at 48 h.
    time_penalty: float = 0.15
    time_tau_h: float = 24.0
    section_bonus: float = 0.03
    topic_bonus: float = 0.03
    # Merging needs more than joining: two stories' centroids must be about as close as two
    # write-ups of one event usually are.
    merge_threshold: float = 0.6
    # Split only groups whose average linkage falls clearly under the join threshold.
    split_threshold: float = 0.35
    candidates: int = CANDIDATES
    # Related Stories: another story is related when one of its members scores at least this
    # with an article of the story (the same affinity as joining, best member). Tuned on half
    # of the SemEval-2022 pairs ingested as pages (bench/stories_pairs.py), checked on the
    # other half: see docs/benchmarks.md.
    related_floor: float = 0.4
    # Links are stored from this score up, so `related_floor` can be lowered to here later.
    link_floor: float = 0.3
    # At most this many related stories are kept per decision, best first.
    related_per_article: int = 6

    @property
    def window_s(self) -> float:
        return self.window_days * 24 * HOUR_S

    @classmethod
    def from_settings(cls) -> ClusterConfig:
        """The defaults above, overridden key by key by settings.NEWSSTAND_STORIES (read now)."""
        return load_group(cls, "NEWSSTAND_STORIES", positive={"candidates", "related_per_article"})


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """What clustering knows of an article besides its text."""

    id: Hashable
    published_ts: float  # POSIX seconds; the fetch time when the publisher gave no date
    section: str = ""
    topics: frozenset[str] = frozenset()

    @staticmethod
    def normalise_section(section: str) -> str:
        return " ".join(section.casefold().split())


@dataclass(frozen=True, slots=True)
class Assignment:
    article_id: Hashable
    story: Hashable | None  # None: start a new story
    # The member whose story is joined: persistence re-reads that article's story, so a story
    # merged away by another process in the meantime is followed to where it went.
    anchor: Hashable | None
    score: float
    reason: str  # "copy", "similar" or "new"
    copy_of: Hashable | None = None
    # Other stories scoring at least `link_floor` (story, best member affinity), best first.
    related: tuple[tuple[Hashable, float], ...] = ()


@dataclass(frozen=True, slots=True)
class RepairPlan:
    merges: list[tuple[Hashable, Hashable, float]] = field(default_factory=list)  # keep, absorb
    splits: list[tuple[Hashable, list[list[Hashable]]]] = field(default_factory=list)


def affinity(
    text: float, dt_s: float, same_section: bool, shared_topic: bool, cfg: ClusterConfig
) -> float:
    """Affinity of an article to one story member from their text score, time gap and labels."""
    penalty = cfg.time_penalty * (1.0 - math.exp(-abs(dt_s) / HOUR_S / cfg.time_tau_h))
    return (
        text
        - penalty
        + (cfg.section_bonus if same_section else 0.0)
        + (cfg.topic_bonus if shared_topic else 0.0)
    )


class StoryClusterer:
    """The window's articles, their stories and the wire-copy index, kept incrementally."""

    def __init__(
        self,
        model: SimilarityModel | None = None,
        cfg: ClusterConfig | None = None,
        *,
        detect_copies: bool = True,
    ) -> None:
        self.cfg = cfg or ClusterConfig.from_settings()
        self.model = model or SimilarityModel()
        self.index = WindowIndex(self.model)
        self.copies = WireCopyIndex(window_s=self.cfg.window_s) if detect_copies else None
        self.story_of: dict[Hashable, Hashable] = {}
        self.members: dict[Hashable, set[Hashable]] = {}
        self.info: dict[Hashable, ArticleInfo] = {}
        self.newest_ts = float("-inf")

    def __len__(self) -> int:
        return len(self.index)

    def vectorize(self, texts: Sequence[Any]) -> list[ArticleVector]:
        return self.model.vectorize(texts)

    # --- incremental ---------------------------------------------------------------------

    def add(
        self,
        info: ArticleInfo,
        vector: ArticleVector,
        story: Hashable | None,
        *,
        copy_text: str | None = None,
        copy_sketch: Sketch | None = None,
        copy_of: Hashable | None = None,
    ) -> None:
        """Index an article whose story is already known (loaded from the database).

        Its wire-copy set is taken as given (`copy_of`), not looked for again.
        """
        if self.copies is not None:
            if copy_sketch is None and copy_text is not None:
                copy_sketch = make_sketch(copy_text)
            if copy_sketch is not None:
                self.copies.add_sketch(
                    info.id, copy_sketch, info.published_ts, copy_set=copy_of, match=False
                )
        self._place(info, vector, story)

    def add_many(
        self,
        infos: Sequence[ArticleInfo],
        vectors: Sequence[ArticleVector],
        stories: Sequence[Hashable | None],
    ) -> None:
        """`add` for a batch of known articles (loading the window), without copy detection."""
        self.index.add_many([i.id for i in infos], vectors, [i.published_ts for i in infos])
        for info, story in zip(infos, stories, strict=True):
            self.info[info.id] = info
            if story is not None:
                self.move(info.id, story)
        newest = max((i.published_ts for i in infos), default=float("-inf"))
        if newest > self.newest_ts:
            self.newest_ts = newest
            self.evict()

    def decide(
        self,
        info: ArticleInfo,
        vector: ArticleVector,
        *,
        copy_text: str | None = None,
        copy_sketch: Sketch | None = None,
    ) -> Assignment:
        """Where a new article goes. Only the wire-copy index learns of it here.

        The copy index is asked with `copy_sketch`, else with a sketch of `copy_text`.
        """
        copy_of = None
        if copy_sketch is None and copy_text is not None:
            copy_sketch = make_sketch(copy_text)
        if self.copies is not None and copy_sketch is not None:
            copy_set = self.copies.add_sketch(info.id, copy_sketch, info.published_ts)
            if copy_set is not None and copy_set != info.id:
                copy_of = copy_set
                story = self.story_of.get(copy_set)
                if story is not None:
                    return Assignment(info.id, story, copy_set, 1.0, "copy", copy_of)
        neighbours = self.index.neighbours(
            vector,
            info.published_ts,
            window_s=self.cfg.window_s,
            k=self.cfg.candidates,
            exclude=info.id,
        )
        return self.decide_from(info, neighbours, copy_of=copy_of)

    def decide_from(
        self,
        info: ArticleInfo,
        neighbours: Iterable[Neighbour],
        *,
        copy_of: Hashable | None = None,
        known: Callable[[Hashable], bool] | None = None,
    ) -> Assignment:
        """The decision over already scored neighbours (`known` filters who counts yet)."""
        cfg = self.cfg
        section = ArticleInfo.normalise_section(info.section)
        per_story: dict[Hashable, list[tuple[float, Hashable]]] = {}
        for n in neighbours:
            if known is not None and not known(n.doc_id):
                continue
            story = self.story_of.get(n.doc_id)
            if story is None:
                continue
            other = self.info[n.doc_id]
            a = affinity(
                n.score,
                info.published_ts - other.published_ts,
                bool(section) and section == ArticleInfo.normalise_section(other.section),
                bool(info.topics & other.topics),
                cfg,
            )
            per_story.setdefault(story, []).append((a, n.doc_id))
        best: tuple[float, Hashable, Hashable] | None = None
        firsts: list[tuple[float, Hashable]] = []
        for story, hits in per_story.items():
            hits.sort(key=lambda h: h[0], reverse=True)
            first = hits[0][0]
            firsts.append((first, story))
            if len(hits) > 1:
                second = hits[1][0]
            else:
                second = first if len(self.members.get(story, ())) <= 1 else 0.0
            score = 0.75 * first + 0.25 * second
            if best is None or score > best[0]:
                best = (score, story, hits[0][1])
        joined = best[1] if best is not None and best[0] >= cfg.threshold else None
        firsts.sort(key=lambda f: (-f[0], str(f[1])))
        related = tuple(
            (story, round(first, 4))
            for first, story in firsts
            if first >= cfg.link_floor and story != joined
        )[: cfg.related_per_article]
        if best is not None and joined is not None:
            return Assignment(info.id, best[1], best[2], best[0], "similar", copy_of, related)
        return Assignment(info.id, None, None, best[0] if best else 0.0, "new", copy_of, related)

    def record(self, info: ArticleInfo, vector: ArticleVector, story: Hashable) -> None:
        """Index a decided article under `story` (the new story's key when it started one)."""
        self._place(info, vector, story)

    def assign(
        self,
        info: ArticleInfo,
        vector: ArticleVector,
        new_story: Callable[[Assignment], Hashable],
        *,
        copy_text: str | None = None,
    ) -> tuple[Assignment, Hashable]:
        """Decide and record in one step (the pure path: benchmark, tests)."""
        decision = self.decide(info, vector, copy_text=copy_text)
        story = decision.story if decision.story is not None else new_story(decision)
        self.record(info, vector, story)
        return decision, story

    def move(self, article_id: Hashable, story: Hashable) -> None:
        """Record that a repair moved an article to another story."""
        old = self.story_of.get(article_id)
        if old is not None:
            self.members.get(old, set()).discard(article_id)
            if not self.members.get(old):
                self.members.pop(old, None)
        self.story_of[article_id] = story
        self.members.setdefault(story, set()).add(article_id)

    def _place(self, info: ArticleInfo, vector: ArticleVector, story: Hashable | None) -> None:
        self.index.add(info.id, vector, info.published_ts)
        self.info[info.id] = info
        if story is not None:
            self.move(info.id, story)
        if info.published_ts > self.newest_ts:
            self.newest_ts = info.published_ts
            self.evict()

    def evict(self) -> list[Hashable]:
        """Forget articles published more than a window before the newest one."""
        gone = self.index.evict_before(self.newest_ts - self.cfg.window_s)
        for doc_id in gone:
            self.info.pop(doc_id, None)
            story = self.story_of.pop(doc_id, None)
            if story is not None:
                self.members.get(story, set()).discard(doc_id)
                if not self.members.get(story):
                    self.members.pop(story, None)
        return gone

    # --- repair --------------------------------------------------------------------------

    def _adjusted(self, ids: Sequence[Hashable], text: np.ndarray) -> np.ndarray:
        cfg = self.cfg
        infos = [self.info[i] for i in ids]
        ts = np.array([i.published_ts for i in infos])
        dt_h = np.abs(ts[:, None] - ts[None, :]) / HOUR_S
        sections = [ArticleInfo.normalise_section(i.section) for i in infos]
        same = np.array([[bool(a) and a == b for b in sections] for a in sections])
        shared = np.array([[bool(a.topics & b.topics) for b in infos] for a in infos])
        return (
            text
            - cfg.time_penalty * (1.0 - np.exp(-dt_h / cfg.time_tau_h))
            + cfg.section_bonus * same
            + cfg.topic_bonus * shared
        )

    def split_groups(self, story: Hashable, *, max_members: int = 400) -> list[list[Hashable]]:
        """The story's members in clearly separate groups, largest first (one group: no split)."""
        ids = sorted(self.members.get(story, ()), key=lambda i: self.info[i].published_ts)
        if len(ids) < 3 or len(ids) > max_members:
            return [ids]
        slots = np.array([self.index.slot(i) for i in ids])
        aff = self._adjusted(ids, self.index.pairwise(slots))
        dist = np.clip(1.0 - (aff + aff.T) / 2.0, 0.0, None)
        np.fill_diagonal(dist, 0.0)
        tree = linkage(squareform(dist, checks=False), method="average")
        labels = fcluster(tree, t=1.0 - self.cfg.split_threshold, criterion="distance")
        groups: dict[int, list[Hashable]] = {}
        for doc_id, label in zip(ids, labels, strict=True):
            groups.setdefault(int(label), []).append(doc_id)
        return sorted(groups.values(), key=lambda g: (-len(g), self.info[g[0]].published_ts))

    def merge_candidates(
        self, stories: Iterable[Hashable]
    ) -> list[tuple[Hashable, Hashable, float]]:
        """(story, other, centroid score) pairs at or above the merge threshold."""
        cfg = self.cfg
        out: list[tuple[Hashable, Hashable, float]] = []
        for story in stories:
            members = self.members.get(story)
            if not members:
                continue
            slots = np.array([self.index.slot(i) for i in members])
            idx, w, emb = self.index.centroid(slots)
            mid_ts = float(np.median(self.index.ts[slots]))
            found = self.index.query(idx, w, emb, mid_ts, window_s=cfg.window_s, k=cfg.candidates)
            others = {self.story_of.get(n.doc_id) for n in found} - {story, None}
            for other in others:
                o_slots = np.array([self.index.slot(i) for i in self.members[other]])
                o_idx, o_w, o_emb = self.index.centroid(o_slots)
                score = _centroid_score(self.model, (idx, w, emb), (o_idx, o_w, o_emb))
                if score >= cfg.merge_threshold:
                    out.append((story, other, score))
        return out

    def plan_repair(self, stories: Iterable[Hashable]) -> RepairPlan:
        """Merges (union of similar centroids; the larger story is kept), then splits."""
        stories = [s for s in stories if s in self.members]
        parent: dict[Hashable, Hashable] = {}

        def find(s: Hashable) -> Hashable:
            while parent.get(s, s) != s:
                s = parent[s]
            return s

        plan = RepairPlan()
        for a, b, score in sorted(self.merge_candidates(stories), key=lambda m: -m[2]):
            ra, rb = find(a), find(b)
            if ra == rb:
                continue
            keep, absorb = sorted((ra, rb), key=lambda s: (-len(self.members[s]), str(s)))
            parent[absorb] = keep
            plan.merges.append((keep, absorb, score))
        merged_away = {absorb for _, absorb, _ in plan.merges}
        for story in stories:
            if story in merged_away:
                continue
            groups = self.split_groups(story)
            if len(groups) > 1:
                plan.splits.append((story, groups))
        return plan


def _centroid_score(
    model: SimilarityModel,
    a: tuple[np.ndarray, np.ndarray, np.ndarray],
    b: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> float:
    _, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    lexical = float(np.clip(a[1][ia] @ b[1][ib], 0.0, 1.0)) if len(ia) else 0.0
    semantic = float(np.clip(a[2] @ b[2], 0.0, 1.0)) if a[2].size else 0.0
    return float(model.fuse(lexical, semantic))


# --- batch ---------------------------------------------------------------------------------

_BATCH: StoryClusterer | None = None


def _neighbour_chunk(slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Top-k neighbour slots and scores of each slot (a worker's share of the batch)."""
    clusterer = _BATCH
    assert clusterer is not None
    index, k = clusterer.index, clusterer.cfg.candidates
    out_slots = np.full((len(slots), k), -1, dtype=np.int32)
    out_scores = np.zeros((len(slots), k), dtype=np.float32)
    for row, slot in enumerate(slots.tolist()):
        idx, raw, emb = index.slot_vector(slot)
        found, scores = index.query_arrays(
            idx,
            index.weighted(idx, raw.astype(np.float64)),
            emb,
            float(index.ts[slot]),
            window_s=clusterer.cfg.window_s,
            k=k,
            exclude_slot=slot,
        )
        out_slots[row, : len(found)] = found
        out_scores[row, : len(found)] = scores
    return out_slots, out_scores


def recluster(
    clusterer: StoryClusterer,
    items: Sequence[tuple[ArticleInfo, ArticleVector, Hashable | None]],
    *,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    timings: dict[str, float] | None = None,
    links: dict[tuple[Hashable, Hashable], float] | None = None,
) -> dict[Hashable, Hashable]:
    """Cluster a whole window from scratch; returns article id -> story label.

    `items` are (info, vector, copy_of); `clusterer` must be empty. A story's label is the id
    of its first article. Neighbour lists are computed once (in `jobs` forked processes), then
    the incremental decision is replayed in publication order. `links`, when given, receives
    the related stories of every decision: (story label, other label) -> best score.
    """
    global _BATCH
    clock = time.perf_counter()
    timings = timings if timings is not None else {}
    clusterer.index.add_many(
        [info.id for info, _, _ in items],
        [vector for _, vector, _ in items],
        [info.published_ts for info, _, _ in items],
    )
    for info, _, _ in items:
        clusterer.info[info.id] = info
    index = clusterer.index
    n = len(index.ids)
    timings["index_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    all_slots = np.arange(n, dtype=np.int32)
    chunks = np.array_split(all_slots, max(1, min(n, 64 * jobs)) or 1)
    _BATCH = clusterer
    try:
        parts: list[tuple[np.ndarray, np.ndarray]] = []
        if jobs > 1 and n > 1000:
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(jobs) as pool:
                for part in pool.imap(_neighbour_chunk, chunks):
                    parts.append(part)
                    if progress:
                        progress(len(part[0]))
        else:
            for chunk in chunks:
                parts.append(_neighbour_chunk(chunk))
                if progress:
                    progress(len(chunk))
    finally:
        _BATCH = None
    nb_slots = np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, 1), np.int32)
    nb_scores = np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, 1), np.float32)

    timings["neighbours_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    copy_of = {info.id: c for info, _, c in items if c is not None}
    order = sorted(range(n), key=lambda s: (index.ts[s], str(index.ids[s])))
    assigned: set[Hashable] = set()
    labels: dict[Hashable, Hashable] = {}
    for slot in order:
        doc_id = index.ids[slot]
        info = clusterer.info[doc_id]
        original = copy_of.get(doc_id)
        if original is not None and original in assigned:
            story = labels[original]
        else:
            neighbours = [
                Neighbour(index.ids[s], int(s), float(sc))
                for s, sc in zip(nb_slots[slot].tolist(), nb_scores[slot].tolist(), strict=True)
                if s >= 0
            ]
            decision = clusterer.decide_from(info, neighbours, known=assigned.__contains__)
            story = decision.story if decision.story is not None else doc_id
            if links is not None:
                for other, score in decision.related:
                    key = (story, other)
                    links[key] = max(score, links.get(key, 0.0))
        labels[doc_id] = story
        clusterer.move(doc_id, story)
        assigned.add(doc_id)
    clusterer.newest_ts = float(index.ts[:n].max()) if n else clusterer.newest_ts
    timings["replay_s"] = time.perf_counter() - clock
    return labels
