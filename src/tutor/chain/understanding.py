"""What a question refers to in the roadmap: stages, skills, milestones, and the aspect asked about.

Deterministic and explainable, so `tutor ask --json` can show what the question was understood as.  A stage
("阶段 2", "第二阶段", "stage 2", "the engineering stage") is never read as a skill ("技能点 2", "skill 2",
"PyTorch"): the two are numbered separately in the roadmap and a learner who asks about one means that one.
Milestones are the document's "N 个月后" sections; time words ("三个月后", "half a year", "学满一年") select
them.  The aspect (resources, checks, project, content, time, prerequisites, next) decides whether the question
gets a structured answer from the parsed roadmap or a composed one from retrieved passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from tutor.chain import named_skills
from tutor.chain.daily_hours import states_daily_hours
from tutor.chain.elaboration import blank_elaborations
from tutor.chain.foundations import foundations_asked
from tutor.chain.glossary import expand_english
from tutor.chain.milestone_words import milestone_refs
from tutor.chain.named_skills import drop_aspects_in_names, drop_unasked_skills, stage_named_by_skills
from tutor.chain.refs import (
    ASPECT_PATTERNS,
    EXPLAIN,
    LAST_STAGE,
    REQUIRED,
    SKILL_REFS,
    STAGE_REFS,
    core_name,
    first_stage,
    parse_number,
    stage_by_name,
    stage_ranges,
)
from tutor.chain.stage_counted import read_stage_words
from tutor.chain.stage_described import drop_described_aspects, drop_described_skills
from tutor.chain.stage_profile import read_prerequisite_topic
from tutor.curriculum.graph import CurriculumConfig
from tutor.curriculum.matching import match_skills
from tutor.curriculum.model import Curriculum
from tutor.patterns import WHY_IT_MATTERS

__all__ = ["ASPECTS", "Aspect", "Understanding", "parse_number", "read_aspects", "understand"]

Aspect = Literal[
    "resources", "checks", "project", "content", "time", "prerequisites", "next", "milestone", "stage"
]
ASPECTS: tuple[str, ...] = get_args(Aspect)


@dataclass
class Understanding:
    """What the question was understood as; `structured` says the roadmap answers it directly."""

    stages: list[int] = field(default_factory=list)
    skills: list[int] = field(default_factory=list)
    milestones: list[int] = field(default_factory=list)  # months: 3, 6, 12
    aspects: list[str] = field(default_factory=list)
    whole_roadmap: bool = False
    evidence: dict[str, str] = field(default_factory=dict)
    # a follow-up's references from the conversation (`followup.in_context`): from which question, as what
    inherited: dict[str, str] = field(default_factory=dict)
    source: str = ""  # the question this was read from, when it was read from an earlier turn
    read_as: str = ""  # the question as read: brackets that only elaborate a named skill blanked

    @property
    def aspect(self) -> str | None:
        return self.aspects[0] if self.aspects else None

    @property
    def structured(self) -> bool:
        """True when the parsed roadmap holds the complete answer (a list the learner needs whole)."""
        if self.whole_roadmap and "stages" in self.aspects:
            return True
        if self.milestones and (not self.aspects or {"milestone", "checks", "content"} & set(self.aspects)):
            return True
        if not (self.stages or self.skills or self.whole_roadmap):
            return False
        return bool(
            set(self.aspects)
            & {"resources", "checks", "project", "content", "time", "prerequisites", "next", "stage"}
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "stages": self.stages,
            "skills": self.skills,
            "milestones": self.milestones,
            "aspect": self.aspect,
            "aspects": self.aspects,
            "whole_roadmap": self.whole_roadmap,
            "structured": self.structured,
            "evidence": self.evidence,
            "inherited": self.inherited,
        }


class _Claims:
    """Spans of the text already read as a reference, so no word is read twice."""

    def __init__(self) -> None:
        self.spans: list[tuple[int, int]] = []

    def free(self, span: tuple[int, int]) -> bool:
        return not any(a < span[1] and span[0] < b for a, b in self.spans)

    def add(self, span: tuple[int, int]) -> None:
        self.spans.append(span)


def _numbered(text: str, curriculum: Curriculum, u: Understanding, claims: _Claims) -> None:
    """ "技能点 7", "skill 7", "阶段 2", "the last stage", "the engineering stage"."""
    stage_numbers = {s.number for s in curriculum.stages}
    skill_numbers = {s.number for s in curriculum.skills}
    for pattern in SKILL_REFS:
        for m in pattern.finditer(text):
            n = parse_number(m.group(1))
            if re.search(
                r"(?:不是|而不是|并非|非|not|isn't|rather than)\s*$",
                text[max(0, m.start() - 12) : m.start()],
                re.IGNORECASE,
            ):
                claims.add(m.span())  # "阶段 1，不是技能点 1": the learner rules this one out
                continue
            if n in skill_numbers and claims.free(m.span()) and n not in u.skills:
                u.skills.append(n)
                u.evidence[f"skill {n}"] = m.group(0)
                claims.add(m.span())
    for span, said, numbers in stage_ranges(text, stage_numbers):  # "阶段 0 到 4": each stage of the range
        if claims.free(span):
            u.stages, u.evidence = u.stages + numbers, u.evidence | {f"stage {n}": said for n in numbers}
            claims.add(span)
    if (first := first_stage(text, curriculum)) and claims.free(first.span()):
        u.stages, u.evidence[f"stage {min(stage_numbers)}"] = [min(stage_numbers)], first.group(0)
        claims.add(first.span())
    for pattern in STAGE_REFS:
        for m in pattern.finditer(text):
            n = parse_number(m.group(1))
            if n in stage_numbers and claims.free(m.span()) and n not in u.stages:
                u.stages.append(n)
                u.evidence[f"stage {n}"] = m.group(0)
                claims.add(m.span())
    if (last := LAST_STAGE.search(text)) and not u.stages:
        u.stages, u.evidence[f"stage {max(stage_numbers)}"] = [max(stage_numbers)], last.group(0)
        claims.add(last.span())
    for n, token in stage_by_name(text, curriculum):
        if n not in u.stages:
            u.stages.append(n)
            u.evidence[f"stage {n}"] = token
        # the stage's title is claimed even when its number named it ("第二阶段深度学习实践"): 深度学习 is no skill
        idx = text.lower().find(token)
        if idx >= 0:
            claims.add((idx, idx + len(token)))


def _named(
    text: str, curriculum: Curriculum, config: CurriculumConfig, u: Understanding, claims: _Claims
) -> None:
    """Skill names first (longest first: "Hugging Face Transformers" before "Transformer"), then aliases."""
    skill_numbers = {s.number for s in curriculum.skills}
    lowered = text.lower()
    names = sorted(((core_name(s.name), s.number) for s in curriculum.skills), key=lambda x: -len(x[0]))
    names += sorted(((s.name.lower(), s.number) for s in curriculum.skills), key=lambda x: -len(x[0]))
    for name, n in sorted(names, key=lambda x: -len(x[0])):
        if len(name) < 2:
            continue
        pattern = re.escape(name).replace(r"\ ", r"\s*")
        if re.fullmatch(r"[a-z0-9 .+#\-]+", name):
            pattern = rf"(?<![a-z0-9]){pattern}(?![a-z0-9])"
        for m in re.finditer(pattern, lowered):
            if claims.free(m.span()):
                claims.add(m.span())
                if n not in u.skills:
                    u.skills.append(n)
                    u.evidence[f"skill {n}"] = text[m.start() : m.end()]
    masked = list(text)
    for a, b in claims.spans:
        for i in range(a, b):
            masked[i] = " "
    mentions = match_skills("".join(masked), curriculum, config)
    for n in [*mentions.known, *mentions.partial, *mentions.not_known]:
        if n in skill_numbers and n not in u.skills:
            u.skills.append(n)
            u.evidence[f"skill {n}"] = mentions.evidence.get(n, "")


def _milestones(text: str, curriculum: Curriculum, u: Understanding) -> None:
    available = {m.months for m in curriculum.milestones}
    for months, token in milestone_refs(text, available):
        if months not in u.milestones:
            u.milestones.append(months)
            u.evidence[f"milestone {months}"] = token
    if u.milestones:
        u.aspects.append("milestone")
    if not u.milestones and _WHEN_ABLE.search(text):
        _milestone_by_item(text, curriculum, u)
    if re.search(r"里程碑|milestones?", text, re.IGNORECASE) and not u.milestones:
        u.milestones = sorted(available)
        u.aspects.append("milestone")
        u.evidence["milestones"] = "里程碑/milestone"


# "by when can I X", "什么时候应该能把 RAG 系统搭起来": the milestone whose ✅ list holds the ability ("阶段 4 要学多久" asks none)
_WHEN_ABLE = re.compile(
    r"(?:什么时候|何时|多久|多长时间|几个月|哪个时候|到什么时候).{0,12}?(?:能|可以|会|才能)(?!开始|学|入门|进入|上手|说|算|认为)"
    r"|\b(?:when|by when|how (?:long|far|soon|many months)|at what point)\b[^?？。]{0,60}?"  # in one sentence
    r"\b(?:able to|can|could|expected to|expect me to)\s+(?!(?:i\s+|you\s+|we\s+)?(?:start|begin|learn|study|move|go\b|get started|say|call|consider|claim|tell|know))"
    r"|哪一?个\s*(?:里程碑|检验点|节点)|\bwhich (?:milestone|checkpoint)\b",
    re.IGNORECASE,
)
BY_ITEM = "(its item, asked by when)"
_ITEM_GENERIC = frozenset(  # words every milestone item shares, which name no ability
    {"能够", "完成", "理解", "项目", "模型", "应用", "系统", "实现", "个小", "小项", "中型", "大型", "型项"}
)


def _terms(text: str) -> set[str]:
    """Latin words and pairs of Chinese characters: the words of a milestone item, without a segmenter."""
    latin = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9\-]+", text)}
    runs = re.findall(r"[\u4e00-\u9fff]{2,}", text)
    return latin | {r[i : i + 2] for r in runs for i in range(len(r) - 1)}


def _milestone_by_item(text: str, curriculum: Curriculum, u: Understanding) -> None:
    """The milestones whose item shares the most ability words with the question (and the skills it names)."""
    said = _terms(text + " " + expand_english(text)) | {
        t for n in u.skills for t in _terms(curriculum.skill(n).name)
    }
    scores: dict[int, int] = {}
    for m in curriculum.milestones:
        for item in m.checks:
            shared = _terms(item) & said
            if shared - _ITEM_GENERIC:
                scores[m.months] = max(scores.get(m.months, 0), len(shared))
    best = max(scores.values(), default=0)
    for months in sorted(n for n, score in scores.items() if score == best and best):
        u.milestones.append(months)
        u.evidence[f"milestone {months}"] = BY_ITEM
    if u.milestones:
        u.aspects.append("milestone")


def _unnamed(text: str, u: Understanding) -> str:
    """`text` without the names it matched: 原理 in "深度学习原理这部分学哪些内容" names skill 5, it asks no why;
    nor does "每块为啥重要" (the roadmap's own 为什么重要 lines are part of a skill's content)."""
    text = WHY_IT_MATTERS.sub(" ", text)
    for key, said in u.evidence.items():
        if key.startswith(("skill ", "stage ")) and said:
            text = re.sub(re.escape(said) + r"\s?原理", " ", text).replace(said, " ")  # "神经网络原理那部分"
    return text


def _aspects(text: str, u: Understanding) -> None:
    """What is asked about the references: resources, checks, project, content, time, prerequisites, next."""
    for aspect, pattern in ASPECT_PATTERNS:
        m = pattern.search(text)
        if m and aspect not in u.aspects:
            if aspect == "next" and not (u.skills or u.stages):
                continue
            if aspect == "content" and EXPLAIN.search(_unnamed(text, u)) and not (u.stages and not u.skills):
                continue  # "什么是 X" asks for an explanation, not the syllabus
            if aspect == "project" and m.group(0).lower() == "practice" and u.stages:
                if not re.search(r"\bprojects?\b|项目", text, re.IGNORECASE):
                    continue
            u.aspects.append(aspect)
            u.evidence[f"aspect {aspect}"] = m.group(0)
    # "checks" words such as 要求/达到 inside a milestone question belong to the milestone
    if "checks" in u.aspects and u.milestones and not (u.skills or u.stages):
        u.aspects.remove("checks")
    _stage_alone(u)


def _stage_alone(u: Understanding) -> None:
    if u.stages and not u.skills and not u.aspects and not u.milestones:
        u.aspects.append("content")  # "what's in stage 2?": the stage's overview
        u.evidence["aspect content"] = "(a stage named alone)"


# "学 X 之前…", "before X", "需要先完成…", "…first?": with X named, the question asks what comes before X.
# Not "我之前学过…" / "I've used it before." (the learner's past), nor "before I move on" (this one's criteria),
# nor "before I call it done" / "before I consider the Transformer skill done" (its criteria), nor a choice between two
# ("RAG or fine-tuning first?", "先学 A 还是 B"): the planner orders those.
_BEFORE = re.compile(
    r"(?<!我)(?:之前|以前)(?![学做用看接]过|已经|就)|(?:需要|要|得|应该)先(?:完成|学完|学会|掌握|具备)|\bprior to\b"
    r"|\bahead of\b|\bbefore\s+(?!that\b|this\b|now\b|[.,!?]|(?:it|the (?:model|llm|ai))\s+(?:answers|responds|replies|outputs|generates|writes|says)\b"  # "before it answers"
    r"|(?:i |you )?(?:can |could )?(?:call it|say i|consider it)\b"
    r"|(?:i |you )?(?:can |could )?(?:call|consider|count|deem|say|declare)\b[^?.!,]{0,40}?\b(?:done|finished|complete|completed|mastered)\b"
    r"|(?:i |you )?(?:can |could )?(?:move|moving|go|going|proceed|advance|progress|leave|leaving)(?!\s+(?:on\s+)?(?:to|into)\b))\w"
    r"|\bfirst\s*[?？.!]*\s*$",
    re.IGNORECASE,
)
_CHOICE = re.compile(r"\bor\b|还是|或者", re.IGNORECASE)


# "模型部署放在什么之后学？", "what does fine-tuning come after?": what precedes it is asked, not what follows it
_AFTER_WHAT = re.compile(
    r"在(?:什么|哪个|哪些|啥)(?:东西|技能|阶段)?(?:的)?(?:之后|后面|以后)|\bafter what\b|\bcomes? after\?|"
    r"\bwhat (?:does|do) .{1,40}\bcome after\b",
    re.IGNORECASE,
)


def _before(text: str, u: Understanding) -> None:
    if "next" in u.aspects and "prerequisites" in u.aspects and _AFTER_WHAT.search(text):
        u.aspects.remove("next")
        u.evidence.pop("aspect next", None)
    if (
        u.skills and "prerequisites" not in u.aspects and (req := REQUIRED.search(text))
    ):  # "Is Linux required?"
        u.aspects, u.evidence["aspect prerequisites"] = [*u.aspects, "prerequisites"], req.group(0)
    if (u.skills or u.stages) and "prerequisites" not in u.aspects and not _CHOICE.search(text):
        m = _BEFORE.search(text)
        after = text[m.end() :].lstrip("的 ") if m else ""
        # "微调之前的数据准备要做哪几步": the one skill's own 数据准备, not what comes first ("学深度学习之前数学…" is)
        own = len(u.skills) == 1 and after.startswith(u.evidence.get(f"skill {u.skills[0]}") or "\0")
        # "what's the bar for python before i move on to …" asks the named skill's criteria (English: "学X之前" names the goal)
        said = (
            u.evidence.get(f"skill {u.skills[0]}", "")
            if u.skills and m and m.group(0)[:6].lower() == "before"
            else ""
        )
        own = own or bool(said and "checks" in u.aspects and 0 <= text.lower().find(said.lower()) < m.start())  # type: ignore[union-attr]
        if m and not own:
            u.aspects.append("prerequisites")
            u.evidence["aspect prerequisites"] = m.group(0)


def read_aspects(text: str, u: Understanding) -> None:
    """The aspects of `text` for references already in `u` (a follow-up's, taken from the conversation)."""
    _aspects(text, u)
    _before(text, u)


def _whole_roadmap(text: str, u: Understanding) -> None:
    """ "How many stages are there?", "how long is the whole roadmap?": the roadmap as a whole."""
    if not (u.stages or u.skills) and re.search(
        r"几个阶段|哪些阶段|多少个阶段|每个阶段|所有阶段|各个阶段|how many stages|which stages|each stage"
        r"|all (?:the )?stages|every stage|what are the (?:main |different )?stages|\bthe stages and\b",
        text,
        re.IGNORECASE,
    ):
        u.whole_roadmap = True
        u.aspects.insert(0, "stages")
        u.evidence["aspect stages"] = "the stages of the roadmap"
    if (
        "time" in u.aspects
        and not (u.stages or u.skills)
        and (
            re.search(
                r"整个|全部|总共|一共|总时长|全程|路线|全职|业余|whole|entire|total|overall|roadmap|all stages|in total"
                r"|full[- ]time|part[- ]time",
                text,
                re.IGNORECASE,
            )
            # or nothing named but the learner's own daily hours: "每天两三个小时，大概要学多久？" (the whole plan)
            or (
                states_daily_hours(text)
                and re.search(
                    r"多久|多长时间|几个月|多少个?月|几年|how long|how many (?:months|years)", text, re.I
                )
            )
        )
    ):
        u.whole_roadmap = True


def understand(text: str, curriculum: Curriculum, config: CurriculumConfig | None = None) -> Understanding:
    """Parse `text` against the roadmap; never guesses a number that the roadmap does not have.  A bracket that
    elaborates a named skill is blanked first: "the NLP part (attention, seq2seq)" names 技能点 6 alone."""
    text = blank_elaborations(text, curriculum, config)
    u = Understanding(read_as=text)
    claims = _Claims()
    _numbered(text, curriculum, u, claims)
    _named(text, curriculum, config or CurriculumConfig(), u, claims)
    drop_unasked_skills(text, curriculum, u.skills, u.evidence)  # one ruled out, a name said in pieces
    named_skills.drop_generic_inside(text, curriculum, u.skills, u.evidence)  # "HF 那部分的参数高效微调"
    read_stage_words(text, curriculum, u)  # "the phase where I ship models to production": its stage
    stage_named_by_skills(text, curriculum, u.skills, u.stages, u.evidence)
    named_skills.drop_guessed(u.stages, u.skills, u.evidence)  # "LLM fine-tuning": 14, not "LLM" ≈ vllm
    if u.stages:
        drop_described_skills(text, curriculum, u.stages, u.skills, u.evidence)
    _milestones(text, curriculum, u)
    _aspects(text, u)
    if "next" not in u.aspects:  # "学完了 X，Y 有哪些资源": Y is asked; "finished X, Y or Z next?" keeps X
        named_skills.drop_finished(text, u.skills, u.evidence)
    drop_aspects_in_names(text, curriculum, u.skills, u.aspects, u.evidence)
    drop_described_aspects(text, u.aspects, u.evidence)  # "stage 2, the hands-on … stage": not projects
    _stage_alone(u)  # "the advanced topics at the end of the curriculum": the stage's overview
    named_skills.stage_skill_list(text, u.skills, u.stages, u.aspects, u.evidence)  # "第二阶段…有哪几个技能"
    _before(text, u)
    read_prerequisite_topic(text, curriculum, u)  # "before touching the actual AI theory": 阶段 1's
    _whole_roadmap(text, u)
    foundations_asked(text, curriculum, u)  # "正式学 AI 之前得先打好哪些底子": 阶段 0
    if BY_ITEM in u.evidence.values():  # "by when can I build X": the milestone alone, not X's criteria
        u.aspects = ["milestone"]
    return u
