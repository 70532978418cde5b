"""An essay's steps read as an ordered list: a learner who reports one step done is given the next one, quoted
whole from its own passage and cited to it — sub-section steps and bold "Step N" labels alike."""

from __future__ import annotations

from tests.unit.chain.test_doc_parts import ESSAY, LABELLED
from tutor.chain.answer import Answer
from tutor.chain.doc_parts import DocParts
from tutor.chain.essay_next import essay_next_answer, next_step_of


def _answer(question: str, language: str) -> Answer:
    return Answer(
        question=question,
        standalone_question=question,
        language=language,  # type: ignore[arg-type]
        route="next_step",
        route_reason="test",
        text="",
    )


def test_the_step_after_a_sub_section_step_is_quoted_and_cited_to_its_own_section() -> None:
    parts = DocParts(ESSAY + LABELLED)
    answer = _answer(
        "I've already upgraded my tech stack like the crisis article says. What's the next step?", "en"
    )
    assert essay_next_answer(answer, parts)
    assert "步骤2：持续学习" in answer.text and "Coursera" in answer.text and "学习反馈" in answer.text
    assert "GTD" not in answer.text  # the step after it is not quoted
    [source] = answer.sources
    assert source.cited and source.headings[-1] == "步骤2：持续学习"
    assert answer.composition == "essay_next"


def test_the_step_after_a_labelled_step_is_its_block_alone() -> None:
    parts = DocParts(ESSAY + LABELLED)
    answer = _answer("leader 那篇文章里，做完行业调研与实践之后，下一步是什么？", "zh")
    assert essay_next_answer(answer, parts)
    assert "Step 3: 建立行业声誉" in answer.text and "成为意见领袖" in answer.text
    assert "了解行业需求" not in answer.text  # the named step is done: not quoted again
    assert answer.sources[0].headings[-1] == "3.2 算法步骤详解"


def test_no_essay_no_named_step_or_the_last_step_is_no_essay_next() -> None:
    parts = DocParts(ESSAY + LABELLED)
    assert next_step_of("学完技术栈升级之后下一步学什么？", parts) is None  # no essay named
    assert next_step_of("crisis 那篇文章里，下一步是什么？", parts) is None  # no step named
    assert next_step_of("leader 那篇文章里，建立行业声誉之后下一步是什么？", parts) is None  # the last step
    assert (
        next_step_of("leader 那篇文章的行业调研与实践讲了什么？", parts) is None
    )  # not a next-step question
    assert not essay_next_answer(_answer("what's next after stage 2?", "en"), None)
