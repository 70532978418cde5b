"""A finer dense view of the material: one vector per block of a passage, ranked back to passages.

A 600-character passage of the roadmap lists a dozen concepts ("监督学习 … 无监督学习 - K-means 聚类 -
PCA 降维 … 核心概念 - 过拟合和欠拟合"); its one vector is the average of all of them, so a question
that describes one concept in other words ("splitting unlabelled points into groups") is close to
none.  Here every block of a passage (a bold label with its list items, a paragraph, a heading's
first lines) gets its own vector, prefixed with the passage's heading path; a question ranks the
passages by their best block.  The blocks are never cited: the ranking is one more RRF list over
the passages themselves (`retrieval.section_view_weight`).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from typing import Any

from tutor.index.bm25 import BM25Index
from tutor.index.lexicon import LexiconHit, LexiconMatcher
from tutor.index.lexicon_gate import ASKS_WHERE
from tutor.index.routing import about_a_document, refers_to_document
from tutor.index.store import StoredChunk
from tutor.patterns import CJK
from tutor.resources.intent import asks_for_resources
from tutor.whats_next import asks_next_step

__all__ = [
    "ConceptGlossary",
    "SectionView",
    "SequencePassages",
    "asks_next_step",
    "blocks",
    "concept_entries",
    "heading_path",
]

log = logging.getLogger(__name__)

_BOLD_LABEL = re.compile(r"^\*\*[^*]{1,40}\*\*[：:]?\s*$")
_HEADING = re.compile(r"^#{1,6}\s")
_STARS = re.compile(r"[⭐★☆]+")


def blocks(text: str, max_chars: int = 240) -> list[str]:
    """A passage cut at blank lines and at bold labels ("**无监督学习**"); tables and code are left out."""
    out: list[list[str]] = [[]]
    in_code = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code or line.startswith("|"):
            continue
        if not line or _BOLD_LABEL.match(line) or _HEADING.match(line):
            if out[-1]:
                out.append([])
            if not line:
                continue
        out[-1].append(
            line.lstrip("#-*0123456789. ").strip() if _HEADING.match(line) else line.replace("**", "")
        )
    joined = [" ".join(b) for b in out if b]
    return [b[:max_chars] for b in joined if len(b) >= 4]


def _path(meta: dict[str, Any]) -> str:
    headings = json.loads(meta.get("headings", "[]") or "[]")
    return " › ".join(_STARS.sub("", h).strip() for h in headings[-2:])


heading_path = _path  # a passage's last two headings, as its blocks and items are prefixed


class SectionView:
    """Block vectors of every passage in the BM25 index, and a passage ranking by the best block."""

    def __init__(self, bm25: BM25Index, embed_documents: Callable[[list[str]], list[list[float]]]) -> None:
        import numpy as np

        self.bm25 = bm25
        texts, metadata = bm25.texts, bm25.metadata
        facets: list[str] = []
        owner: list[int] = []
        for row, (text, meta) in enumerate(zip(texts, metadata, strict=True)):
            path = _path(meta)
            for block in blocks(text):
                facets.append(f"{path}：{block}" if path else block)
                owner.append(row)
        self.docs = [str(m.get("doc", "")) for m in metadata]
        self._row_of = {cid: i for i, cid in enumerate(bm25.ids)}
        self.owner = np.asarray(owner, dtype=np.int64)
        vectors = np.asarray(embed_documents(facets), dtype=np.float32) if facets else np.zeros((0, 1))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else 1.0
        self.vectors = vectors / np.maximum(norms, 1e-9)
        log.info("section view: %d blocks over %d passages", len(facets), len(texts))

    def __len__(self) -> int:
        return len(self.owner)

    def best_blocks(self, query_vector: Sequence[float]) -> Any:
        """Per passage (BM25 row), the cosine of its best block to the question; -2 for none."""
        import numpy as np

        q = np.asarray(query_vector, dtype=np.float32)
        q = q / max(float(np.linalg.norm(q)), 1e-9)
        best = np.full(len(self.docs), -2.0, dtype=np.float32)
        if len(self.owner):
            np.maximum.at(best, self.owner, self.vectors @ q)
        return best

    def block_similarity(self, ids: Sequence[str], query_vector: Sequence[float]) -> dict[str, float]:
        """The best-block cosine of the passages `ids` (those without blocks are left out)."""
        best = self.best_blocks(query_vector)
        rows = {cid: self._row_of[cid] for cid in ids if cid in self._row_of}
        return {cid: float(best[r]) for cid, r in rows.items() if best[r] > -2.0}

    def rank(
        self, query_vector: Sequence[float], k: int, allowed: Callable[[str], bool] = lambda d: True
    ) -> list[StoredChunk]:
        """The k passages whose best block is closest to the question (score: that cosine)."""
        import numpy as np

        if not len(self.owner):
            return []
        best = self.best_blocks(query_vector)
        rows = [int(i) for i in np.argsort(-best) if best[i] > -2.0 and allowed(self.docs[int(i)])][:k]
        records = self.bm25.records.fetch(rows)
        return [
            StoredChunk(id=self.bm25.ids[i], text=text, metadata=meta, score=float(best[i]))
            for i, (text, meta) in zip(rows, records, strict=True)
        ]


_ARROWS = re.compile(r"[→↓⇒➜⟶]")


class SequencePassages:
    """The passages that lay the material out as an order ("数学基础 → 机器学习 → …", a "↓" chart).

    A question about what comes next after X is answered by where the material writes its order
    down; those passages are few and rarely share the question's words, so they are ranked by
    their own dense similarity as one more RRF list (`retrieval.next_step_weight`).
    """

    def __init__(
        self, bm25: BM25Index, embed_documents: Callable[[list[str]], list[list[float]]], min_arrows: int = 3
    ) -> None:
        import numpy as np

        self.bm25 = bm25
        self.rows = [i for i, t in enumerate(bm25.texts) if len(_ARROWS.findall(t)) >= min_arrows]
        # their records only: `bm25.texts` / `.metadata` per row read every record each time (issue 17)
        texts = [f"{_path(meta)}：{text}" for text, meta in bm25.records.fetch(self.rows)]
        vectors = np.asarray(embed_documents(texts), dtype=np.float32) if texts else np.zeros((0, 1))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else 1.0
        self.vectors = vectors / np.maximum(norms, 1e-9)
        log.info("sequence passages: %d", len(self.rows))

    def rank(
        self, query_vector: Sequence[float], allowed: Callable[[str], bool] = lambda d: True
    ) -> list[StoredChunk]:
        """The sequence passages by cosine to the question, best first."""
        import numpy as np

        if not self.rows:
            return []
        q = np.asarray(query_vector, dtype=np.float32)
        sims = self.vectors @ (q / max(float(np.linalg.norm(q)), 1e-9))
        order = [self.rows[int(i)] for i in np.argsort(-sims, kind="stable")]
        docs = self.bm25.docs()  # the filter column: the records are not read per row
        rows = [r for r in order if allowed(docs[r])]
        records = self.bm25.records.fetch(rows)
        score = dict(zip(self.rows, sims.tolist(), strict=True))
        return [
            StoredChunk(id=self.bm25.ids[r], text=text, metadata=meta, score=score[r])
            for r, (text, meta) in zip(rows, records, strict=True)
        ]


_FAQ_QUESTION = re.compile(r"^\*\*(?:Q\s*\d+\s*[：:.、]?\s*)?([^*]{2,80}[？?])\*\*\s*$")


class FaqEntries:
    """Every question-and-answer entry of the material's FAQs ("**Q2：如何高效利用时间进行学习？**" + answer).

    An FAQ passage holds several entries, so its one vector is close to none of them; each entry
    (its question with the start of its answer) gets its own vector here, and a question ranks the
    FAQ passages by their best entry.  `rank` also returns that best similarity, so the caller adds
    the ranking only when an entry is at least as close as the material's best block.
    """

    def __init__(
        self, bm25: BM25Index, embed_documents: Callable[[list[str]], list[list[float]]], max_chars: int = 300
    ) -> None:
        import numpy as np

        self.bm25 = bm25
        entries: list[str] = []
        owner: list[int] = []
        for row, text in enumerate(bm25.texts):
            current: list[str] = []
            for line in [*text.splitlines(), "**END？**"]:
                q = _FAQ_QUESTION.match(line.strip())
                if q or _HEADING.match(line):
                    if current:
                        entries.append(" ".join(current)[:max_chars])
                        owner.append(row)
                    current = [q.group(1)] if q else []
                elif current and line.strip():
                    current.append(line.strip())
        self.owner = np.asarray(owner, dtype=np.int64)
        vectors = np.asarray(embed_documents(entries), dtype=np.float32) if entries else np.zeros((0, 1))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else 1.0
        self.vectors = vectors / np.maximum(norms, 1e-9)
        log.info("FAQ entries: %d in %d passages", len(entries), len(set(owner)))

    def __len__(self) -> int:
        return len(self.owner)

    def rank(
        self, query_vector: Sequence[float], allowed: Callable[[str], bool] = lambda d: True
    ) -> tuple[list[StoredChunk], float]:
        """The FAQ passages by their best entry's cosine to the question, and the best cosine (-2: none)."""
        import numpy as np

        if not len(self.owner):
            return [], -2.0
        q = np.asarray(query_vector, dtype=np.float32)
        sims = self.vectors @ (q / max(float(np.linalg.norm(q)), 1e-9))
        best: dict[int, float] = {}
        docs = self.bm25.docs()  # the filter column: the records are not read per row
        for i in np.argsort(-sims, kind="stable"):
            row = int(self.owner[int(i)])
            if row not in best and allowed(docs[row]):
                best[row] = float(sims[int(i)])
        rows = list(best)
        records = self.bm25.records.fetch(rows)
        hits = [
            StoredChunk(id=self.bm25.ids[r], text=text, metadata=meta, score=best[r])
            for r, (text, meta) in zip(rows, records, strict=True)
        ]
        return hits, (hits[0].score if hits else -2.0)


