"""Two questions in one message, each complete on its own: both are answered, one after the other.

"微调实战那块用哪些框架？数据准备又包括哪几步？" asks two sub-lists of one skill, "X 的资源有哪些？另外 Y 要学多久？"
two skills' different lists; read as one question, one part decides the answer and the other goes unanswered.
The message is cut at a sentence-level boundary (？ / ? / 另外 / 还有 / and also) only when every part asks
something and names what it asks about itself: "阶段 2 学什么？大概要多久" (the second part leans on the first)
and "Python 要学到什么程度？有没有具体的标准" (the same ask twice) stay one question, and so does a single question
with a list in it.  The answers are joined with their citations renumbered into one list of sources.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from tutor.chain.answer import Answer, AnswerEvent
from tutor.chain.citations import MARKER, renumber
from tutor.chain.text import chunks

__all__ = ["in_two", "join_answers", "split_questions"]

# where one question ends and the next begins: after ？/?, or before 另外 / 还有 / "and also" opening a sentence
_BOUNDARY = re.compile(
    r"(?<=[？?])\s*(?=\S)|[，,。；;]\s*(?=另外|还有(?!什么|哪|啥|没有)|\band also\b|\balso\b,)",
    re.IGNORECASE,
)
# each part asks for something (a list, a length, a place): a yes/no or why question before another leads into it
# ("能直接跳到深度学习吗？需要什么数学基础"), and "啥的" lists examples ("向量库、检索策略啥的都列出来")
_ASKS = re.compile(
    r"什么|啥(?!的)|哪|怎么|多少|多久|几(?!乎)|\b(?:what|which|how|where|when|who)\b", re.IGNORECASE
)
_YES_NO = re.compile(
    r"吗\s*[？?]?\s*$|^\s*(?:why|do|does|is|are|can|could|should)\b|为什么|为啥", re.IGNORECASE
)
_LEAD = re.compile(r"^(?:另外|还有|and also|also)[，,\s]*", re.IGNORECASE)
_NEXT_LINE = re.compile(r"\n*\*\*(?:下一步|Next step)\*\*[^\n]*\s*$")


def _names(u: Any) -> tuple[list[int], list[int], list[int]]:
    return list(u.stages), list(u.skills), list(u.milestones)


def split_questions(text: str, understand: Callable[[str], Any]) -> list[str]:
    """The complete questions of `text` (two at most), or [] when it is one question."""
    pieces = [p.strip() for p in _BOUNDARY.split(text.strip()) if p.strip()]
    if len(pieces) != 2:
        return []
    parts = [pieces[0], _LEAD.sub("", pieces[1]).strip()]
    if any(len(p) < 4 or not _ASKS.search(p) or _YES_NO.search(p) for p in parts):
        return []
    first, second = (understand(p) for p in parts)
    if not all(any(_names(u)) for u in (first, second)):
        return []  # a part that names nothing of its own leans on the other: one question
    if _names(first) == _names(second) and first.aspects == second.aspects:
        return []  # the same ask said twice
    if not (first.aspects or first.structured) and not (second.aspects or second.structured):
        return []
    return parts


def _mapped(text: str, mapping: dict[int, int]) -> str:
    def swap(m: re.Match[str]) -> str:
        raw = m.group(1) or m.group(2) or ""
        numbers = [mapping.get(int(x), int(x)) for x in re.split(r"\s*[,，、]\s*", raw) if x]
        return "".join(f"[{n}]" for n in dict.fromkeys(numbers))

    return MARKER.sub(swap, text)


def join_answers(question: str, first: Answer, second: Answer) -> Answer:
    """One answer holding both: the second's passages numbered after the first's (a passage both cite keeps
    the first's number), [1]…[n] in the order of first use, one next-step line (the second's) at the end."""
    joined = first.model_copy(deep=True)
    known = {s.id: s.n for s in joined.sources}
    mapping: dict[int, int] = {}
    for s in second.model_copy(deep=True).sources:
        if s.id in known:
            mapping[s.n] = known[s.id]
            continue
        mapping[s.n] = len(joined.sources) + 1
        s.n = mapping[s.n]
        joined.sources.append(s)
    head = _NEXT_LINE.sub("", first.text) if _NEXT_LINE.search(second.text) else first.text
    joined.question = question
    tail = _mapped(second.text, mapping)
    lead = first.text.split("\n", 1)[0]
    if tail.startswith(lead + "\n") and not MARKER.search(
        lead
    ):  # the same lead line ("以下内容按路线图…") once
        tail = tail[len(lead) + 1 :]
    joined.text = f"{head.rstrip()}\n\n{tail}"
    joined.citation_checks = [*first.citation_checks, *second.citation_checks]
    joined.refused = first.refused and second.refused
    joined.weak = first.weak or second.weak
    joined.next_step = _mapped(second.next_step, mapping) if second.next_step else first.next_step
    joined.followups = second.followups or first.followups
    joined.composition = f"two questions: {first.composition} + {second.composition}"
    joined.learner_update = first.learner_update or second.learner_update
    joined.text = renumber(joined)  # [1]…[n] in the order the joined text first cites them
    return joined


def in_two(question: str, parts: list[str], ask: Callable[[str], Answer]) -> Iterator[AnswerEvent]:
    """The two parts answered one after the other (each answer already checked), streamed as one."""
    answer = join_answers(question, ask(parts[0]), ask(parts[1]))
    for piece in chunks(answer.text):
        yield AnswerEvent(kind="token", text=piece)
    yield AnswerEvent(kind="answer", answer=answer)
