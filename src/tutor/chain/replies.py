"""The fixed parts of answers, in both languages: steer-backs, refusals, notices, next steps, follow-ups."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tutor.chain.answer import Answer, Source
from tutor.patterns import SKILL_REF

__all__ = [
    "next_step_paragraph",
    "chitchat_reply",
    "decline_reply",
    "read_lines",
    "learner_update_note",
    "refusal_reply",
    "OFFLINE_NOTICE",
    "no_llm_notice",
    "llm_down_notice",
    "weak_warning",
    "render_plan",
    "plan_sources",
    "skill_of_source",
    "material_next_step",
    "followups_for",
    "STARTER_QUESTIONS",
]

STARTER_QUESTIONS = {
    "zh": ["我刚学完 Python 基础，接下来学什么？", "RAG 里怎么做混合检索？", "有哪些向量数据库可以选？"],
    "en": [
        "What should I learn next?",
        "How does hybrid search work in RAG?",
        "Any English book on deep learning?",
    ],
}

_GREETING = re.compile(
    r"你好|您好|嗨|哈喽|hello|hi\b|hey|早上好|晚上好|good (morning|evening|afternoon)", re.I
)
_THANKS = re.compile(r"谢|thank|thx|cheers", re.I)
_IDENTITY = re.compile(
    r"你是谁|你是什么|你叫什么|你能做什么|你会|机器人|who are you|what are you|what can you do|your name",
    re.I,
)


def chitchat_reply(text: str, language: str) -> str:
    zh = language == "zh"
    if _THANKS.search(text):
        return (
            "不客气！还有哪里想继续深入的吗？"
            if zh
            else "You're welcome! Anything you'd like to dig into next?"
        )
    if _IDENTITY.search(text):
        return (
            "我是这份 AI 学习路线的导师：可以回答资料里的问题（附出处），也可以根据你的进度推荐下一步学什么。"
            if zh
            else "I'm the tutor for this AI learning roadmap: I answer questions about the material "
            "(with citations) and suggest what to learn next based on your progress."
        )
    if _GREETING.search(text):
        return (
            "你好！我是你的 AI 学习导师。你可以问我路线里的任何知识点，或者告诉我你学过什么，我来推荐下一步。"
            if zh
            else "Hi! I'm your AI learning tutor. Ask me about anything in the roadmap, or tell me what "
            "you've learned and I'll suggest the next step."
        )
    return (
        "这个问题不在学习资料的范围内，我只能帮你学习路线里的内容。要不要问问下面这些？"
        if zh
        else "That's outside the learning material, so I'll stay on topic. How about one of these?"
    )


def decline_reply(language: str) -> str:
    """A polite no to prompt injection and prompt extraction: nothing is answered, nothing cited."""
    if language == "zh":
        return (
            "抱歉，这个请求我不能照做：我只做学习导师的事，内部配置不对外展示。"
            "我可以继续帮你学习路线里的内容，比如某个技能点的学习资源、检验标准，或者下一步学什么。"
        )
    return (
        "Sorry, I can't do that: I don't set aside my instructions or share them. I'm happy to keep helping "
        "with the roadmap, for example a skill's resources, its check criteria, or what to learn next."
    )


def learner_update_note(labels: list[str], language: str, learner: str | None) -> str:
    """Says the answer already counts what the learner said they know, and how to keep it."""
    done = "、".join(labels)
    if language == "zh":
        where = f"`tutor progress mark --learner {learner} …`" if learner else "「Progress」页勾选"
        return f"（已按你说的情况把 {done} 视为已掌握，本次对话的建议不再推荐它。要保存到学习进度吗？可在{where}。）"
    where = f"`tutor progress mark --learner {learner} …`" if learner else "the Progress tab"
    return (
        f"(I've counted {done} as done, as you said, so this conversation won't recommend it again. "
        f"Save it to your progress? Use {where}.)"
    )


def refusal_reply(language: str, relevance: float | None) -> str:
    """Why the tutor does not answer: the closest passage's score, or (None) a subject the material does not cover,
    whatever the score of its learning-path words ("学做川菜的学习路线" scores 0.90 against the roadmap)."""
    if relevance is None:
        if language == "zh":
            return "资料中没有涵盖这个主题，我不想凭空编造。可以问问路线里的知识点和学习顺序。"
        return "The material doesn't cover this subject, and I'd rather not make things up. Ask about a topic or the order of the roadmap."
    if language == "zh":
        return (
            "资料中没有涵盖这个问题（最相关段落的相似度只有 "
            f"{relevance:.2f}，不足以作答），我不想凭空编造。可以换个说法，或者问问路线里的知识点和学习顺序。"
        )
    return (
        f"The material doesn't cover this question (the closest passage only scores {relevance:.2f}), and "
        "I'd rather not make things up. Try rephrasing, or ask about a topic or the order of the roadmap."
    )


OFFLINE_NOTICE = "离线模式：答案摘自资料 / Offline mode: answers quote the material"


def no_llm_notice(language: str, detail: str) -> str:
    """No model answers: the tutor's normal offline mode, said calmly.  The technical detail
    (why the model is unreachable, how to connect one) goes to the log and the UI's details panel."""
    del language, detail  # the same calm line in both languages; the detail is logged by the caller
    return OFFLINE_NOTICE


