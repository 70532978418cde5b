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

from tutor.chain.compose_blocks import Block, split_blocks
from tutor.chain.doc_parts import FAQ_HEADING, heading_words, named_sections
from tutor.chain.sections import add_source
from tutor.chain.text import strip_markdown

if TYPE_CHECKING:
    from tutor.chain.answer import Source
    from tutor.chain.doc_parts import DocParts, Part

__all__ = ["labelled_step", "names_step", "section_over_faq"]

# a step title joining two ideas ("持续创新与探索", "跨领域学习与应用"): either whole idea names the step
_JOINED = re.compile(r"[与和及、&/]")


# the question speaks of a step ("the step about …", "这一步"), not only of a topic a step shares ("影响力")
_A_STEP = re.compile(r"步|\bstep", re.IGNORECASE)


def names_step(title: str, question: str) -> bool:
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
    parts: DocParts, doc: str, steps: tuple[tuple[str, ...], list[Part]], question: str, sources: list[Source]
) -> list[Block]:
    """The block of the one labelled step the question names, from the whole steps section, its passage
    appended to `sources`; [] when the steps are sub-sections, or the question names none or several."""
    path, steps_parts = steps
    named = [
        p
        for p in steps_parts
        if len(p.chunk.headings) == len(path) and p.label and names_step(p.title, question)
    ]
    if len(named) != 1:
        return []
    whole = parts.section(doc, path)
    if whole is None:
        return []
    wanted = named[0].label

    def matching(blocks: list[Block]) -> list[Block]:
        return [b for b in blocks if b.label and strip_markdown(b.label) == wanted]

    if not matching(split_blocks(whole)):
        return []
    return matching(split_blocks(add_source(whole, sources)))


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
