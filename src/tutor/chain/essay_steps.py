"""One step of an essay's steps section, named by the question, quoted whole.

Two essays write their steps as labelled blocks inside one section ("**Step 4: 遵循AI伦理**" and its bullets
under 3.2 算法步骤详解), not as sub-sections.  A question naming one of them ("遵循 AI 伦理这一步具体要做什么",
"what does the step about continuous innovation ask me to do") wants that step's bullets, all of them: the
retrieved passages may hold only part of it (the section is cut into two passages, and a step can straddle the
cut), and an outline of every step quotes only each step's first line.  So the step's block is read from the
whole section (`DocParts.section`), found by its label, never from known questions.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import jieba

from tutor.chain.compose_blocks import Block, split_blocks
from tutor.chain.doc_parts import FAQ_HEADING, heading_words, named_sections
from tutor.chain.sections import add_source
from tutor.chain.text import CJK, strip_markdown

if TYPE_CHECKING:
    from tutor.chain.answer import Source
    from tutor.chain.doc_parts import DocParts, Part

__all__ = ["labelled_step", "names_step", "section_over_faq"]

# a step title joining two ideas ("持续创新与探索", "跨领域学习与应用"): either whole idea names the step
_JOINED = re.compile(r"[与和及、&/]")


# the question speaks of a step ("the step about …", "这一步"), not only of a topic a step shares ("影响力")
_A_STEP = re.compile(r"步|\bstep", re.IGNORECASE)
# a learner's word for a step title's word ("不断提升自己" says 持续自我提升, "敢于实践" 勇于实践创新)
_SAME = (
    ("不断", "持续"),
    ("一直", "持续"),
    ("自己", "自我"),
    ("敢于", "勇于"),
    ("大胆", "勇于"),
    ("遵守", "遵循"),
)
# keeping up with something ("how do I keep up with where tech is heading", "怎么跟上技术趋势"): a practice, the one
# step that says to follow it ("关注行业动态：…获取最新的技术趋势"), not the section describing the trends themselves
_FOLLOW = re.compile(
    r"跟上|跟进|跟踪|紧跟|追踪|\bkeep(?:ing)?\s+(?:up|track)\b|\bstay(?:ing)?\s+(?:on top|current|up[- ]to[- ]date)\b"
    r"|\bfollow(?:ing)?\s+(?:the\s+)?(?:trends?|news|latest)\b",
    re.IGNORECASE,
)
_FOLLOWS = re.compile(r"关注|跟踪|获取最新|了解最新")
# a bullet of a step that names it by what it holds ("- 制定学习计划：…" of Step 2): its label before the colon
_BULLET = re.compile(r"^\s*(?:[-*]|\d+[.、])?\s*(?:\*\*)?([^：:*]{4,12})(?:\*\*)?\s*[：:]")


def _in_step_words(question: str) -> str:
    """The question with the step titles' own words for the learner's (`_SAME`) added."""
    said = question
    for word, own in _SAME:
        said = said.replace(word, own)
    return question if said == question else f"{question} {said}"


def names_step(title: str, question: str) -> bool:
    """`_names_step` of the question, or of it in the step titles' words (`_in_step_words`)."""
    return _names_step(title, _in_step_words(question))


def _names_step(title: str, question: str) -> bool:
    """The question names this step: most of the title's characters stand in it, in order or not, or (when
    it speaks of a step) one whole idea of a joined title of three characters or more ("持续创新" of 持续创新与探索;
    "build influence" alone names 影响力, the topic, not 沟通表达与影响力)."""
    core = [ch for ch in title if not ch.isspace()]
    if len(core) >= 2 and sum(ch in question for ch in core) / len(core) >= 0.75:
        return True
    compact = "".join(question.split())
    ideas = ["".join(p.split()) for p in _JOINED.split(title)]
    return (
        len(ideas) > 1 and bool(_A_STEP.search(question)) and any(len(p) >= 3 and p in compact for p in ideas)
    )


