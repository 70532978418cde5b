"""Which of two sibling sections a question names, when its words name both.

An essay's closing chapter "8. 总结：未来发展趋势与挑战" has 8.2 未来发展趋势 and 8.3 面临的挑战; "展望未来的时候，会碰到
哪些挑战" names both (未来, 挑战), and the retriever's order decided, so the trends were quoted for the challenges.
The thing the question asks for ("哪些挑战", "what challenges") is the word that picks one.  A section is also
asked for by what it shows rather than by its title: what a code example prints is 5.4 运行结果展示, not 5.2
源代码详细实现, and "难处", "难题" are the challenges.  So the question's paraphrases of heading words are added
first (`said_as_headings`), then one sibling is kept when the asked-for word, or a fuller naming, picks it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import jieba

from tutor.chain.doc_parts import DocParts, _matches, _question_words, heading_words, named_sections
from tutor.chain.glossary import expand_english
from tutor.chain.named_distinct import distinct_sections, form_only, naming_words

__all__ = ["asked_span", "chosen_sections", "follow_up_sections", "referent_sections", "said_as_headings"]

# the learner's words for what a heading says: a difficulty is a challenge; what a program prints is its result
_PARAPHRASES = (
    (
        re.compile(
            r"难处|难题|难点|困难|障碍|阻碍|坎儿?|\bdifficult(?:y|ies)\b|\bhurdles?\b|\bobstacles?\b", re.I
        ),
        "挑战",
    ),
    (
        re.compile(
            r"打印|输出(?:结果|什么|了|出来)|跑出来|跑完|运行(?:后|完|出来|结果)|代码(?:最后|最终)?(?:算|得|跑)出|\bprint(?:s|ed)?\b|\boutputs?\b"
            r"|\bwhen (?:it is |you )?run\b",
            re.I,
        ),
        "运行结果",
    ),
    # a good side and a bad side: an essay's 3.3 算法优缺点 lists 优点 and 缺点 ("好处和坏处", "利弊")
    (re.compile(r"好处|益处|长处|优势|利处"), "优点"),
    (re.compile(r"坏处|弊端|弊处|短处|劣势"), "缺点"),
    (re.compile(r"利弊|好坏|利与弊|得失"), "优缺点"),
    # where a problem comes from ("瓶颈是从哪几个方面来的", "根源"): what an essay's 1.2 问题核心关键点 says it 主要源于
    (re.compile(r"从哪(?:几个|些)?方面来|哪几方面来|源于哪|来源于哪|根源"), "关键点"),
    # where what an essay teaches can be used ("这些能力能用在哪些方向", "能往哪些方向发展"): its 3.4 算法应用领域
    (
        re.compile(
            r"(?:能|可以)(?:用在|用于|用到|应用在|应用于|往)(?:哪些|哪几个|什么)(?:方向|领域|地方)|派上用场"
        ),
        "应用领域",
    ),
)
# the thing asked for comes right after the question word: "哪些挑战", "what challenges"
_ASKED = re.compile(
    r"(?:哪些|哪几(?:个|种|条|点|项)?|什么样?的?|啥)\s*([\u4e00-\u9fff]{2,12})"
    r"|\b(?:what|which)\s+((?:[a-z-]+\s+){0,1}[a-z-]+)",
    re.I,
)
# words right after "what" that ask nothing ("what does", "what is")
_NO_THING = frozenset("does do did is are was were can should would will kind kinds sort".split())


def said_as_headings(question: str) -> str:
    """The question with the heading words its paraphrases stand for ("难题" -> 挑战, "printed" -> 运行结果)."""
    extra = [word for pattern, word in _PARAPHRASES if pattern.search(question) and word not in question]
    return f"{question} {' '.join(extra)}" if extra else question


def asked_span(question: str) -> str:
    """The words the question asks for ("哪些挑战" -> 挑战, "what challenges"), as heading words; "" when it asks
    for no thing ("what does …")."""
    for m in _ASKED.finditer(question):
        if m.group(1):  # a Chinese noun phrase ends in its head: "哪些做深度学习的开发工具" asks for 工具
            words = [w for w in jieba.lcut(m.group(1)) if len(w) >= 2]
            return said_as_headings(words[-1]) if words else ""
        span = m.group(2) or ""
        if span.split()[0].lower() not in _NO_THING:
            return said_as_headings(expand_english(span))
    return ""


def _share(question: str, heading: str) -> float:
    """The share of the heading's topic words the question names, as `named_sections` counts it."""
    words = heading_words(heading)
    qwords = _question_words(question)
    return sum(_matches(w, question.lower(), qwords) for w in words) / len(words) if words else 0.0


def _one_sibling(question: str, wide: Sequence[tuple[str, ...]], shows: bool) -> tuple[str, ...] | None:
    """The one section of `wide` that the asked-for word names, or (`shows`: the question says what a section
    shows, a paraphrase of its heading) that is named more fully than each of its named siblings (at least two
    thirds of its heading words), when it has a named sibling; else None."""
    span = asked_span(question)
    by_span = [p for p in wide if span and naming_words(span, p[-1])]
    candidates = by_span if len(by_span) == 1 else []
    if not candidates and shows:
        shares = {p: _share(question, p[-1]) for p in wide}
        candidates = [
            p
            for p in wide
            if shares[p] >= 2 / 3 and all(shares[p] > shares[q] for q in wide if q != p and q[:-1] == p[:-1])
        ]
    for p in candidates[:1]:
        if any(q != p and q[:-1] == p[:-1] for q in wide):
            return p
    return None