_BULLET = re.compile(r"^(?:[-*+]|\d+[.)])\s+(.{2,80})$")
_LABELLED = re.compile(r"^[-*+]?\s*\*\*([^*]{2,30})\*\*[：:]?\s*(.{0,120})$")


def concept_entries(
    texts: Sequence[str], metadata: Sequence[dict[str, Any]], skip_docs: Collection[str] = ()
) -> list[tuple[str, str]]:
    """(term, description) for every list item and bold label of the material, in its heading path.

    The roadmap names its concepts as list items under a bold label under a skill ("技能点 4：机器学习基础
    › 无监督学习 › PCA 降维"); the essays name theirs as bold labels with a sentence ("**技术咨询**：为公司…").
    The description is what a question describing the concept is compared with; the term is what
    is appended to the search when it matches (`ConceptGlossary`).
    """
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []
    for text, meta in zip(texts, metadata, strict=True):
        if meta.get("doc") in skip_docs:
            continue
        path = _path(meta)
        label = ""
        in_code = False
        for raw in text.splitlines():
            line = raw.strip()
            if line.startswith("```"):
                in_code = not in_code
            if _HEADING.match(line):
                label = ""
            if in_code or not line or line.startswith("|") or _HEADING.match(line):
                continue
            term, note = "", ""
            if m := _LABELLED.match(line):
                term, note = m.group(1).strip(), m.group(2).strip()
                if not note:
                    label = term
            elif m := _BULLET.match(line):
                term = m.group(1).replace("**", "").strip()
            term = _STARS.sub("", term).strip(" ：:✅")
            if not 2 <= len(term) <= 40 or "http" in term or "](" in term or (path, term) in seen:
                continue
            seen.add((path, term))
            where = " › ".join(x for x in (path, label if term != label else "") if x)
            out.append((term, f"{where}：{term}{'：' + note if note else ''}"))
    return out


