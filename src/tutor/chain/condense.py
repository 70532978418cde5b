"""Turn a follow-up ("那它的学习资源呢？") into a standalone question before retrieval.

With an LLM the history is rewritten by the model; without one (or when it fails)
a deterministic rule substitutes the previous question's topic for the pronoun.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from langchain_core.output_parsers import StrOutputParser

from tutor.chain.glossary import english_terms
from tutor.chain.prompts import CONDENSE_PROMPT
from tutor.chain.refs import ASPECT_PATTERNS
from tutor.chain.study_mode import PACE
from tutor.chain.text import CJK

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from tutor.llm.backends import LLMBackend

log = logging.getLogger(__name__)

__all__ = [
    "Turn",
    "asks_only_an_aspect",
    "condense_by_rule",
    "condense_with_model",
    "continues_document",
    "filters_a_list",
    "is_follow_up",
]

Turn = tuple[str, str]  # (role "user" | "assistant", text)

_ANAPHORA_ZH = re.compile(
    r"它们|它|这个|那个|这些|那些|其中|该技能|上面|刚才|前面(说|提)的|这方面|这块|这一步|配套"
    r"|^(?=(?:等)?(?:学完|学好|学会)了?(?:以后|之后|后))"  # "学完以后怎么检验…": finishing what was just discussed
)
_ANAPHORA_EN = re.compile(r"\b(it|its|this|that|these|those|they|them|the same|above)\b", re.IGNORECASE)
_LEAD = re.compile(r"^(?:那么|那|还有|另外|(?:and|so|what about|how about|also)\b)\s*", re.IGNORECASE)
_QUESTION_WORDS = re.compile(
    r"怎么样|怎么|如何|为什么|什么|啥|哪些|哪个|是否|有没有|吗|呢|吧|请问|[？?！!。，,]"
    r"|\b(how|what|why|which|does|do|is|are|can|could|should|explain|tell me about)\b",
    re.IGNORECASE,
)


_FILLER = re.compile(
    r"或者|还是|以及|有|的|要|一下|具体|推荐|学完(?:之后|以后|后)?|学好|学会|学习|自己|可以|能|做|实践|\b(?:any|some|good|or|and|the|a|an|there|for|me|you)\b",
    re.IGNORECASE,
)


def asks_only_an_aspect(question: str) -> bool:
    """ "有推荐的课吗", "Any books or tutorials?": nothing but an aspect (resources, checks, projects ...),
    so the topic is the conversation's; a question with a topic of its own keeps it."""
    rest, matched = question, False
    for _, pattern in ASPECT_PATTERNS:
        rest, n = pattern.subn(" ", rest)
        matched = matched or n > 0
    rest = _FILLER.sub(" ", _QUESTION_WORDS.sub(" ", rest))
    return matched and len(CJK.findall(rest)) <= 1 and not re.search(r"[A-Za-z]{2,}", rest)


# what narrows a list of resources: its language, its kind, its cost ("只要中文的", "Any English ones?", "有视频形式的吗")
_FILTER = re.compile(
    r"中文|英文|中英|双语|字幕|免费|付费|视频|书籍|文档|教程|课程|博客|论文"
    r"|\b(?:chinese|english|free|paid|videos?|books?|docs?|documentation|tutorials?|courses?|blogs?|papers?)\b",
    re.IGNORECASE,
)
_FILTER_FILLER = re.compile(
    r"只要|只看|只|就要|形式|版本?|语言|\b(?:only|just|please|ones?|in|language|those|which|about|with)\b",
    re.IGNORECASE,
)


def filters_a_list(question: str) -> bool:
    """ "只要中文的", "Only the Chinese-language ones, please.", "有中文教程推荐吗": nothing but a filter (language,
    kind, cost) over the resources the conversation was about; it names no topic of its own."""
    if not _FILTER.search(question):
        return False
    rest = _FILTER.sub(" ", question)
    for _, pattern in ASPECT_PATTERNS:
        rest = pattern.sub(" ", rest)
    rest = _FILLER.sub(" ", _QUESTION_WORDS.sub(" ", _FILTER_FILLER.sub(" ", _LEAD.sub("", rest.strip()))))
    return len(CJK.findall(rest)) <= 1 and not re.search(r"[A-Za-z]{2,}", rest)


