"""A learned second stage: the fused candidates re-scored by a linear model over the levers' signals.

The hybrid retriever fuses a dozen rankings by weighted RRF and then re-scores its top candidates
with a hand-set rule (`tutor.index.rescore`).  Each hand-written lever moved our sets a little and
unseen ones less.  Here the signals the levers already compute for each candidate — its rank in each
list, the dense and BM25 scores, the best block's and best item's closeness, the heading's closeness,
whether it sits under the stage/skill or section kind the question names — are weighed by a linear
model fitted on the dev and spent sets (`tutor eval train-ranker`) and shipped as a small JSON file
of coefficients with its feature names (`ranker_weights.json`).  No feature reads the question's
words beyond what the levers compute; every feature is relative to the question's candidates, so a
weight means the same for every question.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tutor.errors import ConfigError
from tutor.index.store import StoredChunk

__all__ = [
    "FEATURES",
    "RANKER_FORMAT",
    "Candidates",
    "HeadingVectors",
    "LinearRanker",
    "cached_ranker",
    "feature_rows",
    "load_ranker",
    "packaged_ranker_path",
]

log = logging.getLogger(__name__)

#: bump when the meaning of a feature changes; `load_ranker` refuses other versions
RANKER_FORMAT = "tutor-ranker/1"

#: the RRF lists whose ranks are features (the retriever names its lists; other lists are not used)
RANK_LISTS = ("dense", "bm25", "section_view", "items", "faq", "sequence", "next_section", "aspect")

FEATURES: tuple[str, ...] = (
    "rrf",  # the fused RRF score / the best candidate's
    *(f"rank_{name}" for name in RANK_LISTS),  # (rrf_k + 1) / (rrf_k + rank) in that list; 0 absent
    "rank_bm25_en",  # rank_bm25 for a question without Chinese characters (BM25 has few words to match)
    "dense_sim",  # dense cosine - the best candidate's (absent from the dense list: its last one's)
    "bm25_score",  # BM25 score / the list's best; 0 absent
    "block",  # best-block cosine - the best candidate's (0 for a passage without blocks)
    "no_block",  # the passage has no blocks (a table)
    "item_en",  # best-item cosine - the best candidate's, English questions
    "item_zh",  # the same, Chinese questions
    "heading",  # cosine of the passage's last heading - the best candidate's
    "under_ref",  # under a stage or skill the question refers to (ReferenceSections)
    "kind",  # its last heading holds the words of a section kind the question names (SectionKinds)
)


def packaged_ranker_path() -> Path:
    """The coefficients shipped with the package (`tutor eval train-ranker --out` rewrites them)."""
    return Path(str(resources.files("tutor.index").joinpath("ranker_weights.json")))


@dataclass
class Candidates:
    """What the retriever knows about its fused top candidates for one question (all by chunk id)."""

    chunks: Sequence[StoredChunk]
    english: bool
    rrf_k: int
    lists: Mapping[str, Sequence[StoredChunk]] = field(default_factory=dict)
    block: Mapping[str, float] = field(default_factory=dict)  # best-block cosine (passages with blocks)
    item: Mapping[str, float] = field(default_factory=dict)  # best-item cosine (passages with items)
    heading: Mapping[str, float] = field(default_factory=dict)  # last heading's cosine
    under_ref: Mapping[str, bool] = field(default_factory=dict)
    kind: Mapping[str, bool] = field(default_factory=dict)


def _relative(values: Mapping[str, float], ids: Sequence[str]) -> dict[str, float]:
    """Each candidate's value minus the best candidate's (0 for the best; candidates without one: 0)."""
    present = [values[i] for i in ids if i in values]
    best = max(present, default=0.0)
    return {i: values[i] - best for i in ids if i in values}


def feature_rows(c: Candidates) -> list[list[float]]:
    """One row of `FEATURES` per candidate, in `c.chunks` order."""
    ids = [ch.id for ch in c.chunks]
    top = (c.chunks[0].score or 1.0) if c.chunks else 1.0
    ranks = {name: {ch.id: r for r, ch in enumerate(c.lists.get(name, ()), 1)} for name in RANK_LISTS}
    dense = {ch.id: float(ch.score) for ch in c.lists.get("dense", ())}
    dense_floor = min(dense.values(), default=0.0)
    dense_best = max(dense.values(), default=0.0)
    bm25 = {ch.id: float(ch.score) for ch in c.lists.get("bm25", ())}
    bm25_best = max(bm25.values(), default=0.0) or 1.0
    block, item, heading = _relative(c.block, ids), _relative(c.item, ids), _relative(c.heading, ids)
    rows = []
    for ch in c.chunks:
        rank = {
            n: ((c.rrf_k + 1) / (c.rrf_k + ranks[n][ch.id]) if ch.id in ranks[n] else 0.0) for n in RANK_LISTS
        }
        row = {
            "rrf": ch.score / top,
            **{f"rank_{n}": v for n, v in rank.items()},
            "rank_bm25_en": rank["bm25"] if c.english else 0.0,
            "dense_sim": dense.get(ch.id, dense_floor) - dense_best,
            "bm25_score": bm25.get(ch.id, 0.0) / bm25_best,
            "block": block.get(ch.id, 0.0),
            "no_block": 0.0 if ch.id in c.block else 1.0,
            "item_en": item.get(ch.id, 0.0) if c.english else 0.0,
            "item_zh": 0.0 if c.english else item.get(ch.id, 0.0),
            "heading": heading.get(ch.id, 0.0),
            "under_ref": float(c.under_ref.get(ch.id, False)),
            "kind": float(c.kind.get(ch.id, False)),
        }
        rows.append([row[f] for f in FEATURES])
    return rows


@dataclass(frozen=True)
class LinearRanker:
    """score = sum(weight * (feature - mean) / scale); ties keep the fused order."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    source: str = ""

    def scores(self, rows: Sequence[Sequence[float]]) -> list[float]:
        params = list(zip(self.weights, self.mean, self.scale, strict=True))
        return [sum(w * (x - m) / s for x, (w, m, s) in zip(row, params, strict=True)) for row in rows]

    def order(self, c: Candidates) -> list[StoredChunk]:
        """The candidates best-first by the model (a stable sort: equal scores keep the fused order)."""
        scores = self.scores(feature_rows(c))
        return [c.chunks[i] for i in sorted(range(len(c.chunks)), key=lambda i: -scores[i])]

    def to_json(self, **extra: Any) -> dict[str, Any]:
        return {
            "format": RANKER_FORMAT,
            "features": list(self.features),
            "weights": [round(w, 6) for w in self.weights],
            "mean": [round(m, 6) for m in self.mean],
            "scale": [round(s, 6) for s in self.scale],
            **extra,
        }


