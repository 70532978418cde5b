"""When a question must not be redirected to a lexicon concept, though one of its descriptions is close.

The concept lexicon (`tutor.index.lexicon`) finds a concept a learner describes without its term.  Two
kinds of question sit close to a concept's descriptions without describing one (eval/README.md, tenth and
eleventh rounds):

- a question that names a skill, a stage or a section of the material and asks about it ("Transformer 的
  结构由哪几部分组成", "Which prompting techniques count as advanced?", "参与开源社区，路线具体建议做哪些
  事？"): its descriptions' words are the section's own, so one of the section's concepts wins and its
  passages push the section's overview off rank 1 (or a neighbour skill's concept sharing its words does).
  A concept is redirected to only when it leads the named section's own closest concept clearly (a named
  skill with a concept of another skill still gets it), or when the question names the concept itself;
- a question about time or milestones ("全职学习每天要学几个小时"): it asks how long, not which concept.

The same rows say which concepts are taught in one passage ("K-means 聚类" and "无监督学习"): no rivals for
the lexicon's lead.  The understanding is the roadmap's own (`RoadmapSections.understand`).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from tutor.index.lexicon import LexiconEntry, LexiconMatcher, names_said
from tutor.index.lexicon_words import DescriptionWords
from tutor.index.roadmap_sections import RoadmapSections
from tutor.patterns import CJK

if TYPE_CHECKING:
    from tutor.index.settings import RetrievalSettings

__all__ = ["ASKS_WHERE", "ScopeGate", "gated", "heading_names"]

#: the question asks where the material teaches something: a description "…的技术在哪学" is no resource question
#: for the chain's concept answer ("What are the must-read papers" is one)
ASKS_WHERE = re.compile(
    r"在哪|哪里|哪儿|哪(?:个|一)?(?:技能|阶段|部分)|哪一?块|属于哪|\bwhere\b|\bwhich (?:skill|stage|part|section)\b",
    re.IGNORECASE,
)

log = logging.getLogger(__name__)

_STARS = re.compile(r"[⭐★☆]+")
#: the understanding's aspects that ask about time, not about a concept
_TIME_ASPECTS = frozenset({"time", "milestone"})
#: a concept outside the named section wins only this far ahead of the section's own closest concept (chosen
#: on our set and dev: "How do I know my Python skills are good enough?" 0.029 ahead of a Python concept is
#: about Python; "让大模型先一步一步把推理过程写出来…" 0.036 ahead of the 推理 (inference) skill's describes CoT)
_SECTION_GAP = 0.03


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", _STARS.sub("", unicodedata.normalize("NFKC", text)))


def _name(heading: str) -> str:
    """'4. 参与开源社区' -> 参与开源社区; '技能点 10：Prompt Engineering ⭐⭐⭐⭐⭐' -> promptengineering."""
    name = re.split(r"[：:]", _norm(heading), maxsplit=1)[-1]
    name = re.sub(r"[（(].*?[)）]", "", name)
    return re.sub(r"^[\d.]+", "", name).casefold()


def heading_names(rows: Sequence[tuple[str, Sequence[str]]], minimum: int = 4) -> dict[str, tuple[str, str]]:
    """A heading's name as a question would write it -> (its document, the heading normalised), from every
    row's (document, heading list).  A heading under several parents is no name ("核心内容" recurs under
    every skill), nor a short one (under `minimum` characters, twice that in Latin letters)."""
    parents: dict[tuple[str, str], set[str]] = {}
    for doc, path in rows:
        for k, heading in enumerate(map(_norm, path)):
            parents.setdefault((doc, heading), set()).add(_norm(path[k - 1]) if k else "")
    out: dict[str, tuple[str, str]] = {}
    for (doc, heading), above in parents.items():
        name = _name(heading)
        if len(above) == 1 and len(name) >= (minimum if CJK.search(name) else 2 * minimum):
            out.setdefault(name, (doc, heading))
    return out


class _Rows(Protocol):
    @property
    def texts(self) -> Sequence[str]: ...
    @property
    def metadata(self) -> Sequence[dict[str, Any]]: ...


class ScopeGate:
    """Says whether a question may be redirected to a lexicon concept (`LexiconMatcher.gate`)."""

    def __init__(self, roadmap: RoadmapSections | None, index: Callable[[], _Rows]) -> None:
        self.roadmap = roadmap
        self.index = index  # the live BM25 index: every row's text and metadata (doc, heading list)
        self._rows: list[tuple[str, list[str], str]] | None = None
        self._names: dict[str, tuple[str, str]] | None = None
        self._teaching: dict[str, frozenset[int]] = {}

    def rows(self) -> list[tuple[str, list[str], str]]:
        """Every live row's document, heading list and folded text, read once."""
        if self._rows is None:
            bm25 = self.index()
            self._rows = []
            for text, meta in zip(bm25.texts, bm25.metadata, strict=True):
                raw = meta.get("headings", "[]") or "[]"
                path = list(json.loads(raw) if isinstance(raw, str) else raw)
                self._rows.append((str(meta.get("doc", "")), path, _norm(" ".join([*path, text])).casefold()))
        return self._rows

    def teaching(self, entry: LexiconEntry) -> frozenset[int]:
        """The rows that teach the entry: under its section, naming it (the whole section when none does)."""
        key = f"{entry.doc}\n{entry.section}\n{entry.term}"
        if key not in self._teaching:
            head, names = _norm(entry.section), [_norm(n).casefold() for n in entry.names]
            rows = self.rows()
            under = [r for r, (d, p, _) in enumerate(rows) if d == entry.doc and head in map(_norm, p)]
            said_rows = [r for r in under if any(n in rows[r][2] for n in names)]
            self._teaching[key] = frozenset(said_rows or under)
        return self._teaching[key]

    def same_place(self, a: LexiconEntry, b: LexiconEntry) -> bool:
        """Are two concepts taught in the same passage?  Then neither is the other's rival: the section
        list and the answer go to the same place ("K-means 聚类" and "无监督学习" share skill 4's 核心概念)."""
        return bool(self.teaching(a) & self.teaching(b))

    def scope(self, entry: LexiconEntry) -> frozenset[str]:
        """The headings over the passages that teach the entry, normalised: "核心内容" recurs under every
        skill, the concept's is one."""
        rows = self.rows()
        return frozenset(_norm(h) for r in self.teaching(entry) for h in rows[r][1])

    def named(self, question: str) -> tuple[dict[str, str], bool]:
        """The headings a question names (normalised, with their document), and whether it asks about time
        or milestones.  A skill only guessed from a near-spelling ("模型" ≈ 模型部署) is not named."""
        out: dict[str, str] = {}
        timed = False
        if self.roadmap is not None:
            try:
                refs: Any = self.roadmap.understand(question)
                curriculum = self.roadmap.curriculum()
            except Exception as exc:  # noqa: BLE001 - a gate must never fail the search
                log.debug("no understanding for %r: %s", question, exc)
            else:
                timed = bool(set(refs.aspects) & _TIME_ASPECTS or refs.milestones)
                sure = [n for n in refs.skills if "≈" not in refs.evidence.get(f"skill {n}", "")]
                skills = {s.number: s.heading for s in curriculum.skills}
                stages = {s.number: s.heading for s in curriculum.stages}
                heads = [skills[n] for n in sure if n in skills] + [
                    stages[n] for n in refs.stages if n in stages
                ]
                out |= {_norm(h): curriculum.doc for h in heads}
        if self._names is None:
            self._names = heading_names([(d, p) for d, p, _ in self.rows()])
        text = _norm(question).casefold()
        out |= {head: doc for name, (doc, head) in self._names.items() if name in text}
        return out, timed

    def answerable(self, question: str, entry: LexiconEntry) -> bool:
        """The gate for the chain's concept answer, which asks only when no unit is named by its own name
        (`tutor.chain.concepts`): a skill named by one word of a description ("…加速推理" names skill 13, "让模型
        一步一步把推理过程写出来" too) is no reason to keep the skill's lists; not a time question, nor a concept
        of a document other than the named one."""
        named, timed = self.named(question)
        return not timed and (not named or entry.doc in named.values())

    def common(self, name: str) -> bool:
        """Is a name the material's general vocabulary (in 5 % of its passages or more: 大模型, 微调)?"""
        folded = _norm(name).casefold()
        rows = self.rows()
        return bool(rows) and sum(folded in text for _, _, text in rows) >= 0.05 * len(rows)

    def __call__(
        self, question: str, entry: LexiconEntry, closeness: Sequence[tuple[LexiconEntry, float]]
    ) -> bool:
        """False for a time question.  For a question that names a section (and not the concept itself):
        false for a concept of another document, and unless the concept leads the named section's own
        closest concept (`closeness`: every entry's closeness to the question) by `_SECTION_GAP`."""
        named, timed = self.named(question)
        if timed:
            return False
        if not named or names_said(entry, question):
            return True
        if entry.doc not in named.values():
            return False
        score = max((c for e, c in closeness if e == entry), default=0.0)
        own = [c for e, c in closeness if set(named) & self.scope(e)]
        return not own or score - max(own) >= _SECTION_GAP


def gated(
    matcher: LexiconMatcher | None,
    cfg: RetrievalSettings,
    roadmap: RoadmapSections | None,
    index: Callable[[], _Rows],
) -> LexiconMatcher | None:
    """The matcher with its scope gate (`retrieval.concept_lexicon_gate`, which also says which concepts
    share a passage: no rivals), attached once, and the describe mode."""
    if matcher is not None and matcher.gate is None and cfg.concept_lexicon_gate:
        gate = ScopeGate(roadmap, index)
        matcher.gate, matcher.same_place = gate, gate.same_place  # the rows that teach each concept
        matcher.answerable, matcher.common = gate.answerable, gate.common
    if matcher is not None:
        matcher.describe = cfg.concept_lexicon_describe
        matcher.words_weight = cfg.concept_lexicon_words
        if matcher.words is None and cfg.concept_lexicon_words > 0:
            matcher.words = DescriptionWords(matcher.entries).scores
    return matcher