def llm_down_notice(language: str, detail: str) -> str:
    if language == "zh":
        return f"语言模型服务没有响应（{detail}），本轮只基于检索作答。"
    return f"The language model did not respond ({detail}); this answer is retrieval-only."


def uncited_heading(language: str) -> str:
    """Above the quoted passages added to a model answer that cited none: the learner can check it."""
    if language == "zh":
        return "**资料原文**（模型的回答没有引用出处，以下是检索到的原文）："
    return "**From the material** (the model's answer cited no passage; these are the retrieved passages):"


def weak_warning(language: str, relevance: float) -> str:
    if language == "zh":
        return f"⚠️ 最相关的资料与问题的相关度较低（{relevance:.2f}），答案可能不完整，请核对出处。"
    return f"⚠️ The best sources are only weakly relevant ({relevance:.2f}); the answer may be incomplete, check them."


def skill_of_source(source: Source) -> int | None:
    for heading in reversed(source.headings):
        m = SKILL_REF.search(heading)
        if m:
            return int(m.group(1))
    return None


def answer_skill(sources: list[Source]) -> tuple[int | None, int | None]:
    """The skill an answer is about (cited passages first) and the number to cite for it: the passage
    it comes from, only when the answer cites that passage too (never another passage's number)."""
    ordered = [s for s in sources if s.cited] + [s for s in sources if not s.cited]
    for s in ordered:
        if (n := skill_of_source(s)) is not None:
            return n, (s.n if s.cited else None)
    return None, None


def read_lines(path: Path, lines: tuple[int, int], limit: int = 2000) -> str:
    try:
        text = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    return "\n".join(text[lines[0] - 1 : lines[1]])[:limit]


# A recommendation's first citation is the skill's whole section; the next ones are sub-sections inside
# it (必修内容 …): citing them too cites the same lines twice and adds no quoted item.
_PLAN_CITES = 1


def plan_sources(
    plan: Any, curriculum: Any, roadmap: Path, start: int = 1
) -> tuple[list[Source], dict[str, int]]:
    """One Source per recommended skill: its own section, which holds everything the plan quotes of it
    (study lines, resources, project, criteria); returns them and section key -> number."""
    sources: list[Source] = []
    numbers: dict[str, int] = {}
    for rec in plan.recommendations:
        skill = curriculum.skill(rec.skill.number)
        path = [curriculum.stage(skill.stage).heading, skill.heading]
        for c in rec.citations[:_PLAN_CITES]:
            key = f"{c.doc}#L{c.lines[0]}-{c.lines[1]}"
            if key in numbers:
                continue
            numbers[key] = start + len(sources)
            # the section's whole path
            sources.append(roadmap_source(numbers[key], c, curriculum.title, [*path, c.heading], roadmap))
    return sources, numbers


def roadmap_source(
    n: int, c: Any, title: str, headings: list[str], roadmap: Path, limit: int = 2000
) -> Source:
    """A roadmap section (a curriculum `Citation`) as the answer's source number `n`, quoted from the file."""
    return Source(
        n=n,
        id=f"{c.doc}#L{c.lines[0]}-{c.lines[1]}",
        doc=c.doc,
        title=title,
        headings=list(dict.fromkeys(h for h in headings if h)),
        lines=list(c.lines),
        score=None,
        text=read_lines(roadmap, c.lines, limit=limit),
    )


def _fmt_resource(r: Any) -> str:
    facts = "，".join(x for x in (r.type, r.lang, f"⭐{r.stars}" if r.stars else None) if x)
    name = f"[{r.name}]({r.link})" if r.link else r.name
    return f"{name}（{facts}）" if facts else name


