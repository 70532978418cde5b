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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tutor.errors import InputError
from tutor.index.manifest import DocEntry, Manifest
from tutor.index.store import collection_name
from tutor.ingest.chunking import Chunk, chunk_document
from tutor.ingest.loaders import discover, load_document

if TYPE_CHECKING:
    from tutor.config import Settings
    from tutor.services import Services

__all__ = ["DocResult", "IngestReport", "run_ingest", "text_variant"]

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


def text_variant(settings: Settings) -> str:
    """Names what is embedded besides title + headings; the manifest records it to detect a change."""
    return "summary-v1" if settings.chunking.contextual_summary else ""


def run_ingest(
    services: Services,
    paths: Sequence[Path] | None = None,
    rebuild: bool = False,
    show_progress: bool = False,
) -> IngestReport:
    """Bring the index in line with `paths` (default: the configured corpus)."""
    started = time.perf_counter()
    settings = services.settings
    roots = [Path(p) for p in (paths or settings.corpus.paths)]
    report = IngestReport()
    manifest = services.manifest()
    old_manifest = manifest
    variant = text_variant(settings)
    if manifest.docs and manifest.text_variant != variant and not rebuild:
        log.warning("Indexed text changed (%r -> %r, chunking.contextual_summary); re-indexing everything",
                    manifest.text_variant, variant)
        rebuild = True
    if rebuild:
        manifest = Manifest(
            path=manifest.path, model_id=manifest.model_id, generation=manifest.generation + 1
        )
    manifest.text_variant = variant

    files: list[Path] = []
    for root in roots:
        try:
            files.extend(discover(root, settings.corpus.include, settings.corpus.exclude))
        except InputError as exc:
            report.results.append(DocResult(root.name, str(root), "failed", reason=exc.reason))

    from tutor.resources.cards import generated_dir
    from tutor.resources.sync import refresh_catalog

    refresh_catalog(services, files)  # links -> catalog -> resource cards (a generated document)
    generated = generated_dir(settings.data_dir)
    if generated.is_dir() and not any(_is_under(str(generated), [r.resolve()]) for r in roots):
        roots.append(generated)
        files.extend(discover(generated, settings.corpus.include, settings.corpus.exclude))

    max_bytes = int(settings.corpus.max_file_mb * 1_000_000)
    pending: dict[str, _Pending] = {}
    seen_sources: set[str] = set()
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
            chunks = chunk_document(doc, settings.chunking.chunk_size, settings.chunking.chunk_overlap,
                                    contextual_summary=settings.chunking.contextual_summary)
            if not chunks:
                raise InputError(path, "no indexable text after chunking")
        except InputError as exc:
            report.results.append(DocResult(doc_id, str(path), "failed", reason=exc.reason))
            log.info("failed: %s", exc)
            continue
        status: Status = "updated" if entry else "added"
        pending[doc_id] = _Pending(path, status, chunks, time.perf_counter() - t0)

    resolved_roots = [r.resolve() for r in roots]
    removed = [
        d for d in manifest.docs.values()
        if d.source not in seen_sources and _is_under(d.source, resolved_roots) and not Path(d.source).exists()
    ]

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
            return run_ingest(services, paths, rebuild=True, show_progress=show_progress)

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


def _write(
    services: Services,
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
                DocResult(doc_id, str(item.path), item.status, chunks=len(item.chunks),
                          seconds=item.seconds + time.perf_counter() - t0)
            )
