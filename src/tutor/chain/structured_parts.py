"""The building blocks of structured answers: the section builder, labels and item lines."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from tutor.chain.answer import Source
from tutor.chain.study_mode import PACE, named_plans, plan_line, study_hours, study_plan
from tutor.curriculum.model import Citation, Curriculum, Resource, Skill, Stage

__all__ = [
    "ASPECT_LABELS",
    "PACE",
    "all_stages",
    "Builder",
    "Structured",
    "cite_plans",
    "ensure_items",
    "missing_items",
    "plan_months",
    "restore_citations",
    "core_path_to",
    "resource_line",
    "section_cite",
    "skill_label",
    "stage_label",
    "stage_in_plan",
]

log = logging.getLogger(__name__)

ASPECT_LABELS = {
    "resources": ("学习资源", "learning resources"),
    "checks": ("检验标准", "check criteria"),
    "project": ("实践项目", "projects"),
    "content": ("学习内容", "what it covers"),
    "time": ("时间", "time"),
    "prerequisites": ("前置技能", "prerequisites"),
    "next": ("之后学什么", "what comes next"),
    "stage": ("所在阶段", "stage"),
}


@dataclass
class Structured:
    text: str
    sources: list[Source]
    items: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    concept: bool = False  # a concept's passage (tutor.chain.concepts): it must pass the scope check


class Builder:
    """Collects sections, numbering one Source per cited line range."""

    def __init__(self, curriculum: Curriculum, roadmap: Path, zh: bool) -> None:
        self.cur, self.zh = curriculum, zh
        try:
            self.lines = roadmap.read_text(encoding="utf-8").splitlines()
        except OSError:
            self.lines = []
        self.sources: list[Source] = []
        self.keys: dict[str, int] = {}
        self.out: list[str] = []
        self.items: list[str] = []
        self.sections: list[str] = []
        self.question = ""  # the learner's words (a pace such as 业余 picks that time plan)
        # the learner asks about prerequisites they name ("学深度学习之前数学要补哪些"): their content answers,
        # not the roadmap's whole order before the goal
        self.named_prereqs = False
        self.named_skills: list[int] = []  # those prerequisites (their skill numbers)
        self.goals: list[int] = []  # the skills whose prerequisites are asked, all of them

    def cite(self, citation: Citation, path: list[str]) -> int:
        key = f"{citation.doc}#L{citation.lines[0]}-{citation.lines[1]}"
        if key not in self.keys:
            n = len(self.sources) + 1
            self.keys[key] = n
            text = "\n".join(self.lines[citation.lines[0] - 1 : citation.lines[1]])
            self.sources.append(
                Source(
                    n=n,
                    id=key,
                    doc=citation.doc,
                    title=self.cur.title,
                    headings=[h for h in path if h],
                    lines=list(citation.lines),
                    score=None,
                    text=text,
                    cited=True,
                )
            )
        return self.keys[key]

    def section(self, title: str, n: int, items: list[str], empty: str | None = None) -> None:
        if title in self.sections:  # two aspects reaching the same section: it is shown once
            return
        self.sections.append(title)
        self.out.append(f"\n**{title}**")
        if items:
            self.out.extend(f"- {item} [{n}]" for item in items)
        elif empty:
            self.out.append(f"{empty} [{n}]")

    def item(self, text: str, must_keep: str | None = None) -> str:
        self.items.append(must_keep or text)
        return text


def _stars(n: int | None) -> str:
    return "⭐" * n if n else ""


def resource_line(r: Resource, zh: bool) -> str:
    facts = [x for x in (r.type, r.lang, _stars(r.stars)) if x]
    sep = "，" if zh else ", "
    line = r.name + (f"（{sep.join(facts)}）" if facts else "")
    return f"{line}：{r.link}" if r.link else line


def skill_label(skill: Skill, zh: bool) -> str:
    return skill.heading.rstrip(" ⭐") if zh else f"Skill {skill.number}: {skill.name}"


def stage_label(cur: Curriculum, number: int, zh: bool) -> str:
    stage = cur.stage(number)
    # English too quotes the roadmap's heading: a learner checking "阶段 2" or its name finds them as written
    return stage.heading if zh else f"Stage {stage.number} ({stage.heading})"


def section_cite(skill: Skill, keyword: str) -> tuple[str, Citation] | None:
    for title, citation in skill.section_citations.items():
        if keyword in title:
            return title, citation
    return None


def core_path_to(cur: Curriculum, skill: Skill) -> str:
    """The document's core path up to the step that names this skill, if it names it."""
    steps = cur.core_path
    for i, step in enumerate(steps):
        if step.lower() in skill.name.lower() or skill.name.lower().startswith(step.lower()):
            return " → ".join(steps[: i + 1])
    return ""