def labelled_step(
    parts: DocParts,
    doc: str,
    steps: tuple[tuple[str, ...], list[Part]],
    question: str,
    sources: list[Source],
    every: bool = False,
) -> list[Block]:
    """The block of the one labelled step the question names, by its title or (else) by a bullet of it, from
    the whole steps section, its passage appended to `sources`; [] when the steps are sub-sections, or the
    question names none or several.  `every`: the question asks for steps ("具体分哪几步"), so only a title it
    says nearly whole names one step (whose bullets are then the steps asked for)."""
    path, steps_parts = steps
    labelled = [p for p in steps_parts if len(p.chunk.headings) == len(path) and p.label]
    if every:
        said = _in_step_words(question)
        named = [p for p in labelled if _names_whole(p.title, said)]
    else:
        named = [p for p in labelled if names_step(p.title, question)]
    whole = parts.section(doc, path)
    if whole is None:
        return []
    blocks = split_blocks(whole)
    if not named and not every:
        named = [p for p in labelled if _held_bullet(_step_block(blocks, p.label), question)]
    # what a step acts on names it only when the question names no other section ("AI 伦理的缺点": 3.3 算法优缺点)
    if not named and not every and all(p[: len(path)] == path for p in named_sections(question, parts, doc)):
        title = parts.chunks(doc)[0].title if parts.chunks(doc) else ""
        named = [p for p in labelled if _names_object(p.title, question, title)]
    if not named and not every:
        named = _followed(question, labelled, blocks)
    if len(named) != 1 or not _step_block(blocks, named[0].label):
        return []
    return _step_block(split_blocks(add_source(whole, sources)), named[0].label)


def _step_block(blocks: list[Block], label: str) -> list[Block]:
    return [b for b in blocks if b.label and strip_markdown(b.label) == label]


def _names_object(title: str, question: str, doc_title: str) -> bool:
    """The question names what the step acts on, its title after the leading verb ("AI 伦理" of 遵循AI伦理), three
    characters or more, unless those words are the document's title's ("讲技术变革逆袭的文章": 洞察技术变革)."""
    compact, core = "".join(question.split()), "".join(title.split())
    tail = core[2:]
    return len(core) >= 5 and len(tail) >= 3 and tail in compact and tail not in "".join(doc_title.split())


def _followed(question: str, labelled: list[Part], blocks: list[Block]) -> list[Part]:
    """The one step that says to follow what the question asks to keep up with: of the steps whose
    bullets say to follow something (`_FOLLOWS`), the one holding most of the question's words; [] otherwise."""
    if not _FOLLOW.search(question):  # keeping up is itself a practice: no "how" needs saying
        return []
    words = {w for w in jieba.lcut(question) if len(w) >= 2 and CJK.search(w)}
    said = {p.title: " ".join(ln for b in _step_block(blocks, p.label) for ln in b.lines) for p in labelled}
    held = {t: sum(w in text for w in words) for t, text in said.items() if _FOLLOWS.search(text)}
    best = max(held.values(), default=0)
    chosen = [p for p in labelled if held.get(p.title, -1) == best]
    return chosen if best > 0 and len(chosen) == 1 else []


def _names_whole(title: str, question: str) -> bool:
    """Every character of the title stands in the question."""
    core = [ch for ch in title if not ch.isspace()]
    return len(core) >= 4 and all(ch in question for ch in core)


def _held_bullet(blocks: list[Block], question: str) -> bool:
    """Four characters in a row of a bullet label of the step ("学习计划" of 制定学习计划) stand in the question."""
    compact = "".join(question.split())
    labels = ["".join(m.group(1).split()) for b in blocks for line in b.lines if (m := _BULLET.match(line))]
    return any(
        lb[k : k + 4] in compact for lb in labels for k in range(len(lb) - 3) if CJK.search(lb[k : k + 4])
    )


def section_over_faq(question: str, faq_question: str, parts: DocParts, doc: str) -> bool:
    """The question names a section of the article outside its steps by every word of its heading, and the
    FAQ entry similar to it does not ("技术专家想做技术培训…流程是怎样的": 6.2 技术培训, not the entry "如何提升自己的
    技术专长"): that section answers, the entry is only near in wording."""
    steps = parts.steps(doc)
    text = question.lower()
    for path in named_sections(question, parts, doc):
        words = heading_words(path[-1])
        if FAQ_HEADING.search(path[-1]) or (steps is not None and path[: len(steps[0])] == steps[0]):
            continue
        if words and all(w in text for w in words) and not all(w in faq_question.lower() for w in words):
            return True
    return False
