"""The one daily-hours parser shared by the planner, the time-plan answer and query understanding."""

from __future__ import annotations

import pytest

from tutor.chain.daily_hours import hours_per_day, states_daily_hours, study_hours


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("我每天只有两三个小时", 2.5),
        ("每天 2-3 小时，要学多久？", 2.5),
        ("about 2 hours a day", 2.0),
        ("I can do a couple of hours per day after work", 2.0),
        ("全职，每天 8 小时", 8.0),
        ("工作日每天一个多小时", 1.0),
    ],
)
def test_daily_hours_are_read_the_same_everywhere(text: str, hours: float) -> None:
    assert hours_per_day(text) == hours
    assert study_hours(text) == hours
    assert states_daily_hours(text)


@pytest.mark.parametrize("text", ["这个项目大概要 3 小时吗？", "RAG 要学多久？", "每天都要复习吗？"])
def test_hours_without_a_day_or_a_day_without_hours_set_no_daily_hours(text: str) -> None:
    assert hours_per_day(text) is None
    assert not states_daily_hours(text)
