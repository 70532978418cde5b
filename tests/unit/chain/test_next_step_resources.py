"""The planner's reply when a next-step question also asks for resources."""


def test_a_next_step_question_that_asks_resources_gets_the_whole_table() -> None:
    """blind15 ha108 "what's the next skill, and what resources does it recommend?": the planner's top three
    were shown; asked for, the skill's table is listed whole. "recommend" alone is how next steps are asked."""
    from tutor.chain.planner_reply import _asks_resources

    assert _asks_resources("ok so what's the next skill, and what resources does it recommend?")
    assert _asks_resources("下一步学什么？有什么教程推荐吗")
    assert not _asks_resources("What does the roadmap recommend I learn next?")
    assert not _asks_resources("我学完 Python 了，下一步学什么？")