def cite_plans(b: Builder, stage: int | None) -> None:
    """The roadmap's time plans; only the one for the learner's pace when the question names it, by its
    name ("业余") or by the hours a day it states ("每天只能学两小时": the plan closest to them)."""
    paces = [k for k, rx in PACE.items() if rx.search(b.question)]
    plans = [p for p in b.cur.time_plans if any(k in p.heading for k in paces)]
    if not plans and study_hours(b.question) is not None:
        plans = [p for p in [study_plan(b.question, b.cur)] if p is not None]
    if stage is None and len(plans) != 1 and (total := b.cur.total_time_citation) and b.cur.total_time:
        b.section(total.heading, b.cite(total, [total.heading]), [b.item(b.cur.total_time)])
    plans = plans or b.cur.time_plans
    for plan in plans:
        n = b.cite(plan.citation, [plan.heading])
        if stage is None:
            items = [b.item(i) for i in plan.items]
            if plan.hours_per_day:
                items.insert(0, b.item(plan.hours_per_day))
            b.section(plan.heading, n, items)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "*`")


def missing_items(text: str, items: list[str]) -> list[str]:
    """The items an answer left out (NFKC-, case- and whitespace-insensitive)."""
    body = _norm(text)
    return [i for i in dict.fromkeys(items) if _norm(i) and _norm(i) not in body]


def ensure_items(text: str, structured: Structured, language: str) -> tuple[str, list[str]]:
    """An LLM's phrasing with whatever items it dropped appended, cited; falls back to the structured text
    when it kept fewer than half of them."""
    missing = missing_items(text, structured.items)
    if not missing:
        return text, []
    if len(missing) > len(structured.items) / 2:
        log.info(
            "The model kept %d of %d roadmap items; using the structured answer",
            len(structured.items) - len(missing),
            len(structured.items),
        )
        return structured.text, missing
    lines = [line for line in structured.text.splitlines() if any(_norm(m) in _norm(line) for m in missing)]
    head = "资料中还列出：" if language == "zh" else "The roadmap also lists:"
    return text.rstrip() + "\n\n" + head + "\n" + "\n".join(lines), missing


_MARKS = re.compile(r"\[(\d{1,2})\]")


def restore_citations(text: str, structured: Structured) -> str:
    """Each line of a phrasing that states roadmap items but lost their [n] gets the numbers of the lines
    those items stand on in the structured answer: a model that keeps the items and drops the markers would
    otherwise leave the answer citing nothing."""
    marks: dict[str, list[str]] = {}  # item -> the markers of the structured line that holds it
    for line in structured.text.splitlines():
        numbers = _MARKS.findall(line)
        for item in structured.items:
            key = _norm(item)
            if numbers and len(key) >= 2 and key in _norm(line):
                marks.setdefault(key, numbers)
    out = []
    for line in text.splitlines():
        if not _MARKS.search(line):
            body = _norm(line)
            found = [n for key, numbers in marks.items() if key in body for n in numbers]
            if found:
                line = line.rstrip() + " " + "".join(f"[{n}]" for n in dict.fromkeys(found))
        out.append(line)
    return "\n".join(out)


_ASKS_TOTAL = re.compile(
    r"总共|总计|一共(?:要|需要|得|花)|加起来|全部学完|\bin total\b|\baltogether\b|\boverall\b|\btotal\b",
    re.IGNORECASE,
)


def all_stages(b: Builder, with_time: bool) -> None:
    """Every stage of the roadmap, cited; with time, the plans (only the pace the learner names)."""
    if with_time and any(rx.search(b.question) for rx in PACE.values()):
        cite_plans(b, None)  # "业余学，每个阶段花多久": that pace's plan lists every stage's time
        return
    items = []
    for st in sorted(b.cur.stages, key=lambda x: x.number):
        n = b.cite(st.citation, [st.heading])
        items.append(f"{b.item(st.heading)} [{n}]")
    b.sections.append("stages")
    b.out.append("\n**" + ("路线的阶段" if b.zh else "The stages of the roadmap") + f"（{len(items)}）**")
    b.out.extend(f"- {i}" for i in items)
    # each stage's heading states its own time ("（2-3 个月）"): the plans answer a pace or hours the learner
    # states, or the total ("总共多久"), not "每个阶段多久" asked without one
    if with_time and (study_hours(b.question) is not None or _ASKS_TOTAL.search(b.question)):
        cite_plans(b, None)


def stage_in_plan(b: Builder, stage: Stage) -> bool:
    """A question that names how the learner studies ("每天两三个小时", "full-time") gets that time plan's own
    line for the stage ("阶段 2：4 个月"), cited to the plan; False when it names no mode the roadmap plans."""
    plans = named_plans(b.question, b.cur)
    if len(plans) < 2:  # one mode, or hours a day: the closest plan
        plans = [p for p in [study_plan(b.question, b.cur)] if p is not None]
    found = False
    for plan in plans:
        line = plan_line(plan, stage.number)
        if line is None:
            continue
        n = b.cite(plan.citation, [plan.heading])
        items = [b.item(line)] + ([b.item(plan.hours_per_day)] if plan.hours_per_day else [])
        b.section(f"{stage_label(b.cur, stage.number, b.zh)} › {plan.heading}", n, items)
        found = True
    return found


def plan_months(b: Builder, stage: int) -> list[str]:
    """Every time plan's months for one stage ("全职学习：2 个月"), for a question that names no mode."""
    return [
        f"{p.name}：{p.stage_months[stage]:g} 个月" if b.zh else f"{p.name}: {p.stage_months[stage]:g} months"
        for p in b.cur.time_plans
        if stage in p.stage_months
    ]
