"""Is a learning-path question about a subject the material covers?  The subject the learner wants to learn.

"我想学做川菜，有没有一条从入门到进阶的学习路线？", "马拉松训练计划应该怎么安排？", "a roadmap for learning to speak
Japanese": every word but the subject is a learning-path word (路线, 入门, plan, roadmap, step-by-step), so the
question sounds like the roadmap, scores high against it, and went to the planner, which has no scope check and
answered with the AI roadmap.  The subject is what decides: the words after 学/练/考/learn/improve (or before
训练计划/学习路线) must be words the material itself uses.  Chinese: the subject's character pairs must mostly occur
in the material (川菜, 吉他, 注册会计师, 马拉松 do not; 机器学习, 大模型, 编程 do).  English: its content words must
mostly be the material's own words (`scope.english_vocabulary`).  A question that names no subject ("零基础怎么入门",
"I'm a Java dev, where do I start?", "我想学 AI 从哪开始": AI is the material's word) is never outside.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from tutor.chain.router import Route
from tutor.chain.scope import content_words, english_vocabulary
from tutor.patterns import han_pairs

if TYPE_CHECKING:
    from tutor.chain.compose_doc import StructureComposer

__all__ = ["cjk_pairs", "learning_subjects", "outside_material", "scoped_route", "subject_outside"]

_CJK_RUN = r"[\u4e00-\u9fff]"
# 学/练/考 + the subject ("我想学做川菜", "孩子学钢琴", "想考注册会计师"): the verb after the learner's own words
# (not 学 inside 深度学习/数学), not 学完/学会/学过 (progress), not 学多久/学些啥 (time, content), not 学习效果 (a noun)
_ZH_VERB = re.compile(
    r"(?:^|[想要去来打算准备开始怎么如何样我孩子你，,\s])(?:学习|学|练习|练|考)(?![完会过到了得的习期多几两些点学效])\s*"
    rf"(?:做|弹|唱|画|打|跑)?\s*(?P<x>[A-Za-z][A-Za-z0-9+#.\-]*(?:\s[A-Za-z][A-Za-z0-9+#.\-]*)?|{_CJK_RUN}{{2,}})"
)
# the subject right before 训练计划/学习路线 ("马拉松训练计划", "给我一个吉他学习计划"), not 路线图 (the roadmap)
_ZH_PLAN = re.compile(
    rf"(?P<x>[A-Za-z][A-Za-z0-9+#.\-]*|{_CJK_RUN}{{2,}}?)\s*(?:训练|学习|练习)?(?:计划|路线|规划|路径)(?!图)"
)
# where a Chinese subject ends (after it) or begins (before a plan word): function words, plan words
_ZH_END = re.compile(
    r"(?:整|总|大)体上|基本上|[的有从应该要怎么如何需能可之时呢吗什哪到了呀吧还和与并先后再就也都是在跟给让把被这那每一个条份帮我你整套做好]"
    r"|准备|开始|计划|路线|规划|路径|入门|进阶|训练|考级|学习|方面|相关|东西|知识|内容|技术|零基础"
)
# before a plan word, what points into a document ends the words before the subject: "那篇讲职业规划", "文章里的职业规划"
_ZH_POINTER = re.compile(r"[讲说篇里提谈]")
# I/to/for + learn/improve + the subject ("to learn French", "for learning to speak Japanese", "can I improve my
# toddler's attention span", "train for a marathon"); not "machine learning basics" (a noun)
_EN_VERB = re.compile(
    r"\b(?:i|to|for|me|we|how|and|start|begin|want|wanna|of)\s+(?:learn(?:ing)?|stud(?:y|ying)|master(?:ing)?"
    r"|improv(?:e|ing)|practi[cs](?:e|ing)|train(?:ing)? for|get(?:ting)? (?:into|good at|better at))\s+"
    r"(?:how to\s+|to\s+)?(?:(?:my|the|a|an|our|his|her|their)\s+)?(?P<x>[a-z][a-z'’\-]*(?:\s+[a-z][a-z'’\-]*){0,3})"
    r"|\b(?:roadmap|plan|path|curriculum|guide) (?:for|into|to)\s+(?:learning\s+)?(?:to\s+)?(?:(?:my|the|a|an)\s+)?"
    r"(?P<y>[a-z][a-z'’\-]*(?:\s+[a-z][a-z'’\-]*){0,3})",
    re.IGNORECASE,
)
_EN_END = re.compile(
    r"\s(?:from|in|on|at|with|as|for|if|so|and|or|but|because|when|before|after|to|by|without|while|next"
    r"|now|quickly|fast|faster|well|step|steps|roadmap|plan|path|based|right|over|this|that|these|those)\b.*$",
    re.IGNORECASE,
)
# not a subject: what comes next, more of the same, the roadmap's own parts
_EN_NOT_SUBJECT = re.compile(
    r"^(?:next|now|more|about|become|be|get|go|work|start|it|this|that|these|those|them|something|anything|everything|what|which"
    r"|again|then|faster|quickly|stuff|things?|skills?|stages?|roadmap|plan|basics|fundamentals)\b",
    re.IGNORECASE,
)


def cjk_pairs(texts: Iterable[str]) -> frozenset[str]:
    """Every pair of adjacent Chinese characters in `texts`: the material's Chinese words, without a segmenter."""
    return frozenset().union(*(han_pairs(text) for text in texts))


