"""Concept questions ("什么是知识蒸馏？", "What's LoRA, and which skill covers it?"): the passage that teaches it.

The material teaches a term in one of two places, both read from its structure, never from known questions:

- **the roadmap's skill content**: the term is a group title ("向量数据库") or (part of) an item
  ("知识蒸馏", "TF-IDF", the "int8" of "模型量化（int8, int4）") of one group of a skill's content ->
  that whole group, with the skill and the stage it belongs to, cited to the skill's content lines;
- **an article's definition lines**: "- **技术专长(Technical Expertise)**：..." under a heading about
  concepts (概念) -> those lines, cited to their passage.

A term counts when the question asks what something is, means, or where it is taught, and the term
stands in it (a Latin term as a whole word, case-sensitive where the material writes it in mixed case
such as "ReAct"; a Chinese term as written; an English question also through the glossary).  A skill's
own name is not a term here: those questions get the skill's structured answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from tutor.chain.answer import Source
from tutor.chain.concept_match import ASKS_NAME, ASKS_WHAT_IT_MEANS, described, lexicon_passage, lexicon_terms
from tutor.chain.doc_parts import DocParts, named_doc
from tutor.chain.glossary import expand_english
from tutor.chain.glossary_topics import expand_chinese
from tutor.chain.refs import core_name
from tutor.chain.sections import source_of
from tutor.chain.structured_parts import Builder, Structured, skill_label, stage_label
from tutor.chain.text import CJK, strip_markdown
from tutor.chain.understanding import Understanding
from tutor.curriculum.model import ContentGroup, Skill
from tutor.index.store import StoredChunk

if TYPE_CHECKING:
    from tutor.curriculum.learners import Roadmap
    from tutor.index.embeddings import TutorEmbeddings
    from tutor.index.lexicon import LexiconHit

#: the concept a question describes without its keyword, within a named document or not (ConceptGlossary.described)
Describe = Callable[[str, "str | None"], "LexiconHit | None"]

__all__ = ["ASKS_CONCEPT", "compose_concept", "names_article"]

# "这个技术在路线图哪里", "路线图里有讲吗": where (whether) the material teaches what the question describes
_WHERE_ZH = (
    r"(?:路线图?|资料|材料)(?:里|中)?的?哪(?:里|儿|部分|块)|有没有讲|有讲吗?|讲(?:过|到)了?吗"
    # "…的那种方法，哪一节讲？", "在哪一章讲", "哪里讲到": the section that teaches it
    r"|哪一?(?:节|章|部分|个部分)(?:里|中)?(?:讲|有|提|介绍|教)|哪(?:里|儿)(?:讲|有讲|提到|介绍|教)"
)
# the English of 有没有讲: "…— is that in the roadmap?", "does the material cover it?", "is this taught anywhere?"
_WHERE_EN = (
    r"\b(?:is|are) (?:that|this|it|they|these|those) (?:(?:in|on|part of|anywhere in|somewhere in) the "
    r"(?:roadmap|material|curriculum|course)|covered|taught|mentioned|included)\b"
    r"|\b(?:does|do) the (?:roadmap|material|curriculum|course) (?:cover|teach|mention|include|talk about)\b"
)
#: where (whether) the material teaches something, in either language
_WHERE = _WHERE_ZH + "|" + _WHERE_EN
ASKS_CONCEPT = re.compile(
    _WHERE
    + r"|是什么|什么是|什么意思|啥意思|指的是|指什么|含义|定义|区别|作用|属于哪|在哪(?:个|一)?(?:部分|技能|阶段|里)|哪个技能|怎么理解|解释|讲了?哪些"
    r"|哪一?块|在哪学"
    r"|\bwhat(?:'s| is| are)\b|\bwhat role\b|\brole of\b|\bwhich\b|\bexplain\b|\bmean(?:s|ing|t)?\b|\bdefin|\bwhere\b"
    r"|\bdifference\b",
    re.IGNORECASE,
)
# how to do something is not a definition ("how do I fine-tune…") unless the question also asks where the material
# teaches it: "How do I shrink a model by storing weights in 8 bits? Where is that taught?" describes a concept in
# the words a learner has for it (`curriculum_answer.described_first`)
_HOW = re.compile(
    r"步骤|怎么做|如何做|做法|(?:要|该|具体)(?:怎么|如何)(?!理解)|\bsteps?\b|\bhow (?:to|do|can|should)\b",
    re.IGNORECASE,
)
# how two things relate, or how to do something, is not a definition ("技术探索和知识分享之间是什么关系")
_NOT_CONCEPT = re.compile(r"关系|联系|\brelat|" + _HOW.pattern, re.IGNORECASE)
# an article's definition line answers what a term *means*; "which tools does the curiosity article
# suggest" asks for a list, although the word naming the article is itself one of its defined terms
_ASKS_MEANING = re.compile(
    r"是什么|什么是|什么意思|啥意思|指的是|指什么|含义|定义|区别|作用|怎么理解|解释"
    r"|\bwhat(?:'s| is| are)\b|\bwhat role\b|\brole of\b|\bexplain\b|\bmean(?:s|ing|t)?\b|\bdefin|\bdifference\b",
    re.IGNORECASE,
)
# "what are the downsides of lifelong learning" asks about an attribute of the term, not what it means
_ATTRIBUTE = re.compile(r"\bwhat(?:'s| is| are)\s+(?:the\s+)?[a-z]+(?:\s+[a-z]+){0,2}\s+of\b", re.IGNORECASE)
# the words that name the article ("the curiosity essay", "讲好奇心的那篇") are not a term asked about,
# although an article's title word is often one of its defined terms (好奇心)
_ARTICLE_NAME = re.compile(
    r"\b(?:the\s+)?[\w-]+(?:\s+[\w-]+)?\s+(?:essay|article|post|piece)\b|[\u4e00-\u9fff]{2,6}(?=的?(?:那|这)篇|的?文章)",
    re.IGNORECASE,
)
# "what is it, and which tools does it suggest": a list asked beside the meaning; the article's section with the
# list answers it, not its definition line
_ALSO_A_LIST = re.compile(
    r"\b(?:which|what)\s+[a-z]+s\s+(?:does|do|did|should|would|can)\b|还?(?:有|推荐|提到)了?哪些"
    r"|\b(?:recommends?|suggests?|lists?|mentions?|names?|gives?)\s+(?:some|a few|several|a number of)\b"
)
# what a description of one concept asks: its name, what it means, where (which skill) it is taught; "which
# frameworks are listed in the tools appendix" asks for a list, not for a concept its words describe
_DESCRIBES = re.compile(
    ASKS_NAME.pattern
    + "|"
    + _ASKS_MEANING.pattern
    + "|"
    + _WHERE
    + r"|在哪|哪(?:个|一)(?:技能|阶段|部分)|属于哪|哪一?块"
    r"|\bwhere\b|\bwhich (?:skill|stage|part|section)\b",
    re.IGNORECASE,
)
_DEFINITION = re.compile(r"^\s*[-*]\s*\*\*([^*]{1,40})\*\*\s*[:：]\s*(.+)$")
_PAREN = re.compile(r"[（(]([^）)]*)[）)]")
_SPLIT = re.compile(r"\s*(?:[,，、/+]|和|与|及)\s*")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9+#.\-]*(?: [A-Z][A-Za-z0-9+#.\-]*)*")
_CAMEL = re.compile(r"[a-z][A-Z]")
# a name joined by small words ("Tree of Thoughts") is one name: its pieces ("Tree", "Thoughts") are plain
# words a learner says for other things ("the skill tree"), so they are no terms of their own
_JOINED = re.compile(r"[A-Z][a-z]+(?:\s+(?:of|and|for|the|in|on|to|with)\s+[A-Z][a-z]+)+")


@dataclass(frozen=True)
class _Term:
    term: str
    skill: int
    group: int  # index into the skill's content groups
    title: bool  # the group's own title (the whole group is about it)


def _terms_of(text: str) -> list[str]:
    """'模型量化（int8, int4）' -> 模型量化, int8, int4; 'Attention 机制' -> Attention 机制, Attention.

    In the text's order, the item's own name first: terms of one length are told apart by it, so which
    one an answer names ("「模型量化」是 …", not "「int4」是 …") no longer follows the hash seed."""
    text = strip_markdown(text).strip()
    inner = [p for m in _PAREN.finditer(text) for p in _SPLIT.split(m.group(1))]
    core = _PAREN.sub("", text).strip()
    out = list(dict.fromkeys([core, *_SPLIT.split(core), *inner]))
    out += [m.group(0) for piece in out for m in _LATIN.finditer(_JOINED.sub(" ", piece))]
    return list(dict.fromkeys(t.strip(" .-") for t in out if t.strip(" .-")))


def _distinctive(term: str) -> bool:
    if CJK.search(term):
        return len(CJK.findall(term)) >= 2
    return len(term) >= 3 and bool(re.search(r"[A-Z0-9]", term))


@lru_cache(maxsize=4)
def _content_terms(roadmap: Roadmap) -> tuple[_Term, ...]:
    """Every distinctive term of the skills' content groups (not a skill's own name or alias)."""
    cur = roadmap.curriculum
    found: list[_Term] = []
    for skill in cur.skills:
        for k, group in enumerate(skill.content):
            if group.title:
                found += [_Term(t, skill.number, k, True) for t in _terms_of(group.title)]
            for item in group.items:
                found += [_Term(t, skill.number, k, False) for t in _terms_of(item)]
    names = {n for s in cur.skills for n in (s.name.lower(), core_name(s.name))}
    skills_of: dict[str, set[int]] = {}
    for t in found:
        skills_of.setdefault(t.term.lower(), set()).add(t.skill)
    return tuple(
        t
        for t in found
        if _distinctive(t.term) and len(skills_of[t.term.lower()]) <= 2 and t.term.lower() not in names
    )


def _said(term: str, question: str) -> bool:
    if CJK.search(term):
        return term in question
    flags = 0 if _CAMEL.search(term) else re.IGNORECASE
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", question, flags) is not None


def _asked_what(term: str, question: str) -> bool:
    """The question asks what this term is ("What's LoRA", "什么是知识蒸馏", "LoRA 是什么"), not names it as the
    context of a description ("randomly switch off neurons so the net doesn't overfit": 过拟合 is no answer)."""
    t = re.escape(term)
    flags = 0 if _CAMEL.search(term) else re.IGNORECASE
    lead = r"(?i:\bwhat(?:'s|\s+is|\s+are)|\bexplain|\bdefine|什么是|解释一下|解释)\s*(?i:the\s+|an?\s+)?"
    before = lead + t
    after = rf"{t}\s*(?:是什么|是啥|指什么|什么意思|啥意思|怎么理解)"
    return re.search(f"{before}|{after}", question, flags) is not None


def _content_answer(
    hits: list[_Term], roadmap: Roadmap, language: str, u: Understanding
) -> Structured | None:
    if u.skills:  # "Explain TF-IDF — where does it show up in the NLP part?": only the named skill's
        hits = [h for h in hits if h.skill in u.skills]
    if not hits:
        return None
    zh, cur = language == "zh", roadmap.curriculum
    # the group a term titles beats one that lists it; longer terms beat shorter ones
    hits.sort(key=lambda h: (not h.title, -len(h.term)))
    groups = _most_named(hits)[:2]
    b = Builder(cur, roadmap.path, zh)
    for skill_no, k in groups:
        skill: Skill = cur.skill(skill_no)
        group: ContentGroup = skill.content[k]
        term = next(h.term for h in hits if (h.skill, h.group) == (skill_no, k))
        stage = stage_label(cur, skill.stage, zh)
        cited = skill.section_citations.get(group.section, skill.citation)
        n = b.cite(cited, [cur.stage(skill.stage).heading, skill.heading, group.section])
        where = f"{skill_label(skill, zh)}（{stage}）" if zh else f"{skill_label(skill, zh)} ({stage})"
        lead = (
            f"「{term}」是 {where} 的学习内容" + (f"，属于「{group.title}」：" if group.title else "：")
            if zh
            else f"“{term}” is taught in {where}" + (f", under “{group.title}”:" if group.title else ":")
        )
        body = ("；" if zh else "; ").join(group.items)
        b.items.extend(group.items)
        b.section(
            f"{skill_label(skill, zh)} › {group.section}",
            n,
            [lead, f"**{group.title}**：{body}" if group.title else body],
        )
    text = "\n".join(b.out).strip("\n")
    return Structured(text=text, sources=b.sources, items=b.items, sections=b.sections)


def _most_named(hits: list[_Term]) -> list[tuple[int, int]]:
    """The groups the hits fall in, less one whose terms the question says another group holds with more
    ("8 or 4 bits" -> int8, int4 and 模型量化 of 模型部署's 模型量化（int8, int4）, not PyTorch's bare 模型量化):
    citing the group that holds fewer of the question's words beside it cites what was not asked."""
    groups = list(dict.fromkeys((h.skill, h.group) for h in hits))
    said = {g: {h.term.lower() for h in hits if (h.skill, h.group) == g} for g in groups}
    return [g for g in groups if not any(said[g] < said[o] for o in groups)]


