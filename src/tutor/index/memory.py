"""A labelled-question memory: questions people asked, with the section that answers each, as one more RRF list.

Held-out questions written by people who never saw the system phrase things our levers do not foresee.  Many
of them resemble a question somebody else already asked and labelled.  The memory keeps the labelled
questions' vectors (the retriever's own e5 query embedder) and their gold (document, section); a new
question's nearest labelled questions vote for their sections, weighted by similarity, and the passages of
the winning sections join the fusion as the list `memory` (retrieval.question_memory_weight).

The file (`question_memory.npz`, rebuilt by `tutor eval train-memory`) is keyed to the embedder's identity:
vectors of another model are not comparable, so such a file is refused with a log line, never used.  A
section the live index does not hold (a user's own corpus) has no passages and is skipped.
"""

from __future__ import annotations

import functools
import json
import logging
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.errors import ConfigError
from tutor.index.roadmap_sections import heading_paths
from tutor.index.store import StoredChunk

if TYPE_CHECKING:
    import numpy as np

    from tutor.index.settings import RetrievalSettings

__all__ = [
    "MEMORY_FORMAT",
    "QuestionMemory",
    "cached_memory",
    "embedder_key",
    "memory_bonus",
    "memory_list",
    "packaged_memory_path",
    "section_rows",
]

log = logging.getLogger(__name__)

#: bump when the file's layout changes; `QuestionMemory.load` refuses other versions
MEMORY_FORMAT = "tutor-memory/1"

Section = tuple[str, str]  # (doc, section heading) as the eval sets label it


def packaged_memory_path() -> Path:
    """The memory shipped with the package (`tutor eval train-memory --out` rewrites it)."""
    return Path(str(resources.files("tutor.index").joinpath("question_memory.npz")))


@dataclass(frozen=True)
class QuestionMemory:
    """Labelled questions: ids, gold sections per question, unit vectors (rows), and the embedder's identity."""

    embedder: str
    ids: tuple[str, ...]
    golds: tuple[tuple[Section, ...], ...]
    vectors: np.ndarray  # (n, dim) float32, unit length

    def vote(self, vector: Sequence[float], k: int, floor: float) -> list[tuple[Section, float]]:
        """The sections the `k` nearest questions at or above cosine `floor` vote for, best first.

        A neighbour adds its similarity above the floor to each of its golds (split between them), so a
        near-duplicate question outvotes several loosely related ones."""
        import numpy as np

        if not self.ids:
            return []
        q = np.asarray(vector, dtype=np.float32)
        q = q / max(float(np.linalg.norm(q)), 1e-9)
        sims = self.vectors @ q
        top = np.argsort(-sims)[:k]
        votes: dict[Section, float] = {}
        for i in top:
            sim = float(sims[i])
            if sim < floor:
                break
            for gold in self.golds[i]:
                votes[gold] = votes.get(gold, 0.0) + (sim - floor + 1e-6) / len(self.golds[i])
        return sorted(votes.items(), key=lambda kv: -kv[1])

    def subset(self, keep: Callable[[str], bool]) -> QuestionMemory:
        """The questions whose id `keep` accepts (leave-one-writer-out folds)."""
        rows = [i for i, qid in enumerate(self.ids) if keep(qid)]
        return QuestionMemory(
            self.embedder,
            tuple(self.ids[i] for i in rows),
            tuple(self.golds[i] for i in rows),
            self.vectors[rows],
        )

    def save(self, path: Path, **about: Any) -> Path:
        """float16 vectors, the ids and golds as JSON, and how the file was made."""
        import numpy as np

        meta = {"format": MEMORY_FORMAT, "embedder": self.embedder, **about}
        golds = [[list(g) for g in gs] for gs in self.golds]
        with path.open("wb") as fh:
            np.savez_compressed(
                fh,
                vectors=self.vectors.astype(np.float16),
                meta=np.array(json.dumps(meta, ensure_ascii=False)),
                ids=np.array(json.dumps(list(self.ids))),
                golds=np.array(json.dumps(golds, ensure_ascii=False)),
            )
        return path

    @classmethod
    def load(cls, path: Path) -> QuestionMemory:
        """The memory in `path`; ConfigError when unreadable or of another format."""
        import numpy as np

        redo = (
            "rebuild it with `tutor eval train-memory --out FILE` or set retrieval.question_memory_weight: 0"
        )
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                ids = tuple(json.loads(str(data["ids"])))
                golds = tuple(tuple((g[0], g[1]) for g in gs) for gs in json.loads(str(data["golds"])))
                vectors = data["vectors"].astype(np.float32)
        except (OSError, KeyError, ValueError, IndexError) as exc:
            raise ConfigError(f"Question memory {path}: cannot read it ({exc}); {redo}") from exc
        if meta.get("format") != MEMORY_FORMAT:
            raise ConfigError(
                f"Question memory {path}: format {meta.get('format')!r}, expected {MEMORY_FORMAT!r}; {redo}"
            )
        if not (len(ids) == len(golds) == len(vectors)):
            raise ConfigError(f"Question memory {path}: ids, golds and vectors differ in length; {redo}")
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        return cls(str(meta.get("embedder", "")), ids, golds, vectors)


