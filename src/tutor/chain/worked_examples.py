"""An essay's worked example, answered from its own section: "程序员A的例子算出来是多少", "the case of the engineer
who used deep learning: what steps".

Each essay works an example through twice: in prose with its formula (4.3 案例分析与讲解, whose stated result is
the formula's value) and as code (5.4 运行结果展示, what the program prints).  A question about "the example of X"
was answered from the essay's general lists (the steps, the formula's definition) because those share more words
with it; the example's own section states the value or the process asked for.  Which section is meant is read
from the question's own words (the example's particulars, which stand in that section's text) and from whether
it asks about the code; nothing here names one essay or one example.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import jieba

from tutor.chain.answer import Source
from tutor.chain.compose_blocks import Block, split_blocks
from tutor.chain.doc_parts import DocParts, named_doc
from tutor.chain.glossary import english_terms, expand_english
from tutor.chain.sections import add_source
from tutor.chain.text import CJK

__all__ = ["ASKS_EXAMPLE", "asks_code", "example_blocks", "example_section"]

# the learner says an example is meant ("程序员A的例子", "the worked case", "举的那个例子")
ASKS_EXAMPLE = re.compile(r"例子|案例|举例|示例|算例|\bexamples?\b|\bcase\b|\bscenario\b", re.I)
# a section that works an example through: its prose (案例) or what its program prints (运行结果)
_EXAMPLE_HEADING = re.compile(r"案例|运行结果")
_CODE_HEADING = re.compile(r"运行结果")
_EXAMPLE_WEIGHT = 1.5
# the question is about the code's run: "代码最后算出来", "跑出来", "what does it print", "the python code example"
_CODE = re.compile(
    r"代码|程序(?!员)|跑出|打印|运行|\bprints?\b|\bprinted\b|\boutputs?\b|\b(?:the|its|python)\s+code\b|\bcode\s+example\b",
    re.I,
)
# "the formula one, not the code output", "不是代码跑出来的": the code named only to set it aside
_NOT_CODE = re.compile(
    r"(?:\bnot|不是|而不是|不要|别看)\s*(?:the\s+)?(?:代码|程序|code|program)\w*(?:\s+output)?", re.I
)
# words every question about an example says, which pick no section
_ASKING = frozenset(
    "例子 案例 举例 示例 文章 那篇 这篇 里面 那个 一个 多少 是多少 什么 哪些 哪几步 最后 出来 算出来".split()
)


def asks_code(question: str) -> bool:
    """The question asks what the example's code computes or prints, not what its prose works out."""
    return bool(_CODE.search(_NOT_CODE.sub(" ", question)))


def _words(question: str) -> set[str]:
    """The question's own words (Chinese words, the material's words for English terms, numbers)."""
    if CJK.search(question):
        words = {w.lower() for w in jieba.lcut(question) if len(w.strip()) >= 2}
    else:
        words = set(english_terms(question))
    words |= set(re.findall(r"\d+(?:\.\d+)?", question))
    return {w for w in words if w not in _ASKING and not ASKS_EXAMPLE.fullmatch(w)}


def _leaves(parts: DocParts, doc: str) -> list[tuple[str, ...]]:
    """The heading paths of `doc` that have no sub-section of their own."""
    paths = list(dict.fromkeys(tuple(c.headings) for c in parts.chunks(doc) if c.headings))
    return [p for p in paths if not any(q != p and q[: len(p)] == p for q in paths)]


def example_section(
    question: str, parts: DocParts, docs: Sequence[str]
) -> tuple[str, tuple[str, ...]] | None:
    """(doc, heading path) of the worked example the question asks about, or None.

    Every leaf section of `docs` is scored by the rarity-weighted words of the question its text holds; when the
    best is an example's section, the example is meant, and of that essay's example sections the code's run
    (运行结果) answers a question about the code, the prose (案例) any other.  None when the question names no
    example, or another section holds its words better (a 6.x scenario "咨询公司的例子" answers itself)."""
    if not ASKS_EXAMPLE.search(question):
        return None
    words = _words(question)
    texts = {
        (doc, path): "".join(c.text for c in parts.under(doc, path)).lower()
        for doc in docs
        for path in _leaves(parts, doc)
    }
    if not words or not texts:
        return None
    df = {w: sum(w in t for t in texts.values()) for w in words}
    idf = {w: math.log(1 + len(texts) / k) for w, k in df.items() if k}
    score = {key: sum(v for w, v in idf.items() if w in text) for key, text in texts.items()}
    # a section whose own heading says the question's words is named ("参与开源社区…的案例" → 6.4 开源社区贡献)
    score = {k: v + sum(x for w, x in idf.items() if w in k[1][-1].lower()) for k, v in score.items()}
    # the learner says an example is meant: an example's section outweighs one that merely explains it
    score = {k: v * (_EXAMPLE_WEIGHT if _EXAMPLE_HEADING.search(k[1][-1]) else 1.0) for k, v in score.items()}
    best = max(score, key=lambda k: score[k])
    examples = [k for k in texts if k[0] == best[0] and _EXAMPLE_HEADING.search(k[1][-1])]
    # a section of the chapter that works the example (4.1 its model, 5.2 its code) is that example's
    if (
        not any(best[1][: len(k[1]) - 1] == k[1][:-1] for k in examples)
        or sum(w in texts[best] for w in idf) < 2
    ):
        return None
    code = asks_code(question)
    same = examples
    wanted = [k for k in same if bool(_CODE_HEADING.search(k[1][-1])) == code]
    return wanted[0] if wanted else best


def example_blocks(question: str, parts: DocParts, sources: list[Source]) -> list[Block] | None:
    """The blocks of the worked example's whole section (`example_section`) in the document the question names
    (else in every document that works an example), its passage appended to `sources`; None when no example
    is asked about."""
    if not ASKS_EXAMPLE.search(question):
        return None
    named = named_doc(question if CJK.search(question) else expand_english(question), parts)
    essays = [d for d in parts.docs if any(_EXAMPLE_HEADING.search(p[-1]) for p in _leaves(parts, d))]
    found = example_section(question, parts, [named] if named in essays else essays)
    whole = parts.section(*found) if found else None
    if whole is None or not whole.text.strip():
        return None
    return split_blocks(add_source(whole, sources)) or None
