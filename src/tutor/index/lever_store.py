"""The retrieval levers' data, computed at ingest time and stored in the BM25 generation it belongs to.

The levers (`tutor.index.levers.QueryLevers`: section view, FAQ entries, sequence passages, concept
glossary, document router, heading paths …) are built from every live chunk's text and metadata,
and most embed something per block or entry.  Built at start-up, that was a minute on the real
corpus and 13 GB at a million chunks (issues 13/17).  So the ingest that writes a BM25 index builds
them there and stores them beside it, inside the same temporary directory that is swapped in as one
(`BM25Index.save`): a reader sees the chunks and their lever data together or not at all, and an
interrupted ingest leaves the previous pair.  Layout: ``<bm25 dir>/levers/<name>/`` with one ``.npy``
per array (float32 vectors, read memory-mapped) and ``meta.json`` (written last: its presence says
the lever is complete) holding the form's version and its small JSON-able parts.

A lever's *form* says how to take a built lever apart (`dump`) and put it back without the chunks
(`load`); the vectors stored are exactly the ones the lever holds, so retrieval is unchanged.  To
store a new lever the same way: add a `LeverForm` to `FORMS` under the name its `QueryLevers` method
passes to `_per_index`, and say when it is wanted in `QueryLevers.stored_names`.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from tutor.index.bm25 import BM25Index
from tutor.index.items import ItemView
from tutor.index.lexicon import LexiconEntry, LexiconMatcher, lexicon_builder, lexicon_digest
from tutor.index.query import Glossary
from tutor.index.routing import DocCard, DocRouter
from tutor.index.sections import ConceptGlossary, FaqEntries, SectionView, SequencePassages
from tutor.index.settings import RetrievalSettings
from tutor.resources.intent import ResourceKinds

__all__ = ["FORMS", "LeverForm", "StoredLever", "read_lever", "recording", "stored_names", "write_lever"]

log = logging.getLogger(__name__)

LEVERS_DIR = "levers"
Arrays = dict[str, np.ndarray]
Dumped = tuple[Arrays, dict[str, Any]]


class LoadContext(Protocol):
    """What a form needs to put a lever back: the settings, the embedder (for later queries), headings."""

    cfg: RetrievalSettings

    def query_embedding(self) -> Callable[[str], list[float]]: ...
    def passage_embedding(self) -> Callable[[list[str]], list[list[float]]]: ...
    def _headings(self) -> list[str]: ...


@dataclass(frozen=True)
class LeverForm:
    """How one lever is stored: `dump(lever)` -> (arrays, JSON meta); `load(ctx, bm25, stored)` -> lever."""

    version: int
    dump: Callable[[Any], Dumped]
    load: Callable[[LoadContext, BM25Index, StoredLever], Any]


class StoredLever:
    """One stored lever: its meta and its arrays (memory-mapped, read only)."""

    def __init__(self, directory: Path, meta: dict[str, Any]) -> None:
        self.directory = directory
        self.meta = meta

    def array(self, key: str) -> np.ndarray:
        return np.load(self.directory / f"{key}.npy", mmap_mode="r")


def write_lever(directory: Path, name: str, lever: Any) -> None:
    """Store `lever` under `directory/levers/name` (meta.json last, so a half-written one is never read)."""
    form = FORMS[name]
    arrays, meta = form.dump(lever)
    target = directory / LEVERS_DIR / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for key, value in arrays.items():
        np.save(target / f"{key}.npy", np.ascontiguousarray(value))
    payload = {"version": form.version, **meta}
    (target / "meta.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


def read_lever(directory: Path | None, name: str) -> StoredLever | None:
    """The stored lever `name` of a BM25 generation, or None (not stored, another version, unreadable)."""
    if directory is None or name not in FORMS:
        return None
    target = directory / LEVERS_DIR / name
    try:
        meta = json.loads((target / "meta.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("Stored lever data %s is unreadable (%s); computing it", target, exc)
        return None
    return StoredLever(target, meta) if meta.get("version") == FORMS[name].version else None


def stored_names(directory: Path | None) -> set[str]:
    """The levers stored (complete, current version) in a BM25 generation."""
    return {name for name in FORMS if read_lever(directory, name) is not None}


class _Recorder:
    """An embedding function that remembers the first batch it returned (the lever's raw vectors)."""

    def __init__(self, embed: Callable[[list[str]], list[list[float]]]) -> None:
        self.embed = embed
        self.first: np.ndarray | None = None

    def __call__(self, texts: list[str]) -> list[list[float]]:
        vectors = self.embed(texts)
        if self.first is None:
            self.first = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        return vectors


class _Replay:
    """Gives the stored raw vectors for the lever's first batch (its constructor's), then embeds."""

    def __init__(
        self, first: np.ndarray, then: Callable[[], Callable[[list[str]], list[list[float]]]]
    ) -> None:
        self.first: np.ndarray | None = first
        self.then = then

    def __call__(self, texts: list[str]) -> Any:
        if self.first is not None:
            first, self.first = self.first, None
            return np.asarray(first, dtype=np.float32)
        return self.then()(texts)


def recording(embed: Callable[[list[str]], list[list[float]]]) -> _Recorder:
    """Wrap the embedding a router or glossary is built with, so its raw vectors can be stored."""
    return _Recorder(embed)


# --- the forms ----------------------------------------------------------------------------------
def _view(obj: Any, bm25: BM25Index, stored: StoredLever, **extra: Any) -> Any:
    """A section-view-like lever put back from its arrays (its constructor would read every chunk)."""
    lever = obj.__new__(obj)
    lever.bm25 = bm25
    lever.vectors = stored.array("vectors")
    for key, value in extra.items():
        setattr(lever, key, value)
    return lever


def _load_sections(ctx: LoadContext, bm25: BM25Index, s: StoredLever) -> SectionView:
    owner = np.asarray(s.array("owner"), dtype=np.int64)
    row_of = {cid: i for i, cid in enumerate(bm25.ids)}
    return _view(SectionView, bm25, s, owner=owner, docs=bm25.docs(), _row_of=row_of)


def _load_items(ctx: LoadContext, bm25: BM25Index, s: StoredLever) -> ItemView:
    owner = np.asarray(s.array("owner"), dtype=np.int64)
    return _view(ItemView, bm25, s, owner=owner, docs=bm25.docs())


def _load_faq(ctx: LoadContext, bm25: BM25Index, s: StoredLever) -> FaqEntries:
    return _view(FaqEntries, bm25, s, owner=np.asarray(s.array("owner"), dtype=np.int64))


def _load_sequences(ctx: LoadContext, bm25: BM25Index, s: StoredLever) -> SequencePassages:
    return _view(SequencePassages, bm25, s, rows=[int(r) for r in s.array("rows")])


def _raw(lever: Any) -> np.ndarray:
    """The raw vectors a router or glossary was built from (`recording`; none: it had no entries)."""
    if not hasattr(lever, "_raw"):
        raise ValueError(f"{type(lever).__name__} was not built with a recorded embedding")
    return lever._raw if lever._raw is not None else np.zeros((0, 1), dtype=np.float32)


def _dump_concepts(lever: Any) -> Dumped:
    return {"raw": _raw(lever)}, {"terms": list(lever.terms)}


def _load_concepts(ctx: LoadContext, bm25: BM25Index, s: StoredLever) -> ConceptGlossary:
    cfg = ctx.cfg
    terms: Sequence[str] = s.meta["terms"]
    return ConceptGlossary(
        [(t, "") for t in terms],
        _Replay(s.array("raw"), ctx.passage_embedding),
        ctx.query_embedding(),
        top=cfg.concept_terms,
        headings=ctx._headings(),
        margin=cfg.concept_terms_margin,
        cjk_only=cfg.concept_terms_cjk_only,
    )


def _dump_lexicon(lever: LexiconMatcher) -> Dumped:
    arrays, meta = lever.dump()
    return arrays, {**meta, "source": lever.source}


def _load_lexicon(ctx: LoadContext, bm25: BM25Index, s: StoredLever) -> LexiconMatcher | None:
    """The stored matcher, unless switched off or the configured lexicon file changed since the ingest."""
    cfg = ctx.cfg
    if not cfg.concept_lexicon:
        return None
    if s.meta.get("source") != lexicon_digest(cfg):
        return lexicon_builder(cfg, ctx.passage_embedding)(bm25)
    entries = [LexiconEntry(t, tuple(a), d, sec, tuple(ds)) for t, a, d, sec, ds in s.meta["entries"]]
    matcher = LexiconMatcher.restore(
        entries, s.array("vectors"), cfg.concept_lexicon_margin, cfg.concept_lexicon_margin_en
    )
    matcher.source = s.meta["source"]
    return matcher


def _dump_router(lever: Any) -> Dumped:
    cards = [[c.doc, c.title, c.summary] for c in lever.cards]
    return {"raw": _raw(lever)}, {"cards": cards}


def _load_router(ctx: LoadContext, bm25: BM25Index, s: StoredLever) -> DocRouter:
    cards = [DocCard(doc=d, title=t, summary=m) for d, t, m in s.meta["cards"]]
    embed = _Replay(s.array("raw"), ctx.passage_embedding)
    return DocRouter(cards, embed, name_weight=ctx.cfg.doc_routing_name_weight)


def _dump_paths(paths: Sequence[frozenset[str]]) -> Dumped:
    distinct: dict[frozenset[str], int] = {}
    codes = np.fromiter((distinct.setdefault(p, len(distinct)) for p in paths), np.int32, len(paths))
    return {"codes": codes}, {"paths": [sorted(p) for p in distinct]}


def _load_paths(ctx: LoadContext, bm25: BM25Index, s: StoredLever) -> list[frozenset[str]]:
    distinct = [frozenset(p) for p in s.meta["paths"]]
    return [distinct[int(c)] for c in s.array("codes")]


def _dump_kinds(kinds: ResourceKinds) -> Dumped:
    return {}, {"kinds": [[p.pattern, list(words)] for p, words in kinds.kinds]}


def _load_kinds(ctx: LoadContext, bm25: BM25Index, s: StoredLever) -> ResourceKinds:
    return ResourceKinds([(re.compile(p, re.IGNORECASE), tuple(w)) for p, w in s.meta["kinds"]])


def _arrays(*keys: str) -> Callable[[Any], Dumped]:
    def dump(lever: Any) -> Dumped:
        return {k: np.asarray(getattr(lever, k)) for k in keys}, {}

    return dump


FORMS: Mapping[str, LeverForm] = {
    "headings": LeverForm(1, lambda h: ({}, {"headings": list(h)}), lambda c, b, s: list(s.meta["headings"])),
    "heading_paths": LeverForm(1, _dump_paths, _load_paths),
    "sections": LeverForm(1, _arrays("owner", "vectors"), _load_sections),
    "items": LeverForm(1, _arrays("owner", "vectors"), _load_items),
    "faq": LeverForm(1, _arrays("owner", "vectors"), _load_faq),
    "sequences": LeverForm(1, _arrays("rows", "vectors"), _load_sequences),
    "concepts": LeverForm(1, _dump_concepts, _load_concepts),
    "lexicon": LeverForm(1, _dump_lexicon, _load_lexicon),
    "router": LeverForm(1, _dump_router, _load_router),
    "resource_kinds": LeverForm(1, _dump_kinds, _load_kinds),
    "glossary": LeverForm(
        1, lambda g: ({}, {"en_to_zh": g.en_to_zh}), lambda c, b, s: Glossary(dict(s.meta["en_to_zh"]))
    ),
}
