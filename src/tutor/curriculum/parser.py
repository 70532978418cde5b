"""Parse a roadmap document into a `Curriculum`, driven by headings and table headers.

Nothing here names a particular skill: stages are H2 headings "阶段 N：名称（时长）", skills
are H3 "技能点 N：名称 ⭐…" under them, and each skill's H4 sub-sections are classified by
their title (资源 → resource table, 项目 → projects, 检验 → check criteria, anything else →
content).  A document missing the structure raises `CurriculumError` saying what is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.curriculum.model import (
    Citation,
    ContentGroup,
    Curriculum,
    Milestone,
    RecommendedItem,
    Resource,
    Skill,
    Stage,
    TimePlan,
    TreeBranch,
)
from tutor.errors import CurriculumError
from tutor.ingest.loaders import load_document
from tutor.ingest.tables import cell_link, column_role, row_fields, split_table, strip_md
from tutor.markdown import scan
from tutor.patterns import FENCE as _FENCE

__all__ = ["parse_roadmap", "load_curriculum"]

_STAGE = re.compile(r"^阶段\s*(\d+)\s*[：:]\s*(.+?)\s*[（(](.+?)[）)]\s*$")
_SKILL = re.compile(r"^技能点\s*(\d+)\s*[：:]\s*(.+?)\s*(⭐+)?\s*$")
_STAGE_MONTHS = re.compile(r"阶段\s*(\d+)\s*[：:]\s*([\d.]+)\s*个月")
_MILESTONE = re.compile(r"^(\d+)\s*个月后")
_STAGE_HINT = re.compile(r"阶段\s*(\d+)(?:\s*[-–~～]\s*(\d+))?")
_BOLD_LINE = re.compile(r"^\*\*(.+?)\*\*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_CHECK = re.compile(r"^[✅✔☑️\s]+")


@dataclass
class _Node:
    level: int
    text: str
    start: int  # 0-based line of the heading
    end: int  # exclusive
    children: list[_Node] = field(default_factory=list)
    body: list[tuple[int, str]] = field(default_factory=list)  # lines before the first child


def _tree(lines: list[str]) -> _Node:
    root = _Node(0, "", -1, len(lines))
    stack = [root]
    for line in scan(lines):
        if line.heading:
            while stack[-1].level >= line.heading.level:
                stack.pop().end = line.number
            node = _Node(line.heading.level, line.heading.text, line.number, len(lines))
            stack[-1].children.append(node)
            stack.append(node)
        else:
            stack[-1].body.append((line.number, line.text))
    return root


def _walk(node: _Node):
    for child in node.children:
        yield child
        yield from _walk(child)


def _all_lines(node: _Node) -> list[tuple[int, str]]:
    out = list(node.body)
    for child in node.children:
        out.extend(_all_lines(child))
    return sorted(out)


def _table(rows: list[tuple[int, str]]) -> tuple[list[str], list[list[str]]]:
    return split_table([line for _, line in rows])


class _Ctx:
    def __init__(self, doc: str, lines: list[str], offset: int) -> None:
        self.doc, self.lines, self.offset = doc, lines, offset

    def cite(self, node: _Node) -> Citation:
        end = node.end - 1
        while (
            end > node.start
            and not self.lines[end].strip()
            or (end > node.start and self.lines[end].strip() == "---")
        ):
            end -= 1
        return Citation(
            doc=self.doc, heading=node.text, lines=(node.start + 1 + self.offset, end + 1 + self.offset)
        )


def _resources(node: _Node) -> list[Resource]:
    header, body = _table(_all_lines(node))
    return [Resource(**fields) for row in body if (fields := row_fields(header, row))]


def _items(node: _Node) -> list[str]:
    out = []
    for _, line in _all_lines(node):
        m = _ITEM.match(line)
        if m and not line.startswith("    "):
            out.append(_CHECK.sub("", strip_md(m.group(1))).strip())
        elif m is None and line.strip().startswith(("✅", "✔")):
            out.append(_CHECK.sub("", strip_md(line)).strip())
    return [i for i in out if i]


def _content_groups(node: _Node, offset: int = 0) -> list[ContentGroup]:
    groups: list[ContentGroup] = []
    current = ContentGroup(section=node.text)
    in_fence = False
    for number, line in _all_lines(node):
        line_no = number + 1 + offset
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            if line.strip():
                current.items.append(line.strip())
                current.lines = (current.lines[0] if current.lines else line_no, line_no)
            continue
        bold = _BOLD_LINE.match(line.strip())
        item = _ITEM.match(line)
        if bold:
            if current.items or current.title:
                groups.append(current)
            current = ContentGroup(section=node.text, title=bold.group(1), lines=(line_no, line_no))
            continue
        if item:
            current.items.append(strip_md(item.group(1)))
        elif line.strip() and not line.strip().startswith("|") and line.strip() != "---":
            current.items.append(strip_md(line))
        else:
            continue
        current.lines = (current.lines[0] if current.lines else line_no, line_no)
    if current.items or current.title:
        groups.append(current)
    return groups


def _skill(node: _Node, stage: int, ctx: _Ctx) -> Skill:
    m = _SKILL.match(node.text)
    assert m
    skill = Skill(
        number=int(m.group(1)),
        heading=node.text,
        name=m.group(2).strip(),
        stars=len(m.group(3) or ""),
        stage=stage,
        citation=ctx.cite(node),
    )
    subsections = node.children or [node]
    for sub in subsections:
        title = sub.text
        skill.section_citations[title] = ctx.cite(sub)
        if "资源" in title:
            skill.resources.extend(_resources(sub))
        elif "项目" in title:
            skill.projects.extend(_items(sub))
        elif "检验" in title:
            skill.checks.extend(_items(sub))
        else:
            skill.content.extend(_content_groups(sub, ctx.offset))
    if not node.children and node.body:
        skill.content = _content_groups(node, ctx.offset)
    return skill


def _stage_hints(text: str) -> list[int]:
    out: list[int] = []
    for a, b in _STAGE_HINT.findall(text):
        lo, hi = int(a), int(b or a)
        out.extend(range(lo, hi + 1))
    return out


def parse_roadmap(
    markdown: str, doc: str = "roadmap", title: str | None = None, line_offset: int = 0
) -> Curriculum:
    """Parse roadmap Markdown; raises CurriculumError naming the missing structure."""
    lines = markdown.split("\n")
    ctx = _Ctx(doc, lines, line_offset)
    nodes = list(_walk(_tree(lines)))
    stages, skills = _stages_and_skills(nodes, ctx, doc)
    time_plans: list[TimePlan] = []
    milestones: list[Milestone] = []
    recommended: list[RecommendedItem] = []
    core_path: list[str] = []
    core_path_citation: Citation | None = None
    overview: Citation | None = None
    advice: list[Citation] = []
    tree: list[TreeBranch] = []
    tree_citation: Citation | None = None
    for node in nodes:
        if node.level == 2 and "时间规划" in node.text:
            time_plans.extend(_time_plan(plan, ctx) for plan in node.children)
        elif node.level == 2 and "里程碑" in node.text:
            for child in node.children:
                mm = _MILESTONE.match(child.text)
                if mm:
                    milestones.append(
                        Milestone(
                            heading=child.text,
                            months=int(mm.group(1)),
                            checks=_items(child),
                            citation=ctx.cite(child),
                        )
                    )
        elif node.level == 2 and "推荐资源" in node.text:
            recommended.extend(item for child in _walk(node) for item in _recommended(child, ctx))
        elif "核心路径" in node.text:
            text = " ".join(line for _, line in node.body if not _FENCE.match(line))
            core_path = [p.strip() for p in re.split(r"→|->", text) if p.strip()]
            core_path_citation = ctx.cite(node)
        elif node.level == 2 and "总览" in node.text:  # 学习路线总览: the stages in order
            overview = ctx.cite(node)
        elif node.level == 2 and "技能树" in node.text:
            tree, tree_citation = _skill_tree(node), ctx.cite(node)
        elif node.level == 2 and "学习建议" in node.text:
            advice = [ctx.cite(child) for child in node.children]
    return Curriculum(
        doc=doc,
        title=title or doc,
        **_total_time(nodes, ctx),
        stages=stages,
        skills=skills,
        time_plans=time_plans,
        milestones=milestones,
        core_path=core_path,
        core_path_citation=core_path_citation,
        overview_citation=overview,
        recommended=recommended,
        advice=advice,
        skill_tree=tree,
        skill_tree_citation=tree_citation,
    )


_TOTAL = re.compile(r"^\s*>?\s*(总时长\s*[:：].+?)\s*$")


def _total_time(nodes: list[_Node], ctx: _Ctx) -> dict[str, Any]:
    """The whole roadmap's duration as its title states it (a quoted line under the H1), with its line."""
    for node in nodes:
        for i, line in node.body if node.level == 1 else []:
            if m := _TOTAL.match(line):
                at = i + 1 + ctx.offset
                cited = Citation(doc=ctx.doc, heading=node.text, lines=(at, at))
                return {"total_time": m.group(1), "total_time_citation": cited}
    return {}