def _definition_lines(parts: DocParts, wanted: str | None) -> list[tuple[StoredChunk, str, str]]:
    """(chunk, line, term) of the articles' definition lines (under a heading about concepts)."""
    found: list[tuple[StoredChunk, str, str]] = []
    for doc, chunks in parts.docs.items():
        if wanted and doc != wanted:
            continue
        for chunk in chunks:
            if not any("概念" in h for h in chunk.headings):
                continue
            for line in chunk.text.splitlines():
                m = _DEFINITION.match(line)
                if m:
                    found.append((chunk, strip_markdown(line.strip().lstrip("-* ")), m.group(1)))
    return found


def _definitions(parts: DocParts, question: str, wanted: str | None) -> list[tuple[StoredChunk, str]]:
    """(chunk, line) of the articles' definition lines whose term the question names."""
    found = [
        (chunk, line)
        for chunk, line, term in _definition_lines(parts, wanted)
        if any(_distinctive(t) and _said(t, question) for t in _terms_of(term))
    ]
    docs = list(dict.fromkeys(c.doc for c, _ in found))
    return [(c, line) for c, line in found if c.doc == docs[0]][:3] if docs else []


def _without_article_name(question: str, language: str) -> str:
    text = _ARTICLE_NAME.sub(" ", question)
    return text if CJK.search(text) and language == "zh" else expand_english(text)


