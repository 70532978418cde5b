"""A question about the roadmap's 技能树 answered from the parsed tree: a branch it names with all its leaves, or
every branch.

"技能树里“大模型技术”那一类包括哪些" and "What does the skill tree look like — what are its main branches?" were
answered from whatever passage scored best (技能点 13's criteria, a Prompt Engineering item matched on "Tree");
the tree is data (`Curriculum.skill_tree`), so its branches are listed whole and cited to the 技能树 section.
Whether one skill is required is the prerequisites' answer (`tutor.chain.structured_prereqs`), not this one.
"""

from __future__ import annotations

import re

from tutor.chain.glossary import english_terms
from tutor.chain.refs import REQUIRED
from tutor.chain.structured_parts import Builder, Structured
from tutor.curriculum.model import Curriculum, TreeBranch

__all__ = ["skill_tree_answer", "tree_words"]

_TREE = re.compile(r"技能树|\bskill[- ]?tree\b", re.IGNORECASE)
_WHICH = re.compile(r"哪些|哪几|哪个|什么|\bwhich\b|\bwhat\b", re.IGNORECASE)


def tree_words(text: str) -> set[str]:
    """Latin words and adjacent Chinese character pairs, to match the tree's short names without a segmenter."""
    latin = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9\-]+", text)}
    return latin | {r[i : i + 2] for r in re.findall(r"[\u4e00-\u9fff]{2,}", text) for i in range(len(r) - 1)}


def _core(name: str) -> str:
    """'🚀 大模型技术（应用）' -> '大模型技术': the branch's own name, without its icon and its note."""
    return re.sub(r"^\W+|\W+$", "", re.sub(r"[（(].*?[）)]", "", name))


def _by_leaf(text: str, tree: list[TreeBranch]) -> list[TreeBranch]:
    folded = "".join(text.casefold().split())
    return [b for b in tree if any("".join(_core(x).casefold().split()) in folded for x in b.leaves)]


def _named(question: str, tree: list[TreeBranch]) -> list[TreeBranch]:
    """The branches the question names: one holding a leaf it names as written ("模型部署属于哪一类"), else the
    ones sharing most words with its name (two Chinese pairs at least: "模型" alone is in half the tree); []."""
    text = _TREE.sub(" ", question)
    if leaf := _by_leaf(text, tree):
        return leaf
    asked = tree_words(text) | {w for t in english_terms(text) for w in tree_words(t)}
    scores = {i: len(tree_words(_core(b.name)) & asked) for i, b in enumerate(tree)}
    best = max(scores.values(), default=0)
    return [tree[i] for i, s in scores.items() if s == best] if best >= 2 else []


def _by_note(question: str, tree: list[TreeBranch]) -> list[TreeBranch]:
    """The branches whose note the question says ("which skills are mandatory in the skill tree" -> 基础技能（必修）;
    "技能树里核心的是哪些" -> AI 理论（核心）), in Chinese or through the glossary's English words."""
    said = " ".join([question, *english_terms(question)])
    notes = {i: re.findall(r"[（(](.*?)[）)]", b.name) for i, b in enumerate(tree)}
    return [
        tree[i] for i, found in notes.items() if found and found[-1].strip() and found[-1].strip() in said
    ]


# "必修的基础技能", "which foundation skills are mandatory": the skills as a class, asked without the tree named
_SKILLS = re.compile(r"技能|基础|底子|\bskills?\b|\bfoundations?\b|\bbasics\b", re.IGNORECASE)


def _required_skills(question: str, tree: list[TreeBranch]) -> list[TreeBranch]:
    """ "开始学 AI 之前必修的基础技能有哪些": which skills are required is the branch whose note says so (基础技能（必修）),
    with the tree unnamed; [] when the question names a leaf ("Git 是必修的吗" is the prerequisites' answer)."""
    if not (REQUIRED.search(question) and _WHICH.search(question) and _SKILLS.search(question)):
        return []
    return [] if _by_leaf(question, tree) else _by_note(question, tree)


def skill_tree_answer(question: str, cur: Curriculum, b: Builder) -> Structured | None:
    """The 技能树's branches a question about the tree asks for, each with all its leaves; None otherwise
    ("Is Linux required?" asks the core path and the prerequisites, unless it names a branch's note)."""
    citation = cur.skill_tree_citation
    if not cur.skill_tree or citation is None:
        return None
    required = _required_skills(question, cur.skill_tree)
    if not _TREE.search(question) and not required:
        return None
    noted = required or _by_note(question, cur.skill_tree)
    if REQUIRED.search(question) and not (noted and _WHICH.search(question)):
        return None  # "技能树里 Git 是必修的吗": whether one skill is required, not which are
    branches = noted or _named(question, cur.skill_tree) or cur.skill_tree
    n = b.cite(citation, [citation.heading])
    b.out.append("路线图的技能树：" if b.zh else "The roadmap's skill tree (quoted in the original Chinese):")
    for branch in branches:
        b.section(f"{citation.heading} › {branch.name}", n, [b.item(x.rstrip(" ⭐")) for x in branch.leaves])
    return Structured(text="\n".join(b.out).strip(), sources=b.sources, items=b.items, sections=b.sections)
