"""Document-level routing: which document is a question about?

Questions often name a document by its topic ("讲新时代逆袭的那篇文章", "the piece on going
from expert to opinion leader") while the passage that answers sits under a generic heading
("1.2 问题核心关键点") shared by every article. A small index of one card per document
(title + one-line summary) ranks the documents for the question; the hybrid retriever then
either lets every chunk inherit its document's rank as one more RRF list (a boost), or, when
the question explicitly refers to a document and one clearly wins, searches only that one.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DocCard",
    "DocRouter",
    "about_a_document",
    "cards_from_chunks",
    "file_name_words",
    "lead_summary",
    "refers_to_document",
    "strip_document_reference",
    "within_document",
]

log = logging.getLogger(__name__)

_REFERS = re.compile(
    r"那篇|这篇|哪篇|篇文章|文章|一文|\b(?:article|piece|post|essay|write-?up)(?:'s)?\b", re.IGNORECASE
)


def refers_to_document(question: str) -> bool:
    """'讲…的那篇文章', 'the article on …': the learner names a document, not only a topic."""
    return bool(_REFERS.search(question))


_WITHIN: ContextVar[bool] = ContextVar("within_document", default=False)


@contextmanager
def within_document() -> Iterator[None]:
    """While searching one routed document for the question without its document clause: the rewrites
    that only suit a question about a document (`about_a_document`) still apply."""
    token = _WITHIN.set(True)
    try:
        yield
    finally:
        _WITHIN.reset(token)


def about_a_document(question: str) -> bool:
    """The question names a document, or its search was routed to one (`within_document`)."""
    return _WITHIN.get() or refers_to_document(question)


_CLAUSE = re.compile(r"(?<=[，,：:；;。？?！!])\s*")


def strip_document_reference(question: str) -> str:
    """The question without the clause that names the document ('中年危机那篇文章里，…' -> '…',
    'In the curiosity essay, which …' -> 'which …'); unchanged when nothing substantial would be left.

    Once the search is restricted to that document, the clause only pulls the ranking towards the
    passages that introduce the document's topic instead of the one that answers.
    """
    clauses = [c for c in _CLAUSE.split(question) if c.strip()]
    kept = [c for c in clauses if not _REFERS.search(c)]
    rest = "".join(kept).strip()
    return rest if len(kept) < len(clauses) and len(rest) >= 6 else question


_SKIP = re.compile(r"^\s*(#|\||```|~~~|[-*+]\s|\d+\.\s|---|!\[|<)")
_SENTENCE = re.compile(r"^(.+?[。！？!?；;]|.+?\.(?=\s|$))")


def lead_summary(text: str, max_chars: int = 120, paragraphs: int = 2) -> str:
    """A document's one-line summary without a language model: the first sentence of each of its
    first `paragraphs` paragraphs (a blockquote tagline, the opening of "背景介绍"), skipping
    headings, tables, lists, code and the table of contents."""
    sentences: list[str] = []
    in_fence = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence or not line or _SKIP.match(line):
            continue
        line = line.lstrip("> ").strip()
        if len(line) < 6:
            continue
        m = _SENTENCE.match(line)
        sentences.append((m.group(1) if m else line).strip())
        if len(sentences) >= paragraphs:
            break
    return " ".join(sentences)[:max_chars]


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


_STEM_SEP = re.compile(r"[-_.\s]+")
_NAME_STOP = {"and", "the", "of", "to", "in", "on", "for", "with", "a", "an"}


def file_name_words(doc: str) -> str:
    """The words of a document's file name ('programmer-midlife-crisis' -> 'programmer midlife crisis').

    A learner may name a document by what its file is called as well as by its title; for the
    Chinese articles the file name is the only English name they have."""
    return " ".join(w for w in _STEM_SEP.split(doc) if w)


@dataclass
class DocCard:
    doc: str
    title: str
    summary: str

    @property
    def name(self) -> str:
        """The file-name words, when they are not already the title."""
        words = file_name_words(self.doc)
        return "" if _norm(words) == _norm(self.title) else words

    @property
    def text(self) -> str:
        return "\n".join(p for p in (self.title, self.name, self.summary) if p)


def _name_words(name: str) -> list[str]:
    return [w for w in name.lower().split() if len(w) >= 3 and w not in _NAME_STOP]


def _asked_words(question: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", question.lower()))


def _name_share(name: str, question: str) -> float:
    """Share of a file name's content words the question uses ('the midlife crisis essay' -> 2/3)."""
    return _share(_name_words(name), _asked_words(question))


# "the midlife essay", "the opinion-leader piece": the word(s) right before the document noun name it
_BEFORE_NOUN = re.compile(r"\b([a-z][a-z0-9-]*)\s+(?:article|piece|post|essay|write-?up)s?\b", re.IGNORECASE)
#: what a file-name word said right before "essay" / "article" adds (a word only that document's name has)
NAMED_WORD_BONUS = 0.1


def named_before_noun(question: str) -> set[str]:
    """The words said right before a document noun ('the tech-change comeback article' -> {comeback})."""
    return {w for m in _BEFORE_NOUN.finditer(question.lower()) for w in m.group(1).split("-") if w}