def is_follow_up(question: str) -> bool:
    q = question.strip()
    short = len(CJK.findall(q)) <= 10 and len(q.split()) <= 6
    return bool(
        _ANAPHORA_ZH.search(q)
        or _ANAPHORA_EN.search(q)
        or _LEAD.match(q)
        or (short and re.search(r"呢[？?]?$", q))
        or (len(CJK.findall(q)) <= 12 and len(q.split()) <= 6 and asks_only_an_aspect(q))
        or (short and filters_a_list(q))
    )


def _previous(history: Sequence[Turn]) -> str | None:
    return next((text for role, text in reversed(history) if role == "user" and text.strip()), None)


def continues_document(
    question: str,
    history: Sequence[Turn],
    names_doc: Callable[[str], bool] | None,
    names_own: Callable[[str], bool] | None,
) -> bool:
    """ "第二步具体要做什么？" right after a question that named one of the articles: the same article, although
    the follow-up has no pronoun; a question that names an article or a roadmap reference of its own does not."""
    previous = _previous(history)
    if previous is None or names_doc is None or names_own is None:
        return False
    return names_doc(previous) and not names_doc(question) and not names_own(question)


# "What about starting a company?", "那技术创业呢？": the same question about another thing of the same document
# "开发工具呢？" too: a short "X 呢" names its own subject as much as "那 X 呢" does
_PARALLEL = re.compile(
    r"^(?:(?:and\s+)?(?:what|how)\s+about\b|那(?!它|这|那|其)).+?(?:呢)?\s*[？?]?\s*$"
    r"|^(?![它这那其])[^\s，,。？?]{2,12}呢\s*[？?]?\s*$",
    re.IGNORECASE,
)
# the words naming the document in the earlier question: "the opinion leader essay", "中年危机那篇文章"
_DOC_PHRASES = (
    re.compile(r"\b(?:essay|article|post|piece)\s+(?:on|about)\s+(?:[\w-]+\s+){0,4}[\w-]+", re.IGNORECASE),
    re.compile(r"\b(?:the\s+)?(?:[\w-]+\s+){1,3}(?:essay|article|post|piece)\b", re.IGNORECASE),
    re.compile(r"[\u4e00-\u9fff]{2,8}?(?:的?(?:那|这)篇(?:文章)?|的文章)"),
)


def _document_only(
    previous: str, body: str, question: str, names_doc: Callable[[str], bool] | None
) -> str | None:
    """A parallel follow-up with a subject of its own after a question about one document: that document's
    name and the new subject, without the earlier subject ("technical consulting" would outrank "starting a
    company"); None when the follow-up is no such question or the earlier one names no document."""
    if names_doc is None or not _PARALLEL.match(question.strip()) or asks_only_an_aspect(body):
        return None
    subject = _QUESTION_WORDS.sub(" ", body)
    if len(CJK.findall(subject)) < 2 and len(re.findall(r"[A-Za-z]{3,}", subject)) < 1:
        return None
    phrases = [m.group(0).strip() for rx in _DOC_PHRASES for m in rx.finditer(previous)]
    named = next((p for p in phrases if names_doc(p)), None)
    return f"{named} {body}" if named is not None else None


def _topic(previous: str, mentions: Callable[[str], list[str]] | None) -> str:
    named = mentions(previous) if mentions else []
    if named:
        return " ".join(named)
    return re.sub(r"\s+", " ", _QUESTION_WORDS.sub(" ", previous)).strip()


def _another_pace(topic: str, body: str) -> str:
    """ "what if I can only do it on the side?" after "How long does the full-time plan take?": a pace the
    follow-up names (a changed condition) replaces the earlier one, whose words would name both plans."""
    if not any(rx.search(body) for rx in PACE.values()):
        return topic
    for rx in PACE.values():
        topic = rx.sub(" ", topic)
    return re.sub(r"\s+", " ", topic).strip()


