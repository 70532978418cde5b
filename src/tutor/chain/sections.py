"""More of the best document for block composition, and whether the material names the question's term.

The extractive answer is chosen among blocks, so the document that answers the question should offer
all its relevant sections: a FAQ entry that matches the question, the steps an essay gives (often ranked
below the summary that merely names them).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from tutor.chain.answer import Source
from tutor.chain.compose import STEPS_HEADING, asks_how
from tutor.index.store import StoredChunk
from tutor.resources.cards import CARDS_DOC
from tutor.security.injection import REDACTED, is_flagged, redact_lines, strip_links

__all__ = ["SearchDoc", "names_a_term_of", "numbered_sources", "section_candidates", "source_of"]

log = logging.getLogger(__name__)

#: search one document: (query, doc id) -> its passages, best first
SearchDoc = Callable[[str, str], list[StoredChunk]]

_FAQ_HEADING = re.compile(r"常见问题|问题与解答|FAQ|Q&A|问答", re.IGNORECASE)
_CJK_ONLY = re.compile(r"[\u3400-\u9fff]+")


def names_a_term_of(question: str, sources: Sequence[Source]) -> bool:
    """A specific Chinese term of the question (a word of 3+ characters, "领导力") stands in a top passage's
    heading path or text: the material does talk about it, however weak the embedding similarity."""
    import jieba

    words = {w for w in jieba.lcut(question) if len(w) >= 3 and _CJK_ONLY.fullmatch(w)}
    return any(w in s.text or any(w in h for h in s.headings) for w in words for s in sources)


def add_source(passage: Source, sources: list[Source]) -> Source:
    """The passage as the answer's next source (or the one already there with the same lines)."""
    for s in sources:
        if s.doc == passage.doc and s.lines == passage.lines:
            return s
    numbered = passage.model_copy(update={"n": len(sources) + 1})
    sources.append(numbered)
    return numbered


def source_of(n: int, chunk: StoredChunk, link: str | None = None) -> Source:
    """The numbered Source of a retrieved chunk (flagged when ingest found instruction-like text in it)."""
    dense = chunk.metadata.get("dense_score")
    flagged = is_flagged(chunk.metadata, chunk.text)
    text = chunk.text
    if flagged:  # quoted as data only: planted lines and every link removed, no source link
        text = strip_links(redact_lines(text)[0])
        link = None
    return Source(
        n=n,
        id=chunk.id,
        doc=chunk.doc,
        title=chunk.title,
        headings=chunk.headings,
        lines=chunk.lines,
        link=link,
        injection_flag=flagged,
        score=None if dense is None else round(float(dense), 4),
        text=text,
    )


def section_candidates(question: str, sources: list[Source], search_doc: SearchDoc | None) -> list[Source]:
    """The FAQ, the steps (for a how-to question) and the best sections of the top two documents.

    Added passages get the next numbers and are appended to `sources`; a failed lookup only logs.
    """
    if not sources or search_doc is None:
        return []
    docs = list(dict.fromkeys(s.doc for s in sources[:2] if s.doc != CARDS_DOC))[:2]
    known = {s.id for s in sources}
    how_to = asks_how(question)
    extra: list[Source] = []
    for doc_id in docs:
        try:
            hits = search_doc(f"{question} 具体步骤 方法" if how_to else question, doc_id)
        except Exception as exc:  # noqa: BLE001 - an optional refinement; the answer stands without it
            log.info("Section lookup in %s failed: %s", doc_id, exc)
            continue
        taken = 0
        for rank, chunk in enumerate(hits):
            if chunk.id in known:
                continue
            faq = any(_FAQ_HEADING.search(h) for h in chunk.headings)
            steps = how_to and any(STEPS_HEADING.search(h) for h in chunk.headings)
            if not (faq or steps or rank < 3) or taken >= 3:
                continue
            source = source_of(len(sources) + 1, chunk)
            sources.append(source)
            extra.append(source)
            known.add(chunk.id)
            taken += 1
    return extra


def numbered_sources(chunks: Sequence[StoredChunk]) -> list[Source]:
    """The retrieved passages as the answer's sources [1]…[n], best first (moved from the chain).

    A fetched page cites its URL and a resource card links to its resource; passages flagged at ingest
    are quoted as data only (their planted lines and links were removed by `source_of`)."""
    sources = []
    redacted_total = 0
    for n, chunk in enumerate(chunks, 1):
        links = chunk.links
        link = (chunk.metadata.get("source_url") or None) if chunk.doc.startswith("web-") else None
        if link is None and chunk.doc == CARDS_DOC and links:
            link = links[0].get("url")
        source = source_of(n, chunk, link)
        if source.injection_flag:
            redacted_total += source.text.count(REDACTED)
        sources.append(source)
    if redacted_total:
        log.warning("Redacted %d instruction-like line(s) from retrieved passages", redacted_total)
    return sources