def distinctive_name_words(names: Sequence[list[str]]) -> list[set[str]]:
    """Per document, the file-name words no other document's file name has ('midlife', not 'learning')."""
    counts = Counter(w for words in names for w in set(words))
    return [{w for w in words if counts[w] == 1} for words in names]


def _said(words: set[str], before: set[str]) -> bool:
    return any(w in before or f"{w}s" in before for w in words)


def _share(words: list[str], asked: set[str]) -> float:
    if not words:
        return 0.0
    return sum(1 for w in words if w in asked or f"{w}s" in asked) / len(words)


def cards_from_chunks(texts: Sequence[str], metadata: Sequence[dict]) -> list[DocCard]:
    """One card per document from its live chunks (in document order): its title and the lead
    sentences of its text."""
    by_doc: dict[str, list[tuple[int, str, dict]]] = defaultdict(list)
    for text, meta in zip(texts, metadata, strict=True):
        by_doc[str(meta.get("doc", ""))].append((int(meta.get("index", 0)), text, meta))
    cards = []
    for doc, rows in sorted(by_doc.items()):
        rows.sort(key=lambda r: r[0])
        meta = rows[0][2]
        summary = lead_summary("\n\n".join(t for _, t, _ in rows[:6]))
        cards.append(DocCard(doc=doc, title=str(meta.get("title", doc)), summary=summary))
    return cards


class DocRouter:
    """Ranks documents for a question by cosine between the question and each card (plus a title match)."""

    def __init__(
        self,
        cards: Sequence[DocCard],
        embed_documents: Callable[[list[str]], list[list[float]]],
        name_weight: float = 0.0,
    ) -> None:
        import numpy as np

        self.cards = list(cards)
        self.name_weight = name_weight
        self._embed = embed_documents
        self._heading_vectors: dict[str, Any] = {}
        vectors = (
            np.asarray(embed_documents([c.text for c in self.cards]), dtype=np.float32)
            if self.cards
            else np.zeros((0, 1), dtype=np.float32)
        )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if len(vectors) else 1.0
        self._vectors = vectors / np.maximum(norms, 1e-9)
        self._titles = [_norm(c.title) for c in self.cards]
        self._names = [_name_words(c.name) for c in self.cards]  # per card once, not per question
        self._distinct = distinctive_name_words(self._names)

    def scores(self, question: str, query_vector: Sequence[float]) -> list[tuple[str, float]]:
        """(doc, score) best first; a title written out in the question adds 1.0, the share of the file
        name's words it uses adds up to `name_weight`."""
        import numpy as np

        if not self.cards:
            return []
        q = np.asarray(query_vector, dtype=np.float32)
        q = q / max(float(np.linalg.norm(q)), 1e-9)
        sims = self._vectors @ q
        asked = _norm(question)
        words = _asked_words(question)
        before = named_before_noun(question) if self.name_weight else set()
        out = [
            (
                c.doc,
                float(s)
                + (1.0 if len(t) >= 4 and t in asked else 0.0)
                + (self.name_weight * _share(n, words) if self.name_weight else 0.0)
                + (NAMED_WORD_BONUS if _said(d, before) else 0.0),
            )
            for c, s, t, n, d in zip(
                self.cards, sims.tolist(), self._titles, self._names, self._distinct, strict=True
            )
        ]
        return sorted(out, key=lambda pair: -pair[1])

    def by_heading(self, chunks: Sequence[Any], query_vector: Sequence[float]) -> list[Any]:
        """`chunks` re-ranked by the similarity of their most specific heading to the question.

        Inside one document the generic section titles ("3.3 算法优缺点", "8.2 未来发展趋势",
        "9. 附录：常见问题与解答") say what kind of passage it is, which is what a question about
        that document asks for once its topic words are gone.
        """
        import numpy as np

        heads = [c.headings[-1] if c.headings else c.title for c in chunks]
        missing = sorted({h for h in heads if h not in self._heading_vectors})
        if missing:
            vecs = np.asarray(self._embed(missing), dtype=np.float32)
            vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
            self._heading_vectors.update(zip(missing, vecs, strict=True))
        q = np.asarray(query_vector, dtype=np.float32)
        q = q / max(float(np.linalg.norm(q)), 1e-9)
        sims = [float(self._heading_vectors[h] @ q) for h in heads]
        order = sorted(range(len(chunks)), key=lambda i: -sims[i])
        return [chunks[i] for i in order]

    def restrict_to(
        self,
        question: str,
        ranked: list[tuple[str, float]],
        margin: float | None,
        allowed: Callable[[str], bool] = lambda d: True,
    ) -> str | None:
        """The one document to search, when the question refers to a document and one clearly wins."""
        if margin is None or not refers_to_document(question):
            return None
        ranked = [r for r in ranked if allowed(r[0])]
        if len(ranked) >= 2 and ranked[0][1] - ranked[1][1] >= margin:
            log.debug("routing %r to %s (%.3f vs %.3f)", question, ranked[0][0], ranked[0][1], ranked[1][1])
            return ranked[0][0]
        return None
