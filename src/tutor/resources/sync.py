"""Keep the catalog (and the resource cards) in step with the documents, during `tutor ingest`."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from tutor.config import Settings
from tutor.curriculum.learners import Roadmap
from tutor.errors import TutorError
from tutor.index.store import StoredChunk
from tutor.ingest.chunking import chunk_document
from tutor.ingest.loaders import Document, load_document
from tutor.resources.cards import CARDS_DOC, generated_dir, render_cards, write_cards
from tutor.resources.catalog import extract_catalog, merge_entries, normalize_url
from tutor.resources.store import CatalogStore
from tutor.security.injection import detect, is_flagged

__all__ = ["allowed_links", "material_links", "refresh_catalog"]

log = logging.getLogger(__name__)

EXTRACTOR_VERSION = (
    3  # bump when extract_catalog finds links differently (3: flagged passages' links left out)
)


def refresh_catalog(
    store: CatalogStore,
    roadmap: Roadmap,
    settings: Settings,
    files: Sequence[Path],
    removed: Iterable[str] = (),
    prune_unseen: bool = False,
) -> int:
    """Re-read the links of changed documents; drop the documents the ingest removes; write the cards file.

    Documents of other sources are kept (an ingest of one path never empties the catalog);
    `prune_unseen` (a rebuild of every source) drops every document not among `files`.
    Returns the resource count.
    """
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
        entries = merge_entries(extract_catalog(doc.doc_id, doc.text, doc.line_offset))
        tainted = _flagged_urls(doc, settings.chunking.chunk_size, settings.chunking.chunk_overlap)
        if tainted & set(entries):
            log.warning(
                "%s: %d link(s) left out of the catalog: they appear in text flagged as instructions to "
                "the model",
                path,
                len(tainted & set(entries)),
            )
        store.replace_doc(
            doc.doc_id, _rev(doc.content_hash), {url: e for url, e in entries.items() if url not in tainted}
        )
    drop = set(removed) & set(revs)
    if prune_unseen:
        drop |= {d for d in set(revs) - seen if not any(p.stem == d for p in files)}
    for doc_id in drop:
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


def _flagged_urls(doc: Document, chunk_size: int, chunk_overlap: int) -> set[str]:
    """Every URL in a passage the injection rules flag (the same passages the index flags), so a planted
    link is never a resource, a card, a recommendation or an allowed link in an answer."""
    urls: set[str] = set()
    for chunk in chunk_document(doc, chunk_size, chunk_overlap):
        if detect(chunk.context_text()):
            urls |= {normalize_url(link.url) for link in chunk.links}
            urls |= {normalize_url(u) for u in re.findall(r"https?://[^\s)|>\]\"'，。]+", chunk.text)}
    return urls


def allowed_links(store: CatalogStore, roadmap: Roadmap) -> set[str]:
    """URLs an answer may show: the operator's catalog (flagged passages' links are not in it) and
    the roadmap's own resources (before the first ingest has built the catalog)."""
    urls = {r["url"] for r in store.resources()}
    try:
        skills = roadmap.curriculum.skills
    except TutorError:  # no roadmap: the catalog alone
        skills = []
    for skill in skills:
        urls |= {
            normalize_url(r.link)
            for r in skill.resources
            if r.link and not detect(" ".join([r.name, *r.extra.values()]))
        }
    return urls


def material_links(chunks: Iterable[StoredChunk]) -> set[str]:
    """URLs standing in the operator's own documents, which an answer quoting them may show.

    The catalog holds resources (table rows, cards), not every link of the material ("LeetCode：
    https://leetcode.cn/" in a list, a paper's link), so without these the output guard removed the
    material's own links from extractive answers.  A document with any flagged passage contributes
    none, and neither do fetched pages (`web-*`) or the generated cards."""
    chunks = list(chunks)
    tainted = {c.doc for c in chunks if is_flagged(c.metadata, c.text)}
    urls: set[str] = set()
    for chunk in chunks:
        if chunk.doc in tainted or chunk.doc.startswith("web-") or chunk.doc == CARDS_DOC:
            continue
        for link in chunk.links:
            try:
                urls.add(normalize_url(link.get("url", "")))
            except ValueError:
                continue
    urls.discard("")
    return urls


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
