"""How many hours a day the learner says they study: one parser for every place that reads it.

The planner stores it on the profile, the time-plan answer picks the roadmap's plan closest to it, and query
understanding reads "每天两三个小时，要学多久？" as a question about the whole plan.  They used three regexes
that disagreed on ranges ("2-3 小时") and words ("a couple of hours"); this module is the one they share.
"""

from __future__ import annotations

import re

__all__ = ["hours_per_day", "states_daily_hours", "study_hours"]

_HOURS = re.compile(
    r"(\d+(?:\.\d+)?(?:\s*[-~到至]\s*\d+(?:\.\d+)?)?|[一二两三四五六七八九十]+|a couple(?: of)?|a few|couple(?: of)?|few"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\b)"
    r"\s*(?:个)?\s*(?:多)?\s*(?:小时|hours?|hrs?|h\b)",
    re.IGNORECASE,
)
_PER_DAY = re.compile(
    r"每天|一天|每日|工作日|a day|per day|daily|each day|every day|after work|下班", re.IGNORECASE
)
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_WORDS = {"a couple of": 2.0, "couple of": 2.0, "a couple": 2.0, "couple": 2.0, "a few": 3.0, "few": 3.0}
_EN = {w: float(i) for i, w in enumerate("one two three four five six seven eight nine ten".split(), 1)}


def study_hours(text: str) -> float | None:
    """ "每天两三个小时" -> 2.5, "8 hours a day" -> 8.0, "a couple of hours" -> 2.0; None without hours."""
    m = _HOURS.search(text)
    if not m:
        return None
    token = m.group(1).lower()
    if token in _WORDS or token in _EN:
        return _WORDS.get(token) or _EN[token]
    numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", token)] or [_CN[c] for c in token if c in _CN]
    return sum(numbers) / len(numbers) if numbers else None


def hours_per_day(text: str) -> float | None:
    """The daily hours only when the learner says they are daily ('我每天只有两三个小时' -> 2.5): a bare
    "3 hours" may be a session or a total, not a profile setting."""
    return study_hours(text) if _PER_DAY.search(text) else None


def states_daily_hours(text: str) -> bool:
    """ "每天两三个小时" / "2 hours a day": the learner gives their daily hours."""
    return hours_per_day(text) is not None