def _zh_subject(said: str, before_plan: bool) -> str:
    """The subject up to where it ends (after a verb) or from where it begins (before a plan word); a
    Latin-letter subject ("AI", "Python") as it is."""
    if said[:1].isascii():
        return said.strip()
    if (
        before_plan
    ):  # "中年危机那篇讲职业规划": the subject begins after what points into a document (讲/篇/里)
        ends = list(_ZH_END.finditer(said)) + list(_ZH_POINTER.finditer(said))
        ends.sort(key=lambda m: m.end())
        return said[ends[-1].end() :] if ends else said[-4:]
    m = _ZH_END.search(said)
    return said[: m.start()] if m else said


def learning_subjects(question: str) -> list[str]:
    """What the question wants to learn, train for or plan, as said (empty when it names no subject)."""
    found: list[str] = []
    for pattern in (_ZH_VERB, _ZH_PLAN):
        for m in pattern.finditer(question):
            x = _zh_subject(m.group("x"), pattern is _ZH_PLAN)
            if len(x) >= 2 and not _EN_NOT_SUBJECT.match(x):
                found.append(x)
    for m in _EN_VERB.finditer(question):
        x = re.sub(
            r"^first\s+", "", _EN_END.sub("", " " + (m.group("x") or m.group("y"))).strip(), flags=re.I
        )
        if x and not _EN_NOT_SUBJECT.match(x):
            found.append(x)
    return found


def _foreign(subject: str, pairs: frozenset[str], known: frozenset[str]) -> bool:
    if re.search(_CJK_RUN, subject):
        own = [subject[i : i + 2] for i in range(len(subject) - 1)]
        return bool(own) and sum(p in pairs for p in own) / len(own) < 0.5
    words = content_words(subject)
    if not words:
        return False
    stems = [{w, w.removesuffix("s"), w.removesuffix("es"), w.removesuffix("ing")} for w in words]
    return (
        sum(
            any(s in known for s in st if len(s) >= 2) or _misspelt(w, known)
            for w, st in zip(words, stems, strict=True)
        )
        / len(words)
        < 0.5
    )


def _misspelt(word: str, known: frozenset[str]) -> bool:
    """A near-spelling of one of the material's words ("langchian" for langchain): the learner's typo, not a
    foreign subject — the same closeness `curriculum.matching` accepts for a skill's name."""
    return len(word) >= 5 and bool(difflib.get_close_matches(word, known, n=1, cutoff=0.85))


def subject_outside(question: str, pairs: frozenset[str], known: frozenset[str]) -> bool:
    """Every subject the question names is foreign to the material (and it names at least one)."""
    subjects = learning_subjects(question)
    return bool(subjects) and all(_foreign(s, pairs, known) for s in subjects)


_CACHE: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def outside_material(question: str, structure: StructureComposer | None) -> bool:
    """`subject_outside` against the live documents (their pairs and words, built once per index state)."""
    parts = structure.parts() if structure is not None else None
    if parts is None:
        return False
    if id(parts) not in _CACHE:
        texts = [c.text for chunks in parts.docs.values() for c in chunks]
        _CACHE.clear()
        _CACHE[id(parts)] = (cjk_pairs(texts), english_vocabulary(texts))
    pairs, known = _CACHE[id(parts)]
    return subject_outside(question, pairs, known)


def scoped_route(
    route: Route, question: str, structure: StructureComposer | None, names_own: Callable[[str], bool]
) -> Route:
    """A plan or how-to for a subject the material does not cover is an out-of-scope material question (refused),
    whichever route its learning-path words earned; a question that also names a stage, skill or milestone outside
    that subject is not ("我想学吉他和 RAG"; "my toddler's attention span" names the Transformer's Attention only
    inside the foreign subject)."""
    if route.outside or route.kind not in ("next_step", "material"):
        return route
    if not outside_material(question, structure):
        return route
    rest = question
    for subject in learning_subjects(question):
        rest = rest.replace(subject, " ")
    if names_own(rest):
        return route
    return Route("material", "asks to learn a subject the material does not cover: refused", outside=True)
