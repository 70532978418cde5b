"""Query rewriting before retrieval: what the dense and the keyword retrievers each get to see.

Each rewrite is a lever behind a setting (`retrieval.*`), measured on both eval sets
(eval/README.md). None of them replaces the learner's words; they only append:

- time expressions in words (三个月以后, 半年, 学满一年, "after six months", "a year in") get the
  "N 个月后" form the material's milestone headings use;
- English questions get the Chinese side of the material's own bilingual terms (a glossary
  read from the indexed chunks: "检索增强 (Retrieval-Augmented Generation)", "RAG 检索增强",
  table headers like "| 名称 | Name |"), so BM25 has Chinese words to match.

Stage/skill references (阶段 N, 技能点 N, Chinese numerals for those) are understood by the
curriculum's query-understanding module, not here: pass it as `extra` (a callable returning
text to append, or None) and its output is appended like any other rewrite.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from tutor.index.routing import about_a_document
from tutor.patterns import CJK, zh_number
from tutor.whats_next import asks_next_step

__all__ = [
    "Glossary",
    "LearnerTerms",
    "QueryPlan",
    "QueryRewriter",
    "build_glossary",
    "normalize_time_expressions",
    "zh_number",
]

_EN_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "twenty-four": 24,
}


_ZH_NUM = r"[0-9]+|[零〇一二两三四五六七八九十]+"
_ZH_MONTHS = re.compile(rf"({_ZH_NUM})\s*个\s*(?:多\s*)?月")
_ZH_YEARS = re.compile(rf"({_ZH_NUM})\s*(?:整\s*)?年(半)?")
_ZH_HALF_YEAR = re.compile(r"半\s*年")
_ZH_QUARTERS = re.compile(rf"({_ZH_NUM})\s*个\s*季度")
_EN_NUM = r"[0-9]+|" + "|".join(sorted(_EN_NUMBERS, key=len, reverse=True))
_EN_MONTHS = re.compile(rf"\b({_EN_NUM})[\s-]*months?\b", re.IGNORECASE)
_EN_YEARS = re.compile(rf"\b({_EN_NUM}|an?)[\s-]*(?:full\s+)?years?\b", re.IGNORECASE)
_EN_QUARTERS = re.compile(rf"\b({_EN_NUM}|an?)[\s-]*quarters?\b", re.IGNORECASE)
_EN_HALF_YEAR = re.compile(r"\bhalf[\s-]*(?:a[\s-]*)?year\b|\bsix-month\b", re.IGNORECASE)


def _en_number(token: str) -> int | None:
    token = token.lower()
    if token.isdigit():
        return int(token)
    if token in ("a", "an"):
        return 1
    return _EN_NUMBERS.get(token)


def normalize_time_expressions(question: str) -> list[int]:
    """Month counts a question names in words or digits ('三个月' -> 3, '半年' -> 6, 'a year' -> 12,
    '一个季度' / 'a quarter' -> 3)."""
    text = unicodedata.normalize("NFKC", question)
    months: list[int] = []
    for m in _ZH_MONTHS.finditer(text):
        n = zh_number(m.group(1))
        if n:
            months.append(n)
    for m in _ZH_YEARS.finditer(text):
        n = zh_number(m.group(1))
        if n:
            months.append(n * 12 + (6 if m.group(2) else 0))
    if _ZH_HALF_YEAR.search(text) and not re.search(r"年\s*半", text):
        months.append(6)
    for m in _ZH_QUARTERS.finditer(text):  # 一个季度 = 3 个月
        n = zh_number(m.group(1))
        if n:
            months.append(n * 3)
    for m in _EN_QUARTERS.finditer(text):  # "two quarters in" = 6 months
        n = _en_number(m.group(1))
        if n:
            months.append(n * 3)
    for m in _EN_MONTHS.finditer(text):
        n = _en_number(m.group(1))
        if n:
            months.append(n)
    if _EN_HALF_YEAR.search(text):
        months.append(6)
    else:
        for m in _EN_YEARS.finditer(text):
            n = _en_number(m.group(1))
            if n:
                months.append(n * 12)
    return list(dict.fromkeys(months))


# --- bilingual glossary ------------------------------------------------------------------
_ZH_TERM = r"[\u4e00-\u9fff][\u4e00-\u9fff0-9]{1,11}"
_EN_TERM = r"[A-Za-z][A-Za-z0-9.+#/-]*(?:[ -][A-Za-z0-9][A-Za-z0-9.+#/-]*){0,5}"
_PAREN_ZH_EN = re.compile(rf"({_ZH_TERM})\s*[（(]\s*({_EN_TERM})\s*[)）]")
_PAREN_EN_ZH = re.compile(rf"({_EN_TERM})\s*[（(]\s*({_ZH_TERM})\s*[)）]")
# Only labelled headings ("技能点 11：RAG 检索增强"): an unlabelled "Python 基础库" is a topic, not a translation.
_MIXED_HEADING = re.compile(rf"^[^：:]+[：:]\s*({_EN_TERM})\s+({_ZH_TERM})\s*$")
_MIXED_HEADING_ZH_FIRST = re.compile(rf"^[^：:]+[：:]\s*({_ZH_TERM})\s+({_EN_TERM})\s*$")
_STARS = re.compile(r"[⭐★☆✨🌟]+")
_EN_GLOSSARY_STOP = {"a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "vs", "is", "it"}


@dataclass
class Glossary:
    """English term (lower-case) -> Chinese terms, from the material's own bilingual spellings."""

    en_to_zh: dict[str, list[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.en_to_zh)

    def add(self, en: str, zh: str) -> None:
        key = " ".join(en.lower().split()).strip(" .-/")
        if len(key) < 2 or key in _EN_GLOSSARY_STOP or not CJK.search(zh):
            return
        terms = self.en_to_zh.setdefault(key, [])
        if zh not in terms:
            terms.append(zh)

    def translate(self, question: str) -> list[str]:
        """Chinese terms for every glossary entry the (English) question mentions, longest entries first."""
        text = " " + " ".join(re.findall(r"[a-z0-9.+#/-]+", question.lower())) + " "
        found: list[str] = []
        for key in sorted(self.en_to_zh, key=len, reverse=True):
            if f" {key} " in text or (len(key) > 4 and f" {key}s " in text):
                text = text.replace(f" {key} ", " ")
                found.extend(t for t in self.en_to_zh[key] if t not in found)
        return found


def _table_header_pairs(text: str) -> Iterable[tuple[str, str]]:
    """'| 名称 | Name |' style headers: adjacent Chinese and English cells name the same column."""
    for line in text.splitlines():
        if not line.lstrip().startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        i = 0
        while i + 1 < len(cells):
            a, b = cells[i], cells[i + 1]
            if re.fullmatch(_ZH_TERM, a) and re.fullmatch(_EN_TERM, b):
                yield b, a
                i += 2  # a cell translates at most one neighbour
            elif re.fullmatch(_EN_TERM, a) and re.fullmatch(_ZH_TERM, b):
                yield a, b
                i += 2
            else:
                i += 1
        break  # only the header row


def _tail_words(zh: str, en: str) -> str:
    """The Chinese words a parenthesised English term translates: as many trailing jieba words as the
    English has words ('通过技术写作提升影响力（Influence）' -> '影响力'); short runs stay whole."""
    if len(zh) <= 4:
        return zh
    from tutor.index.tokenize import _jieba

    words = _jieba().lcut(zh)
    n = max(1, len(re.split(r"[\s-]+", en.strip())))
    return "".join(words[-n:])


def build_glossary(texts: Sequence[str], headings: Sequence[str]) -> Glossary:
    """Glossary from passages (parenthesised translations, table headers) and headings ("RAG 检索增强")."""
    glossary = Glossary()
    counts: Counter[tuple[str, str]] = Counter()
    for text in texts:
        for zh, en in _PAREN_ZH_EN.findall(text):
            counts[(en, _tail_words(zh, en))] += 1
        for en, zh in _PAREN_EN_ZH.findall(text):
            counts[(en, zh)] += 1
        for en, zh in _table_header_pairs(text):
            counts[(en, zh)] += 1
    for heading in headings:
        clean = _STARS.sub("", unicodedata.normalize("NFKC", heading)).strip()
        m = _MIXED_HEADING.match(clean)
        if m:
            counts[(m.group(1), m.group(2))] += 1
        m = _MIXED_HEADING_ZH_FIRST.match(clean)
        if m:
            counts[(m.group(2), m.group(1))] += 1
    for (en, zh), _ in counts.most_common():
        glossary.add(en, zh)
    return glossary


# --- the plan ------------------------------------------------------------------------------
@dataclass
class QueryPlan:
    """What each retriever sees for one question; `applied` names the rewrites that fired."""

    question: str
    dense_text: str
    keyword_text: str
    applied: list[str] = field(default_factory=list)


QueryExtra = Callable[[str], "str | None"]


# "the programmer midlife crisis article", "the tech-change comeback essay's": the words that name the essay are
# in every passage of the essay searched, so they tell none of its sections apart (程序员, 中年危机, 技术变革)
_ESSAY_NAME = re.compile(
    r"\b(?:the|this|that)\s+(?:(?!(?:the|in|of|on|about|from|by|and)\b)[\w'-]+\s+){0,4}"
    r"(?:article|essay|piece|post|write-?up)(?:'s)?",
    re.IGNORECASE,
)


class LearnerTerms:
    """BM25's words for an English question: the Chinese the material uses for its learner terms.

    Without them an English question's keywords match only the English of the material (paper titles, tool
    names), so "Which learning platforms does the midlife article suggest for continuous learning?" finds the
    essay's paper list, not 步骤2：持续学习.  `translate` (the caller's glossary, English -> the material's
    words) is handed in: the words are the chain's, the index only appends them.
    """

    def __init__(self, translate: Callable[[str], Sequence[str]], essays_only: bool = False) -> None:
        self.translate = translate
        #: only for a question about an essay (`about_a_document`): there BM25 picks the section among
        #: one essay's; across the whole material general words (实践, 阶段, 工具) pull in other sections
        self.essays_only = essays_only

    def __call__(self, question: str) -> str | None:
        if CJK.search(question):
            return None  # a Chinese question has the material's words already
        if self.essays_only and not about_a_document(question):
            return None
        if asks_next_step(question):
            return None  # "what comes after the continuous-learning step": its words name the step done
        return " ".join(self.translate(_ESSAY_NAME.sub(" ", question))) or None


class QueryRewriter:
    """Applies the enabled rewrites; built once per index (the glossary depends on the chunks)."""

    def __init__(
        self,
        *,
        time_expressions: bool = False,
        bilingual: bool = False,
        glossary: Glossary | None = None,
        extra: Sequence[QueryExtra] = (),
        keyword_extra: Sequence[QueryExtra] = (),
        fallback_extra: Sequence[QueryExtra] = (),
        fallback_to_dense: bool = False,
        learner_extra: Sequence[QueryExtra] = (),
        described_extra: Sequence[QueryExtra] = (),
        described_to_dense: bool = False,
    ) -> None:
        self.time_expressions = time_expressions
        self.bilingual = bilingual
        self.glossary = glossary or Glossary()
        self.extra = list(extra)
        #: like `extra`, but appended to what BM25 searches for only
        self.keyword_extra = list(keyword_extra)
        #: appended only when no other rewrite fired (the question names nothing of the material's
        #: structure): to BM25, and to the dense text too with `fallback_to_dense`
        self.fallback_extra = list(fallback_extra)
        self.fallback_to_dense = fallback_to_dense
        #: appended to what BM25 searches for after the fallback (`LearnerTerms`): the learner's words put in
        #: the material's words name none of its structure, so they do not stop the concept fallback
        self.learner_extra = list(learner_extra)
        #: the concept a question describes, when the lexicon is sure (`ConceptGlossary.described_names`):
        #: appended to BM25 unless a structure rewrite fired (a glossary word such as "step" -> 步骤 no longer
        #: drops it; "the core learning path" -> 核心路径 does), and
        #: to an English question's dense text too (`described_to_dense`): e5 reads English descriptions of
        #: the Chinese material poorly, and every vector list (dense, section view, items, rescoring) follows it
        self.described_extra = list(described_extra)
        self.described_to_dense = described_to_dense

    def plan(self, question: str) -> QueryPlan:
        plan = QueryPlan(question, question, question)
        if self.time_expressions:
            months = normalize_time_expressions(question)
            if months:
                added = " ".join(f"{n} 个月后" for n in months)
                plan.dense_text += f" {added}"
                plan.keyword_text += f" {added}"
                plan.applied.append(f"time:{added}")
        if self.bilingual and not CJK.search(question):
            terms = self.glossary.translate(question)
            if terms:
                plan.keyword_text += " " + " ".join(terms)
                plan.applied.append("glossary:" + ",".join(terms))
        for hook in self.extra:
            added_text = hook(question)
            if added_text:
                plan.dense_text += f" {added_text}"
                plan.keyword_text += f" {added_text}"
                plan.applied.append(f"extra:{added_text}")
        for hook in self.keyword_extra:
            added_text = hook(question)
            if added_text:
                plan.keyword_text += f" {added_text}"
                plan.applied.append(f"keyword:{added_text}")
        # a rewrite of the material's structure (a section kind, a time) says what is asked: no concept then
        structural = any(a.startswith(("time:", "extra:", "keyword:")) for a in plan.applied)
        for hook in self.described_extra if not structural else ():
            added_text = hook(question)
            if added_text:
                plan.keyword_text += f" {added_text}"
                if self.described_to_dense and not CJK.search(question):
                    plan.dense_text += f" {added_text}"
                plan.applied.append(f"described:{added_text}")
        for hook in self.fallback_extra if not plan.applied else ():
            added_text = hook(question)
            if added_text:
                plan.keyword_text += f" {added_text}"
                if self.fallback_to_dense:
                    plan.dense_text += f" {added_text}"
                plan.applied.append(f"fallback:{added_text}")
        for hook in self.learner_extra:
            added_text = hook(question)
            if added_text:
                plan.keyword_text += f" {added_text}"
                plan.applied.append(f"learner:{added_text}")
        return plan
