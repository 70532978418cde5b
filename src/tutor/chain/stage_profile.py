"""A stage the learner describes instead of numbering, read against each stage's profile in the roadmap.

Writers name a stage by its theme ("the phase where I ship models to production", "打地基的那个阶段", "the part of
the roadmap about building apps on top of LLMs"), and each new writer uses new words, so no phrase list keeps up.
Each stage's profile is built from the roadmap itself: its title's words (with the learner's words for them), its
skills' names and content group titles, and the Chinese words of their content items.  A description is matched
against the profiles; a stage wins only with enough weight and a margin over the next, and a skill named alone
before 阶段/stage ("RAG 阶段", "the PyTorch stage") stays that skill.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Protocol

import jieba

from tutor.chain.glossary import english_terms
from tutor.chain.refs import REQUIRED
from tutor.curriculum.model import Curriculum

__all__ = ["Described", "described_stage", "read_described", "read_prerequisite_topic", "stage_scores"]


class Understood(Protocol):
    """What `chain.understanding.Understanding` holds that this reads and sets (no import: no cycle)."""

    stages: list[int]
    skills: list[int]
    evidence: dict[str, str]


class Described(NamedTuple):
    """The stage read, the words that named it, the stage the description fits (before "the stage after …"), and
    whether it overrides a stage the rules read ("倒数第二个阶段" is not 第二个阶段)."""

    stage: int
    said: str
    base: int
    overrides: bool = False


# a stage's title words -> the learner's words for them (the titles are short; the learner paraphrases them)
_TITLE_WORDS: dict[str, tuple[str, ...]] = {
    "基础": (
        "地基",
        "底子",
        "打底",
        "打基础",
        "foundation",
        "foundations",
        "basics",
        "basic",
        "groundwork",
        "fundamentals",
    ),
    "准备": ("prep", "preparation", "preparatory", "warm-up", "warmup", "预备", "热身", "入门"),
    "理论": ("theory", "theoretical", "原理", "principles", "concepts"),
    "实践": (
        "practice",
        "practical",
        "hands-on",
        "applied",
        "动手",
        "实操",
        "实战",
        "framework",
        "frameworks",
        "框架",
    ),
    "大模型": ("llm", "llms", "large-model", "large model", "large language model", "large language models"),
    "应用": ("application", "applications", "apps", "app"),
    "工程化": (
        "engineering",
        "production",
        "productionizing",
        "productionization",
        "productionising",
        "工程",
        "落地",
        "上线",
        "生产",
    ),
    "高级": ("advanced", "进阶", "前沿", "frontier", "cutting-edge"),
    "专题": ("topics", "specialized", "special"),
    "持续学习": ("ongoing", "keep learning", "open-ended", "lifelong", "continuous", "continuing"),
}
# words of the titles that any question about learning says ("学习" in 持续学习, "模型" in 大模型)
_GENERIC = frozenset({"学习", "模型", "ai", "个月"})
_EN_WORD = re.compile(r"[a-z][a-z+#.-]*[a-z+#]|[a-z]", re.IGNORECASE)


def _words(text: str) -> set[str]:
    """jieba's words of two or more characters, English words lowercased, and the glossary's Chinese for them."""
    words = {w.lower() for w in jieba.lcut(text) if len(w.strip()) >= 2}
    words |= {w.lower() for w in _EN_WORD.findall(text)}
    low = text.lower()
    # a phrase or a Chinese word jieba may cut otherwise ("打底子"): found as written
    words |= {p for syns in _TITLE_WORDS.values() for p in syns if (" " in p or not p.isascii()) and p in low}
    glossed = english_terms(
        text
    )  # and their parts: "deep learning" -> 深度学习 -> 深度, as 深度学习实践 is cut
    return words | set(glossed) | {w for t in glossed for w in jieba.lcut(t) if len(w) >= 2}


_BUILT: dict[int, tuple[Curriculum, dict[str, dict[int, float]], dict[str, set[int]]]] = {}


def _profiles(curriculum: Curriculum) -> dict[str, dict[int, float]]:
    """term -> {stage: weight}, built once per roadmap (the roadmap is parsed once per process)."""
    return _built(curriculum)[1]


def _title_terms(curriculum: Curriculum) -> dict[str, set[int]]:
    """A stage title's word (or the learner's word for it) -> the stages whose title holds it."""
    return _built(curriculum)[2]


def _built(
    curriculum: Curriculum,
) -> tuple[Curriculum, dict[str, dict[int, float]], dict[str, set[int]]]:
    if (built := _BUILT.get(id(curriculum))) is None or built[0] is not curriculum:
        held, titles = _build(curriculum)
        _BUILT[id(curriculum)] = built = (curriculum, held, titles)
    return built


def _build(curriculum: Curriculum) -> tuple[dict[str, dict[int, float]], dict[str, set[int]]]:
    """term -> {stage: weight}: a title word weighs 2, a skill's name word 1.5, a group title's 1, an item's 0.5,
    split over the stages that hold it."""
    titles: dict[str, dict[int, float]] = {}
    parts: dict[
        str, int
    ] = {}  # a title's other words ("深度", "模型" in 大模型应用): title words unless generic
    held: dict[str, dict[int, float]] = {}
    for stage in curriculum.stages:
        said = f"{stage.name} {stage.duration}".lower()
        title = {
            k for k in _TITLE_WORDS if k in said
        }  # the title's own words, as the learner's words key them
        parts.update(
            {w: stage.number for w in _words(said) | set(jieba.lcut_for_search(said)) if len(w) >= 2}
        )
        for t in title | {syn for w in title for syn in _TITLE_WORDS.get(w, ())}:
            titles.setdefault(t, {})[stage.number] = 2.0
        for n in stage.skills:
            skill = curriculum.skill(n)
            groups = " ".join(g.title or "" for g in skill.content)
            items = " ".join(i for g in skill.content for i in g.items)
            weighted = [
                (_words(skill.name), 1.5),  # a skill's name names its stage best, an item's word least
                (_words(groups), 1.0),
                ({w for w in jieba.lcut(items) if re.fullmatch(r"[\u4e00-\u9fff]{2,}", w)}, 0.5),
            ]
            for terms, weight in weighted:
                for t in terms:
                    got = held.setdefault(t, {})
                    got[stage.number] = max(got.get(stage.number, 0.0), weight)
    for t, n in parts.items():  # a word of a title that skills of three stages use ("模型") names no stage
        if t not in titles and t not in _GENERIC and len(held.get(t, {})) < 3:
            titles[t] = {**titles.get(t, {}), n: 2.0}
    _leading_titles(curriculum, titles)
    for t, stages in titles.items():  # a title word outweighs the same word in a skill's content
        held[t] = stages
    # a word of three or more stages names none; one of two weighs half
    weights = {t: {s: w / len(st) for s, w in st.items()} for t, st in held.items() if len(st) <= 2}
    return weights, {t: set(st) for t, st in titles.items()}


def _leading_titles(curriculum: Curriculum, held: dict[str, dict[int, float]]) -> None:
    """A title word of two stages belongs to the one whose title it leads: 基础 is 基础准备's, not AI 理论基础's."""
    for term, stages in held.items():
        if len(stages) < 2:
            continue
        leads = [
            s.number
            for s in curriculum.stages
            if s.number in stages and re.sub(r"^ai\s*", "", s.name.lower()).startswith(term)
        ]
        if len(leads) == 1:
            for syn in {term, *_TITLE_WORDS.get(term, ())}:
                held[syn] = {leads[0]: 2.0}


def _others(text: str, curriculum: Curriculum, skill: int) -> dict[int, float]:
    """The stage weights of the words of `text` that are not the skill's own ("retrieval strategies" is RAG's)."""
    own = curriculum.skill(skill)
    mine = _words(
        " ".join(
            [own.name, *(g.title or "" for g in own.content), *(i for g in own.content for i in g.items)]
        )
    )
    scores: dict[int, float] = {}
    for term in _words(text) - mine:
        for stage, w in _profiles(curriculum).get(term, {}).items():
            scores[stage] = scores.get(stage, 0.0) + w
    return scores


def stage_scores(text: str, curriculum: Curriculum) -> dict[int, float]:
    """Each stage's weight from the words of `text` that its profile holds."""
    scores: dict[int, float] = {}
    for term in _words(text):
        for stage, w in _profiles(curriculum).get(term, {}).items():
            scores[stage] = scores.get(stage, 0.0) + w
    return scores