def _by_topic(question: str, named: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Less a section named only by how the answer is put ("step by step" -> 3.2 算法步骤详解) when another is
    named by every topic word of its heading ("tech consulting" -> 6.1 技术咨询): the steps of that topic are
    asked, not the essay's (a word of a heading, "模型" of 4.1 数学模型构建, is no such topic)."""
    words = {p: naming_words(question, p[-1]) for p in named}
    if not any(words[p] and not form_only(words[p]) and _share(question, p[-1]) >= 1.0 for p in named):
        return named
    return [p for p in named if not form_only(words[p])]


def _by_paraphrase(question: str, said: str, named: list[tuple[str, ...]]) -> bool:
    """The first named section is named by a heading word only the question's paraphrase adds."""
    added = said[len(question) :].strip()
    return bool(added and named) and bool(naming_words(added, named[0][-1]))


def chosen_sections(
    question: str, parts: DocParts, doc: str, ranked: Sequence[Sequence[str]] = ()
) -> tuple[list[tuple[str, ...]], bool]:
    """`distinct_sections` of the question with its paraphrases said as heading words, less the siblings of the
    one section the question picks among them (`_one_sibling`), which comes first, and less sections named
    only as a form (`_by_topic`); and whether one was picked so (then the answer is the picked section's, not
    any retrieved passage's)."""
    said = said_as_headings(question)
    every = distinct_sections(said, parts, doc, ranked=ranked)
    named = _by_topic(said, every)
    wide = named_sections(said, parts, doc, limit=6, ranked=ranked)
    pick = _one_sibling(said, wide, said != question)
    if pick is None and (full := _fully_named(said, named, wide)) is not None:
        return [full], True
    if pick is None:
        # a topic's section over the steps named only as a form, or a section named by the heading word a
        # paraphrase of the question stands for ("能用在哪些方向" -> 应用领域): its own answer
        return named, named != every or _by_paraphrase(question, said, named)
    return [pick, *[p for p in named if p != pick and p[:-1] != pick[:-1]]][:2], True


def _fully_named(
    question: str, named: list[tuple[str, ...]], wide: Sequence[tuple[str, ...]]
) -> tuple[str, ...] | None:
    """The one named section whose every topic word the question says, when the others are named in part and
    by other words ("核心学习路径" -> 总结 › 核心路径, not 学习路线总览 by 学习 and 路线); None when a word of it names
    another section too ("problems": 1.1 问题由来 and 1.2 问题核心关键点 alike)."""
    full = [p for p in named if _share(question, p[-1]) >= 1.0]
    if len(named) < 2 or len(full) != 1:
        return None
    own = naming_words(question, full[0][-1])
    others = [q for q in wide if q != full[0]]
    return full[0] if own and all(not own & naming_words(question, q[-1]) for q in others) else None


# the follow-up scopes what it asks to the earlier turn's topic: "Which tools does it suggest for that?", "这方面…";
# not a pronoun for the essay itself ("What challenges does it say you'll face?" asks the essay's challenges)
_POINTS_BACK = re.compile(
    r"\b(?:for|about|in|on|with|within|during|under)\s+(?:that|it|this|them|those)\b"
    r"|这方面|那方面|这块|那块|这一步|那一步|其中|对此|在这(?:里|一步)|在那(?:里|一步)",
    re.IGNORECASE,
)


def referent_sections(
    latest: str, earlier: Sequence[tuple[str, ...]], parts: DocParts, doc: str
) -> list[tuple[str, ...]]:
    """The earlier turn's sections that hold what a follow-up pointing back asks for: "Which tools does it
    suggest for that?" after a question about time management asks for the tools of 步骤4：时间管理 (Trello…),
    not the essay's 7.2 开发工具推荐 that its own word 工具 names; [] when it points at nothing or they hold
    no word of what it asks."""
    if not _POINTS_BACK.search(latest):
        return []
    words = [w for w in re.findall(r"[\u4e00-\u9fff]{2,}", asked_span(latest))]
    held = []
    for path in earlier:
        whole = parts.section(doc, path)
        if whole is not None and any(w in whole.text for w in words):
            held.append(path)
    return held


def follow_up_sections(
    latest: str,
    earlier: Sequence[tuple[str, ...]],
    parts: DocParts,
    doc: str,
    ranked: Sequence[Sequence[str]] = (),
) -> list[tuple[str, ...]]:
    """The sections a follow-up's own words name: what it asks within the earlier turn's sections when it points
    back (`referent_sections`), else its own, chosen with its paraphrases ("跑出来" -> 5.4 运行结果展示)."""
    return (
        referent_sections(latest, earlier, parts, doc)
        or chosen_sections(latest, parts, doc, ranked=ranked)[0]
    )
