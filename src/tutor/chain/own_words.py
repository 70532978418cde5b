"""The learner's own words: what they say they know, and the hours a day they say they have.

"我刚学完 Python" anywhere in the conversation counts at once for that conversation (in memory; the
answer offers to save it to Progress), so no answer or next step recommends what the learner knows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tutor.chain import replies
from tutor.chain.answer import Answer, Source
from tutor.chain.condense import Turn
from tutor.chain.elaboration import blank_elaborations
from tutor.chain.study_mode import plan_for_hours
from tutor.chain.understanding import understand
from tutor.curriculum.learners import Roadmap
from tutor.curriculum.progress import LearnerProfile

__all__ = ["apply_own_words", "reported", "self_reports", "time_plan"]

# "我刚学完 Python" / "I just finished PyTorch": a clause in which the learner says what they know;
# "do I need to have learned X", "what should I know" ask about X, they report nothing.
_SELF_REPORT = re.compile(
    r"我.{0,40}?(?:学完|走完|过完|弄完|搞完|学会|学过|学好|学懂|搞懂|弄懂|吃透|学透|掌握|搞定|完成|过了|通过了|会了|会用|很熟|挺熟|比较熟|熟悉|精通"
    r"|天天用|经常用|用过|做过|没问题)"
    # the subject left out, as Chinese does: "阶段 0 全部搞定了" (a clause that asks is dropped below)
    r"|(?:学完|走完|过完|弄完|搞完|学会|学好|学懂|搞懂|弄懂|吃透|学透|掌握|搞定|完成)了"
    r"|(?<!\bdo )(?<!\bshould )(?<!\bwill )(?<!\bcan )(?<!\bmust )\bI(?:'ve| have|'m| am)?\b"
    r"(?:(?!\b(?:need|needs|should|must|have to|want|will|would|supposed|going to)\b).){0,40}?"
    r"\b(?:finished|learned|learnt|completed|mastered|know|studied|done with|familiar"
    r"|comfortable|passed|good at|done|use \w+ every day|wrapped up|got through|through with|worked through|gone through|went through)\b"
    r"|^\s*(?:just |already )?(?:finished|wrapped up|completed|done with|got through|through with)\b"
    # the thing finished as the subject: "Stage 3 is done", "stage 0 is behind me"
    r"|\b(?:is|are) (?:all |now )?(?:done|finished|completed|behind me)\b",
    re.IGNORECASE,
)
_CLAUSE_SPLIT = re.compile(r"[。！？!?；;，,—–]|\s-\s|\.(?:\s|$)")
_KNOW_VERB = re.compile(
    r"学完|走完|过完|弄完|搞完|学会|学过|学好|学懂|搞懂|弄懂|吃透|学透|掌握|搞定|完成|过了|会了|会用|很熟|挺熟|比较熟|熟悉|精通|天天用|经常用"
    r"|\b(finished|learned|learnt|completed|mastered|know|done|wrapped up|got through|through with|behind me|worked through|gone through|went through)\b",
    re.IGNORECASE,
)
_ASKING = re.compile(
    r"什么|哪些|哪个|吗|呢|怎么|如何|多久|是否|\?|\b(what|which|how|where|why|should|can you)\b",
    re.IGNORECASE,
)
# the rest of a list the learner says they finished, after a comma: "…, fine-tuning and system design"
_LIST_TAIL = re.compile(r"^[^，,]{1,40}(?:\band\b|和|以及|及|与)[^，,]{1,30}$", re.IGNORECASE)
_NOT_DONE = re.compile(
    r"\b(?:want|wanna|like|plan|hope|going|learn|study|start|begin|next|now|then|but)\b|想|要|打算|准备|接下来|开始|然后|现在|但",
    re.IGNORECASE,
)


def self_reports(messages: Sequence[str]) -> list[str]:
    """The clauses in which the learner says what they have learned ("我刚学完 Python，RAG 有哪些资源？" -> the
    first clause only: what they ask about is not what they know)."""
    out: list[str] = []
    for text in messages:
        if not _SELF_REPORT.search(text):
            continue
        kept = False
        for clause in (c.strip() for c in _CLAUSE_SPLIT.split(text)):
            if clause and _KNOW_VERB.search(clause) and not _ASKING.search(clause):
                out.append(clause)
                kept = True
            elif (
                kept
                and _LIST_TAIL.search(clause)
                and not (_ASKING.search(clause) or _NOT_DONE.search(clause))
            ):
                out[-1] += "，" + clause  # "I've wrapped up deployment, fine-tuning and system design"
            else:
                kept = False
    return out


def _known_from(said: list[str], roadmap: Roadmap) -> tuple[set[int], set[int], list[int]]:
    """(stated, known incl. what precedes them, not known) for the clauses the learner said."""
    mentions = roadmap.match_skills("；".join(said))
    known = set(mentions.known)
    cur = roadmap.curriculum
    for (
        clause
    ) in said:  # "阶段 3 的四个技能点我都过了", "I finished everything in stage 4", "技能点 8 搞定了"
        understood = understand(clause, cur, roadmap.config)
        known |= set(understood.skills)
        for stage in understood.stages:
            known |= set(cur.stage(stage).skills)
    known -= set(mentions.not_known)
    stated = set(known)
    order = [s.number for s in cur.skills]
    for n in stated:  # finishing a skill implies what comes before it in the roadmap: its prerequisites
        # that come earlier in the roadmap's order ("deployment done" does not make fine-tuning, skill 14,
        # done because the core path puts 微调 before 部署: that one is a gap the plan names)
        known |= {a for a in roadmap.prerequisites.ancestors(n) if order.index(a) < order.index(n)}
    return stated, known, list(mentions.not_known)


def _read(text: str, roadmap: Roadmap) -> str:
    """The learner's words without the brackets that only elaborate a named skill: "学完了 Python（numpy、pandas
    那些）" reports 技能点 1, and its bracket's commas do not cut the clause."""
    return blank_elaborations(text, roadmap.curriculum, roadmap.config, keep_length=False)


