"""Extractive answers from a document's structure, before (or instead of) loose block selection.

Three cases, decided from the structure `DocParts` reads, never from the wording of known questions:

1. **A FAQ entry answers it**: the learner's question is close to one FAQ question of the material
   (question-to-question similarity, a stricter bar across languages) -> that entry's whole answer.
2. **How-to about a document with a steps section**, naming no single step and no other section ->
   an outline: every step's title with its key line, each cited to the passage that holds it.
3. **The question names sections of the best document** ("缺点" -> "3.3 算法优缺点", a step's title) ->
   those whole sections join the candidates and are preferred.

Otherwise nothing changes: the blocks of the retrieved passages are ranked as before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tutor.chain.answer import Source
from tutor.chain.compose import Block, asks_how, select_blocks, split_blocks
from tutor.chain.concept_match import ASKS_WHAT_IT_MEANS
from tutor.chain.doc_parts import (
    FAQ_HEADING,
    DocParts,
    core_heading,
    named_doc,
    named_sections,
    names_a_topic,
    specific_match,
)
from tutor.chain.essay_steps import labelled_step, section_over_faq
from tutor.chain.faq_match import ASKS_WHOLE, FaqVectors, names_faq
from tutor.chain.faq_words import FaqWords
from tutor.chain.glossary import expand_english
from tutor.chain.named_distinct import naming_words
from tutor.chain.refs import parse_number
from tutor.chain.scope import Words, english_vocabulary, foreign
from tutor.chain.sections import add_source, source_of
from tutor.chain.sibling_choice import chosen_sections, follow_up_sections
from tutor.chain.text import CJK
from tutor.chain.whole_parts import whole_part
from tutor.index.store import StoredChunk
from tutor.resources.cards import CARDS_DOC

if TYPE_CHECKING:
    from tutor.index.embeddings import TutorEmbeddings

__all__ = ["DocPlan", "StructureComposer"]

log = logging.getLogger(__name__)

#: when no FAQ question is close enough to the learner's, a FAQ entry (whose passage the retriever may
#: rank first for the article's words alone) competes with the other blocks this much lower
UNMATCHED_FAQ_PENALTY = 0.05
# "the five strategies", "五个办法": a count of what the question asks for (not of the roadmap's own units)
_COUNT = re.compile(
    r"\b(three|four|five|six|seven|eight|nine|ten|[3-9])\s+(?!stages?|phases?|skills?|months?|years?|weeks?|days?|hours?)"
    r"[a-z]+|([三四五六七八九十3-9])\s*(?:个|种|条|步|大|点|项|招)(?!阶段|技能|月|小时)",
    re.I,
)
# "what (concrete) steps does it recommend", "有哪些步骤": the steps as a whole, not one of them
_ASKS_STEPS = re.compile(
    r"\b(?:what|which)\s+(?:\w+\s+)?(?:steps|strategies)\b|\blist (?:the|its|all)\s+(?:\w+\s+)?steps\b"
    r"|哪些步骤|哪几步|哪几个步骤|几个步骤|什么步骤|哪些具体步骤",
    re.I,
)
# the learner sets the FAQ aside ("not the Q&A at the end", "不要问答部分的"): the article's own sections answer
NOT_FAQ = re.compile(
    r"(?:\bnot|\bwithout|\bexcept|\brather than|\binstead of|\bother than|不是|不要|别看|而非|除了)\s*(?:from\s+)?(?:in\s+)?"
    r"(?:the\s+)?(?:常见问题|问答|附录|FAQ|Q\s*&\s*A|Q and A)",
    re.IGNORECASE,
)


@dataclass
class DocPlan:
    """What the document's structure says about this question."""

    blocks: list[Block] | None = None  # answer with exactly these (a FAQ entry, an outline)
    extra: list[Source] = field(default_factory=list)  # more candidate passages (named sections)
    prefer: set[int] = field(default_factory=set)  # their numbers: their blocks are preferred
    reason: str = ""
    specific: Callable[[str], float] | None = None  # heading -> how rare the question's words in it are


