"""Parts of the material that their own readers quote whole, before any block ranking.

Each reader recognises one kind of question from its wording and the document's structure, never from known
questions: a list written as an order ("项目应该按什么顺序做", `chain.list_order`), an essay's worked example
("程序员A的例子算出来是多少", `chain.worked_examples`), a pair's stated relation ("技术探索和知识分享是什么关系",
`chain.essay_relation`), a formula's terms ("那个公式里都有哪些因素", `chain.formula_terms`).  The first that
answers wins; the order puts the most specific wording first.
"""

from __future__ import annotations

from tutor.chain.answer import Source
from tutor.chain.compose_blocks import Block
from tutor.chain.doc_parts import DocParts
from tutor.chain.essay_relation import relation_blocks
from tutor.chain.formula_terms import formula_blocks
from tutor.chain.list_order import ordered_list_blocks
from tutor.chain.sections import source_of
from tutor.chain.worked_examples import example_blocks

__all__ = ["whole_part"]


def whole_part(parts: DocParts, question: str, sources: list[Source]) -> tuple[str, list[Block]] | None:
    """(what was read, its blocks) of the first reader that answers the question, its passages appended to
    `sources`; None when none does."""
    every = lambda: [source_of(0, c) for chunks in parts.docs.values() for c in chunks]  # noqa: E731
    if (ordered := ordered_list_blocks(question, sources, parts.section, every)) is not None:
        return "ordered list", ordered
    for reason, read in (
        ("worked example", example_blocks),
        ("stated relation", relation_blocks),
        ("formula terms", formula_blocks),
    ):
        if found := read(question, parts, sources):
            return reason, found
    return None