def _described(
    parts: DocParts, question: str, text: str, article: str, embedder: Callable[[], TutorEmbeddings] | None
) -> list[tuple[StoredChunk, str]]:
    """The named article's definition lines nearest a description (`tutor.chain.concept_match`)."""
    lines: dict[str, StoredChunk] = {}  # a line split into two passages counts once
    for chunk, line, _ in _definition_lines(parts, article):
        lines.setdefault(line, chunk)
    return described(question, text, [(c, line) for line, c in lines.items()], embedder)


def _definition_answer(found: list[tuple[StoredChunk, str]], language: str) -> Structured:
    sources: list[Source] = []
    out: list[str] = []
    for chunk, line in found:
        source = next((s for s in sources if s.id == chunk.id), None)
        if source is None:
            source = source_of(len(sources) + 1, chunk)
            source.cited = True
            sources.append(source)
            where = " › ".join(source.headings[-2:])
            out.append(f"\n**{where}**" if language == "zh" else f"\nFrom **{where}**:")
        out.append(f"- {line} [{source.n}]")
    lead = (
        "资料中的定义："
        if language == "zh"
        else "How the material defines it (quoted in the original Chinese):"
    )
    return Structured(
        text=lead + "\n" + "\n".join(out).strip("\n"), sources=sources, items=[line for _, line in found]
    )


