"""The roadmap's answer to a curriculum question, and a concept described without its keyword answered first.

"把模型权重压成 8 位或者 4 位整数来加速推理，在哪个技能点讲？" describes 模型量化 (an item of skill 13) and names
skill 13 only by one word of its description (推理); "the thing where you put a couple of worked examples in the
prompt" says "prompt".  Asked through the skill's lists, such a question gets a group or the skill's prerequisites,
never the item it describes.  So a question that asks where a concept is taught or what it is called, and names
no unit by its own name nor a term by asking about it, is matched first (the lexicon's answer mode,
`tutor.index.lexicon`): the roadmap item it describes, quoted with its group, skill and stage and cited; a skill
described whole ("先查外部文档再回答的技术" -> RAG) gets the skill's content.  Read from the roadmap's structure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from tutor.chain.concept_match import ASKS_NAME, lexicon_terms
from tutor.chain.concepts import (
    _DESCRIBES,
    _HOW,
    _NOT_CONCEPT,
    _WHERE,
    Describe,
    _asked_what,
    _content_answer,
    _content_terms,
    _matching_text,
    _said,
    compose_concept,
    names_article,
)
from tutor.chain.described_items import described_item, kinds_group
from tutor.chain.doc_parts import DocParts, named_sections
from tutor.chain.refs import core_name
from tutor.chain.roadmap_units import group_answer, other_documents_text
from tutor.chain.skill_tree import skill_tree_answer
from tutor.chain.structured import compose_structured
from tutor.chain.structured_parts import Builder, Structured, skill_label, stage_label
from tutor.chain.understanding import Understanding

if TYPE_CHECKING:
    from tutor.curriculum.learners import Roadmap
    from tutor.index.embeddings import TutorEmbeddings

__all__ = ["Describe", "curriculum_answer", "described_first"]

# "What are the must-read papers, in order?" asks for a list; a description asks where it is taught or its name
_RESOURCE_WORD = re.compile(r"资源|资料|教程|课程|\bresources?\b|\btutorials?\b|\bcourses?\b", re.IGNORECASE)
_LIST = re.compile(r"\bwhat are\b|有哪些|哪几", re.IGNORECASE)
_WHERE_OR_NAME = re.compile(
    ASKS_NAME.pattern + "|" + _WHERE + r"|在哪|哪(?:个|一)(?:技能|阶段|部分)|属于哪|哪一?块"
    r"|\bwhere\b|\bwhich (?:skill|stage|part|section)\b",
    re.IGNORECASE,
)


def _names_a_unit(u: Understanding, roadmap: Roadmap) -> bool:
    """The question names a stage, a milestone, or a skill by its own name or number (not by one word of
    its content such as 推理 or "prompt", which a description of one of its concepts says as well)."""
    if u.stages or u.milestones or "checks" in u.aspects:  # a unit's criteria asked: no description
        return True
    cur = roadmap.curriculum
    for number in u.skills:
        if f"skill {number}" not in u.evidence:
            return True  # named by the earlier turn ("What are the check criteria for the first one?")
        said = _fold_space(u.evidence[f"skill {number}"])
        names = {_fold_space(core_name(cur.skill(number).name)), _fold_space(cur.skill(number).name)}
        if said in names or re.fullmatch(r"(?:技能点|skill)\d+", said):
            return True
    return False


def _not_concept(question: str) -> bool:
    """How two things relate, or how to do something without asking where it is taught ("How do I shrink a
    model…? Where is that taught?" asks where: a description in the learner's words, like 把权重压成 8 位…在哪讲)."""
    if _NOT_CONCEPT.search(_HOW.sub(" ", question)):
        return True  # how two things relate
    return bool(_HOW.search(question)) and not _WHERE_OR_NAME.search(question)


def _fold_space(text: str) -> str:
    return "".join(text.casefold().split())


def described_first(
    question: str,
    language: str,
    u: Understanding,
    roadmap: Roadmap,
    parts: DocParts | None,
    describe: Describe | None,
    embedder: Callable[[], TutorEmbeddings] | None = None,
) -> Structured | None:
    """A concept described without its keyword, asked where it is taught or what it is called ("把模型权重压成
    8 位或者 4 位整数来加速推理，在哪个技能点讲"), answered by the roadmap item it describes *before* the skill's
    lists: its words often name a skill by one content word (推理, "prompt", 神经网络) or say a term as context
    (向量), and that skill's or group's list is not what was asked.  Only the roadmap's skill items, only when
    the lexicon's match clearly wins (its margin and scope gate) and no unit or term is asked about by name;
    marked `concept`: the chain checks its scope."""
    if describe is None or not _DESCRIBES.search(question) or _not_concept(question):
        return None
    if u.skills and "resources" in u.aspects and _RESOURCE_WORD.search(question):
        return None  # "where do I learn to write prompts? list every resource": the table, not a description
    if _LIST.search(question) and not _WHERE_OR_NAME.search(question):
        return None
    if _names_a_unit(u, roadmap) or names_article(question, language, roadmap, parts):
        return None
    text = _matching_text(question, language)
    terms = _content_terms(roadmap)
    if any(_said(t.term, text) and _asked_what(t.term, text) for t in terms):
        return None  # "What's LoRA, and which skill covers it?": the term it names answers (compose_concept)
    hit = describe(question, None)
    if hit is None:  # no lexicon concept by its margin: the roadmap item the question describes, if one wins
        return described_item(question, language, u, roadmap, embedder)
    if hit.entry.doc != roadmap.curriculum.doc:
        return None
    own = lexicon_terms(hit, terms, lambda t: t.term)
    if not own:  # a whole skill described ("先查外部文档再回答的技术" -> RAG): the skill's content
        return _described_skill(hit.entry.names, u, roadmap, language, question)
    found = _content_answer(own, roadmap, language, replace(u, skills=[]))  # skills named by a word only
    groups = {(t.skill, t.group) for t in own}  # a term of the concept's group said (containers -> 容器化):
    named = any((t.skill, t.group) in groups for t in terms if _said(t.term, text))  # not only described
    return replace(found, concept=not named) if found is not None else None


def _described_skill(
    names: tuple[str, ...], u: Understanding, roadmap: Roadmap, language: str, question: str
) -> Structured | None:
    """The content of the skill whose own name is the described concept's (term or alias), scope-checked."""
    cur = roadmap.curriculum
    folded = {_fold_space(n) for n in names}
    skills = [s.number for s in cur.skills if _fold_space(core_name(s.name)) in folded]
    if len(skills) != 1:
        return None
    asked = replace(u, skills=skills, stages=[], aspects=["content"], whole_roadmap=False)
    found = compose_structured(asked, cur, roadmap.path, language, roadmap.prerequisites, question)
    if found is None:
        return None
    skill, zh = cur.skill(skills[0]), language == "zh"
    where = f"{skill_label(skill, zh)}（{stage_label(cur, skill.stage, zh)}）"
    lead = f"你描述的是 {where} 这个技能点：" if zh else f"What you describe is taught in {where}:"
    return replace(found, text=f"{lead}\n{found.text}", concept=True)


def _described_skill_asked(
    question: str, language: str, u: Understanding, roadmap: Roadmap, describe: Describe | None
) -> Structured | None:
    """An aspect asked of a skill the learner describes instead of naming ("对图片和文字一起处理的那种模型…有什么
    学习资源推荐" -> 技能点 16's resources): the lexicon's description names the skill, the rules read the aspect."""
    if (
        describe is None
        or u.skills
        or u.stages
        or u.milestones
        or not set(u.aspects) & {"resources", "project"}
    ):
        return None
    said = [v for k, v in u.evidence.items() if k.startswith("aspect ")]
    clauses = [
        c for c in re.split(r"[，,。；;!！?？]", question) if c.strip() and not any(w in c for w in said)
    ]
    if not clauses:
        return None
    hit = describe("，".join(clauses), None)  # the description alone, without the clause asking the aspect
    cur = roadmap.curriculum
    if hit is None or hit.entry.doc != cur.doc:
        return None
    folded = {_fold_space(n) for n in hit.entry.names}
    skills = [s.number for s in cur.skills if _fold_space(core_name(s.name)) in folded]
    if len(skills) != 1:
        return None
    asked = replace(u, skills=skills, evidence={**u.evidence, f"skill {skills[0]}": hit.entry.names[0]})
    return compose_structured(asked, cur, roadmap.path, language, roadmap.prerequisites, question)


# "附录里推荐了哪些库": the learner points at the roadmap's tools appendix, not at a skill a word of theirs names
_APPENDIX = re.compile(r"附录|\bappendix\b", re.IGNORECASE)


def _asks_appendix_section(question: str, parts: DocParts, doc: str) -> bool:
    """The question names the appendix and one of its sections ("附录里 NLP 的库"): that section answers it
    (retrieval's named sections), not the skill or the concept a word of the question also names."""
    if not _APPENDIX.search(question):
        return False
    return any(any(_APPENDIX.search(h) for h in path[1:-1]) for path in named_sections(question, parts, doc))


def _kinds_answer(
    question: str,
    language: str,
    u: Understanding,
    roadmap: Roadmap,
    embedder: Callable[[], TutorEmbeddings] | None,
    builder: Builder,
    elsewhere: str,
) -> Structured | None:
    """ "transformer 那章要掌握哪几种注意力": the one group of the skill whose kinds are asked, whole and cited."""
    ref = kinds_group(question, language, u, roadmap, embedder)
    return group_answer(question, language, u, roadmap.curriculum, builder, elsewhere, [ref]) if ref else None


def curriculum_answer(
    question: str,
    language: str,
    u: Understanding,
    roadmap: Roadmap,
    parts: DocParts | None,
    embedder: Callable[[], TutorEmbeddings] | None = None,
    describe: Describe | None = None,
) -> Structured | None:
    """The roadmap's complete lists for a curriculum question (unless it names an article), else the
    passage teaching the concept it asks about; None when retrieval answers."""
    cur = roadmap.curriculum
    structured = None
    if parts is not None and _asks_appendix_section(question, parts, cur.doc):
        return None
    if (first := described_first(question, language, u, roadmap, parts, describe, embedder)) is not None:
        return first
    if (asked := _described_skill_asked(question, language, u, roadmap, describe)) is not None:
        return asked
    if not names_article(question, language, roadmap, parts):
        builder = Builder(cur, roadmap.path, language == "zh")
        elsewhere = other_documents_text(parts.docs, cur.doc) if parts is not None else ""
        structured = (
            skill_tree_answer(question, cur, builder)
            or group_answer(question, language, u, cur, builder, elsewhere)
            or _kinds_answer(question, language, u, roadmap, embedder, builder, elsewhere)
            or compose_structured(u, cur, roadmap.path, language, roadmap.prerequisites, question)
        )
    return structured or compose_concept(question, language, u, roadmap, parts, embedder, describe)
