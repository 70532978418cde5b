"""Section kinds: the generic headings every essay shares, named in the learner's words.

The articles are written to one template ("3.3 算法优缺点", "8.2 未来发展趋势", "8.3 面临的挑战",
"9. 附录：常见问题与解答"), and the roadmap has its own recurring headings (学习时间规划, 检验标准,
学习路线总览).  A learner asks for such a section by its kind — "the FAQ", "downsides", "where
things are heading", "a part-time schedule" — and in English BM25 has no word to match the Chinese
heading, while the embedder ranks the essay's other sections as close.  A query hook that appends
the heading words of the kinds a question names lets both retrievers find the section.

The Chinese side comes from the material: a kind's words are only used when a live heading contains
them (`SectionKinds.from_headings`), so a corpus without FAQ sections never gets "常见问题" appended.
The English side is a fixed list of how learners name a kind; it names kinds, never topics.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from tutor.index.routing import about_a_document, within_document
from tutor.patterns import CJK

__all__ = ["KINDS", "SectionKind", "SectionKinds"]


@dataclass(frozen=True)
class SectionKind:
    """One kind of section: how a learner names it, and the heading words it has in the material."""

    name: str
    english: re.Pattern[str]
    heading_words: tuple[str, ...]
    chinese: re.Pattern[str] | None = None  # Chinese synonyms that are not the heading's own words
    documents_only: bool = False  # only in a question about a document ("in the curiosity essay", routed)
    replaces: tuple[str, ...] = ()  # kinds this one stands in for when both are named


def _en(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)


KINDS: tuple[SectionKind, ...] = (
    SectionKind(
        "faq",
        _en(r"faqs?|q\s*&\s*a|q and a|frequently asked|common questions|questions and answers|appendix"),
        ("常见问题", "解答"),
        re.compile(r"问答"),
    ),
    SectionKind(
        "pros_cons",
        _en(
            r"pros|cons|downsides?|drawbacks?|disadvantages?|advantages?|weakness(?:es)?|strengths?"
            r"|benefits?|upsides?|shortcomings?|limitations?|trade-?offs?"
        ),
        ("优缺点", "优点", "缺点"),
        re.compile(r"好处|益处|坏处|弊端|不足|劣势|优势"),
    ),
    SectionKind(
        "trends",
        _en(r"trends?|future|(?:is|are|be) heading|headed|coming years"),
        ("未来发展趋势",),
        re.compile(r"趋势|前景|(?:以后|将来|未来).{0,8}发展"),
    ),
    SectionKind(
        "challenges",
        _en(r"challenges?|obstacles?|hurdles?|difficult(?:y|ies)"),
        ("面临的挑战",),
        re.compile(r"挑战|难点|障碍|困难"),
    ),
    SectionKind(
        "outlook",
        _en(r"research directions?|further research|future research|open problems|outlook"),
        ("研究展望",),
        re.compile(r"研究方向|方向.{0,2}研究"),
    ),
    SectionKind("steps", _en(r"steps?|step-by-step|procedure|process"), ("步骤",)),
    SectionKind(
        "applications",
        _en(r"applications?|use cases?|real[- ]world|scenarios?|industries"),
        ("实际应用场景", "应用领域"),
    ),
    SectionKind("summary", _en(r"summary|sum up|summari[sz]e|conclusions?|takeaways?"), ("总结",)),
    SectionKind("concepts", _en(r"(?:core|key|main|central) (?:concepts?|ideas?|notions?)"), ("核心概念",)),
    # "what does X mean in the essay": the essays define their terms under 2.1 核心概念概述; about the
    # roadmap the same words ask for a skill's content, so only for a question that names a document
    SectionKind(
        "definition",
        _en(r"mean(?:s|t|ing)?|defin(?:e|es|ed|ition)s?|stands? for|refers? to|what(?:'s| is| are) an?"),
        ("核心概念",),
        re.compile(r"指的?是|是指|什么意思|定义|含义|被(?:看成|视为|看作|称为)"),
        documents_only=True,
    ),
    # "which books/resources does the essay recommend": the essays' 7.1 学习资源推荐, not 7.3's papers;
    # about the roadmap resource words ask for a skill's 学习资源 (the aspect lever), so documents only
    SectionKind(
        "learning_resources",
        _en(r"(?:learning |study )?resources|books?|textbooks?|courses?|tutorials?|reading lists?"),
        ("学习资源推荐",),
        re.compile(r"资源|书|教材|课程|教程"),
        documents_only=True,
    ),
    # "in the essay's worked example": 4.3 案例分析与讲解, not the code sections that reuse its numbers
    # (a "code example" / "sample code" asks for those, so it is not this kind)
    SectionKind(
        "example",
        _en(r"(?<!code )(?<!sample )(?:worked )?examples?|case stud(?:y|ies)"),
        ("案例分析",),
        re.compile(r"(?<!代码)(?:例子|案例|举例)"),
        documents_only=True,
    ),
    # "what's the formula in the essay", "what do its variables stand for": an essay writes its formula and
    # defines the symbols where it builds the model (4.1 数学模型构建); 4.2 公式推导过程 only says "公式" in
    # its heading, and answers how the formula is derived; the symbols are not "core concepts" (definition)
    SectionKind(
        "math_model",
        re.compile(
            r"^(?!.*\bderiv)(?=.*\b(?:formulas?|equations?|mathematical model|variables?|symbols?|modell?ed"
            r"|as an? (?:function|formula|equation))\b)",
            re.IGNORECASE | re.DOTALL,
        ),
        ("数学模型",),
        re.compile(
            r"^(?!.*推导)(?=.*(?:数学模型|变量|符号|字母|用.{0,6}公式|公式来?表示|哪些因素))", re.DOTALL
        ),
        documents_only=True,
        replaces=("definition",),
    ),
    SectionKind("background", _en(r"background|motivation|origins?"), ("背景介绍", "问题由来")),
    SectionKind(
        "time_plan",
        _en(r"part[- ]time|full[- ]time|study (?:plan|schedule)|schedule|time plan"),
        ("学习时间规划",),
    ),
    SectionKind("part_time", _en(r"part[- ]time"), ("业余学习",)),
    SectionKind("full_time", _en(r"full[- ]time"), ("全职学习",)),
    SectionKind("milestones", _en(r"milestones?|checkpoints?"), ("检验里程碑",)),
    SectionKind(
        "overview",
        _en(r"overview|how many stages|all (?:the )?stages|order of (?:the )?stages"),
        ("学习路线总览",),
    ),
    SectionKind("core_path", _en(r"core path|learning path|overall order|whole path"), ("核心路径",)),
    SectionKind("advice", _en(r"advice|tips|suggestions?"), ("学习建议",)),
)


class SectionKinds:
    """A query hook: the heading words of the section kinds a question names ('downsides' -> 优缺点).

    English questions are matched against the English names of each kind; with `chinese=True`, Chinese
    questions are matched against each kind's Chinese synonyms too ("好处" -> 优缺点).  Only heading words
    that occur in the material's headings are appended.
    """

    def __init__(self, kinds: Iterable[SectionKind], chinese: bool = False) -> None:
        self.kinds = tuple(kinds)
        self.chinese = chinese

    @classmethod
    def from_headings(cls, headings: Iterable[str], chinese: bool = False) -> SectionKinds:
        """Keep each kind's heading words that some heading of the live index contains."""
        text = "\n".join(unicodedata.normalize("NFKC", h) for h in headings)
        kept = []
        for kind in KINDS:
            words = tuple(w for w in kind.heading_words if w in text)
            if words:
                kept.append(
                    SectionKind(
                        kind.name, kind.english, words, kind.chinese, kind.documents_only, kind.replaces
                    )
                )
        return cls(kept, chinese)

    def __len__(self) -> int:
        return len(self.kinds)

    def named(self, question: str) -> list[SectionKind]:
        """The kinds the question names (in English; in Chinese with `chinese`)."""
        text = unicodedata.normalize("NFKC", question)
        kinds = self.kinds if about_a_document(text) else [k for k in self.kinds if not k.documents_only]
        if CJK.search(text):
            if not self.chinese:
                return []
            found = [k for k in kinds if k.chinese is not None and k.chinese.search(text)]
        else:
            found = [k for k in kinds if k.english.search(text)]
        replaced = {r for k in found for r in k.replaces}
        return [k for k in found if k.name not in replaced]

    def dropped(self, question: str, rest: str) -> str:
        """The heading words of the kinds named only in the clause that `strip_document_reference`
        dropped ("In the midlife essay's worked example, what …" -> 案例分析): a search routed to that
        document looks for `rest`, and would lose which of the document's sections was asked for."""
        with within_document():
            kept = set((self(rest) or "").split())
        return " ".join(w for w in (self(question) or "").split() if w not in kept)

    def __call__(self, question: str) -> str | None:
        words = list(dict.fromkeys(w for kind in self.named(question) for w in kind.heading_words))
        return " ".join(words) or None
