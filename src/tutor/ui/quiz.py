"""The quiz tab's handlers: build the quiz of the chosen (or current) skill, grade it, store the result.

The quiz itself (questions, answer key, grading, storage) lives in `tutor.curriculum.quiz`;
this module only moves it in and out of the page's radios.
"""

from __future__ import annotations

import inspect
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
    who: Callable[[str | None, gr.Request | None], str],
    plan: Callable[[App, str], str],
) -> None:
    """The quiz tab: build the quiz of the chosen (or current) skill into the radios, grade, store."""
    learners = app.learners
    radios = page.quiz_questions

    def start(skill: int | None, chosen: str, request: gr.Request) -> tuple[Any, ...]:
        learner = who(chosen, request)
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
        [page.quiz_skill, page.learner_state],
        [page.quiz_state, page.quiz_intro, *radios, page.quiz_submit, page.quiz_result],
        api_visibility="private",
    )

    def submit(*args: Any) -> tuple[str, str]:
        """Args: the quiz, the learner, one answer per radio (see __signature__ below)."""
        quiz_json, chosen, answers, request = args[0], args[1], args[2:-1], args[-1]
        if not quiz_json:
            raise gr.Error("先出题 / Start a quiz first")
        learner = who(chosen, request)
        quiz = Quiz.model_validate(quiz_json)
        responses = {q.id: a for q, a in zip(quiz.questions, answers, strict=False)}
        result = learners.take_quiz(learner, quiz, responses)
        return fmt.quiz_result(result), plan(app, learner)

    # Gradio injects gr.Request by signature, which *args cannot express: spell the parameters out
    params = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in ("quiz", "chosen")]
    params += [
        inspect.Parameter(f"q{i}", inspect.Parameter.POSITIONAL_OR_KEYWORD) for i in range(len(radios))
    ]
    params.append(
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request)
    )
    submit.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    page.quiz_submit.click(
        submit,
        [page.quiz_state, page.learner_state, *radios],
        [page.quiz_result, page.cards],
        api_visibility="private",
    )
