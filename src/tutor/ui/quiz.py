"""The quiz tab's handlers: build the quiz of the chosen (or current) skill, grade it, store the result.

The quiz itself (questions, answer key, grading, storage) lives in `tutor.curriculum.quiz`;
this module only moves it in and out of the page's radios.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from tutor.app import App
from tutor.curriculum.quiz import Quiz
from tutor.errors import TutorError
from tutor.ui import formatting as fmt
from tutor.ui.layout import Page

__all__ = ["wire_quiz"]


def wire_quiz(
    page: Page,
    app: App,
    who: Callable[[gr.Request | None], str],
    plan: Callable[[App, str], str],
) -> None:
    """The quiz tab: build the quiz of the chosen (or current) skill into the radios, grade, store."""
    learners = app.learners
    radios = page.quiz_questions

    def start(skill: int | None, request: gr.Request) -> tuple[Any, ...]:
        learner = who(request)
        try:
            quiz = learners.quiz(learner, int(skill) if skill else None)
        except TutorError as exc:
            raise gr.Error(str(exc)) from exc
        shown = quiz.questions[: len(radios)]
        updates = [
            gr.update(choices=q.options, value=None, label=f"{i}. {q.prompt}", visible=True)
            for i, q in enumerate(shown, 1)
        ]
        updates += [gr.update(choices=[], value=None, visible=False)] * (len(radios) - len(shown))
        return quiz.to_json(), fmt.quiz_intro(quiz), *updates, gr.update(visible=True), ""

    page.quiz_start.click(
        start,
        [page.quiz_skill],
        [page.quiz_state, page.quiz_intro, *radios, page.quiz_submit, page.quiz_result],
        api_visibility="private",
    )

    def submit(values: dict[Any, Any], request: gr.Request) -> tuple[str, str]:
        """`values`: every input by component (a set of inputs), so the number of radios needs no
        hand-made signature (which Gradio warns about at every call)."""
        quiz_json = values[page.quiz_state]
        if not quiz_json:
            raise gr.Error("先出题 / Start a quiz first")
        learner = who(request)
        quiz = Quiz.model_validate(quiz_json)
        responses = {q.id: values[radio] for q, radio in zip(quiz.questions, radios, strict=False)}
        result = learners.take_quiz(learner, quiz, responses)
        return fmt.quiz_result(result), plan(app, learner)

    page.quiz_submit.click(
        submit,
        {page.quiz_state, *radios},
        [page.quiz_result, page.cards],
        api_visibility="private",
    )
