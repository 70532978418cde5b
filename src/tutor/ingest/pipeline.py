"""Incremental, crash-safe ingest: files -> chunks -> embeddings -> Chroma (+ manifest).

Unchanged files are recognised by their content hash before any model loads,
so a no-op re-ingest is cheap.  Each changed document is committed on its own
(store write, then manifest swap, then cleanup) -- small documents in batches of up to
BATCH_CHUNKS chunks -- so an interruption loses at most the batch in flight and the next run
finishes the job.

What an ingest may touch (tutor.ingest.sources): the paths it was given, or every registered
source; never the documents of another source.  Removal is explicit (`remove`, `prune`).  One
writer at a time holds the data directory's lock (tutor.ingest.lock).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tutor.errors import InputError
from tutor.index.manifest import DocEntry, Manifest
from tutor.index.store import collection_name
from tutor.ingest.chunking import Chunk, chunk_document
from tutor.ingest.loaders import discover, load_document
from tutor.ingest.lock import WriterLock
from tutor.ingest.sources import SourceRegistry

if TYPE_CHECKING:
    from tutor.services import Services

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


def _resolvable(files: Sequence[Path], report: IngestReport) -> list[Path]:
    """Files whose path can be resolved; a symlink loop (or another path error) is one failed line."""
    out = []
    for path in files:
        try:
            path.resolve()
        except (OSError, RuntimeError) as exc:
            reason = "symlink loop; remove or fix the link" if "loop" in str(exc).lower() else f"path error ({exc})"
            report.results.append(DocResult(path.stem, str(path), "failed", reason=reason))
            continue
        out.append(path)
    return out


def _is_under(path: str, roots: Sequence[Path]) -> bool:
    p = Path(path).resolve()
    return any(p == r or r in p.parents for r in roots)


def run_ingest(
    services: Services,
    paths: Sequence[Path] | None = None,
    rebuild: bool = False,
    show_progress: bool = False,
    prune: bool = False,
    remove: Sequence[Path] = (),
    wait: bool = True,
) -> IngestReport:
    """Bring the index in line with `paths` (default: every registered source), under the writer lock.

    `paths` are registered as sources and added or updated; other sources are left as they are.
    `rebuild` re-indexes every source into a fresh collection.  `remove` unregisters sources and
    drops their documents; `prune` drops documents whose file or source is gone.
    """
    with WriterLock(services.settings.data_dir).hold(wait=wait):
        return _run_ingest(services, paths, rebuild, show_progress, prune, remove)


def _run_ingest(
    services: Services,
    paths: Sequence[Path] | None,
    rebuild: bool,
    show_progress: bool,
    prune: bool,
    remove: Sequence[Path],
) -> IngestReport:
    started = time.perf_counter()
    settings = services.settings
    registry = SourceRegistry(settings.data_dir, settings.corpus.paths)
    for path in remove:
        if path.resolve() in registry.configured:
            raise InputError(path, "is configured in corpus.paths; take it out of the profile to remove it")
    given = [Path(p) for p in paths or []]
    registry.add(p for p in given if p.exists())
    unregistered = [path for path in remove if not registry.remove(path)]
    if rebuild:
        roots = list(dict.fromkeys([*registry.all(), *(p.resolve() for p in given)]))
    elif given:
        roots = given
    else:
        roots = [] if remove else registry.all()
    report = IngestReport()
    manifest = services.manifest()
    old_manifest = manifest
    if rebuild:
        manifest = Manifest(
            path=manifest.path, model_id=manifest.model_id, generation=manifest.generation + 1
        )

    files: list[Path] = []
    for root in roots:
        try:
            files.extend(discover(root, settings.corpus.include, settings.corpus.exclude))
        except InputError as exc:
            report.results.append(DocResult(root.name, str(root), "failed", reason=exc.reason))

    files = _resolvable(files, report)
    from tutor.resources.cards import generated_dir
    from tutor.resources.sync import refresh_catalog

    generated = generated_dir(settings.data_dir)
    seen_sources = {str(p.resolve()) for p in files}
    resolved_roots = [r.resolve() for r in roots]
    removed_roots = [Path(p).resolve() for p in remove]
    gone = [d for d in old_manifest.docs.values() if d.source not in seen_sources and not _is_under(d.source, [generated.resolve()])
            and ((_is_under(d.source, resolved_roots) and not Path(d.source).exists())
                 or _is_under(d.source, removed_roots)
                 or (prune and (not Path(d.source).exists() or not registry.covers(d.source))))]
    for path in unregistered:
        if not any(_is_under(d.source, [path.resolve()]) for d in gone):
            report.results.append(DocResult(path.name, str(path), "failed",
                                            reason="not a registered source and nothing indexed under it"))
    # links -> catalog -> resource cards (a generated document); the catalog follows the same rule
    refresh_catalog(services, files, removed=[d.doc_id for d in gone], prune_unseen=rebuild)
    if generated.is_dir() and not any(_is_under(str(generated), [r.resolve()]) for r in roots):
        roots.append(generated)
        files.extend(discover(generated, settings.corpus.include, settings.corpus.exclude))

    max_bytes = int(settings.corpus.max_file_mb * 1_000_000)
    pending: dict[str, _Pending] = {}
    for path in files:
        t0 = time.perf_counter()
        doc_id, source = path.stem, str(path.resolve())
        seen_sources.add(source)
        owner = manifest.docs.get(doc_id)
        if (owner and owner.source != source and Path(owner.source).exists()) or doc_id in pending:
            other = owner.source if owner and owner.source != source else str(pending[doc_id].path)
            report.results.append(DocResult(doc_id, str(path), "failed",
                                            reason=f"document id '{doc_id}' is already used by {other}; rename one file"))
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

    gone_ids = {d.doc_id for d in gone}
    removed = [d for d in manifest.docs.values() if d.doc_id in gone_ids or (
        d.source not in seen_sources and _is_under(d.source, [generated.resolve()]) and not Path(d.source).exists())]

    store_needed = bool(pending or removed or rebuild)
    if not store_needed and manifest.collection:
        # Cheap consistency check: the store must hold what the manifest says is live.
        store = services.store
        expected = {cid for d in manifest.docs.values() for cid in d.chunk_ids}
        live = set(store.live_ids(manifest.collection, manifest.live_revs))
        if live != expected:
            log.warning(
                "Index at %s holds %d live chunks but the manifest lists %d; re-indexing everything",
                store.where, len(live), len(expected),
            )
            return _run_ingest(services, paths, True, show_progress, prune, remove)

    if store_needed:
        _write(services, manifest, pending, removed, report, show_progress, commit_each=not rebuild)
        if rebuild:
            manifest.save()  # the swap: readers move to the new collection in one step
            if old_manifest.collection and old_manifest.collection != manifest.collection:
                services.store.drop(old_manifest.collection)

    services.invalidate_index()
    if store_needed:
        services.rebuild_bm25()  # keyword index follows the committed chunks
    elif manifest.docs and not services.bm25_is_current():
        log.warning("BM25 index does not match the live chunks; rebuilding it")
        services.rebuild_bm25()
    report.collection = manifest.collection
    report.total_chunks = manifest.chunk_count
    report.seconds = time.perf_counter() - started
    return report


BATCH_CHUNKS = 64  # chunks embedded and committed together; a big document is a batch of its own


def _batches(items: list[tuple[str, _Pending]], size: int) -> Iterator[list[tuple[str, _Pending]]]:
    batch: list[tuple[str, _Pending]] = []
    count = 0
    for item in items:
        if batch and count + len(item[1].chunks) > size:
            yield batch
            batch, count = [], 0
        batch.append(item)
        count += len(item[1].chunks)
    if batch:
        yield batch


def _write(
    services: Services,
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

    store = services.store
    embedder = services.embedder if pending else None
    if manifest.collection is None:
        dim = embedder.dimension if embedder else (manifest.dimension or 0)
        manifest.collection = collection_name(
            services.settings.vector_store.collection_prefix, manifest.model_id, dim, manifest.generation
        )
        manifest.dimension = dim
        store.drop(manifest.collection)  # a leftover from an interrupted rebuild
        commit()

    orphans = store.ids_not_in(manifest.collection, manifest.live_revs)
    if orphans:
        log.info("Removing %d chunks left by an interrupted ingest", len(orphans))
        store.delete(manifest.collection, orphans)
        report.cleaned_orphans = len(orphans)

    for entry in removed:
        del manifest.docs[entry.doc_id]
        commit()
        store.delete(manifest.collection, entry.chunk_ids)
        report.results.append(DocResult(entry.doc_id, entry.source, "removed", chunks=len(entry.chunk_ids)))

    total = sum(len(p.chunks) for p in pending.values())
    with tqdm(total=total, desc="Embedding", unit="chunk", disable=not show_progress or total == 0) as bar:
        for batch in _batches(list(pending.items()), BATCH_CHUNKS):
            # many small documents share one embedding call, one store write and one commit:
            # the per-call overhead, not the text, is what made tiny files slow
            t0 = time.perf_counter()
            chunks = [c for _, item in batch for c in item.chunks]
            assert embedder is not None
            vectors = embedder.embed_documents([c.context_text() for c in chunks])
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
            stale = sorted({cid for doc_id, old in olds.items() if old
                            for cid in set(old.chunk_ids) - set(manifest.docs[doc_id].chunk_ids)})
            if stale:
                store.delete(manifest.collection, stale)
            bar.update(len(chunks))
            share = (time.perf_counter() - t0) / max(1, len(chunks))
            for doc_id, item in batch:
                report.results.append(
                    DocResult(doc_id, str(item.path), item.status, chunks=len(item.chunks),
                              seconds=item.seconds + share * len(item.chunks))
                )