def reported(text: str, roadmap: Roadmap) -> tuple[set[int], set[int]]:
    """(stated, known incl. what precedes them) from the clauses of `text` in which the learner says what they
    know: what `apply_own_words` counts for a next-step answer, for a follow-up that asks about its lead."""
    said = self_reports([_read(text, roadmap)])
    return _known_from(said, roadmap)[:2] if said else (set(), set())


def apply_own_words(
    answer: Answer,
    profile: LearnerProfile,
    question: str,
    history: Sequence[Turn],
    learner: str | None,
    roadmap: Roadmap,
) -> None:
    """What the learner said they know in this conversation counts at once (in memory; saving is offered)."""
    cur = roadmap.curriculum
    said_now = self_reports([_read(question, roadmap)])
    said = self_reports([_read(text, roadmap) for role, text in history if role == "user"]) + said_now
    if not said:
        return
    stated, known, _ = _known_from(said, roadmap)
    new = sorted(n for n in stated if n not in profile.finished)
    if not known:
        return
    profile.finished = sorted(set(profile.finished) | known)
    profile.in_progress = [n for n in profile.in_progress if n not in profile.finished]
    labels = [f"技能点 {n}（{cur.skill(n).name}）" for n in sorted(stated)]
    answer.learner_update = {
        "known": sorted(known),
        "stated": sorted(stated),
        "new": sorted(new),
        "saved": False,
        "said": said,
        "labels": labels,
    }
    if new and said_now:
        answer.learner_update["note"] = replies.learner_update_note(
            [lab for n, lab in zip(sorted(stated), labels, strict=True) if n in new], answer.language, learner
        )


def time_plan(hours: float, language: str, sources: list[Source], roadmap: Roadmap) -> str:
    """The time plan whose hours per day are closest to the learner's, item by item, cited."""
    cur = roadmap.curriculum
    best = plan_for_hours(hours, cur)
    if best is None:
        return ""
    c = best.citation
    n = len(sources) + 1
    sources.append(
        Source(
            n=n,
            id=f"{c.doc}#L{c.lines[0]}-{c.lines[1]}",
            doc=c.doc,
            title=cur.title,
            headings=[best.heading],
            lines=list(c.lines),
            text=replies.read_lines(roadmap.path, c.lines),
        )
    )
    head = (
        f"\n\n**时间规划（{best.heading}）**："
        if language == "zh"
        else f"\n\n**Time plan ({best.heading})**:"
    )
    items = [best.hours_per_day or "", *best.items]
    return head + "\n" + "\n".join(f"- {i} [{n}]" for i in items if i)
