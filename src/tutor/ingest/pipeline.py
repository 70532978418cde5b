"""Incremental, crash-safe ingest: files -> chunks -> embeddings -> Chroma (+ manifest).

Unchanged files are recognised by their content hash before any model loads,
so a no-op re-ingest is cheap.  Each changed document is committed on its own
(store write, then manifest swap, then cleanup) -- small documents in batches of up to
COMMIT_CHUNKS chunks, embedded in bigger groups one group ahead (tutor.ingest.batching) -- so an
interruption loses at most what was not yet committed and the next run finishes the job.

What an ingest may touch (tutor.ingest.sources): the paths it was given, or every registered
source; never the documents of another source.  Removal is explicit (`remove`, `prune`).  One
writer at a time holds the data directory's lock (tutor.ingest.lock).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from tutor.config import Settings
from tutor.errors import InputError
from tutor.index.embeddings import TutorEmbeddings
from tutor.index.live import LiveIndex
from tutor.index.manifest import DocEntry, Manifest
from tutor.index.store import ChromaStore, collection_name
from tutor.ingest.batching import COMMIT_CHUNKS, EMBED_CHUNKS, batches, embed_ahead
from tutor.ingest.chunking import Chunk, chunk_document
from tutor.ingest.loaders import discover, load_document
from tutor.ingest.lock import WriterLock
from tutor.ingest.scope import (
    UNCLAIMED,
    IngestRequest,
    gone_docs,
    is_under,
    removed_docs,
    roots_for,
    split_resolvable,
    unclaimed,
)
from tutor.ingest.sources import SourceRegistry
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


# the catalog refresh: sees the files of this run and the ids of the documents it removes
OnFiles = Callable[[Sequence[Path], Sequence[str]], object]


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _resolvable(files: Sequence[Path], report: IngestReport) -> list[Path]:
    """Files whose path can be resolved; a symlink loop (or another path error) is one failed line."""
    good, bad = split_resolvable(files)
    report.results.extend(DocResult(path.stem, str(path), "failed", reason=why) for path, why in bad)
    return good


def run_ingest(
    index: LiveIndex,
    embedder: Callable[[], TutorEmbeddings],
    settings: Settings,
    paths: Sequence[Path] | None = None,
    rebuild: bool = False,
    show_progress: bool = False,
    on_files: OnFiles | None = None,
    prune: bool = False,
    remove: Sequence[Path] = (),
    wait: bool = True,
) -> IngestReport:
    """Bring the index in line with `paths` (default: every registered source), under the writer lock.

    `paths` are registered as sources and added or updated; other sources are left as they are.
    `rebuild` re-indexes every source into a fresh collection.  `remove` unregisters sources and
    drops their documents; `prune` drops documents whose file or source is gone.
    `embedder` is called only when something must be embedded, so a no-op ingest loads no model;
    `on_files` sees the discovered files and the removed documents first (the catalog refresh
    that writes the resource cards).
    """
    request = IngestRequest(paths, rebuild, show_progress, prune, remove)
    with WriterLock(settings.data_dir).hold(wait=wait):
        return _run_ingest(index, embedder, settings, request, on_files)


def _run_ingest(
    index: LiveIndex,
    embedder: Callable[[], TutorEmbeddings],
    settings: Settings,
    request: IngestRequest,
    on_files: OnFiles | None,
) -> IngestReport:
    started = time.perf_counter()
    registry = SourceRegistry(settings.data_dir, settings.corpus.paths)
    roots, unregistered = roots_for(registry, request)
    report = IngestReport()
    manifest = old_manifest = index.manifest()
    if request.rebuild:
        manifest = Manifest(
            path=manifest.path,
            model_id=manifest.model_id,
            generation=manifest.generation + 1,
            publish=manifest.publish,
        )

    files = _resolvable(_discover(roots, settings, report), report)
    generated = generated_dir(settings.data_dir)
    gone = gone_docs(old_manifest, roots, files, registry, request, generated.resolve())
    for path in unclaimed(unregistered, gone):  # `remove` of a path neither registered nor indexed
        report.results.append(DocResult(path.name, str(path), "failed", reason=UNCLAIMED))
    if on_files is not None:  # links -> catalog -> resource cards; the catalog follows the same rule
        on_files(files, [d.doc_id for d in gone])
    if generated.is_dir() and not any(is_under(str(generated), [r.resolve()]) for r in roots):
        roots.append(generated)
        files.extend(discover(generated, settings.corpus.include, settings.corpus.exclude))
    pending = _changed(files, manifest, settings, report)
    removed = removed_docs(manifest, gone, {str(path.resolve()) for path in files}, generated.resolve())

    store_needed = bool(pending or removed or request.rebuild)
    if not store_needed and manifest.collection and not _store_matches(index, manifest):
        return _run_ingest(index, embedder, settings, replace(request, rebuild=True), on_files)

    if store_needed:
        commit_each = not request.rebuild
        _write(
            index, embedder, settings, manifest, pending, removed, report, request.show_progress, commit_each
        )
        if request.rebuild:
            manifest.save()  # the swap: readers move to the new collection in one step
            if old_manifest.collection and old_manifest.collection != manifest.collection:
                index.store.drop(old_manifest.collection)

    _sync_bm25(index, manifest, store_needed)
    report.collection = manifest.collection
    report.total_chunks = manifest.chunk_count
    report.seconds = time.perf_counter() - started
    return report


def _sync_bm25(index: LiveIndex, manifest: Manifest, store_changed: bool) -> None:
    """The keyword index follows the committed chunks (rebuilt after a write, or when found stale)."""
    index.invalidate()
    if store_changed:
        index.rebuild_bm25()
    elif manifest.docs and not index.bm25_is_current():
        log.warning("BM25 index does not match the live chunks; rebuilding it")
        index.rebuild_bm25()
    elif manifest.docs and (missing := index.levers_missing()):
        log.info("Storing the retrieval levers' data with the index (%s)", ", ".join(missing))
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
    """Write changes; with `commit_each`, the manifest is saved after every batch of documents.

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
    commits = list(batches(list(pending.items()), lambda item: len(item[1].chunks), COMMIT_CHUNKS))
    groups = list(batches(commits, lambda b: sum(len(item.chunks) for _, item in b), EMBED_CHUNKS))
    texts = [[c.context_text() for batch in g for _, item in batch for c in item.chunks] for g in groups]
    with tqdm(total=total, desc="Embedding", unit="chunk", disable=not show_progress or total == 0) as bar:
        ahead = embed_ahead(texts, embedder.embed_documents) if embedder is not None else iter(())
        for group, vectors in zip(groups, ahead, strict=True):
            for batch in group:
                size = sum(len(item.chunks) for _, item in batch)
                _write_batch(store, vectors[:size], manifest, batch, report, commit)
                vectors = vectors[size:]
                bar.update(size)