class StructureComposer:
    """Holds the structure of the live documents (rebuilt when the chunk list changes)."""

    def __init__(self, chunks: Callable[[], Sequence[StoredChunk]]) -> None:
        self._chunks = chunks
        self._key: int | None = None
        self._parts: DocParts | None = None
        self._faq_vectors = FaqVectors()
        self._faq_words: FaqWords | None = None
        self._vocabulary: frozenset[str] = frozenset()

    def parts(self) -> DocParts | None:
        try:
            chunks = self._chunks()
        except Exception as exc:  # noqa: BLE001 - an optional refinement; the answer stands without it
            log.info("Document structure unavailable: %s", exc)
            return None
        if self._parts is None or self._key != id(chunks):
            self._key, self._parts, self._faq_vectors = id(chunks), DocParts(chunks), FaqVectors()
            self._faq_words = None
            self._vocabulary = english_vocabulary(c.text for cs in self._parts.docs.values() for c in cs)
        return self._parts

    def off_topic(
        self, question: str, relevance: float, own_words: bool = True, known: Words = frozenset()
    ) -> bool:
        """An English question, weakly similar to every passage, whose words are mostly foreign to the
        material and to `known` (see `tutor.chain.scope`): out of scope although above the English threshold."""
        if CJK.search(question) or self.parts() is None:
            return False
        return foreign(question, self._vocabulary | known, relevance, own_words)

    def specificity(self, question: str) -> Callable[[str], float] | None:
        """heading text -> how rare (heading IDF) the question's words it holds are, for block choice."""
        parts = self.parts()
        if parts is None:
            return None
        text = question if CJK.search(question) else expand_english(question)
        return lambda heading: specific_match(text, [heading], parts)

    def names_doc(self, question: str) -> bool:
        """The question names one of the documents by its title's own words ("中年危机那篇")."""
        parts = self.parts()
        text = question if CJK.search(question) else expand_english(question)
        return parts is not None and named_doc(text, parts) is not None

    def names_topic(self, question: str) -> str | None:
        """The heading of the section the question names all the topic words of (`doc_parts.names_a_topic`), or None."""
        parts = self.parts()
        text = question if CJK.search(question) else expand_english(question)
        found = names_a_topic(text, parts) if parts is not None else None
        return found[1][-1] if found else None

    def _faq_by_words(
        self, parts: DocParts, question: str, expanded: str, article: str | None, sources: list[Source]
    ) -> list[Block]:
        """The FAQ entry (of the named article's FAQ, else any) whose question's words an English question says
        (`tutor.chain.faq_words`), quoted whole; [] when none is, or the question names another of its sections."""
        if CJK.search(question) or ASKS_WHAT_IT_MEANS.search(question):
            return []  # Chinese questions meet the FAQ's under the similarity bar; definitions are no entry
        entries = parts.faq()
        if self._faq_words is None:
            self._faq_words = FaqWords([e.question for e in entries])
        among = [k for k, e in enumerate(entries) if article is None or e.passage.doc == article]
        k = self._faq_words.named(expanded, among)
        if k is None:
            return []
        doc = entries[k].passage.doc
        ranked = [s.headings for s in sources if s.doc == doc]
        others = [
            p for p in named_sections(expanded, parts, doc, ranked=ranked) if not FAQ_HEADING.search(p[-1])
        ]
        steps = parts.steps(doc)
        if any(
            not self._faq_words.inside(k, naming_words(expanded, p[-1]), expanded)
            and not _said_by_entry(naming_words(expanded, p[-1]), entries[k].question, p, steps)
            for p in others
        ):
            return []  # the question names a section of the entry's article too ("work-life balance": 步骤3)
        passage = add_source(entries[k].passage, sources)
        return [b for b in split_blocks(passage) if b.kind == "qa"][:1]

    def _faq_plan(
        self, parts: DocParts, question: str, embedder: TutorEmbeddings | None, sources: list[Source]
    ) -> DocPlan | None:
        """The matching FAQ entry, with the step of its article that the question names (`_named_step`)."""
        match = self._faq_vectors.match(parts.faq(), question, embedder, sources)
        if match is None:
            return None
        entry = parts.faq()[match[0]]
        said = question if CJK.search(question) else expand_english(question)
        if named_doc(said, parts) not in (None, entry.passage.doc):
            return None  # "路线里给了哪些做法": the document the learner names answers, not another's FAQ
        if not names_faq(said) and section_over_faq(said, entry.question, parts, entry.passage.doc):
            return None
        qa = [b for b in split_blocks(add_source(entry.passage, sources)) if b.kind == "qa"][:1]
        if not qa:
            return None
        step = _named_step(parts, entry.passage.doc, said, sources)
        # the learner says which one is meant: "问答里…" / "its FAQ" the entry, "那篇文章里说…" the article's own step
        if step and not names_faq(said) and named_doc(said, parts) == entry.passage.doc:
            return DocPlan(blocks=step, reason="named step")
        step = [] if names_faq(said) else step
        return DocPlan(blocks=qa + step, reason=f"faq {match[1]:.3f}" + (" + step" if step else ""))

    def plan(
        self, question: str, sources: list[Source], embedder: TutorEmbeddings | None, latest: str = ""
    ) -> DocPlan:
        """Decide from the structure; passages it brings are appended to `sources` (next numbers).

        `latest` is the learner's own last message when `question` is its standalone rewrite: the
        sections it names outrank those named only by the topic carried over from earlier turns."""
        parts = self.parts()
        if parts is None or not sources:
            return DocPlan()
        language = "zh" if CJK.search(question) else "en"
        faq_ok, question = not NOT_FAQ.search(question), NOT_FAQ.sub(" ", question)  # "…not the Q&A": no FAQ
        first = (faq_ok and self._faq_plan(parts, question, embedder, sources)) or None
        if first := first or _whole_part(parts, question, sources):
            return first
        top = next((s.doc for s in sources if s.doc != CARDS_DOC), None)
        expanded = question if language == "zh" else expand_english(question)
        # the article the question names ("the comeback essay"), else the best passage's document
        named_article = named_doc(expanded, parts)
        doc = named_article or top
        if doc is None:
            return DocPlan(specific=self.specificity(question))
        if faq_ok and (entries := _faq_entries(parts, doc, sources, question, expanded)):
            return DocPlan(blocks=entries, reason="faq entries")  # "常见问题里都问了些什么": all of them
        ranked = [s.headings for s in sources if s.doc == doc]
        named, picked = chosen_sections(expanded, parts, doc, ranked=ranked)
        own: list[tuple[str, ...]] = []
        if latest and latest != question:
            said = latest if CJK.search(latest) else expand_english(latest)
            # what it asks within the earlier topic's sections when it points back, else its own sections
            own = follow_up_sections(said, named, parts, doc, ranked)
            named = own or named
        if faq_ok and (qa := self._faq_by_words(parts, question, expanded, named_article, sources)):
            return DocPlan(blocks=qa, reason="faq words")
        steps = parts.steps(doc)
        every = steps is not None and asks_every_step(question, len(steps[1]))
        if steps is not None and (step := labelled_step(parts, doc, steps, expanded, sources, every)):
            return DocPlan(blocks=step, reason="named step")  # "遵循 AI 伦理这一步": its bullets, all of them
        if steps is not None and (every or asks_how(question) or asks_how(expanded)):
            outline = _outline(
                steps, named, sources, expanded, _specific_elsewhere(expanded, steps, sources, parts), every
            )
            if outline:
                return DocPlan(blocks=outline, reason="steps outline")
        plan = DocPlan(reason="named sections" if named else "", specific=self.specificity(question))
        for path in named:
            whole = parts.section(doc, path)
            if whole is not None and whole.text.strip():
                passage = add_source(whole, sources)
                plan.extra.append(passage)
                plan.prefer.add(passage.n)
        # the named article's named sections, not the passages of another; or the sections a follow-up
        # names itself, not those of the earlier question whose topic it carries; or the one sibling it picks
        if (doc != top or own or picked) and plan.extra:
            plan.blocks = select_blocks(
                question, plan.extra, embedder, prefer=plan.prefer, specific=plan.specific
            )
        else:
            plan.blocks = _within_article(question, sources, plan, embedder, named_article)
        return plan