def render_plan(plan: Any, numbers: dict[str, int], language: str, finished: list[str]) -> str:
    zh = language == "zh"
    if plan.finished_all:
        return plan.note or (
            "你已完成全部技能点。" if zh else "You have finished every skill in the roadmap."
        )
    if not plan.recommendations:
        return (
            "路线图中暂时没有可推荐的下一步。"
            if zh
            else "The roadmap has no next step to recommend right now."
        )

    def cite(rec: Any) -> str:
        return "".join(
            f"[{numbers[f'{c.doc}#L{c.lines[0]}-{c.lines[1]}']}]"
            for c in rec.citations[:_PLAN_CITES]
            if f"{c.doc}#L{c.lines[0]}-{c.lines[1]}" in numbers
        )

    top = plan.recommendations[0]
    done = "、".join(finished) if finished else ("还没有" if zh else "none yet")
    label = {k: v[0 if zh else 1] for k, v in _PLAN_LABELS.items()}
    sep = "：" if zh else ": "
    out = [
        f"根据你的进度（已完成：{done}），建议下一步学习 **{top.skill.heading}** {cite(top)}。"
        if zh
        else f"Given your progress (finished: {done}), learn **{top.skill.heading}** next {cite(top)}.",
        f"\n**{label['why']}**{sep}{top.reason}",
    ]
    if top.study:
        out.append(f"\n**{label['study']}**{sep}\n" + "\n".join(f"- {s}" for s in top.study[:5]))
    if top.resources:
        out.append(
            f"\n**{label['resources']}**{sep}\n" + "\n".join(f"- {_fmt_resource(r)}" for r in top.resources)
        )
    if top.project:
        out.append(f"\n**{label['project']}**{sep}{top.project}")
    if top.done_when:
        out.append(f"\n**{label['done']}**{sep}\n" + "\n".join(f"- {c}" for c in top.done_when[:4]))
    out.append(f"\n**{label['estimate']}**{sep}{top.estimate}")
    others = plan.recommendations[1:]
    if others:
        out.append(
            f"\n**{label['also']}**{sep}"
            + ("；" if zh else "; ").join(r.skill.heading for r in others)  # named, not quoted: not cited
        )
    return "\n".join(out)


_PLAN_LABELS = {
    "why": ("为什么", "Why"),
    "study": ("学什么", "What to study"),
    "resources": ("推荐资源", "Resources"),
    "project": ("实践项目", "Project"),
    "done": ("检验标准", "Done when"),
    "estimate": ("预计用时", "Estimate"),
    "also": ("也可以考虑", "Also possible"),
}


def material_next_step(
    skill: Any | None, finished: set[int], plan: Any, source_n: int | None, language: str, shown: str = ""
) -> str | None:
    """One concrete thing to do next, from the cited section's skill, else the planner.  A resource the
    answer shows (`shown`: its text) comes first: "那英文的呢？" is not answered with a Chinese book to read."""
    zh = language == "zh"
    if skill is not None and skill.number not in finished:
        ref = f" [{source_n}]" if source_n else ""
        if skill.projects:
            check = f"，做完后用检验标准自测：{skill.checks[0]}" if skill.checks and zh else ""
            check_en = f", then check yourself against: {skill.checks[0]}" if skill.checks and not zh else ""
            return (
                f"读完「{skill.heading}」{ref}，动手做项目「{skill.projects[0]}」{check}。"
                if zh
                else f'Read "{skill.heading}"{ref} and build the project "{skill.projects[0]}"{check_en}.'
            )
        if skill.resources:
            r = next((x for x in skill.resources if x.name in shown), skill.resources[0])
            return (
                f"学习「{skill.heading}」的推荐资源 {_fmt_resource(r)}。"
                if zh
                else f'Work through {_fmt_resource(r)} from "{skill.heading}".'
            )
    if plan is not None and plan.recommendations:
        rec = plan.recommendations[0]
        return (
            f"按你的进度，学习 {rec.skill.heading}——{rec.reason}"
            if zh
            else f"For your progress: {rec.skill.heading} — {rec.reason}"
        )
    return None


def followups_for(skill: Any | None, language: str, limit: int, asked: str) -> list[str]:
    if skill is None:
        pool = STARTER_QUESTIONS[language]
    elif language == "zh":
        pool = [
            f"{skill.name} 有哪些学习资源？",
            f"{skill.name} 的检验标准是什么？",
            f"学完 {skill.name} 之后学什么？",
            f"{skill.name} 的实践项目怎么做？",
        ]
    else:
        pool = [
            f"What resources does the roadmap list for {skill.name}?",
            f"How do I know I've mastered {skill.name}?",
            f"What should I learn after {skill.name}?",
            f"What project should I build for {skill.name}?",
        ]
    return [q for q in pool if q.strip("？?") != asked.strip().strip("？?")][:limit]


def next_step_paragraph(step: str, language: str) -> str:
    return f"**下一步**：{step}" if language == "zh" else f"**Next step**: {step}"


def finish_answer(
    answer: Answer,
    text: str,
    skill: Any | None,
    finished: set[int],
    plan: Any,
    source_n: int | None,
    followups: int,
) -> None:
    """Next step (never what the learner already knows), follow-ups, the weak warning and the learner note
    around the answer's text."""
    answer.next_step = material_next_step(skill, finished, plan, source_n, answer.language, text)
    answer.followups = followups_for(skill, answer.language, followups, answer.question)
    parts = [text]
    if answer.weak:
        parts.insert(0, weak_warning(answer.language, answer.relevance or 0.0))
    if answer.next_step:
        parts.append(next_step_paragraph(answer.next_step, answer.language))
    if answer.learner_update and answer.learner_update.get("note"):
        parts.append(answer.learner_update["note"])
    answer.text = "\n\n".join(parts)
