"""Incremental, crash-safe ingest: files -> chunks -> embeddings -> Chroma (+ manifest).

Unchanged files are recognised by their content hash before any model loads,
so a no-op re-ingest is cheap.  Each changed document is committed on its own
(store write, then manifest swap, then cleanup), so an interruption loses at
most the document in flight and the next run finishes the job.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tutor.config import Settings
from tutor.errors import InputError
from tutor.index.embeddings import TutorEmbeddings
from tutor.index.live import LiveIndex
from tutor.index.manifest import DocEntry, Manifest
from tutor.index.store import ChromaStore, collection_name
from tutor.ingest.chunking import Chunk, chunk_document
from tutor.ingest.loaders import discover, load_document
from tutor.resources.cards import generated_dir

__all__ = ["DocResult", "IngestReport", "run_ingest"]

log = logging.getLogger(__name__)

Status = Literal["added", "updated", "unchanged", "removed", "failed"]


@dataclass
class DocResult:
    doc_id: str
    path: str
    status: Status
    chunks: int = 0
    seconds: float = 0.0
    reason: str = ""


@dataclass
class IngestReport:
    results: list[DocResult] = field(default_factory=list)
    seconds: float = 0.0
    collection: str | None = None
    total_chunks: int = 0
    cleaned_orphans: int = 0

    @property
    def failed(self) -> list[DocResult]:
        return [r for r in self.results if r.status == "failed"]

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)


@dataclass
class _Pending:
    path: Path
    status: Status
    chunks: list[Chunk]
    seconds: float


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _is_under(path: str, roots: Sequence[Path]) -> bool:
    p = Path(path).resolve()
    return any(p == r or r in p.parents for r in roots)


def run_ingest(
    index: LiveIndex,
    embedder: Callable[[], TutorEmbeddings],
    settings: Settings,
    paths: Sequence[Path] | None = None,
    rebuild: bool = False,
    show_progress: bool = False,
    on_files: Callable[[Sequence[Path]], object] | None = None,
) -> IngestReport:
    """Bring the index in line with `paths` (default: the configured corpus).

    `embedder` is called only when something must be embedded, so a no-op ingest loads no model;
    `on_files` sees the discovered files first (the catalog refresh that writes the resource cards).
    """
    started = time.perf_counter()
    roots = [Path(p) for p in (paths or settings.corpus.paths)]
    report = IngestReport()
    manifest = index.manifest()
    old_manifest = manifest
    if rebuild:
        manifest = Manifest(
            path=manifest.path, model_id=manifest.model_id, generation=manifest.generation + 1
        )

    files = _discover(roots, settings, report)
    if on_files is not None:
        on_files(files)
    generated = generated_dir(settings.data_dir)
    if generated.is_dir() and not any(_is_under(str(generated), [r.resolve()]) for r in roots):
        roots.append(generated)
        files.extend(discover(generated, settings.corpus.include, settings.corpus.exclude))
    pending = _changed(files, manifest, settings, report)
    seen_sources = {str(path.resolve()) for path in files}

    removed = _gone(manifest, roots, seen_sources)

    store_needed = bool(pending or removed or rebuild)
    if not store_needed and manifest.collection and not _store_matches(index, manifest):
        return run_ingest(
            index, embedder, settings, paths, rebuild=True, show_progress=show_progress, on_files=on_files
        )

    if store_needed:
        _write(index, embedder, settings, manifest, pending, removed, report, show_progress, not rebuild)
        if rebuild:
            manifest.save()  # the swap: readers move to the new collection in one step
            if old_manifest.collection and old_manifest.collection != manifest.collection:
                index.store.drop(old_manifest.collection)

    _sync_bm25(index, manifest, store_needed)
    report.collection = manifest.collection
    report.total_chunks = manifest.chunk_count
    report.seconds = time.perf_counter() - started
    return report


def _gone(manifest: Manifest, roots: Sequence[Path], seen_sources: set[str]) -> list[DocEntry]:
    """Documents under the ingested roots whose file no longer exists."""
    resolved_roots = [r.resolve() for r in roots]
    return [
        d
        for d in manifest.docs.values()
        if d.source not in seen_sources
        and _is_under(d.source, resolved_roots)
        and not Path(d.source).exists()
    ]


def _sync_bm25(index: LiveIndex, manifest: Manifest, store_changed: bool) -> None:
    """The keyword index follows the committed chunks (rebuilt after a write, or when found stale)."""
    index.invalidate()
    if store_changed:
        index.rebuild_bm25()
    elif manifest.docs and not index.bm25_is_current():
        log.warning("BM25 index does not match the live chunks; rebuilding it")
        index.rebuild_bm25()


def _discover(roots: Sequence[Path], settings: Settings, report: IngestReport) -> list[Path]:
    """The files under `roots`; a root that cannot be read is a failed result, not an abort."""
    files: list[Path] = []
    for root in roots:
        try:
            files.extend(discover(root, settings.corpus.include, settings.corpus.exclude))
        except InputError as exc:
            report.results.append(DocResult(root.name, str(root), "failed", reason=exc.reason))
    return files


def _changed(
    files: Sequence[Path], manifest: Manifest, settings: Settings, report: IngestReport
) -> dict[str, _Pending]:
    """Load and chunk the files whose content changed; unchanged, clashing and unreadable ones are reported."""
    max_bytes = settings.corpus.max_bytes
    pending: dict[str, _Pending] = {}
    for path in files:
        t0 = time.perf_counter()
        doc_id, source = path.stem, str(path.resolve())
        owner = manifest.docs.get(doc_id)
        if (owner and owner.source != source and Path(owner.source).exists()) or doc_id in pending:
            other = owner.source if owner and owner.source != source else str(pending[doc_id].path)
            report.results.append(
                DocResult(
                    doc_id,
                    str(path),
                    "failed",
                    reason=f"document id '{doc_id}' is already used by {other}; rename one file",
                )
            )
            continue
        entry = manifest.docs.get(doc_id)
        if entry and entry.rev == _file_hash(path) and path.stat().st_size <= max_bytes:
            report.results.append(DocResult(doc_id, str(path), "unchanged", chunks=len(entry.chunk_ids)))
            continue
        try:
            doc = load_document(path, max_bytes=max_bytes)
            chunks = chunk_document(doc, settings.chunking.chunk_size, settings.chunking.chunk_overlap)
            if not chunks:
                raise InputError(path, "no indexable text after chunking")
        except InputError as exc:
            report.results.append(DocResult(doc_id, str(path), "failed", reason=exc.reason))
            log.info("failed: %s", exc)
            continue
        status: Status = "updated" if entry else "added"
        pending[doc_id] = _Pending(path, status, chunks, time.perf_counter() - t0)
    return pending


def _store_matches(index: LiveIndex, manifest: Manifest) -> bool:
    """Cheap consistency check: the store must hold what the manifest says is live."""
    store = index.store
    expected = {cid for d in manifest.docs.values() for cid in d.chunk_ids}
    live = set(store.live_ids(manifest.collection, manifest.live_revs)) if manifest.collection else set()
    if live != expected:
        log.warning(
            "Index at %s holds %d live chunks but the manifest lists %d; re-indexing everything",
            store.where,
            len(live),
            len(expected),
        )
    return live == expected


def _write(
    index: LiveIndex,
    embedder_factory: Callable[[], TutorEmbeddings],
    settings: Settings,
    manifest: Manifest,
    pending: dict[str, _Pending],
    removed: list[DocEntry],
    report: IngestReport,
    show_progress: bool,
    commit_each: bool,
) -> None:
    """Write changes; with `commit_each`, the manifest is saved after every document.

    A rebuild writes into a fresh collection and commits once at the end, so the
    old index keeps serving until the new one is complete.
    """
    from tqdm import tqdm

    def commit() -> None:
        if commit_each:
            manifest.save()

    store = index.store
    embedder = embedder_factory() if pending else None
    _prepare_collection(store, embedder, settings, manifest, report, commit)
    assert manifest.collection is not None
    _remove(store, manifest, removed, report, commit)

    total = sum(len(p.chunks) for p in pending.values())
    with tqdm(total=total, desc="Embedding", unit="chunk", disable=not show_progress or total == 0) as bar:
        for doc_id, item in pending.items():
            t0 = time.perf_counter()
            assert embedder is not None
            vectors = embedder.embed_documents([c.context_text() for c in item.chunks])
            store.upsert(manifest.collection, item.chunks, vectors)
            old = manifest.docs.get(doc_id)
            manifest.docs[doc_id] = DocEntry(
                doc_id=doc_id,
                rev=item.chunks[0].rev,
                source=str(item.path.resolve()),
                title=item.chunks[0].title,
                chunk_ids=[c.id for c in item.chunks],
            )
            commit()  # commit point for this document
            if old:
                stale = sorted(set(old.chunk_ids) - set(manifest.docs[doc_id].chunk_ids))
                store.delete(manifest.collection, stale)
            bar.update(len(item.chunks))
            report.results.append(
                DocResult(
                    doc_id,
                    str(item.path),
                    item.status,
                    chunks=len(item.chunks),
                    seconds=item.seconds + time.perf_counter() - t0,
                )
            )


def _remove(
    store: ChromaStore,
    manifest: Manifest,
    removed: list[DocEntry],
    report: IngestReport,
    commit: Callable[[], None],
) -> None:
    """Drop deleted documents: out of the manifest first (committed), then their chunks."""
    assert manifest.collection is not None
    for entry in removed:
        del manifest.docs[entry.doc_id]
        commit()
        store.delete(manifest.collection, entry.chunk_ids)
        report.results.append(DocResult(entry.doc_id, entry.source, "removed", chunks=len(entry.chunk_ids)))


def _prepare_collection(
    store: ChromaStore,
    embedder: TutorEmbeddings | None,
    settings: Settings,
    manifest: Manifest,
    report: IngestReport,
    commit: Callable[[], None],
) -> None:
    """Name (and empty) the collection of a new generation; remove chunks an interrupted ingest left."""
    if manifest.collection is None:
        dim = embedder.dimension if embedder else (manifest.dimension or 0)
        manifest.collection = collection_name(
            settings.vector_store.collection_prefix, manifest.model_id, dim, manifest.generation
        )
        manifest.dimension = dim
        store.drop(manifest.collection)  # a leftover from an interrupted rebuild
        commit()

    orphans = store.ids_not_in(manifest.collection, manifest.live_revs)
    if orphans:
        log.info("Removing %d chunks left by an interrupted ingest", len(orphans))
        store.delete(manifest.collection, orphans)
        report.cleaned_orphans = len(orphans)
