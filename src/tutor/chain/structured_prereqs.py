"""Prerequisite answers: what comes before a skill or a stage, from the curriculum graph and the core path.

"学 X 之前要先学什么" is answered with the skills the graph puts before X (its own stage's earlier skills
and the nearest earlier stage, each line cited to the stage that holds it); a question that names the
roadmap's core path ("按照核心路径…", "according to the core path") gets the path's own order up to X,
cited to the 核心路径 section that holds it.
"""

from __future__ import annotations

import re
from typing import Any

from tutor.chain.refs import REQUIRED
from tutor.chain.skill_tree import tree_words
from tutor.chain.structured_parts import ASPECT_LABELS, Builder, core_path_to
from tutor.curriculum.model import Skill, Stage

__all__ = ["CORE_PATH", "asks_if_needed", "skill_prereqs", "stage_prereqs"]

# "按核心路径", "核心学习路径", "on the core (learning) path": the question names the roadmap's 核心路径
CORE_PATH = re.compile(
    r"核心(?:学习)?路径|主线|整体路径|\b(?:core|overall) (?:learning |study )?(?:path|route)\b|\bmain (?:path|line|track|route|sequence)\b|\bmainline\b",
    re.IGNORECASE,
)
# "能跳过 PyTorch 直接学 LangChain 吗": whether a step can be skipped is answered by the whole order before the goal
_SKIPS = re.compile(
    r"跳过|直接(?:学|上手|开始|进)|\bskip|\bjump(?:ing)? straight|\bstraight (?:in)?to\b|\bwithout (?:doing|learning|studying|the)\b",
    re.IGNORECASE,
)


def _core_path(b: Builder, skill: Skill, label: str, prereqs: Any) -> bool:
    """The core path's steps up to the skill (named as the path names it: "NLP"), quoted and cited; False when the
    path does not name it."""
    path = _path_to(b, skill, prereqs)
    citation = b.cur.core_path_citation
    if not path or citation is None or not CORE_PATH.search(b.question):
        return False
    n = b.cite(citation, [citation.heading])
    title = f"{label} › " + ("核心路径" if b.zh else "the core path")
    b.section(title, n, [b.item(path)])
    return True


def _path_to(b: Builder, skill: Skill, prereqs: Any) -> str:
    """The core path up to the step that names the skill, by name or by its configured abbreviation ("NLP")."""
    numbers = getattr(prereqs, "core_path_numbers", [])
    if skill.number in numbers and len(numbers) == len(b.cur.core_path):
        return " → ".join(b.cur.core_path[: numbers.index(skill.number) + 1])
    return core_path_to(b.cur, skill)


def _path_before(skill: Skill, prereqs: Any) -> set[int]:
    """The skills the core path puts before the skill (none when the path does not name it)."""
    numbers = getattr(prereqs, "core_path_numbers", [])
    return set(numbers[: numbers.index(skill.number)]) if skill.number in numbers else set()


def _order_line(b: Builder, skill: Skill, prereqs: Any) -> list[str]:
    """The core path up to the skill, cited (numbered first, as it is read first); none when the path does not
    name the skill, or when the learner asks about prerequisites they name (their content answers)."""
    path = _path_to(b, skill, prereqs)
    citation = b.cur.core_path_citation
    if not path or citation is None or b.named_prereqs:
        return []
    n = b.cite(citation, [citation.heading])
    lead = "按路线图的核心路径（学习顺序）：" if b.zh else "In the roadmap's core path (its order of study): "
    return [f"{lead}{b.item(path)} [{n}]"]