# a stage/phase/阶段 without a number, and not "which/each/next stage" (other readers answer those)
_NOUN = re.compile(
    r"(?<!which )(?<!what )(?<!each )(?<!which part of the )(?<!every )(?<!next )(?<!previous )(?<!prior )(?<!later )(?<!all )(?<!this )(?<!early )"
    r"\b(?:stage|phase)\b(?!\s*#?\s*(?:\d|zero\b|one\b|two\b|three\b|four\b|five\b|[0-9]))"
    r"|(?<!which )(?<!what )\bpart of the (?:roadmap|curriculum|path|plan)\b"
    r"|(?<![第哪每各几下上按])(?<!哪个)(?<!哪一)(?<!每个)(?<!各个)(?<!几个)(?<!下一)(?<!下个)(?<!上一)(?<!上个)(?<!一个)(?<!这个)(?<!现)(?<!当前)(?<!目前)"
    r"(?<![0-9０-９零一二三四五六]个)阶段(?!\s*[0-9０-９])(?!性)",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"\b(?:stage|phase)\s+(?:that comes\s+)?(?:right\s+|just\s+|immediately\s+)?(?P<en>before|after)\s+the\b"
    r"|(?P<zh>之后|后面|以后)的?(?:那个|那一个|一个)阶段",
    re.IGNORECASE,
)
_FIRST = re.compile(r"最(?:开始|早|初)的?(?:那个|那一个)?阶段|\b(?:earliest|opening) (?:stage|phase)\b", re.I)
_FROM_END = re.compile(
    r"倒数第\s*([二三2-3])\s*个?阶段|\b(?:second[- ]to[- ]last|penultimate|second[- ]last)\s+(?:stage|phase)\b",
    re.I,
)


