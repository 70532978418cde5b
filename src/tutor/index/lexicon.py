"""A concept described without its keyword, matched through a lexicon of learners' descriptions.

"不需要标签、自动把数据点分成几堆的方法" names no term, and e5-small puts it as close to "PCA 降维" as to
"K-means 聚类" (margins 0.001-0.02 against the material's own one-line items, eval/README.md).  The lexicon
(`concept_lexicon.jsonl`, shipped next to this module) was written from the five corpus documents only, by a
writer who never saw an eval question, the code or its output: per concept the documents teach, its `term`,
`aliases`, the `doc` and exact `section` heading where it is taught, and four to six phrasings of how a
learner who does not know the term would describe it (`describe_zh`, `describe_en`).  A question is compared
with every description (embedding similarity, best description per concept); when one concept leads every
other by a measured margin, the concept glossary (`tutor.index.sections.ConceptGlossary`) hands its term to
BM25, the retriever ranks its section's passages (`retrieval.concept_section_weight`) and the chain names it
(`tutor.chain.concepts`).

The lexicon fits the shipped corpus only: an entry whose term (or an alias) no longer occurs under its
section in the live material is skipped with a warning, never an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tutor.index.describing import descriptive, names_left, without_names
from tutor.index.lexicon_words import word_weight
from tutor.index.routing import about_a_document
from tutor.patterns import CJK

if TYPE_CHECKING:
    from tutor.index.bm25 import BM25Index
    from tutor.index.settings import RetrievalSettings

__all__ = [
    "LexiconEntry",
    "LexiconHit",
    "LexiconMatcher",
    "default_lexicon_path",
    "lexicon_builder",
    "load_lexicon",
    "names_said",
]

log = logging.getLogger(__name__)

#: a concept the question names wins over the described one within this much (chosen on our set and dev:
#: q030/q088 0.016-0.019 below the winner named theirs; d032/d125 0.032-0.040 below named context words)
_NAMED_GAP = 0.025


@dataclass(frozen=True)
class LexiconEntry:
    term: str
    aliases: tuple[str, ...]
    doc: str
    section: str
    descriptions: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The term and its aliases, each once, as BM25 gets them."""
        return tuple(dict.fromkeys([self.term, *self.aliases]))


@dataclass(frozen=True)
class LexiconHit:
    entry: LexiconEntry
    score: float  # the best description's similarity
    margin: float  # its lead over the best description of another concept


#: the question asks where the material teaches something or what it is called: only then may shared words
#: pick a concept ("What's a good training plan to run a marathon?" shares train / plan / run with 训练监控's
#: descriptions; it asks about running, and the lexicon's answer skips the out-of-scope refusal)
ABOUT_LEARNING = re.compile(
    r"学|路线|资料|课程|教程|技能|阶段|知识点|叫什么|什么名字|称为|称作"
    r"|\b(?:roadmap|learn\w*|teach\w*|taught|cover\w*|course|curriculum|material|stud(?:y|ied)|skill|stage"
    r"|section|topic|called|term|name)\b",
    re.IGNORECASE,
)


def lexicon_path(cfg: RetrievalSettings) -> Path:
    return Path(cfg.concept_lexicon_file) if cfg.concept_lexicon_file else default_lexicon_path()


def lexicon_digest(cfg: RetrievalSettings) -> str:
    """The configured lexicon file's content hash: a stored matcher of another file is rebuilt."""
    path = lexicon_path(cfg)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def default_lexicon_path() -> Path:
    """The lexicon shipped with the package (written for the shipped corpus)."""
    return Path(str(resources.files("tutor.index").joinpath("concept_lexicon.jsonl")))


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _without_de(text: str, name: str) -> str:
    """The question without the particle 的, unless the name has it: "跨领域的知识" names 跨领域知识."""
    return text if "的" in name else text.replace("的", "")


def _said(name: str, text: str) -> bool:
    """A folded name in a folded question: a Latin name (3+ letters) not inside a longer word."""
    if CJK.search(name):
        return name in text or name in _without_de(text, name)
    return len(name) >= 3 and re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", text) is not None


def names_said(entry: LexiconEntry, question: str) -> bool:
    """Does the question name the entry itself (its term or an alias, two characters or more)?  Latin
    names by their words ("Tree of Thoughts" in "what is tree of thoughts"), not inside a longer word."""
    folded = _fold(question)
    text = unicodedata.normalize("NFKC", question).casefold()
    for name in entry.names:
        if CJK.search(name):
            if len(_fold(name)) >= 2 and _said(_fold(name), folded):
                return True
        elif words := unicodedata.normalize("NFKC", name).casefold().split():
            pattern = r"\s*".join(map(re.escape, words))
            if len("".join(words)) >= 3 and re.search(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])", text):
                return True
    return False


