"""The paragraphs that name examples, when the question asks which examples a section gives.

An essay's application section (好奇心那篇 6.1 医疗健康领域, 6.2 自动驾驶领域) names its examples inside paragraphs,
one a paragraph: "例如，Waymo使用…", "例如，Autonomi使用…", "例如，KITTI使用…".  A question asking for them ("which
companies or projects does it use as examples", "举了哪些例子") shares its words with the section's opening
paragraph as much as with those, so block choice quoted the opening and one example.  What a block holds decides
here: a paragraph that gives an example ("例如", "比如") scores higher for such a question, and the one chosen comes
with every other such paragraph of its passage, in reading order (same passage: same citation).
"""

from __future__ import annotations

import re

from tutor.chain.compose_blocks import Block

__all__ = ["EXAMPLE_BONUS", "asks_examples", "gives_example", "with_examples"]

# the question asks for the examples a text gives, or for the companies / products it names as such
_ASKS = re.compile(
    r"例子|举例|举了|举过|哪些公司|哪家公司|哪些企业|哪些产品|哪些案例"
    r"|\bexamples?\b|\bcompan(?:y|ies)\b|\bfor instance\b|\bnames? (?:any|which)\b",
    re.IGNORECASE,
)
_GIVES = re.compile(r"例如|比如|譬如|举例来说|以.{1,20}为例")
#: how much higher a paragraph giving an example scores for a question asking for examples
EXAMPLE_BONUS = 0.06
_MAX_EXAMPLES = 6


def asks_examples(question: str) -> bool:
    """The question asks which examples (companies, products, cases) the material gives."""
    return bool(_ASKS.search(question))


def gives_example(block: Block) -> bool:
    """A paragraph that gives an example ("例如，Waymo使用…")."""
    return block.kind == "para" and bool(_GIVES.search(" ".join(block.lines)))


def with_examples(question: str, chosen: list[Block], ordered: list[Block]) -> list[Block]:
    """`chosen` with, after its first example-giving paragraph, every other one of that passage in reading
    order, for a question asking for examples; `chosen` unchanged otherwise."""
    if not asks_examples(question):
        return chosen
    lead = next((b for b in chosen if gives_example(b)), None)
    if lead is None:
        return chosen
    seen: dict[int, Block] = {}
    for b in ordered:
        if b.source == lead.source and gives_example(b):
            seen.setdefault(b.position, b)
    group = sorted(seen.values(), key=lambda b: b.position)[:_MAX_EXAMPLES]
    if len(group) < 2:
        return chosen
    out: list[Block] = []
    for b in chosen:
        if b is lead:
            out += [g for g in group if all(g is not o for o in out)]
        elif all(b is not o for o in group):
            out.append(b)
    return out