def _whole_part(parts: DocParts, question: str, sources: list[Source]) -> DocPlan | None:
    """A part its own reader quotes whole (`chain.whole_parts`: an order, a worked example, a relation, terms)."""
    found = whole_part(parts, question, sources)
    return DocPlan(blocks=found[1], reason=found[0]) if found else None


def _within_article(
    question: str, sources: list[Source], plan: DocPlan, embedder: TutorEmbeddings | None, named: str | None
) -> list[Block] | None:
    """No FAQ entry matched (`StructureComposer._faq_match` declined): the FAQ's entries are no better answers than
    any other block; a question naming an article is answered from that article's passages only (else None)."""
    unmatched = any(s.headings and FAQ_HEADING.search(s.headings[-1]) for s in sources)
    named_only = named is not None and any(s.doc == named for s in sources)
    if not (unmatched or named_only):
        return None
    pool = [s for s in [*sources, *plan.extra] if not named_only or s.doc in (named, CARDS_DOC)]
    penalty = UNMATCHED_FAQ_PENALTY if unmatched else 0.0
    return select_blocks(
        question, pool, embedder, prefer=plan.prefer, specific=plan.specific, qa_penalty=penalty
    )


def _said_by_entry(words: set[str], question: str, path: tuple[str, ...], steps: tuple | None) -> bool:
    """A section outside the steps named only by words the FAQ entry's question says too (8.3 面临的挑战 by 挑战 of
    "如何应对…跨领域沟通的挑战"): the entry asks that very thing; a step so named still counts ("work-life balance")."""
    in_steps = steps is not None and tuple(path[: len(steps[0])]) == tuple(steps[0])
    return bool(words) and not in_steps and all(w in question.lower() for w in words)


