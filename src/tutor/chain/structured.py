"""Answers composed from the parsed roadmap: complete lists, every item cited to its lines.

A learner who asks for "阶段 2 的检验标准" needs every criterion of every skill of
stage 2, not the three sentences that happen to embed closest to the question.  The
curriculum model holds those lists whole, so curriculum questions (see
`understanding.Understanding.structured`) are answered from it: each section is one
numbered Source whose text is the section's own lines of the roadmap.  `items` lists
what an LLM rephrasing must keep (checked by `ensure_items`).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from tutor.chain.resource_kinds import holds_kinds, rest_line
from tutor.chain.roadmap_units import (
    asked_tables,
    recommended_sections,
    split_resources,
    tables_alone,
    tables_answer,
)
from tutor.chain.structured_parts import (
    ASPECT_LABELS,
    Builder,
    Structured,
    all_stages,
    cite_plans,
    ensure_items,
    missing_items,
    plan_months,
    resource_line,
    section_cite,
    skill_label,
    stage_in_plan,
    stage_label,
)
from tutor.chain.structured_prereqs import asks_if_needed, skill_prereqs, stage_prereqs
from tutor.chain.understanding import Understanding
from tutor.curriculum.model import Curriculum, Skill, Stage

__all__ = ["Structured", "compose_structured", "ensure_items", "missing_items"]

log = logging.getLogger(__name__)


def _skill_resources(
    b: Builder, skill: Skill, aspect: str, prereqs: Any, stage_heading: str, label: str
) -> None:
    zh = b.zh
    found = section_cite(skill, "资源")
    if found:
        n = b.cite(found[1], [stage_heading, skill.heading, found[0]])
        hit, rest = split_resources(skill.resources, b.question, "zh" if zh else "en")
        items = [b.item(resource_line(r, zh), r.name) for r in (hit or rest)]
        total = len(skill.resources)
        count = (
            (f"（符合的 {len(hit)} 项，共 {total} 项）" if zh else f" ({len(hit)} of {total} match)")
            if hit
            else (f"（共 {total} 项）" if zh else f" ({total} listed)")
        )
        b.section(f"{label} › {found[0]}{count}", n, items)
        if hit:  # the rest of the table by name: the filter hides nothing the roadmap lists
            b.out.append(rest_line(b, [r.name for r in rest], n))
    platforms = section_cite(skill, "平台")
    if platforms:
        n = b.cite(platforms[1], [stage_heading, skill.heading, platforms[0]])
        groups = [g for g in skill.content if g.section == platforms[0]]
        b.section(f"{label} › {platforms[0]}", n, [b.item(i) for g in groups for i in g.items])
    if not found and not platforms:
        n = b.cite(skill.citation, [stage_heading, skill.heading])
        b.section(
            label,
            n,
            [],
            "资料没有为这个技能点列出学习资源。" if zh else "The roadmap lists no resources for this skill.",
        )


def _skill_list(b: Builder, skill: Skill, aspect: str, prereqs: Any, stage_heading: str, label: str) -> None:
    zh = b.zh
    keyword = "检验" if aspect == "checks" else "项目"
    values = skill.checks if aspect == "checks" else skill.projects
    found = section_cite(skill, keyword)
    citation = found[1] if found else skill.citation
    n = b.cite(citation, [stage_heading, skill.heading, found[0] if found else ""])
    title = f"{label} › {found[0]}" if found else label
    none = (
        ("资料没有为这个技能点列出" + ASPECT_LABELS[aspect][0] + "。")
        if zh
        else (f"The roadmap lists no {ASPECT_LABELS[aspect][1]} for this skill.")
    )
    prefix = "✅ " if aspect == "checks" else ""
    b.section(title, n, [b.item(prefix + v, v) for v in values], none)


def _skill_content(
    b: Builder, skill: Skill, aspect: str, prereqs: Any, stage_heading: str, label: str
) -> None:
    zh = b.zh
    parts = [
        t
        for t in skill.section_citations
        if not any(k in t for k in ("资源", "项目", "检验", "平台"))
        and any(g.section == t for g in skill.content)
    ]
    # "Which Git commands…": of a skill taught in named parts (Linux 基础命令, Git 基础命令), the part it names
    named = [t for t in parts if t.split()[0].lower() in b.question.lower()]
    for title, citation in skill.section_citations.items():
        if title not in (named if 0 < len(named) < len(parts) else parts):
            continue
        groups = [g for g in skill.content if g.section == title]
        n = b.cite(citation, [stage_heading, skill.heading, title])
        lines = []
        for g in groups:
            body = "；".join(g.items) if zh else "; ".join(g.items)
            lines.append(
                b.item(
                    f"**{g.title}**：{body}" if g.title else body,
                    g.title or (g.items[0] if g.items else None),
                )
            )
            b.items.extend(g.items)
        b.section(f"{label} › {title}", n, lines)


def _skill_time(b: Builder, skill: Skill, aspect: str, prereqs: Any, stage_heading: str, label: str) -> None:
    zh = b.zh
    stage = b.cur.stage(skill.stage)
    if stage_in_plan(b, stage):
        return
    n = b.cite(stage.citation, [stage.heading])
    plans = plan_months(b, stage.number)
    text = (
        f"{label} 属于 {stage.heading}，整个阶段约 {stage.duration}"
        if zh
        else f"{label} is part of {stage_label(b.cur, stage.number, zh)}; the whole stage takes {stage.duration}"
    )
    b.items.append(stage.duration)
    b.section(stage_label(b.cur, stage.number, zh), n, [text] + plans)
    cite_plans(b, stage.number)


def _skill_stage(b: Builder, skill: Skill, aspect: str, prereqs: Any, stage_heading: str, label: str) -> None:
    _stage_sections(b, skill.stage, "content", prereqs)


def _skill_next(b: Builder, skill: Skill, aspect: str, prereqs: Any, stage_heading: str, label: str) -> None:
    zh = b.zh
    later = sorted(s.number for s in b.cur.skills if s.number > skill.number)
    if later:
        nxt = b.cur.skill(later[0])
        n = b.cite(nxt.citation, [b.cur.stage(nxt.stage).heading, nxt.heading])
        b.section(
            f"{label} → {skill_label(nxt, zh)}",
            n,
            [
                b.item(
                    ("路线中接下来是 " if zh else "Next in the roadmap: ") + skill_label(nxt, zh),
                    nxt.name,
                )
            ],
        )


def _skill_section(b: Builder, skill: Skill, aspect: str, prereqs: Any) -> None:
    """One aspect of one skill, every item of it."""
    stage_heading = b.cur.stage(skill.stage).heading
    label = skill_label(skill, b.zh)
    if aspect == "resources":
        _skill_resources(b, skill, aspect, prereqs, stage_heading, label)
    elif aspect in ("checks", "project"):
        _skill_list(b, skill, aspect, prereqs, stage_heading, label)
    elif aspect == "content":
        _skill_content(b, skill, aspect, prereqs, stage_heading, label)
    elif aspect == "time":
        _skill_time(b, skill, aspect, prereqs, stage_heading, label)
    elif aspect == "prerequisites" and prereqs is not None:
        skill_prereqs(b, skill, prereqs, stage_heading, label)
    elif aspect == "stage":
        _skill_stage(b, skill, aspect, prereqs, stage_heading, label)
    elif aspect == "next":
        _skill_next(b, skill, aspect, prereqs, stage_heading, label)


def _stage_sections(b: Builder, number: int, aspect: str, prereqs: Any) -> None:
    stage = b.cur.stage(number)
    if aspect == "prerequisites":
        stage_prereqs(b, stage)
        return
    if aspect == "time" and stage_in_plan(b, stage):
        return
    if aspect in ("time", "content", "next"):
        n = b.cite(stage.citation, [stage.heading])
        if aspect == "time":
            _stage_time(b, stage, n)
        elif aspect == "content":
            _stage_content(b, stage, n)
        elif aspect == "next":
            later = [s for s in b.cur.stages if s.number > number]
            if later:  # cited to the next stage's own section, which holds its name and skills
                m = b.cite(later[0].citation, [later[0].heading])
                b.section(f"{stage.heading} →", m, [b.item(later[0].heading, later[0].name)])
        return
    for s in stage.skills:
        _skill_section(b, b.cur.skill(s), aspect, prereqs)


def _stage_time(b: Builder, stage: Stage, n: int) -> None:
    zh, number = b.zh, stage.number
    plans = plan_months(b, number)
    b.items.append(stage.duration)
    b.section(
        stage_label(b.cur, number, zh),
        n,
        [f"时长：{stage.duration}" if zh else f"Duration: {stage.duration}", *plans],
    )
    for plan in b.cur.time_plans:
        if number in plan.stage_months:
            b.cite(plan.citation, [plan.heading])


def _stage_content(b: Builder, stage: Stage, n: int) -> None:
    zh, number = b.zh, stage.number
    items = []
    for s in stage.skills:
        skill = b.cur.skill(s)
        topics = "、".join(g.title for g in skill.content if g.title) or "、".join(
            t for t in skill.section_citations if not any(k in t for k in ("资源", "项目", "检验", "平台"))
        )
        items.append(b.item(f"{skill.heading}" + (f"：{topics}" if topics else ""), skill.name))
    head = (
        f"{stage.heading}：共 {len(items)} 个技能点"
        if zh
        else f"{stage_label(b.cur, number, zh)}: {len(items)} skills"
    )
    b.items.append(stage.duration)
    b.section(head, n, [("时长：" if zh else "Duration: ") + stage.duration, *items])


def _milestone_sections(b: Builder, months: list[int]) -> None:
    for m in b.cur.milestones:
        if m.months in months:
            n = b.cite(m.citation, [m.heading])
            b.section(
                m.heading if b.zh else f"After {m.months} months ({m.heading})",
                n,
                [b.item("✅ " + c, c) for c in m.checks],
            )


def compose_structured(
    u: Understanding,
    curriculum: Curriculum,
    roadmap: Path,
    language: str,
    prerequisites: Any = None,
    question: str = "",
) -> Structured | None:
    """The complete answer from the roadmap, or None when the question is not about its lists."""
    zh = language == "zh"
    b = Builder(curriculum, roadmap, zh)
    b.question = question
    tables = asked_tables(question, u, curriculum)
    if not u.structured or tables_alone(u, tables, curriculum):
        return tables_answer(b, tables, question, language, u.stages) if tables else None
    if u.whole_roadmap and "stages" in u.aspects:
        all_stages(b, "time" in u.aspects)
    # a skill named in a milestone question ("一年的目标里有部署吗") is looked for in it, not asked for whole
    asks_milestone = bool(u.milestones) and "milestone" in u.aspects
    aspects = [a for a in u.aspects if a in ASPECT_LABELS] or (
        ["content"] if (u.stages or u.skills) and not asks_milestone else []
    )
    if u.whole_roadmap and "stages" in u.aspects:  # the stages' time was answered with them (all_stages)
        aspects = [a for a in aspects if a != "time"]
    if u.milestones and ("milestone" in u.aspects or not (u.stages or u.skills)):
        _milestone_sections(b, sorted(u.milestones))
        if asks_milestone:  # "6 个月时应该能微调 BERT 吗": the milestone's own ✅ list is the criteria asked,
            aspects = [a for a in aspects if a != "checks"]  # not the named skills' 检验标准 beside it
        aspects = (
            [a for a in aspects if a not in ("checks", "content", "time")]
            if not (u.stages or u.skills)
            else aspects
        )
    if len(aspects) > 1 and "prerequisites" in aspects and _only_first_stage(u, curriculum):
        aspects.remove("prerequisites")
    criteria_of = _before_goal(u, aspects)
    if {"checks", "content"} <= set(aspects) and _EXPECTED_TO_KNOW.search(question):
        aspects.remove("checks")  # "which commands am I expected to know": what to know is its content
    if "checks" in aspects and "next" in aspects:  # "练到什么程度才能进入下一阶段": the criteria
        aspects.remove("next")  # (the next step follows anyway)
    for n in criteria_of[:2]:
        _skill_section(b, curriculum.skill(n), "checks", prerequisites)
    for aspect in aspects[:2]:
        _aspect_sections(b, u, aspect, curriculum, prerequisites)
    if tables and "resources" in aspects and not _skills_answer_it(u, curriculum, question, language):
        # "机器学习有哪些视频老师": the skills' tables, then the named one
        stages = u.stages or sorted({curriculum.skill(n).stage for n in u.skills[:3]})
        recommended_sections(b, tables, question, language, stages)
    if not b.out:
        return None
    lead = (
        "以下内容按路线图原文整理，完整列出："
        if zh
        else "From the roadmap, listed in full (items quoted in the original Chinese):"
    )
    text = lead + "\n" + "\n".join(b.out).strip("\n")
    return Structured(text=text, sources=b.sources, items=[i for i in b.items if i], sections=b.sections)


def _before_goal(u: Understanding, aspects: list[str]) -> list[int]:
    """ "学 X 之前要先学什么" asks what comes before X, not X's content, nor its stage ("先完成哪个阶段"), nor X's
    own criteria ("what has to be finished before I move on to stage 4": not stage 4's 检验标准): those aspects
    are removed.  Returns the skills whose criteria are asked: the named prerequisites' ("学机器学习之前 Python
    要会到什么程度": Python's)."""
    criteria_of: list[int] = []
    for other in ("content", "stage", "checks"):
        if "prerequisites" in aspects and other in aspects:
            aspects.remove(other)
            if other == "checks":
                criteria_of = [n for n in u.skills if n != max(u.skills)]
    return criteria_of


# "which Git commands does the roadmap expect me to know": what to know, not the skill's 检验标准
_EXPECTED_TO_KNOW = re.compile(r"\bexpect(?:s|ed)?\b(?:\s+\w+){0,2}\s+to\s+know\b", re.IGNORECASE)

# the appendix tables name who teaches or wrote each row (讲师, 作者); a skill's own table names no one
_ASKS_WHO = re.compile(
    r"老师|讲师|作者|谁讲|谁写|\b(?:teachers?|instructors?|lecturers?|authors?)\b", re.IGNORECASE
)


def _skills_answer_it(u: Understanding, curriculum: Curriculum, question: str, language: str) -> bool:
    """Every named skill's own table holds rows of the kind asked ("学 PyTorch 有没有视频"): those rows answer,
    and the appendix's general table of that kind (视频学习, 书籍推荐: the whole roadmap's) is not what was asked,
    so it is neither quoted nor cited beside them — unless the question asks what only that table says
    ("有哪些视频老师": its 讲师 column)."""
    skills = [curriculum.skill(n) for n in u.skills[:3]]
    if not skills or _ASKS_WHO.search(question):
        return False
    return all(
        split_resources(s.resources, question, language)[0]
        or holds_kinds(s.resources, question, language, curriculum)
        for s in skills
    )


def _only_first_stage(u: Understanding, curriculum: Curriculum) -> bool:
    """Nothing comes before the first stage: "what do I cover first?" about it asks its content."""
    first = min(st.number for st in curriculum.stages)
    return not u.skills and set(u.stages) == {first}


def _aspect_sections(
    b: Builder, u: Understanding, aspect: str, curriculum: Curriculum, prerequisites: Any
) -> None:
    """One aspect of what the question names: its skills, else its stages, else the whole roadmap."""
    if aspect == "prerequisites" and u.skills:
        _prereq_sections(b, u, curriculum, prerequisites)
    elif u.skills and aspect == "stage":
        for st in dict.fromkeys(curriculum.skill(n).stage for n in u.skills[:3]):
            _stage_sections(b, st, "content", prerequisites)
    elif u.skills and aspect == "next":  # "done with deployment, fine-tuning and design: what's after?"
        _skill_section(b, curriculum.skill(max(u.skills)), aspect, prerequisites)  # after the latest named
    elif u.skills:
        for s in u.skills[:3]:
            _skill_section(b, curriculum.skill(s), aspect, prerequisites)
    elif u.stages:  # "before stage 3, what should stage 2 have given me": what comes before the later one
        for st in [max(u.stages)] if aspect == "prerequisites" else u.stages[:2]:
            _stage_sections(b, st, aspect, prerequisites)
    elif u.whole_roadmap and aspect == "time":
        cite_plans(b, None)


def _prereq_sections(b: Builder, u: Understanding, curriculum: Curriculum, prerequisites: Any) -> None:
    """The goal is the latest thing named (a skill, or a stage after every named skill: "学大模型应用之前，
    数学…"); the named skills before it are prerequisites the learner asks about ("我数学很差，能直接学机器学习吗"):
    what they cover.  When the question asks what to learn of them, their content alone answers it."""
    goal = max(u.skills)
    stage = max(u.stages) if u.stages else None
    if stage is not None and curriculum.skill(goal).stage < stage:
        named = [] if (needed := asks_if_needed(b, u.skills)) else list(u.skills)
        if needed or "content" not in u.aspects:
            _stage_sections(b, stage, "prerequisites", prerequisites)
    else:
        named = [n for n in u.skills if prerequisites and n in prerequisites.ancestors(goal)]
        b.named_prereqs, b.named_skills = bool(named), list(named)
        b.goals = [
            n for n in u.skills if n not in named
        ]  # "multimodal and RL": not each other's prerequisite
        if not ("content" in u.aspects and named):
            _skill_section(b, curriculum.skill(goal), "prerequisites", prerequisites)
    for n in named:
        _skill_section(b, curriculum.skill(n), "content", prerequisites)
