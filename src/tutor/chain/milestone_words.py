"""Milestones named in a question: "三个月后", "半年", "the 6-month and 12-month milestones", "a year in", and a
span said in days, weeks, quarters or a semester ("roughly 90 days in", "一个季度后") read as the milestone it
lands on, so the answer gives that one milestone and not all three."""

from __future__ import annotations

import re

from tutor.chain.refs import EN_NUM, ZH_NUM, parse_number

__all__ = ["milestone_refs"]

_MONTHS_ZH = re.compile(rf"({ZH_NUM}|半)\s*个?\s*多?\s*月")  # "三个多月": a little past 3 个月后
_YEAR_ZH = re.compile(r"(?<![\d.])(一|1|满一|一整)\s*年|半年|一年半")
_MONTHS_EN = re.compile(rf"\b({EN_NUM}|a|one)\s*-?\s*months?\b", re.IGNORECASE)
# "month 3 and month 6", "by month six": the count after the unit
_MONTH_NTH_EN = re.compile(rf"\bmonth\s*-?\s*({EN_NUM})\b", re.IGNORECASE)
_YEAR_EN = re.compile(
    r"\b(half(?: a |-| )year|six[- ]months?|(?:a|one|1)[- ]year|12[- ]months?|a full year|first year|year one)\b",
    re.IGNORECASE,
)
_JOINED_EN = re.compile(
    rf"\s*(?:,|&|and|or|vs\.?|versus)\s+(?:the\s+)?(?:{EN_NUM}|a|one|half)[\s-]*(?:months?|years?)\b",
    re.IGNORECASE,
)
# "3, 6 and 12 months", "3、6、12 个月": counts listed before one unit each name a milestone
_LISTED = re.compile(
    rf"((?:{EN_NUM}|{ZH_NUM})(?:\s*(?:,|，|、|/|&|\band\b|\bor\b|和|及|与)\s*(?:{EN_NUM}|{ZH_NUM}))+)\s*-?\s*(?:个?\s*月|months?\b)",
    re.IGNORECASE,
)
_LIST_SPLIT = re.compile(r"\s*(?:,|，|、|/|&|\band\b|\bor\b|和|及|与)\s*", re.IGNORECASE)
_MILESTONE_CONTEXT = re.compile(
    r"后|之后|以后|时|的时候|学满|满|到第|里程碑|应该|能做|能够|达到|水平|做到|检验|目标|掌握"
    r"|\bafter\b|\bby\b|\bin(?:to)?\b|milestone|\bshould\b|able to|expected|\bwhere\b|\bmark\b|checkpoint",
    re.IGNORECASE,
)


# spans counted in other units: days, weeks, quarters (季度), a semester (学期); each worth so many months
_SPAN_ZH = re.compile(
    r"(\d+|[零〇一二两三四五六七八九十百]+)\s*(?:(天)|(周|个?星期|个?礼拜)|(个?季度))|一个?(学期)"
)
_SPAN_EN = re.compile(
    rf"\b({EN_NUM}|a|an|one|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a hundred)\s*-?\s*"
    r"(?:(days?)|(weeks?)|(quarters?))\b|\b(?:a|one|1)\s+(semester)\b",
    re.IGNORECASE,
)
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}
_TENS |= {"ninety": 90, "a hundred": 100, "a": 1, "an": 1, "one": 1}
_PER_UNIT = (1 / 30, 7 / 30, 3.0)  # months in a day, a week, a quarter; a semester is about five months


def _span_months(count: str | None, units: tuple[str | None, ...]) -> float | None:
    """Months in "90 days", "12 weeks", "两个季度", "a semester"; None when the count is no number."""
    if units[3]:
        return 5.0
    n = _TENS.get((count or "").lower()) or parse_number(count or "")
    if not n:
        return None
    return next(n * per for unit, per in zip(units, _PER_UNIT, strict=False) if unit)


def _nearest(months: float, available: set[int]) -> int | None:
    """The milestone a span lands on: within a fifth of its months ("100 days" is 3 months, "six weeks" none)."""
    best = min(available, key=lambda m: abs(m - months), default=None)
    return best if best is not None and abs(best - months) <= best * 0.2 else None


def _spans(text: str, available: set[int]) -> list[tuple[int, str]]:
    """Milestones named by a span in days, weeks, quarters or a semester, said where a milestone is meant."""
    out: list[tuple[int, str]] = []
    for m in [*_SPAN_ZH.finditer(text), *_SPAN_EN.finditer(text)]:
        months = _span_months(m.group(1), m.groups()[1:5])
        context = text[max(0, m.start() - 16) : m.end() + 12]  # "After roughly 26 weeks"
        hit = _nearest(months, available) if months else None
        if hit is not None and _MILESTONE_CONTEXT.search(context) and hit not in [n for n, _ in out]:
            out.append((hit, m.group(0)))
    return out


def milestone_refs(text: str, available: set[int]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for m in _MONTHS_ZH.finditer(text):
        n = 0.5 if m.group(1) == "半" else parse_number(m.group(1))
        if n in available and _MILESTONE_CONTEXT.search(
            text[m.end() : m.end() + 8] + text[max(0, m.start() - 4) : m.start()]
        ):
            out.append((int(n), m.group(0)))
    for m in _YEAR_ZH.finditer(text):
        token = m.group(0)
        months = 6 if token == "半年" else (18 if token == "一年半" else 12)
        if months in available:
            out.append((months, token))
    for m in _MONTHS_EN.finditer(text):
        token = m.group(1).lower()
        n = 1 if token in ("a", "one") else parse_number(token)
        # "the 6-month and 12-month milestones": a count joined to the next one shares its context
        joined = _JOINED_EN.match(text, m.end())
        context = text[max(0, m.start() - 12) : (joined.end() if joined else m.end()) + 12]
        if n in available and _MILESTONE_CONTEXT.search(context):
            out.append((int(n), m.group(0)))
    for m in _MONTH_NTH_EN.finditer(text):
        n = parse_number(m.group(1).lower())
        context = text[max(0, m.start() - 30) : m.end() + 12]  # "checkpoints for month 3 and month 6"
        if n in available and _MILESTONE_CONTEXT.search(context) and int(n) not in [k for k, _ in out]:
            out.append((int(n), m.group(0)))
    for m in _YEAR_EN.finditer(text):  # "the half-year mark", "the one-year milestone"
        months = 6 if m.group(0).lower().startswith(("half", "six")) else 12
        if months in available:
            out.append((months, m.group(0)))
    out += [(n, said) for n, said in _spans(text, available) if n not in [k for k, _ in out]]
    return out + _listed(text, available, {n for n, _ in out})


def _listed(text: str, available: set[int], found: set[int]) -> list[tuple[int, str]]:
    """The counts of a list that shares one unit ("every checkpoint - 3, 6 and 12 months"), in milestone context."""
    out: list[tuple[int, str]] = []
    for m in _LISTED.finditer(text):
        context = text[max(0, m.start() - 40) : m.end() + 12]
        if not _MILESTONE_CONTEXT.search(context):
            continue
        for token in _LIST_SPLIT.split(m.group(1)):
            n = parse_number(token.strip().lower())
            if n in available and int(n) not in found:
                found.add(int(n))
                out.append((int(n), token.strip()))
    return out