def _faq_entries(
    parts: DocParts, doc: str, sources: list[Source], question: str, expanded: str
) -> list[Block]:
    """Every question of the document's FAQ with its answer, in reading order, each cited to its entry's lines,
    for a question about the FAQ as a whole (which no single entry matched); [] for any other question."""
    if not (FAQ_HEADING.search(expanded) and ASKS_WHOLE.search(question)):
        return []
    out: list[Block] = []
    for entry in parts.faq():
        if entry.passage.doc == doc:
            out += [b for b in split_blocks(add_source(entry.passage, sources)) if b.kind == "qa"][:1]
    return out


def _specific_elsewhere(
    question: str, steps: tuple[tuple[str, ...], list], sources: list[Source], parts: DocParts, top: int = 3
) -> bool:
    """The question is about another section than the steps: the retriever's best passage lies outside them in a
    section of its own (not a template section every article has, such as 1.1 问题由来 or 8.1 总结, which speak of
    the whole document), or a best passage outside them names what the question asks more specifically than the
    steps do (rarer heading words: "公式" against "步骤", "方法")."""
    path, steps_parts = steps
    depth = len(path)
    best = [
        s
        for s in sources
        if s.doc != CARDS_DOC
        and not (s.doc == steps_parts[0].chunk.doc and tuple(s.headings[:depth]) == path)
    ]
    first = next((s for s in sources if s.doc != CARDS_DOC), None)
    if first is not None and best and first is best[0] and first.headings:
        if first.headings[-1] not in parts.shared_headings():
            return True
    own = specific_match(question, [path[-1], *(p.title for p in steps_parts)], parts)
    return any(specific_match(question, s.headings[-1:], parts) > own for s in best[:top] if s.headings)


def asks_every_step(question: str, steps: int) -> bool:
    """The question counts what it asks for, the steps section's count ("五个办法"), or asks for the steps themselves
    ("有哪些步骤"): it asks for all of them, whichever step the retriever ranked first."""
    if _ASKS_STEPS.search(question):
        return True
    m = _COUNT.search(question)
    return m is not None and parse_number(m.group(1) or m.group(2)) == steps


def _outline(
    steps: tuple[tuple[str, ...], list],
    named: list[tuple[str, ...]],
    sources: list[Source],
    question: str,
    elsewhere: bool = False,
    every: bool = False,
) -> list[Block]:
    """Every step's title and key line, unless the question is about one step or another section (`every`: it asks
    for all, so a step it names in part or a best passage that is one step does not count)."""
    path, parts = steps
    depth = len(path)
    if elsewhere:
        return []  # a passage the retriever ranked high names the question's topic better
    for p in named:
        inside = p[:depth] == path and len(p) > depth
        around = path[: len(p)] == p
        if inside and every and not _names(core_heading(p[depth]), question):
            continue  # "the five strategies … for my career": 职业 half-names 步骤5：职业规划
        if inside or not around:
            return []  # a single step ("升级技术栈") or another section ("缺点") is named
    top = [s for s in sources if s.doc != CARDS_DOC][:2]
    if not every and any(tuple(s.headings[:depth]) == path and len(s.headings) > depth for s in top):
        return []  # one of the best passages is itself one of the steps: it answers the question
    if any(_names(part.title, question) for part in parts):
        return []
    by_chunk: dict[str, Source] = {}
    blocks: list[Block] = []
    where = " › ".join(path[-2:])
    for k, part in enumerate(parts):
        chunk: StoredChunk = part.chunk
        if chunk.id not in by_chunk:
            by_chunk[chunk.id] = add_source(source_of(0, chunk), sources)
        n = by_chunk[chunk.id].n
        # the step as the document numbers it ("Step 1: 基础知识深化", "步骤4：时间管理"): its place in the order is
        # part of what the document says
        title = part.label or part.title
        blocks.append(Block(n, k, "step", title, "", [part.key] if part.key else [], where=where))
    return blocks


def _named_step(parts: DocParts, doc: str, question: str, sources: list[Source]) -> list[Block]:
    """The step whose title the question names ("怎么平衡工作和生活": 步骤3：工作与生活平衡), quoted whole next to a
    matching FAQ entry (either can be what the learner meant); [] when it names no step that is its own section."""
    steps = parts.steps(doc)
    if steps is None:
        return []
    path, steps_parts = steps
    for part in steps_parts:
        if len(part.chunk.headings) > len(path) and _names(part.title, question):
            whole = parts.section(doc, part.chunk.headings[: len(path) + 1])
            if whole is not None and whole.text.strip():
                return [b for b in split_blocks(add_source(whole, sources)) if b.kind in ("list", "para")]
    return []


def _names(title: str, question: str) -> bool:
    """The question names this step: most of the title's characters stand in it, in order or not."""
    core = [ch for ch in title if not ch.isspace()]
    return len(core) >= 2 and sum(ch in question for ch in core) / len(core) >= 0.75