def _required(b: Builder, skill: Skill) -> bool:
    """The skill tree's branch that holds the skill, with the skill's leaves, cited; False when none does."""
    citation = b.cur.skill_tree_citation
    if citation is None or not REQUIRED.search(b.question):
        return False
    own, asked = tree_words(skill.name), tree_words(b.question)
    for branch in b.cur.skill_tree:
        leaves = [x for x in branch.leaves if tree_words(x) & own]
        leaves = [x for x in leaves if tree_words(x) & asked] or leaves  # "Linux" of "Linux 和 Git"
        if leaves:
            n = b.cite(citation, [citation.heading])
            lead = (
                f"路线图的技能树把它列在「{branch.name}」下："
                if b.zh
                else f"The roadmap's skill tree lists it under {branch.name}:"
            )
            b.section(f"{citation.heading} › {branch.name}", n, [b.item(x.rstrip(" ⭐")) for x in leaves])
            b.out.insert(len(b.out) - len(leaves) - 1, lead)
            return True
    return False


# "Do I need to know Linux and Git before the AI theory stage?", "进入阶段 1 之前 Linux 和 Git 必须会吗？": yes or no
_NEEDED = re.compile(
    r"^\s*(?:so |and |but )?(?:do|does|must|is|are)\b|必须|一定要|非.{0,4}不可|要不要|(?:需要|得|要)先?(?:会|学|掌握).{0,12}吗",
    re.IGNORECASE,
)


def _same(leaf: set[str], own: set[str]) -> bool:
    """A tree leaf names the skill: a Latin word in common ("Linux 操作"), or two Chinese pairs (not "基础" alone)."""
    common = leaf & own
    return any(w.isascii() for w in common) or len(common) >= 2


def asks_if_needed(b: Builder, skills: list[int]) -> bool:
    """Whether named skills are needed before a later stage, asked yes or no: the skill tree's branches holding them
    (their note says 必修 or not), cited; False (nothing added) when the question asks something else of them."""
    citation = b.cur.skill_tree_citation
    if citation is None or not _NEEDED.search(b.question):
        return False
    names = [tree_words(b.cur.skill(n).name) for n in skills]
    holds = lambda leaf: any(_same(tree_words(leaf), own) for own in names)  # noqa: E731
    branches = [(br, [x for x in br.leaves if holds(x)]) for br in b.cur.skill_tree]
    n = b.cite(citation, [citation.heading]) if any(leaves for _, leaves in branches) else 0
    for branch, leaves in ((br, lv) for br, lv in branches if lv):
        b.section(f"{citation.heading} › {branch.name}", n, [b.item(x.rstrip(" ⭐")) for x in leaves])
    return bool(n)


def _stages_before(b: Builder, skill: Skill, label: str) -> bool:
    """ "做模型部署之前要先学完哪些阶段": the stages before the skill's own, as the overview orders them (cited to
    it), not the skills of the nearest ones; False when the question does not ask which stages."""
    overview = b.cur.overview_citation
    earlier = [s for s in b.cur.stages if s.number < skill.stage]
    if overview is None or not earlier or not _WHICH_STAGES.search(b.question):
        return False
    n = b.cite(overview, [overview.heading])
    b.section(f"{label} › {overview.heading}", n, [b.item(s.heading, s.name) for s in earlier])
    return True