_BRANCH = re.compile(r"^[├└]──\s*(.+?)\s*$")
_LEAF = re.compile(r"^[│\s]+[├└]──\s*(.+?)\s*$")


def _skill_tree(node: _Node) -> list[TreeBranch]:
    """The 技能树 block's branches ("├── 🌳 基础技能（必修）") with their leaves ("│   ├── Python 编程 ⭐⭐⭐⭐⭐")."""
    branches: list[TreeBranch] = []
    for _, line in node.body:
        if (m := _BRANCH.match(line)) is not None:
            branches.append(TreeBranch(name=re.sub(r"^[^\w（(]+", "", m.group(1)).strip()))
        elif (m := _LEAF.match(line)) is not None and branches:
            branches[-1].leaves.append(m.group(1))
    return branches


def _stages_and_skills(nodes: list[_Node], ctx: _Ctx, doc: str) -> tuple[list[Stage], list[Skill]]:
    """Every '阶段 N：…' heading with its '技能点 N：…' children; a roadmap without them is an error."""
    stages: list[Stage] = []
    skills: list[Skill] = []
    for node in nodes:
        sm = _STAGE.match(node.text)
        if not sm:
            continue
        stage = Stage(
            number=int(sm.group(1)),
            heading=node.text,
            name=sm.group(2).strip(),
            duration=sm.group(3).strip(),
            citation=ctx.cite(node),
        )
        for child in node.children:
            if _SKILL.match(child.text):
                skill = _skill(child, stage.number, ctx)
                skills.append(skill)
                stage.skills.append(skill.number)
        stages.append(stage)
    if not stages:
        raise CurriculumError(
            f"{doc}: not a roadmap: no stage headings like '## 阶段 0：基础准备（1-2 个月）' were found"
        )
    if not skills:
        raise CurriculumError(
            f"{doc}: no skill headings like '### 技能点 1：Python 编程 ⭐⭐⭐⭐⭐' under the stage headings"
        )
    numbers = [s.number for s in skills]
    if len(set(numbers)) != len(numbers):
        dup = sorted({n for n in numbers if numbers.count(n) > 1})
        raise CurriculumError(f"{doc}: skill numbers repeat: {dup}")
    stage_numbers = [s.number for s in stages]
    if len(set(stage_numbers)) != len(stage_numbers):
        raise CurriculumError(f"{doc}: stage numbers repeat: {stage_numbers}")
    return stages, skills