def _pointing_back(body: str) -> re.Match[str] | None:
    """The pronoun that points at the earlier turn; None when there is none or when an English "them"/"they"
    follows a term of the material in the question itself ("how often should I read papers, and how should I read
    them?": "them" are the papers, and the question has its own subject)."""
    if (zh := _ANAPHORA_ZH.search(body)) is not None:
        return zh
    # "Which learning platforms does it name?": "it" is still the earlier topic
    en = _ANAPHORA_EN.search(body)
    inner = en is not None and en.group(0).lower() in ("them", "they") and english_terms(body[: en.start()])
    return None if inner else en


def _previous_standalone(
    history: Sequence[Turn],
    mentions: Callable[[str], list[str]] | None,
    names_own: Callable[[str], bool] | None,
    names_doc: Callable[[str], bool] | None,
) -> str | None:
    """The earlier question as it was understood in its own conversation: in "意见领袖那篇…需要哪些能力？" ->
    "那它推荐了哪些学习资源？" -> "开发工具呢？" the last turn is about the essay named two turns back, which the
    middle turn names only through its pronoun."""
    users = [i for i, (role, text) in enumerate(history) if role == "user" and text.strip()]
    if not users:
        return None
    last = users[-1]
    text = history[last][1]
    if len(users) == 1:
        return text
    return condense_by_rule(text, history[:last], mentions, names_own, names_doc)


def condense_by_rule(
    question: str,
    history: Sequence[Turn],
    mentions: Callable[[str], list[str]] | None = None,
    names_own: Callable[[str], bool] | None = None,
    names_doc: Callable[[str], bool] | None = None,
) -> str:
    """Replace the pronoun of a follow-up with the topic of the previous user question.

    A follow-up that names a reference of its own ("那半年呢" after "三个月后…", "那业余呢" after "全职…")
    replaces the previous one: it keeps only what the previous question asked about (`names_own`)."""
    if not (is_follow_up(question) or continues_document(question, history, names_doc, names_own)):
        return question
    previous = _previous_standalone(history, mentions, names_own, names_doc)
    if previous is None:
        return question
    body = _LEAD.sub("", question.strip())
    back = _pointing_back(body)
    if names_own is not None and back is None:
        asked = [m.group(0) for _, pattern in ASPECT_PATTERNS if (m := pattern.search(previous))]
        candidate = " ".join([body, *asked])
        if names_own(candidate):
            return candidate
    if back is None and (parallel := _document_only(previous, body, question, names_doc)) is not None:
        return parallel
    if back is None and _ANAPHORA_EN.search(body):  # "And how should I read them?": a new question
        return question
    topic = _another_pace(_topic(previous, mentions), body)
    if not topic:
        return question
    if back is not None:
        word = back.group(0)
        said = f"{topic}'s" if word.lower() == "its" else topic
        return body[: back.start()] + said + body[back.end() :]
    return f"{topic} {body}"


def condense_with_model(
    chat: BaseChatModel, question: str, history: Sequence[Turn], backend: LLMBackend
) -> str | None:
    """The model's standalone rewrite of a follow-up; None (the rule's rewrite stands) when it fails or rambles."""
    transcript = "\n".join(f"{role}: {text[:500]}" for role, text in history)
    try:
        rewritten = (
            (CONDENSE_PROMPT | chat | StrOutputParser())
            .invoke({"history": transcript, "question": question})
            .strip()
            .strip('"')
        )
    except Exception as exc:  # noqa: BLE001 - any backend failure: fall back to the rule
        log.warning("Condensing with the LLM failed (%s); using the rule", exc)
        backend.mark_down(f"{type(exc).__name__}: {exc}"[:200])
        return None
    if rewritten and len(rewritten) < 4 * len(question) + 200:
        return rewritten.splitlines()[0]
    return None
