"""A follow-up's understanding in the light of the conversation: what it refers back to.

"那它的检验标准呢？", "And the milestone after that one?", "那里面第二个技能的项目呢？" name no skill,
stage or milestone of their own: they mean the one the earlier turn was about, the one after (or
before) it, or the n-th skill of the stage the earlier turn named.  The earlier turns are read by the
same deterministic `understand`, each in the light of the turns before it, and the relative reference
is resolved through the curriculum model (the roadmap's order of milestones, stages and skills), so no
phrase of any question is needed here.  What was inherited is recorded in `Understanding.inherited`
and shown in `tutor ask --json`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from tutor.chain.condense import Turn, filters_a_list, is_follow_up
from tutor.chain.own_words import self_reports
from tutor.chain.refs import parse_number
from tutor.chain.router import Route
from tutor.chain.understanding import Understanding, read_aspects
from tutor.curriculum.model import Curriculum

__all__ = ["follow_up_route", "in_context", "own_words_route", "refers_back"]

# the kind of thing a reference points at, by the noun the learner uses
_KINDS = {
    "milestone": re.compile(r"里程碑|检验点|节点|\bmilestones?\b|\bcheckpoints?\b", re.IGNORECASE),
    "stage": re.compile(r"阶段|\bstages?\b|\bphases?\b", re.IGNORECASE),
    "skill": re.compile(r"技能|\bskills?\b|\btopics?\b", re.IGNORECASE),
}
_NOUN = r"(?:milestones?|checkpoints?|stages?|phases?|skills?|topics?|ones?)"
# a determiner that points at a neighbour ("下一个阶段", "the next one", "the milestone after that")
_NEXT = re.compile(
    rf"下一个|下个|再下一|(?<!最)后一个|后面(?:那|一)个|\bnext\s+{_NOUN}|\b{_NOUN}\s+after\s+(?:that|this|it)\b"
    rf"|\bthe\s+(?:following|subsequent)\s+{_NOUN}",
    re.IGNORECASE,
)
_PREV = re.compile(
    rf"上一个|上个|前一个|前面(?:那|一)个|\b(?:previous|prior|preceding)\s+{_NOUN}"
    rf"|\b{_NOUN}\s+before\s+(?:that|this|it)\b",
    re.IGNORECASE,
)
# an ordinal within what the earlier turn listed ("第二个技能", "the first one", "the third skill")
_ORDINAL_ZH = re.compile(r"第\s*([一二两三四五六七八九十\d]+)\s*个(?!阶段|月)")
_ORDINAL_EN = re.compile(
    r"\b(?:the\s+)?(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|last)\s+(?:one|skill|topic)\b",
    re.IGNORECASE,
)


# "那再过三个月呢？", "And after another six months?", "three more months?": a duration added to the earlier milestone
_LATER = re.compile(
    r"(?:再|又)(?:过|学)了?\s*(\d+|[一二两三四五六七八九十半]+)\s*个?\s*月|(?:再|又)(?:过|学)了?\s*(半)年"
    r"|\banother\s+(\d+|[a-z]+)\s+months?\b|\b(\d+|[a-z]+)\s+more\s+months?\b",
    re.IGNORECASE,
)


def _later(question: str, ctx: Understanding, cur: Curriculum) -> int | None:
    """The milestone a duration after the earlier one reaches: that sum when the roadmap has it, else the next."""
    m = _LATER.search(question)
    if m is None or not ctx.milestones:
        return None
    token = next(g for g in m.groups() if g)
    months = 6 if m.group(2) else parse_number(token.lower())  # 再过半年; 半个月 is no milestone step
    if months is None:
        return None
    base = max(ctx.milestones)
    ordered = sorted(ms.months for ms in cur.milestones)
    target = base + months
    return target if target in ordered else next((n for n in ordered if n > base), None)


def _kind(text: str) -> str | None:
    found = [(m.start(), k) for k, rx in _KINDS.items() if (m := rx.search(text))]
    return min(found)[1] if found else None


def _ordinal(text: str) -> int | None:
    """1-based position; -1 for "the last one"."""
    m = _ORDINAL_ZH.search(text) or _ORDINAL_EN.search(text)
    if not m:
        return None
    token = m.group(1).lower()
    return -1 if token == "last" else parse_number(token)


def _names_own(u: Understanding) -> bool:
    """A reference of its own; the bare word 里程碑/milestone (read as all of them) is none."""
    return bool(u.stages or u.skills or (u.milestones and "milestones" not in u.evidence))


# a demonstrative with the kind of thing ("那个技能", "这个阶段", "that stage"): the earlier turn's one, even when
# a number of the question reads as a milestone ("…in the evenings, like 2-3 hrs a day?")
_POINTER = re.compile(
    r"(?:这|那)(?:个|一)?\s*(?:阶段|技能)|\b(?:that|this|the same)\s+(?:stage|phase|skill|topic)\b",
    re.IGNORECASE,
)


def refers_back(question: str, own: Understanding) -> bool:
    """The follow-up points at the earlier turn: a relative or ordinal reference, a demonstrative with no
    stage or skill of its own, or a pronoun or a bare aspect with no skill, stage or milestone of its own."""
    if _NEXT.search(question) or _PREV.search(question) or _LATER.search(question):
        return True
    if _POINTER.search(question) and not (own.stages or own.skills):
        return True
    if _ordinal(question) is not None:
        return True
    return not _names_own(own) and is_follow_up(question)


def _topic(u: Understanding) -> bool:
    """A reference a follow-up can inherit: a stage, skill or milestone, or the whole roadmap ("how long does
    the whole roadmap take full-time?" then "And if I only have evenings and weekends?")."""
    return bool(u.stages or u.skills or u.milestones or u.whole_roadmap)


def _neighbour(values: list[int], base: int, step: int) -> int | None:
    ordered = sorted(values)
    if base not in ordered:
        return None
    i = ordered.index(base) + step
    return ordered[i] if 0 <= i < len(ordered) else None


def _relative(u: Understanding, ctx: Understanding, cur: Curriculum, kind: str | None, step: int) -> str:
    """The milestone, stage or skill before or after the earlier turn's one; the kind is the noun the
    learner used, else the kind of the earlier turn's reference."""
    kind = kind or ("skill" if ctx.skills else "stage" if ctx.stages else "milestone")
    if kind == "milestone" and ctx.milestones:
        base = max(ctx.milestones) if step > 0 else min(ctx.milestones)
        found = _neighbour([m.months for m in cur.milestones], base, step)
        u.milestones = [found] if found is not None else []
        return f"milestone {found}" if found is not None else ""
    if kind == "stage" and (ctx.stages or ctx.skills):
        base = ctx.stages[-1] if ctx.stages else cur.skill(ctx.skills[-1]).stage
        found = _neighbour([s.number for s in cur.stages], base, step)
        u.stages = [found] if found is not None else []
        return f"stage {found}" if found is not None else ""
    if kind == "skill" and ctx.skills:
        found = _neighbour([s.number for s in cur.skills], ctx.skills[-1], step)
        u.skills = [found] if found is not None else []
        return f"skill {found}" if found is not None else ""
    return ""


def _nth(u: Understanding, ctx: Understanding, cur: Curriculum, position: int) -> str:
    """The n-th of the skills the earlier turn named, else of the skills of the stage it named."""
    listed = ctx.skills if len(ctx.skills) > 1 else [n for st in ctx.stages for n in cur.stage(st).skills]
    if not listed or position == 0 or position > len(listed):
        return ""
    found = listed[position - 1] if position > 0 else listed[-1]
    u.skills, u.stages = [found], []
    return f"skill {found}"


_BARE_NUMBER = re.compile(r"(?<![\d.])(\d{1,2}|[一二两三四五六七八九十]{1,3})(?![\d.]|\s*(?:个|st|nd|rd|th))")


def _bare_month(question: str, cur: Curriculum) -> int | None:
    """A bare number after a question about a milestone is another milestone's months ("And after 6?",
    "那 12 呢？"); None when the number is no milestone of the roadmap."""
    months = {m.months for m in cur.milestones}
    found = [n for m in _BARE_NUMBER.finditer(question) if (n := parse_number(m.group(1))) in months]
    return found[0] if len(found) == 1 else None


def _inherit(question: str, own: Understanding, ctx: Understanding, cur: Curriculum) -> Understanding:
    u = Understanding(aspects=list(own.aspects), evidence=dict(own.evidence))
    kind, position = _kind(question), _ordinal(question)
    step = 1 if _NEXT.search(question) else -1 if _PREV.search(question) else 0
    resolved = ""
    if position is not None and kind in (None, "skill"):
        for key in [k for k in u.evidence if k.startswith("skill ")]:  # "第二个技能" is not 技能点 2 here
            u.evidence.pop(key)
        resolved = _nth(u, ctx, cur, position)
    elif (later := _later(question, ctx, cur)) is not None:
        u.milestones, resolved = [later], f"milestone {later}"  # "那再过三个月呢？" after "三个月后…"
    elif step:  # "下一个" chooses the neighbour; it does not ask what comes next (dropped below)
        resolved = _relative(u, ctx, cur, kind, step)
    elif ctx.milestones and (month := _bare_month(question, cur)) is not None:
        u.milestones, resolved = [month], f"milestone {month}"  # "And after 6?" after "…after 3 months?"
    if not resolved:
        u.stages, u.skills, u.milestones = list(ctx.stages), list(ctx.skills), list(ctx.milestones)
        if kind == "stage" and not u.stages and u.skills:  # "这个阶段…" after a question about a skill
            u.stages, u.skills = list(dict.fromkeys(cur.skill(n).stage for n in u.skills)), []
        u.whole_roadmap = ctx.whole_roadmap
    seed = Understanding(stages=list(u.stages), skills=list(u.skills), milestones=list(u.milestones))
    read_aspects(question, seed)  # with the references in place: "what comes after it" asks what is next
    if seed.evidence.get("aspect content") == "(a stage named alone)":
        seed.aspects.remove("content")
    u.aspects = [a for a in seed.aspects if not (a == "next" and resolved) and a != "milestone"]
    u.evidence.update({k: v for k, v in seed.evidence.items() if k.startswith("aspect ")})
    if not u.aspects:
        u.aspects = [a for a in ctx.aspects if a != "milestone"]  # "那下一个阶段呢？": the same question
    if filters_a_list(question):  # "只要中文的", "Any English ones?": the same skill's resources, filtered
        u.aspects = ["resources", *(a for a in u.aspects if a not in ("resources", "content"))]
    if u.milestones and (kind == "milestone" or not (u.stages or u.skills)):
        u.aspects.insert(0, "milestone")
    u.inherited = {"from": ctx.source, "as": resolved or "the same " + (kind or "topic")}
    return u


# what a follow-up may ask about the skill an earlier answer recommended ("那个技能有啥推荐资源吗")
# (what it covers only when the follow-up points at "那个技能": "接下来学什么" is the planner's)
_ABOUT_A_SKILL = frozenset({"resources", "checks", "project", "prerequisites"})


def _recommended(
    question: str,
    own: Understanding,
    report: str,
    recommend: Callable[[str], int | None] | None,
    cur: Curriculum,
) -> Understanding | None:
    """ "我刚学完 Python，下一步该学啥？" then "那个技能有啥推荐资源吗": the earlier answer recommended a skill, and
    an aspect of a skill asked with no reference of its own is about that one; a follow-up that reports
    progress itself, asks what is next, asks no such aspect or names its own reference stays as it was (None)."""
    if recommend is None or self_reports([question]) or _names_own(own):
        return None
    found = recommend(report)
    if found is None or _NEXT.search(question) or _PREV.search(question):  # "what's the next skill…"
        return None
    seed = Understanding(skills=[found])
    read_aspects(question, seed)  # with a skill in place: "接下来学什么好" asks what is next, the planner's
    asked = set(seed.aspects) & (_ABOUT_A_SKILL | ({"content"} if _POINTER.search(question) else set()))
    if "next" in seed.aspects or not asked:
        return None
    ctx = Understanding(skills=[found], aspects=["next"])
    ctx.source = report
    u = _inherit(question, own, ctx, cur)
    u.inherited["as"] = f"skill {found} (the skill recommended there)"
    return u


def in_context(
    question: str,
    history: Sequence[Turn],
    read: Callable[[str], Understanding],
    curriculum: Curriculum,
    recommend: Callable[[str], int | None] | None = None,
    depth: int = 3,
) -> Understanding | None:
    """The follow-up's understanding with what it refers back to, or None when it needs nothing from
    the conversation (it names its own reference, or no earlier turn named one).  After a progress report
    the referent is the skill the planner recommended there (`recommend`: the same planner as the answer)."""
    users = [text for role, text in history if role == "user" and text.strip()]
    own = read(question)
    if not users or not refers_back(question, own):
        return None
    for i in range(len(users) - 1, max(-1, len(users) - 1 - depth), -1):
        if self_reports([users[i]]):  # "我学完了 X" then "下一个该学什么": progress, for the planner
            return _recommended(question, own, users[i], recommend, curriculum)
        before = [("user", t) for t in users[:i]]
        earlier = in_context(users[i], before, read, curriculum, recommend, depth - 1)
        ctx = earlier or read(users[i])
        if _topic(ctx):
            ctx.source = users[i]
            return _inherit(question, own, ctx, curriculum)
    return None


# finishing what the earlier turn was about, said with a pronoun: "学完它下一个技能是啥", "once I've finished it"
_FINISHING_IT = re.compile(
    r"(?:学完|学好|学会|搞定|掌握|搞懂|学透)了?(?:它|这个|那个)|\b(?:finish(?:ed)?|done with|complete(?:d)?|master(?:ed)?)"
    r"\s+(?:it|that|this)\b",
    re.IGNORECASE,
)


def follow_up_route(route: Route, context: Understanding | None, question: str) -> Route:
    """ "What comes after it?" about the earlier turn's skill asks the roadmap, not the planner; a learner who
    reports progress ("我学完它了，下一步呢", "学完它下一个技能是啥") still gets the planner."""
    if context is None or not context.structured or route.kind != "next_step" or self_reports([question]):
        return route
    if _FINISHING_IT.search(question):
        return route
    return Route("material", f"a follow-up about the earlier turn's {context.inherited.get('as', 'topic')}")


_UNCLAIMED = "a question about the material"  # `route_message`'s reason when no rule claimed the message


def own_words_route(
    route: Route,
    question: str,
    standalone: str,
    own_route: Callable[[str], Route],
    topic: Callable[[str], str | None],
) -> Route:
    """A next step only when the learner's own words ask for one.

    A follow-up is routed on its standalone rewrite, which carries the earlier turn's words ("…下一步学什么
    学习心态…"), and the nearest-example vote sends anything close to a planning example to the planner.
    Neither means the learner asks what to learn next when their own message asks about a part of the
    material (`topic`: a section whose heading's words it says, such as 实践平台 or 业余学习) or a rule reads
    their own message as a material question. A rule on their own words, or a progress report, stands."""
    if route.kind != "next_step" or self_reports([question]):
        return route
    condensed = standalone.strip() != question.strip()
    if not (condensed or route.reason.startswith("closest")):
        return route
    if condensed:
        own = own_route(question)
        if own.kind == "next_step" and not own.reason.startswith("closest"):
            return route
        if own.kind == "material" and own.reason != _UNCLAIMED:
            return Route("material", f"a follow-up whose own words ask about the material ({own.reason})")
    heading = topic(question)
    if heading:
        return Route("material", f"asks about the material's section '{heading}', not what to learn next")
    return route