def _time_plan(plan: _Node, ctx: _Ctx) -> TimePlan:
    text_lines = [line for _, line in _all_lines(plan)]
    hours = next((strip_md(t) for t in text_lines if "小时" in t and "**" in t), None)
    months = {int(a): float(b) for a, b in _STAGE_MONTHS.findall("\n".join(text_lines))}
    return TimePlan(
        name=re.split(r"[（(]", plan.text)[0].strip(),
        heading=plan.text,
        hours_per_day=hours,
        stage_months=months,
        items=_items(plan),
        citation=ctx.cite(plan),
    )


def _recommended(child: _Node, ctx: _Ctx) -> list[RecommendedItem]:
    """The rows of a recommended-resources table (none when the section holds no table)."""
    header, body = _table(list(child.body))
    if not header:
        return []
    roles = [column_role(h) for h in header]
    name_i = roles.index("name") if "name" in roles else 0
    link_i = roles.index("link") if "link" in roles else None
    return [
        RecommendedItem(
            table=child.text,
            name=strip_md(row[name_i]),
            columns=dict(zip(header, row, strict=False)),
            link=cell_link(row[link_i]) if link_i is not None and link_i < len(row) else None,
            stages=_stage_hints(" ".join(row)),
            citation=ctx.cite(child),
            line=line,
        )
        for row, line in zip(body, _row_lines(child, ctx), strict=False)
    ]


def _row_lines(child: _Node, ctx: _Ctx) -> list[int]:
    """The 1-based line of each body row of the section's table (after the header and its rule)."""
    rows = [n for n, line in child.body if line.strip().startswith("|")]
    return [n + 1 + ctx.offset for n in rows[2:]]


def load_curriculum(path: Path, max_bytes: int = 20_000_000) -> Curriculum:
    doc = load_document(path, max_bytes)
    return parse_roadmap(doc.text, doc=doc.doc_id, title=doc.title, line_offset=doc.line_offset)
