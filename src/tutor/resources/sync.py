"""Keep the catalog (and the resource cards) in step with the documents, during `tutor ingest`."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

from tutor.config import Settings
from tutor.curriculum.learners import Roadmap
from tutor.errors import TutorError
from tutor.ingest.loaders import load_document
from tutor.resources.cards import CARDS_DOC, generated_dir, render_cards, write_cards
from tutor.resources.catalog import extract_catalog, merge_entries
from tutor.resources.store import CatalogStore

__all__ = ["refresh_catalog"]

log = logging.getLogger(__name__)

EXTRACTOR_VERSION = 2  # bump when extract_catalog finds links differently


def refresh_catalog(store: CatalogStore, roadmap: Roadmap, settings: Settings, files: Sequence[Path]) -> int:
    """Re-read the links of changed documents; write the cards file. Returns the resource count."""
    revs = store.doc_revs()
    seen: set[str] = set()
    max_bytes = settings.corpus.max_bytes
    gen = generated_dir(settings.data_dir).resolve()
    for path in files:
        if gen in path.resolve().parents:
            continue  # cards and fetched pages are not material: their links are not resources
        try:
            if revs.get(path.stem) == _rev(hashlib.sha256(path.read_bytes()).hexdigest()):
                seen.add(path.stem)
                continue  # unchanged since its links were read: not even parsed again
            doc = load_document(path, max_bytes=max_bytes)
        except (TutorError, OSError):
            continue  # the ingest reports the file; the catalog keeps what it had
        seen.add(doc.doc_id)
        store.replace_doc(
            doc.doc_id,
            _rev(doc.content_hash),
            merge_entries(extract_catalog(doc.doc_id, doc.text, doc.line_offset)),
        )
    for doc_id in set(revs) - seen:
        if not any(p.stem == doc_id for p in files):
            store.remove_doc(doc_id)
    resources = store.resources()
    cards_path = gen / f"{CARDS_DOC}.md"
    if settings.resources.cards and resources:
        skill_names, stage_names = _names(roadmap)
        if write_cards(cards_path, render_cards(resources, skill_names, stage_names)):
            log.info("Resource cards written: %d resources", len(resources))
    elif cards_path.exists():
        cards_path.unlink()
    return len(resources)


def _rev(content_hash: str) -> str:
    """The document's hash plus the extractor's version, so a better extractor re-reads every document."""
    return f"v{EXTRACTOR_VERSION}:{content_hash}"


def _names(roadmap: Roadmap) -> tuple[dict[int, str], dict[int, str]]:
    try:
        cur = roadmap.curriculum
    except TutorError:
        return {}, {}
    return (
        {s.number: f"技能点 {s.number}：{s.name}" for s in cur.skills},
        {s.number: s.heading for s in cur.stages},
    )