def _headings(meta: dict[str, Any]) -> list[str]:
    headings = meta.get("headings", "[]")
    return list(json.loads(headings) if isinstance(headings, str) else headings)


def _parse(raw: dict[str, Any]) -> LexiconEntry | None:
    term, doc, section = raw.get("term"), raw.get("doc"), raw.get("section")
    if not (isinstance(term, str) and isinstance(doc, str) and isinstance(section, str) and term.strip()):
        return None
    texts = [*raw.get("describe_zh", []), *raw.get("describe_en", [])]
    descriptions = tuple(t.strip() for t in texts if isinstance(t, str) and t.strip())
    aliases = tuple(a.strip() for a in raw.get("aliases", []) if isinstance(a, str) and a.strip())
    return LexiconEntry(term.strip(), aliases, doc, section.strip(), descriptions) if descriptions else None


def _section_texts(texts: Sequence[str], metadata: Sequence[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """(doc, heading) -> the folded text of every live passage under that heading."""
    out: dict[tuple[str, str], list[str]] = {}
    for text, meta in zip(texts, metadata, strict=True):
        path = _headings(meta)
        for k, heading in enumerate(path):  # the sub-headings count: "### 2. 项目驱动学习" under 学习建议
            out.setdefault((str(meta.get("doc", "")), _fold(heading)), []).extend([*path[k + 1 :], text])
    return {key: _fold("\n".join(parts)) for key, parts in out.items()}


def load_lexicon(path: Path, texts: Sequence[str], metadata: Sequence[dict[str, Any]]) -> list[LexiconEntry]:
    """The lexicon's entries that still fit the live material: the term or an alias occurs in its
    section's passages (the heading counts: "K-means 聚类" may only be a heading).  A missing file, a bad
    line or an entry that no longer fits is logged and skipped."""
    if not path.is_file():
        log.warning("concept lexicon %s not found: no lexicon", path)
        return []
    sections = _section_texts(texts, metadata)
    kept: list[LexiconEntry] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = _parse(json.loads(line))
        except (json.JSONDecodeError, AttributeError, TypeError):
            entry = None
        if entry is None:
            log.warning("concept lexicon %s:%d: not an entry, skipped", path.name, n)
            continue
        text = sections.get((entry.doc, _fold(entry.section)))
        if text is None or not any(_fold(name) in text for name in entry.names):
            log.warning(
                "concept lexicon: %r no longer occurs under %s › %s, skipped",
                entry.term,
                entry.doc,
                entry.section,
            )
            continue
        kept.append(entry)
    log.info("concept lexicon: %d entries fit the material", len(kept))
    return kept


class LexiconMatcher:
    """The lexicon's descriptions, embedded once; a question's closest concept and its lead."""

    def __init__(
        self,
        entries: Sequence[LexiconEntry],
        embed_documents: Callable[[list[str]], list[list[float]]],
        margin: float = 0.02,
        margin_en: float | None = None,
    ) -> None:
        self.margin = margin  # the lead a concept needs over every other (measured, eval/README.md)
        self.margin_en = margin if margin_en is None else margin_en  # English questions sit flatter
        self._last: tuple[tuple[str, str | None, bool, bool], LexiconHit | None] | None = None
        self.entries = list(entries)
        self.source = ""  # the lexicon file's digest (`lexicon_digest`)
        self._names: list[set[str]] | None = None  # each entry's folded names (`_unnamed`)
        #: may the question be redirected to this concept? (`tutor.index.lexicon_gate`: not a named section's)
        self.same_place: Callable[[LexiconEntry, LexiconEntry], bool] | None = None  # `_same`
        self.describe = "clause"  # match a question's descriptive part (`_vector`; set by lexicon_gate.gated)
        self.gate: Callable[[str, LexiconEntry, list[tuple[LexiconEntry, float]]], bool] | None = None
        #: the answer path's gate and the material's general words (`ScopeGate.answerable`, `.common`)
        self.answerable: Callable[[str, LexiconEntry], bool] | None = None
        self.common: Callable[[str], bool] = lambda name: False
        #: each concept's word overlap with a text, 0..1 (`tutor.index.lexicon_words`), and its weight
        self.words: Callable[[str], np.ndarray] | None = None
        self.words_weight = 0.0
        self._best = np.zeros(0, dtype=np.float32)
        self.owner = np.asarray(
            [k for k, e in enumerate(self.entries) for _ in e.descriptions], dtype=np.int64
        )
        texts = [d for e in self.entries for d in e.descriptions]
        vectors = np.asarray(embed_documents(texts), dtype=np.float32) if texts else np.zeros((0, 1))
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        self.vectors = (vectors / norms).astype(np.float32)

    @classmethod
    def restore(
        cls, entries: Sequence[LexiconEntry], vectors: np.ndarray, margin: float, margin_en: float
    ) -> LexiconMatcher:
        """A matcher put back from its stored description vectors (`tutor.index.lever_store`)."""
        return cls(entries, lambda texts: np.asarray(vectors, dtype=np.float32).tolist(), margin, margin_en)

    def dump(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Its description vectors and entries, as the lever store keeps them."""
        entries = [[e.term, list(e.aliases), e.doc, e.section, list(e.descriptions)] for e in self.entries]
        return {"vectors": self.vectors}, {"entries": entries}

    def __len__(self) -> int:
        return len(self.entries)

    def match(
        self, query: Sequence[float] | np.ndarray, doc: str | None = None, overlap: np.ndarray | None = None
    ) -> LexiconHit | None:
        """The concept whose best description is closest to the question's vector (of `doc`'s concepts when
        given), and its lead over the best description of any other concept (of another term); `overlap`
        (each concept's word-overlap bonus) is added to the closeness first."""
        if not any(doc in (None, e.doc) for e in self.entries):
            return None
        q = np.asarray(query, dtype=np.float32)
        sims = self.vectors @ (q / max(float(np.linalg.norm(q)), 1e-9))
        best = np.full(len(self.entries), -2.0, dtype=np.float32)
        np.maximum.at(best, self.owner, sims)
        self._best = best.copy()  # every concept's closeness (the embedding's), for `_unnamed` and the gate
        if overlap is not None:
            best += overlap.astype(np.float32)
        if doc is not None:
            best[[k for k, e in enumerate(self.entries) if e.doc != doc]] = -2.0
        order = np.argsort(-best, kind="stable")
        top = self.entries[int(order[0])]
        rival = next((float(best[i]) for i in order[1:] if not self._same(top, self.entries[int(i)])), -2.0)
        return LexiconHit(top, float(best[order[0]]), float(best[order[0]]) - rival)

    def _same(self, a: LexiconEntry, b: LexiconEntry) -> bool:
        """No rival: the same term, or (`same_place`, lexicon_gate) a concept taught in the same passage."""
        return _fold(a.term) == _fold(b.term) or (self.same_place is not None and self.same_place(a, b))

    def _unnamed(
        self,
        question: str,
        hit: LexiconHit,
        best: np.ndarray,
        answer: bool = False,
        embed_query: Callable[[str], list[float]] | None = None,
    ) -> bool:
        """Is the described concept more than a concept the question names itself?  "RAG 里怎么做混合检索"
        has its keyword, whose descriptions are nearly as close as the winner's (0.016 below): no reason to
        search for another.  "…用来防止过拟合的办法" names 过拟合 only as context (0.032 below Dropout).  For an
        answer, a named concept taught in the winner's passage ("把关键词检索和向量检索结合起来的那种") or named
        by a general word of the material (大模型) is no rival, nor one the description says only in passing
        (`_context_only`)."""
        said = self._said(question)
        if answer:
            said = [k for k in said if self.entries[k] == hit.entry or self._rival(question, hit, k)]
        if not said or any(self.entries[k].term == hit.entry.term for k in said):
            return True
        names = [n for k in said for n in self.entries[k].names]
        if names_left(question, names) and without_names(question, names) is None:
            return False  # "Which skill covers LoRA?": nothing but the name and the asking, no description
        score = float(best[self.entries.index(hit.entry)])  # the embedding's: the gap was measured on it
        if score - float(max(best[k] for k in said)) >= _NAMED_GAP:
            return True
        return embed_query is not None and self._context_only(question, hit, said, embed_query)

    def _context_only(
        self, question: str, hit: LexiconHit, said: list[int], embed_query: Callable[[str], list[float]]
    ) -> bool:
        """Are the names said only words of the description?  "训练时随机把一部分神经元关掉防止过拟合的那个技巧"
        says 过拟合 as the purpose of Dropout: without it the rest still describes Dropout by the margin.  A
        question that names the item ("过拟合在哪学") keeps too little to describe anything."""
        rest = without_names(question, [n for k in said for n in self.entries[k].names])
        if rest is None:  # nothing is left to describe anything
            return False
        best, last = self._best, self._last
        again = self.match(self._vector(rest, embed_query), None, self._overlap(rest))
        self._best, self._last = best, last  # the question's own closeness stays the gate's
        margin = self.margin if CJK.search(question) else self.margin_en
        return again is not None and again.entry == hit.entry and again.margin >= margin

    def _rival(self, question: str, hit: LexiconHit, k: int) -> bool:
        entry, text = self.entries[k], _fold(question)
        named = [n for n in entry.names if len(_fold(n)) >= 2 and _said(_fold(n), text)]
        return not self._same(hit.entry, entry) and not (named and all(map(self.common, named)))

    def _said(self, question: str) -> list[int]:
        """The entries the question names (a term or an alias, two characters or more)."""
        if self._names is None:
            self._names = [{n for n in map(_fold, e.names) if len(n) >= 2} for e in self.entries]
        text = _fold(question)
        said = [k for k, names in enumerate(self._names) if any(_said(n, text) for n in names)]
        # a Latin name between words ("What's LoRA, and…" folds to "what'slora,and…")
        return said + [k for k, e in enumerate(self.entries) if k not in said and names_said(e, question)]

    def _vector(self, question: str, embed_query: Callable[[str], list[float]]) -> list[float]:
        """The question's vector for the match: of its descriptive part (`tutor.index.describing`) when
        `describe` is "clause" and the question has meta parts, else of the question."""
        return embed_query(descriptive(question) if self.describe == "clause" else question)

    def _overlap(self, question: str) -> np.ndarray | None:
        """The word-overlap bonus of every concept for the question's descriptive part (None when off); none
        for a concept the question names ("程序员做职业规划有哪些步骤" would redirect to 职业规划's definition)."""
        if self.words is None or self.words_weight <= 0 or about_a_document(question):
            return None  # a question about a named essay shares the essay's words: it asks for a section
        if not ABOUT_LEARNING.search(question):
            return None  # not asking where the material teaches it or its name: the embedding alone decides
        text = descriptive(question) if self.describe == "clause" else question
        bonus = word_weight(question, self.words_weight) * self.words(text)
        bonus[self._said(question)] = 0.0  # a named concept shares the words without being described
        return bonus

    def described(
        self,
        question: str,
        embed_query: Callable[[str], list[float]],
        doc: str | None = None,
        answer: bool = False,
    ) -> LexiconHit | None:
        """The concept a question describes when it clearly wins (its lead at least the margin), else None;
        the last question's answer is kept (the query rewrite, the section list and the chain all ask).
        `answer` (the chain's concept answer): the answer path's gate (`ScopeGate.answerable`: a skill named by
        one word of a description keeps no lists there; retrieval keeps the skill's overview first), and a named
        sibling or general word is no rival (`_unnamed`)."""
        key = (question, doc, about_a_document(question), answer)  # within a routed essay: no word overlap
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        hit = (
            self.match(self._vector(question, embed_query), doc, self._overlap(question))
            if self.entries
            else None
        )
        margin = self.margin if CJK.search(question) else self.margin_en
        found = hit if hit is not None and hit.margin >= margin else None
        unnamed = found is not None and self._unnamed(question, found, self._best, answer, embed_query)
        found = found if unnamed else None
        if found is not None and answer and self.answerable is not None:
            found = found if self.answerable(question, found.entry) else None
        elif found is not None and self.gate is not None:
            closeness = list(zip(self.entries, self._best.tolist(), strict=True))
            found = found if self.gate(question, found.entry, closeness) else None
        self._last = (key, found)
        return found


def lexicon_builder(
    cfg: RetrievalSettings, embedding: Callable[[], Callable[[list[str]], list[list[float]]]]
) -> Callable[[BM25Index], LexiconMatcher | None]:
    """Build the configured lexicon's matcher from a live index: its entries that fit the material, their
    descriptions embedded with the passage embedding (cached on disk); None when switched off."""

    def build(bm25: BM25Index) -> LexiconMatcher | None:
        if not cfg.concept_lexicon:
            return None
        entries = load_lexicon(lexicon_path(cfg), bm25.texts, bm25.metadata)
        matcher = LexiconMatcher(
            entries, embedding(), cfg.concept_lexicon_margin, cfg.concept_lexicon_margin_en
        )
        matcher.source = lexicon_digest(cfg)  # what the lever store keeps it for
        return matcher

    return build
