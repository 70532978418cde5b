"""The learner's study mode (full-time, part-time, hours a day) -> the roadmap's time plan for it.

The roadmap gives each stage a range in its heading ("阶段 2：深度学习实践（2-3 个月）") and, in its
学习时间规划 section, one line per stage for each way of studying ("阶段 2：4 个月" under 业余学习).  A
learner who says how they study ("每天只能学两三个小时", "full-time", "8 hours a day") is asking for
that plan's line, so the plan is picked by the mode's name, else by the hours closest to the plan's own.
"""

from __future__ import annotations

import re

from tutor.curriculum.model import Curriculum, TimePlan

__all__ = ["PACE", "plan_line", "study_hours", "study_plan"]

PACE = {
    "业余": re.compile(r"业余|兼职|下班|上班|part[- ]?time|after work|evenings?|weekends?|晚上|周末", re.I),
    "全职": re.compile(r"全职|脱产|full[- ]?time", re.I),
}
_HOURS = re.compile(
    r"(\d+(?:\.\d+)?(?:\s*[-~到至]\s*\d+(?:\.\d+)?)?|[一二两三四五六七八九十]+|a couple of|a few|couple of|few)"
    r"\s*(?:个)?\s*(?:多)?\s*(?:小时|hours?|hrs?|h\b)",
    re.IGNORECASE,
)
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_WORDS = {"a couple of": 2.0, "couple of": 2.0, "a few": 3.0, "few": 3.0}


def study_hours(text: str) -> float | None:
    """ "每天两三个小时" -> 2.5, "8 hours a day" -> 8.0, "a couple of hours" -> 2.0; None without hours."""
    m = _HOURS.search(text)
    if not m:
        return None
    token = m.group(1).lower()
    if token in _WORDS:
        return _WORDS[token]
    numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", token)] or [_CN[c] for c in token if c in _CN]
    return sum(numbers) / len(numbers) if numbers else None


def _plan_hours(plan: TimePlan) -> float | None:
    values = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", plan.hours_per_day or "")]
    return sum(values) / len(values) if values else None


def study_plan(text: str, curriculum: Curriculum) -> TimePlan | None:
    """The time plan for the mode the learner names: by the plan's name first, else by the closest hours."""
    for key, rx in PACE.items():
        if rx.search(text):
            named = [p for p in curriculum.time_plans if key in p.heading]
            if named:
                return named[0]
    hours = study_hours(text)
    if hours is None:
        return None
    plans = [(p, h) for p in curriculum.time_plans if (h := _plan_hours(p)) is not None]
    return min(plans, key=lambda ph: abs(ph[1] - hours))[0] if plans else None


def plan_line(plan: TimePlan, stage: int) -> str | None:
    """The plan's own line for one stage ("阶段 1：4 个月"), as the roadmap writes it."""
    pattern = re.compile(rf"^阶段\s*{stage}\s*[：:]")
    return next((item for item in plan.items if pattern.match(item)), None)