def _from_end(text: str, numbers: list[int]) -> Described | None:
    """ "倒数第二个阶段", "the penultimate stage": counted from the roadmap's last stage; "最开始那个阶段": its first."""
    if m := _FIRST.search(text):  # "最开始那个阶段": the roadmap's first stage (阶段 0)
        return Described(min(numbers), m.group(0), min(numbers), overrides=True)
    if m := _FROM_END.search(text):
        back = {"二": 2, "2": 2, "三": 3, "3": 3}.get(m.group(1) or "二", 2)
        n = sorted(numbers)[-back]
        return Described(n, m.group(0), n, overrides=True)
    return None


# "要进入部署和微调那一阶段，前一个阶段需要学完哪些": the stage before the described one
_PREVIOUS = re.compile(
    r"[前上]一个?阶段|\bthe (?:previous|prior|preceding) (?:stage|phase)\b|\bthe (?:stage|phase) before (?:it|that)\b",
    re.I,
)


def _shift(text: str) -> int:
    """+1 for "the stage after the theory one", -1 for "前一个阶段" beside a described one, else 0 ("the stage
    before the LLM apps one" asks that stage's prerequisites: the prerequisites reader answers it)."""
    if _PREVIOUS.search(text):
        return -1
    m = _RELATIVE.search(text)
    if m is None:
        return 0
    word = (m.group("en") or m.group("zh")).lower()
    # "the stage before the LLM apps one" asks what comes before that stage: the prerequisites reader answers it
    return 1 if word in ("after", "之后", "后面", "以后") else 0


