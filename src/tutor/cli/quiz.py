"""`tutor quiz`: a self-check quiz on the learner's current skill, built from the roadmap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tutor.cli import summaries
from tutor.cli._state import console, print_json, state
from tutor.errors import InputError

if TYPE_CHECKING:
    from tutor.curriculum.quiz import Quiz

__all__ = ["register"]


def _ask(quiz: Quiz) -> dict[str, str | None]:
    """One question at a time; the learner types an option's number (Enter skips)."""
    responses: dict[str, str | None] = {}
    for i, question in enumerate(quiz.questions, 1):
        console.print(summaries.quiz_question(i, question))
        while True:
            raw = console.input("[bold cyan]answer>[/] ").strip()
            if not raw:
                responses[question.id] = None
                break
            if raw.isdigit() and 1 <= int(raw) <= len(question.options):
                responses[question.id] = question.options[int(raw) - 1]
                break
            console.print(f"[yellow]type a number from 1 to {len(question.options)}, or Enter to skip[/]")
    return responses


def quiz(
    learner: Annotated[
        str | None, typer.Option("--learner", help="Learner id (default: ui.default_learner, as in the UI).")
    ] = None,
    skill: Annotated[
        int | None, typer.Option("--skill", help="Skill number (default: the learner's current skill).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the quiz with its answer key and citations; take nothing.")
    ] = False,
) -> None:
    """Check yourself on a skill: graded questions from the roadmap, then a self-rating per criterion.

    A pass with every criterion met suggests the skill as done, and `tutor next` moves on."""
    app = state.app()
    who = learner or app.settings.ui.default_learner
    if skill is not None and skill not in {s.number for s in app.roadmap.curriculum.skills}:
        raise InputError("--skill", f"no skill {skill}; see `tutor curriculum show` for the numbers")
    chosen = app.learners.quiz(who, skill)
    if as_json:
        print_json(chosen.to_json())
        return
    console.print(f"[bold]{chosen.heading}[/] — {len(chosen.questions)} questions for [bold]{who}[/]")
    result = app.learners.take_quiz(who, chosen, _ask(chosen))
    console.print(summaries.quiz_result(result))


def register(app: typer.Typer) -> None:
    app.command()(quiz)