def skill_prereqs(b: Builder, skill: Skill, prereqs: Any, stage_heading: str, label: str) -> None:
    zh = b.zh
    if _required(b, skill) or _core_path(b, skill, label, prereqs) or _stages_before(b, skill, label):
        return
    # what the graph says comes before it, and the skills its own stage teaches before it
    needs = prereqs.ancestors(skill.number)
    needs |= {
        m
        for m in b.cur.stage(skill.stage).skills
        if m < skill.number and skill.number not in prereqs.ancestors(m)  # never one that builds on it
    } - set(b.goals)
    stages = [st for st in sorted(b.cur.stages, key=lambda x: x.number) if any(m in needs for m in st.skills)]
    # the skills right before it are named and cited (its own stage, the nearest earlier stage); the
    # older stages they build on are only named: citing every earlier stage cites what was not asked
    earlier = [st for st in stages if st.number < skill.stage][-1:]
    near = [st for st in stages if st.number == skill.stage or st in earlier]
    if _WHICH_STAGE.search(b.question):  # "需要先完成哪个阶段的技能": a stage before its own, not its skills
        near = [st for st in near if st.number != skill.stage] or near
    # "学深度学习之前数学要补哪些": the stage lines that hold the prerequisites they name, not every stage line
    named = [st for st in near if any(m in b.named_skills for m in st.skills)]
    if b.named_skills and not named and not _SKIPS.search(b.question):
        return  # "学 PyTorch 之前 Python 哪些库要熟": the named skill's content answers; no stage line holds it
    asked = named if named and not _SKIPS.search(b.question) else near
    # the roadmap states no prerequisites as such: what comes before is its order, so the core path (cited
    # to the 核心路径 section that holds it) leads, then the stages the skill's own stage follows
    order = _order_line(b, skill, prereqs) if near else []
    if order:  # its own stage's line says nothing the path line does not ("微调 → 部署": 模型微调实战 again)
        path = _path_before(skill, prereqs)
        asked = [
            st for st in asked if st.number != skill.stage or not {m for m in st.skills if m in needs} <= path
        ]
    items = []
    for st in asked:
        names = [b.cur.skill(m) for m in st.skills if m in needs]
        line = f"{st.heading}：" + "、".join(x.heading.rstrip(" ⭐") for x in names)
        items.append(b.item(f"{line} [{b.cite(st.citation, [st.heading])}]", st.name))
        b.items.extend(x.name for x in names)
    title = f"{label} › {ASPECT_LABELS['prerequisites'][0 if zh else 1]}"
    if not items and not order:
        n = b.cite(skill.citation, [stage_heading, skill.heading])
        start = (
            "这是路线的起点，没有前置技能。"
            if zh
            else "This is where the roadmap starts; nothing comes first."
        )
        b.section(title, n, [], start)
        return
    # each line cites the stage it names; the asked skill's own passage holds none of them
    b.sections.append(title)
    b.out += [f"\n**{title}**", *(f"- {x}" for x in [*order, *items])]
    older = [st.heading for st in stages if st not in near and st.number < skill.stage]
    if older:
        b.out.append(("- 更早的基础：" if zh else "- Built on the earlier stages: ") + "、".join(older))


# "要先学完哪些阶段", "which stages before…": the stages themselves (学习路线总览 lists them in order), not the
# skills of the stage right before it ("Before stage 3, which skills should I have finished?")
_WHICH_STAGE = re.compile(r"哪(?:一)?个阶段|\b(?:which|what) (?:stage|phase)\b", re.IGNORECASE)
_WHICH_STAGES = re.compile(r"哪些阶段|哪几个阶段|几个阶段|\b(?:which|what) stages\b", re.IGNORECASE)


def stage_prereqs(b: Builder, stage: Stage) -> None:
    """The stage right before it, cited to that stage (the asked stage's own text holds none of it)."""
    zh, number = b.zh, stage.number
    earlier = [s for s in b.cur.stages if s.number < number]
    if not earlier:
        n = b.cite(stage.citation, [stage.heading])
        b.section(stage.heading, n, [], "这是第一个阶段。" if zh else "This is the first stage.")
        return
    overview = b.cur.overview_citation
    if overview is not None and _WHICH_STAGES.search(b.question):  # the stages, as the overview orders them
        n = b.cite(overview, [overview.heading])
        b.section(stage.heading, n, [b.item(s.heading, s.name) for s in earlier])
        return
    prev = earlier[-1]
    pn = b.cite(prev.citation, [prev.heading])
    line = f"{prev.heading}：" + "、".join(b.cur.skill(m).heading.rstrip(" ⭐") for m in prev.skills)
    b.section(stage.heading, pn, [b.item(line, prev.name)])
    b.items.extend(b.cur.skill(m).name for m in prev.skills)
    if len(earlier) > 1:  # "which stages must I finish first?": every stage before it, as for a skill
        older = "、".join(s.heading for s in earlier[:-1])
        b.out.append(("- 更早的基础：" if b.zh else "- Built on the earlier stages: ") + older)