def described_stage(
    text: str, curriculum: Curriculum, skills: list[int], evidence: dict[str, str]
) -> Described | None:
    """The stage a stage/phase/阶段 without a number describes, or None when the words name no one stage.

    `skills` (read by the rules) vote for their stages; a single skill said right before the stage word stays a
    skill.  The margin keeps a description that fits two stages unread (the other readers decide)."""
    numbers = [s.number for s in curriculum.stages]
    if found := _from_end(text, numbers):
        return found
    noun = _NOUN.search(text)
    if noun is None:
        return None
    said = [evidence.get(f"skill {n}", "") for n in skills]
    # a skill read from a stage title's words ("applied deep learning" -> 深度学习实践) neither votes nor hides them
    titled = _title_terms(curriculum)
    voters = [
        (n, s)
        for n, s in zip(skills, said, strict=True)
        if not any(titled.get(w, set()) - {curriculum.skill(n).stage} for w in _words(s))
    ]
    lone = len(voters) == 1 and re.search(
        re.escape(voters[0][1]) + r"\s*(?:的|这个|那个)?\s*(?:阶段|部分|stage\b|phase\b|part\b)", text, re.I
    )
    masked = text
    for _, s in voters:
        if s:
            masked = masked.replace(s, " ")
    scores = stage_scores(masked, curriculum)
    if lone and max(_others(masked, curriculum, voters[0][0]).values(), default=0) < 1.5:
        return (
            None  # "RAG 阶段", "the PyTorch stage": that skill's part of the roadmap, nothing else described
        )
    votes = {n: 0 for n in numbers}
    for n, _ in voters:
        votes[curriculum.skill(n).stage] += 1
    total = {n: scores.get(n, 0.0) + votes[n] for n in numbers}
    ranked = sorted(numbers, key=lambda n: -total[n])
    best, second = ranked[0], ranked[1]
    if (
        total[best] < 1.5
        or total[best] - total[second] < 1
        or (scores.get(best, 0) < 0.5 and votes[best] < 2)
    ):
        return None
    stage = best + _shift(text)
    return Described(stage, noun.group(0), best) if stage in numbers else None


def read_described(text: str, curriculum: Curriculum, u: Understood) -> None:
    """Set (in place) the stage a description names; the skills that only described it are dropped.  A stage the
    rules read stands, unless counted from the end ("倒数第二个阶段" is not 第二个阶段)."""
    found = described_stage(text, curriculum, u.skills, u.evidence)
    if found is None or (u.stages and not found.overrides):
        return
    for key in [k for k in u.evidence if k.startswith("stage ")]:
        u.evidence.pop(key)
    u.stages = [found.stage]
    u.evidence[f"stage {found.stage}"] = found.said
    titled = _title_terms(curriculum)
    for n in [
        n
        for n in u.skills
        if curriculum.skill(n).stage == found.base
        or any(found.base in titled.get(w, set()) for w in _words(u.evidence.get(f"skill {n}", "")))
    ]:
        u.skills.remove(n)
        u.evidence.pop(f"skill {n}", None)


# what comes after "before" / before "之前": the thing the prerequisites are asked for
_BEFORE_OBJECT = re.compile(
    r"\b(?:before|prior to|ahead of)\s+(?P<en>[^?.!;,]{3,80})"
    r"|(?P<zh>[^，,。？?！!；;]{2,30}?)(?:之前|以前)",
    re.IGNORECASE,
)


class Asked(Understood, Protocol):
    """Also the aspects asked (prerequisites here)."""

    aspects: list[str]


def read_prerequisite_topic(text: str, curriculum: Curriculum, u: Asked) -> None:
    """ "what groundwork do I need before touching any of the actual AI theory": with nothing else read, the thing
    named after "before" is matched against the stage profiles; its stage's prerequisites are then the answer."""
    guessed = [
        n for n in u.skills if "≈" in u.evidence.get(f"skill {n}", "")
    ]  # "LLM" ≈ vllm: a near-spelling
    if "prerequisites" not in u.aspects or u.stages or len(guessed) < len(u.skills) or REQUIRED.search(text):
        return  # "which foundation skills are mandatory": the skill tree's marked basics answer it
    m = _BEFORE_OBJECT.search(text)
    if m is None:
        return
    scores = stage_scores(m.group("en") or m.group("zh"), curriculum)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[0][1] - ranked[1][1] < 1):
        return
    u.stages = [ranked[0][0]]
    u.evidence[f"stage {ranked[0][0]}"] = m.group(0).strip()
    for n in guessed:
        u.skills.remove(n)
        u.evidence.pop(f"skill {n}", None)