def load_ranker(path: Path | None = None) -> LinearRanker:
    """The ranker's coefficients from `path` (default: the packaged file), checked against `FEATURES`."""
    path = path or packaged_ranker_path()
    redo = "re-train it with `tutor eval train-ranker --out FILE` or set retrieval.learned_ranker: false"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"Learned ranker file {path}: cannot read it ({exc.strerror}); {redo}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"Learned ranker file {path}: not JSON ({exc.msg}); {redo}") from exc
    if not isinstance(data, dict) or data.get("format") != RANKER_FORMAT:
        got = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise ConfigError(f"Learned ranker file {path}: format {got!r}, expected {RANKER_FORMAT!r}; {redo}")
    features = tuple(data.get("features", ()))
    if features != FEATURES:
        missing = [f for f in FEATURES if f not in features]
        unknown = [f for f in features if f not in FEATURES]
        raise ConfigError(
            f"Learned ranker file {path}: its features do not match this version's "
            f"(missing {missing or 'none'}, unknown {unknown or 'none'}, or another order); {redo}"
        )
    try:
        params = [tuple(float(v) for v in data[key]) for key in ("weights", "mean", "scale")]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"Learned ranker file {path}: weights/mean/scale unreadable ({exc}); {redo}"
        ) from exc
    if any(len(p) != len(FEATURES) for p in params) or any(s <= 0 for s in params[2]):
        raise ConfigError(
            f"Learned ranker file {path}: weights/mean/scale need {len(FEATURES)} values each "
            f"(scale > 0); {redo}"
        )
    return LinearRanker(FEATURES, params[0], params[1], params[2], source=str(path))


@functools.lru_cache(maxsize=8)
def cached_ranker(path: Path | None = None) -> LinearRanker:
    """`load_ranker`, read once per file and process (a retriever is built per request)."""
    ranker = load_ranker(path)
    log.info("learned ranker: %d features from %s", len(ranker.features), ranker.source)
    return ranker


class HeadingVectors:
    """The vector of each passage's last heading, embedded the first time a candidate has it."""

    def __init__(self, embed_documents: Callable[[list[str]], list[list[float]]]) -> None:
        self._embed = embed_documents
        self._vectors: dict[str, Any] = {}
        self._lock = threading.Lock()

    def similarity(self, chunks: Sequence[StoredChunk], query_vector: Sequence[float]) -> dict[str, float]:
        """Chunk id -> cosine of its last heading (its title when it has none) to the question."""
        import numpy as np

        heads = {c.id: (c.headings[-1] if c.headings else c.title).strip() for c in chunks}
        with self._lock:
            missing = sorted({h for h in heads.values() if h and h not in self._vectors})
            if missing:
                vecs = np.asarray(self._embed(missing), dtype=np.float32)
                vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
                self._vectors.update(zip(missing, vecs, strict=True))
        q = np.asarray(query_vector, dtype=np.float32)
        q = q / max(float(np.linalg.norm(q)), 1e-9)
        return {cid: float(self._vectors[h] @ q) for cid, h in heads.items() if h}