def embedder_key(embedder: Any) -> str:
    """The identity of the model under any caching wrapper (`CachedEmbeddings.inner`): its weights,
    dimension and prompts; vectors of two embedders with different keys are not comparable."""
    inner = getattr(embedder, "inner", None)
    return str((inner if inner is not None else embedder).identity())


@functools.lru_cache(maxsize=8)
def _loaded(path: Path, mtime: float) -> QuestionMemory:
    memory = QuestionMemory.load(path)
    log.info("question memory: %d labelled questions from %s", len(memory.ids), path)
    return memory


def cached_memory(path: Path | None, embedder: str) -> QuestionMemory | None:
    """The memory in `path` (default: the packaged one), read once per file version; None, with a
    warning, when it was built with another embedder (its vectors are not comparable) or is missing."""
    path = path or packaged_memory_path()
    if not path.is_file():
        _warn_once(f"question memory {path} not found; retrieval.question_memory_weight has no effect")
        return None
    memory = _loaded(path, path.stat().st_mtime)
    if memory.embedder != embedder:
        _warn_once(
            f"question memory {path} was built with embedder {memory.embedder!r}, not the configured "
            f"{embedder!r}: not used. Rebuild it with `tutor eval train-memory --out FILE`."
        )
        return None
    return memory


@functools.lru_cache(maxsize=32)
def _warn_once(message: str) -> None:
    log.warning("%s", message)


_ROWS: weakref.WeakKeyDictionary[Any, dict[Section, list[int]]] = weakref.WeakKeyDictionary()


def section_rows(bm25: Any, paths: Sequence[frozenset[str]]) -> Mapping[Section, list[int]]:
    """(doc, normalised heading) -> the live rows under it, in document order; built once per index."""
    held = _ROWS.get(bm25)
    if held is None:
        docs = bm25.docs()
        held = {}
        for row, path in enumerate(paths):
            for head in path:
                held.setdefault((docs[row], head), []).append(row)
        _ROWS[bm25] = held
    return held


def _norm_heading(section: str) -> str:
    ((head,),) = heading_paths([{"headings": json.dumps([section])}])
    return head


def _votes(
    levers: Any, cfg: RetrievalSettings, question: str, embed: Callable[[str], Sequence[float]]
) -> list[tuple[Section, float]]:
    """The sections the memory (retrieval.question_memory_file) votes for; [] when refused or missing."""
    path = Path(cfg.question_memory_file) if cfg.question_memory_file else None
    memory = cached_memory(path, embedder_key(levers.embedder()))
    if memory is None:
        return []
    return memory.vote(embed(question), cfg.question_memory_k, cfg.question_memory_floor)


def memory_bonus(
    levers: Any, cfg: RetrievalSettings, question: str, chunks: Sequence[StoredChunk]
) -> list[float]:
    """Each candidate's share of the best vote: the best-voted section it sits under / the best vote
    (retrieval.question_memory_rescore, the second stage); zeros when nothing votes."""
    votes = _votes(levers, cfg, question, lambda q: levers.embedder().embed_query(q))
    if not votes:
        return [0.0] * len(chunks)
    best = votes[0][1]
    share = {(doc, _norm_heading(section)): v / best for (doc, section), v in votes}
    return [
        max(
            (share.get((c.doc, h), 0.0) for h in heading_paths([{"headings": json.dumps(c.headings)}])[0]),
            default=0.0,
        )
        for c in chunks
    ]


def memory_list(
    levers: Any,
    cfg: RetrievalSettings,
    question: str,
    embed: Callable[[str], Sequence[float]],
    fused: Sequence[StoredChunk],
    allowed: Callable[[str], bool],
) -> list[tuple[str, float, list[StoredChunk]]]:
    """The passages of the sections the nearest labelled questions vote for, as the RRF list `memory`:
    section by section (best voted first), within one the fused order and then document order, at most
    `question_memory_rows` each.  [] when off, refused (another embedder) or nothing is near enough."""
    votes = _votes(levers, cfg, question, embed) if cfg.question_memory_weight > 0 else []
    if not votes:
        return []
    bm25 = levers.index.bm25()
    rows_of = section_rows(bm25, levers.heading_paths())
    fused_rank = {c.id: i for i, c in enumerate(fused)}
    rows: list[int] = []
    for (doc, section), _ in votes[: cfg.question_memory_sections]:
        under = [r for r in rows_of.get((doc, _norm_heading(section)), []) if allowed(doc)]
        under.sort(key=lambda r: fused_rank.get(bm25.ids[r], len(fused) + r))
        rows += [r for r in under if r not in rows][: cfg.question_memory_rows]
    records = bm25.records.fetch(rows)
    found = [
        StoredChunk(id=bm25.ids[r], text=text, metadata=meta, score=0.0)
        for r, (text, meta) in zip(rows, records, strict=True)
    ]
    return [("memory", cfg.question_memory_weight, found)] if found else []