def _matching_text(question: str, language: str) -> str:
    """What terms and article names are matched against: a Chinese question as asked, an English one with
    the material's own Chinese terms added."""
    return expand_chinese(question) if CJK.search(question) and language == "zh" else expand_english(question)


def compose_concept(
    question: str,
    language: str,
    u: Understanding,
    roadmap: Roadmap,
    parts: DocParts | None,
    embedder: Callable[[], TutorEmbeddings] | None = None,
    describe: Describe | None = None,
) -> Structured | None:
    """The passage that teaches the term the question asks about, or None (then retrieval answers)."""
    names = ASKS_NAME.search(question)
    if not (ASKS_CONCEPT.search(question) or names) or _NOT_CONCEPT.search(question):
        return None
    text = _matching_text(question, language)
    article = named_doc(text, parts) if parts is not None else None
    if article and describe is not None and names and (hit := describe(question, article)) is not None:
        if parts is not None and (named := lexicon_passage(hit, parts, language)) is not None:
            return replace(
                named, concept=True
            )  # "逆袭那篇里…的办法叫什么": the article's concept the lexicon knows
    if parts is not None and (names or _ASKS_MEANING.search(_ATTRIBUTE.sub(" ", question))):
        # asking for a name, the terms the question says are not the answer: it describes one
        found = (
            []
            if names or _ALSO_A_LIST.search(question)
            else _definitions(parts, _without_article_name(question, language), article)
        )
        described = bool(not found and article and (names or ASKS_WHAT_IT_MEANS.search(question)))
        found = _described(parts, question, text, article, embedder) if described and article else found
        if found:  # a definition line only described: the chain checks its scope
            return replace(_definition_answer(found, language), concept=described)
    if article and article != roadmap.curriculum.doc:
        return None  # a question about an article is not answered from the roadmap's syllabus
    hits = [t for t in _content_terms(roadmap) if _said(t.term, text)]
    asked = [t for t in hits if _asked_what(t.term, text)]
    if asked and not names and (said := _content_answer(asked, roadmap, language, u)) is not None:
        return said  # "What's LoRA, and which skill covers it?": the term it asks about, not one it describes
    hit = describe(question, article) if describe is not None and _DESCRIBES.search(question) else None
    if hit is not None:  # a concept described without its keyword: the lexicon's (tutor.index.lexicon)
        own = lexicon_terms(hit, _content_terms(roadmap), lambda t: t.term)
        named = _content_answer(own, roadmap, language, u) if own else None
        if named := named or (lexicon_passage(hit, parts, language) if parts is not None else None):
            return replace(named, concept=True)  # only described: the chain checks its scope
    return _content_answer(_without_common_words(hits, text), roadmap, language, u)


def _without_common_words(hits: list[_Term], text: str) -> list[_Term]:
    """Less the hits of a plain English word the material capitalises as its term ("Vector", "Memory") that the
    question says only as an ordinary word ("a dense vector", "save GPU memory"), when another term is hit: the
    described concept (Word2Vec, 混合精度训练) answers, and citing the other skill's group cites what was not asked."""
    common = [h for h in hits if re.fullmatch(r"[A-Z][a-z]+", h.term) and h.term not in text]
    return [h for h in hits if h not in common] if len(common) < len(hits) else hits


def names_article(question: str, language: str, roadmap: Roadmap, parts: DocParts | None) -> bool:
    """The question names one of the articles, not the roadmap ("讲好奇心的那篇推荐了哪些资源", "the
    curiosity essay … deep learning"): the article's own text answers it, although it names a skill."""
    if parts is None:
        return False
    article = named_doc(_matching_text(question, language), parts)
    return article is not None and article != roadmap.curriculum.doc
