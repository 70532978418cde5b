"""What a formula's letters stand for, answered from the sentence that defines them, with the formula beside it.

"那个技能提升公式里都有哪些因素", "what do t, r and e stand for": the essays define a model's symbols in one sentence
("学习效率为 $E$，学习时间为 $T$，…", "其中 $t$ 为学习时间，$r$ 为学习资源") next to its display formula; the block
ranking quoted the derived formulas instead, whose lines name no factor.  The block that defines most symbols
(three or more) answers, with the display formula just before or after it.
"""

from __future__ import annotations

import re

import jieba

from tutor.chain.answer import Source
from tutor.chain.compose_blocks import Block, split_blocks
from tutor.chain.doc_parts import DocParts, named_doc
from tutor.chain.glossary import expand_english
from tutor.chain.sections import add_source
from tutor.chain.text import CJK

__all__ = ["asks_terms", "formula_blocks"]

# the question asks what the parts of a formula are or mean
_TERMS = re.compile(
    r"因素|变量|字母|符号|分别代表|代表什么|指什么|\bstand for\b|\bvariables?\b|\bfactors?\b|\bterms\b|\bsymbols?\b",
    re.I,
)
_FORMULA = re.compile(r"公式|函数|\bformula\b|\bfunction\b|\bequation\b", re.I)
# "学习效率为 $E$", "$t$ 为学习时间", "$M$ 是时间管理的效果": a symbol defined (a value "= 0.5" defines none)
_DEFINED = re.compile(r"(?:为|是)\s*\$[^$=]{1,8}\$(?!\s*=)|\$[^$=]{1,8}\$\s*(?:为|是|表示)")


def asks_terms(question: str) -> bool:
    """The question asks what a formula's factors, variables or letters are."""
    return bool(_TERMS.search(question) and _FORMULA.search(question))


def _text(block: Block) -> str:
    return " ".join(
        [block.intro, *block.lines]
    )  # a definition may be the lead-in of its formula ("…可以表示为：")


def _defines(block: Block) -> int:
    return len(_DEFINED.findall(_text(block)))


def formula_blocks(question: str, parts: DocParts, sources: list[Source]) -> list[Block] | None:
    """The block defining most of a formula's symbols (three or more) in the document the question names (else in
    any; ties go to the block holding more of the question's words), with its neighbouring display formula, its
    section appended to `sources`; None when the question asks no formula's terms or no block defines them."""
    if not asks_terms(question):
        return None
    said = question if CJK.search(question) else expand_english(question)
    named = named_doc(said, parts)
    words = {w for w in jieba.lcut(said) if len(w) >= 2 and CJK.search(w)}
    best: tuple[tuple[int, int], str, tuple[str, ...], int] | None = None
    for doc in [named] if named else list(parts.docs):
        for path in dict.fromkeys(tuple(c.headings) for c in parts.chunks(doc) if c.headings):
            whole = parts.section(doc, path)
            for k, block in enumerate(split_blocks(whole) if whole is not None else []):
                n = _defines(block)
                held = sum(w in _text(block) for w in words)
                if n >= 3 and (best is None or (n, held) > best[0]):
                    best = ((n, held), doc, path, k)
    if best is None:
        return None
    _, doc, path, k = best
    whole = parts.section(doc, path)
    own = split_blocks(add_source(whole, sources)) if whole is not None else []
    # the formula defined, and the sentence that defines the rest of its letters ("其中 $T$ 是…")
    near = [
        b for i, b in enumerate(own) if i == k or (abs(i - k) == 1 and (b.kind == "math" or _defines(b) >= 2))
    ]
    return near or None