class ConceptGlossary:
    """A query hook: the material's concept terms whose description is closest to the question.

    "把很多维的数据压到两三维" names no concept, but its vector is near the entry "技能点 4：机器学习基础 ›
    无监督学习：PCA 降维"; appending "PCA 降维" gives BM25 the word the passage has.  The entries are the
    material's own list items and bold labels (`concept_entries`), embedded once per index.
    """

    def __init__(
        self,
        entries: Sequence[tuple[str, str]],
        embed_documents: Callable[[list[str]], list[list[float]]],
        embed_query: Callable[[str], list[float]],
        top: int = 1,
        headings: Sequence[str] = (),
        margin: float = 0.0,
        cjk_only: bool = False,
    ) -> None:
        import numpy as np

        #: English questions sit lower and flatter against the Chinese entries (0.78-0.83 vs 0.89-0.91)
        self.cjk_only = cjk_only
        self.margin = margin  # the best entry must lead the best entry of another term by this much
        self.terms = [term for term, _ in entries]
        #: the terms and section names as a question would spell them ("分词（Tokenization）" -> 分词,
        #: tokenization; "技能点 18：AI 安全 ⭐⭐⭐" -> ai安全)
        self.names = {n for term in self.terms for n in _names(term)}
        self.names |= {n for h in headings for n in _names(_heading_name(h))}
        self.embed_query = embed_query
        self.lexicon: LexiconMatcher | None = None  # set by QueryLevers.concepts
        self.top = top
        vectors = np.asarray(embed_documents([d for _, d in entries]), dtype=np.float32) if entries else None
        self.vectors = (
            None
            if vectors is None
            else vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        )
        log.info("concept glossary: %d entries", len(self.terms))

    def __len__(self) -> int:
        return len(self.terms)

    def __call__(self, question: str) -> str | None:
        import numpy as np

        if (hit := self.described(question)) is not None:  # the lexicon's concept (index.lexicon)
            return " ".join(hit.entry.names)
        if refers_to_document(question) or asks_for_resources(question) or self.names_a_term(question):
            return None  # the question has its keyword, is about an essay or wants a table: nothing to add
        if self.vectors is None or self.top <= 0 or (self.cjk_only and not CJK.search(question)):
            return None
        q = np.asarray(self.embed_query(question), dtype=np.float32)
        sims = self.vectors @ (q / max(float(np.linalg.norm(q)), 1e-9))
        order = [int(i) for i in np.argsort(-sims, kind="stable")]
        if self.margin > 0:
            rival = next((i for i in order if self.terms[i] != self.terms[order[0]]), None)
            if rival is not None and sims[order[0]] - sims[rival] < self.margin:
                return None  # e5's similarities are flat: a near tie is no evidence for either term
        picked = [self.terms[i] for i in order[: self.top]]
        return " ".join(dict.fromkeys(picked)) or None

    def described_names(self, question: str) -> str | None:
        """The names of the lexicon concept the question describes (its term and aliases), or None; None for a
        question about a named essay (its own words pick the essay's section: the concept is the fallback there)."""
        if about_a_document(question):
            return None
        return " ".join(hit.entry.names) if (hit := self.described(question)) is not None else None

    def described(self, question: str, doc: str | None = None, answer: bool = False) -> LexiconHit | None:
        """The lexicon concept the question describes (of `doc`), when it leads every other by the margin; not
        for an unnamed essay, a table or what comes next (the order's passages, worded near many concepts)."""
        if self.lexicon is None or (doc is None and refers_to_document(question)) or asks_next_step(question):
            return None
        off = asks_for_resources(question) and not (answer and ASKS_WHERE.search(question))  # "…的技术在哪学"
        return None if off else self.lexicon.described(question, self.embed_query, doc, answer)

    def names_a_term(self, question: str) -> bool:
        """Does the question already use one of the material's concept terms?"""
        text = _fold(question)
        return any(n in text for n in self.names)


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())


def _heading_name(heading: str) -> str:
    """'技能点 18：AI 安全 ⭐⭐⭐' -> 'AI 安全'; '3.3 算法优缺点' -> '算法优缺点'; '阶段 0：基础准备（1-2 个月）' -> '基础准备'."""
    name = _STARS.sub("", unicodedata.normalize("NFKC", heading)).strip()
    name = re.split(r"[：:]", name, maxsplit=1)[-1]
    name = re.sub(r"\(.*?\)", "", name)
    return re.sub(r"^[\d.\s]+", "", name).strip()


def _names(term: str) -> set[str]:
    parts = [term, *re.split(r"[（）()、,，/]", term)]
    return {n for n in (_fold(p) for p in parts) if len(n) >= (2 if CJK.search(n) else 3)}
