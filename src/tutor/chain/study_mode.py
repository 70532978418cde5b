"""The learner's study mode (full-time, part-time, hours a day) -> the roadmap's time plan for it.

The roadmap gives each stage a range in its heading ("阶段 2：深度学习实践（2-3 个月）") and, in its
学习时间规划 section, one line per stage for each way of studying ("阶段 2：4 个月" under 业余学习).  A
learner who says how they study ("每天只能学两三个小时", "full-time", "8 hours a day") is asking for
that plan's line, so the plan is picked by the mode's name, else by the hours closest to the plan's own.
"""

from __future__ import annotations

import re

from tutor.chain.daily_hours import study_hours
from tutor.curriculum.model import Curriculum, TimePlan

__all__ = ["PACE", "plan_for_hours", "plan_line", "study_hours", "study_plan"]

PACE = {
    "业余": re.compile(
        r"业余|兼职|下班|上班|part[- ]?time|after work|evenings?|weekends?|on the side|晚上|周末", re.I
    ),
    "全职": re.compile(r"全职|脱产|full[- ]?time", re.I),
}


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
    return None if hours is None else plan_for_hours(hours, curriculum)


def named_plans(text: str, curriculum: Curriculum) -> list[TimePlan]:
    """Every plan whose mode the question names ("全职和业余分别要多久": both), in the roadmap's order."""
    keys = [key for key, rx in PACE.items() if rx.search(text)]
    return [p for p in curriculum.time_plans if any(key in p.heading for key in keys)]


def plan_for_hours(hours: float, curriculum: Curriculum) -> TimePlan | None:
    """The roadmap's plan whose hours a day ("2-3 小时" -> 2.5) are closest to the learner's."""
    plans = [(p, h) for p in curriculum.time_plans if (h := _plan_hours(p)) is not None]
    return min(plans, key=lambda ph: abs(ph[1] - hours))[0] if plans else None


def plan_line(plan: TimePlan, stage: int) -> str | None:
    """The plan's own line for one stage ("阶段 1：4 个月"), as the roadmap writes it."""
    pattern = re.compile(rf"^阶段\s*{stage}\s*[：:]")
    return next((item for item in plan.items if pattern.match(item)), None)