def _write_batch(
    store: ChromaStore,
    vectors: list[list[float]],
    manifest: Manifest,
    batch: list[tuple[str, _Pending]],
    report: IngestReport,
    commit: Callable[[], None],
) -> None:
    """Many small documents share one store write and one commit (and an embedding call, made
    ahead by `embed_ahead`): the per-call overhead, not the text, is what made tiny files slow."""
    assert manifest.collection is not None
    t0 = time.perf_counter()
    chunks = [c for _, item in batch for c in item.chunks]
    store.upsert(manifest.collection, chunks, vectors)
    olds = {doc_id: manifest.docs.get(doc_id) for doc_id, _ in batch}
    for doc_id, item in batch:
        manifest.docs[doc_id] = DocEntry(
            doc_id=doc_id,
            rev=item.chunks[0].rev,
            source=str(item.path.resolve()),
            title=item.chunks[0].title,
            chunk_ids=[c.id for c in item.chunks],
        )
    commit()  # commit point for this batch of documents
    stale = sorted(
        {
            cid
            for doc_id, old in olds.items()
            if old
            for cid in set(old.chunk_ids) - set(manifest.docs[doc_id].chunk_ids)
        }
    )
    if stale:
        store.delete(manifest.collection, stale)
    share = (time.perf_counter() - t0) / max(1, len(chunks))
    for doc_id, item in batch:
        report.results.append(
            DocResult(
                doc_id,
                str(item.path),
                item.status,
                chunks=len(item.chunks),
                seconds=item.seconds + share * len(item.chunks),
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
