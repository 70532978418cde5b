"""The curriculum and the learner: curriculum show/resources, progress show/set/mark/unmark, next."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tutor.cli import render
from tutor.cli._state import console, print_json, state
from tutor.cli.remote import via_server

if TYPE_CHECKING:
    from tutor.curriculum.model import Curriculum
    from tutor.curriculum.progress import LearnerProfile

__all__ = ["register"]

curriculum_app = typer.Typer(
    help="The roadmap as a curriculum: stages, skills, resources.", no_args_is_help=True
)
progress_app = typer.Typer(
    help="Learner profiles and progress (SQLite under the data dir).", no_args_is_help=True
)

LearnerOption = Annotated[str, typer.Option("--learner", help="Learner id.")]
SkillsArgument = Annotated[list[str], typer.Argument(help="Skill numbers or exact headings.")]


@curriculum_app.command("show")
def curriculum_show(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole parsed curriculum as JSON.")
    ] = False,
) -> None:
    """Print the roadmap's stages and skills (or everything, as JSON)."""
    curriculum = state.app().roadmap.curriculum
    if as_json:
        print_json(curriculum.model_dump(mode="json"))
        return
    console.print(render.curriculum_table(curriculum))


@curriculum_app.command("resources")
def curriculum_resources(
    skill: Annotated[int, typer.Option("--skill", help="Skill number (技能点 N).")],
    lang: Annotated[
        str | None, typer.Option("--lang", help="Keep resources whose language contains this, e.g. 中文.")
    ] = None,
    rtype: Annotated[
        str | None, typer.Option("--type", help="Keep resources whose type contains this, e.g. 视频.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List a skill's resources from its table, filtered by language or type."""
    roadmap = state.app().roadmap
    chosen = roadmap.curriculum.skill(roadmap.resolve_skills([str(skill)])[0])
    rows = chosen.resources_matching(lang, rtype)
    if as_json:
        print_json([r.model_dump() for r in rows])
        return
    console.print(render.resources_table(chosen.heading, rows))


def _print_progress(profile: LearnerProfile) -> None:
    console.print(render.progress_table(state.app().roadmap.curriculum, profile))


@progress_app.command("show")
def progress_show(learner: LearnerOption) -> None:
    """Show a learner's profile and finished skills."""
    _print_progress(state.app().learners.progress.get(learner))


@progress_app.command("set")
def progress_set(
    learner: Annotated[str, typer.Option("--learner", help="Learner id (created if new).")],
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    hours: Annotated[float | None, typer.Option("--hours", help="Hours per day for learning.")] = None,
    goal: Annotated[str | None, typer.Option("--goal", help="Goal, free text.")] = None,
    language: Annotated[str | None, typer.Option("--language", help="Preferred language: zh or en.")] = None,
    known: Annotated[
        str | None, typer.Option("--known", help="Describe what you know in words; mapped to skills.")
    ] = None,
) -> None:
    """Create or update a learner; --known maps free text to finished skills and reports what it could not map."""
    app = state.app()
    profile = app.learners.progress.upsert(
        learner, name=name, hours_per_day=hours, goal=goal, language=language
    )
    if known:
        console.print(render.mentions_text(app.roadmap.curriculum, app.learners.describe(learner, known)))
        profile = app.learners.progress.get(learner)
    _print_progress(profile)


@progress_app.command("mark")
def progress_mark(
    learner: LearnerOption,
    skills: SkillsArgument,
    in_progress: Annotated[
        bool, typer.Option("--in-progress", help="Mark as in progress instead of done.")
    ] = False,
) -> None:
    """Mark skills as finished (or in progress)."""
    _print_progress(state.app().learners.mark(learner, skills, "in_progress" if in_progress else "done"))


@progress_app.command("unmark")
def progress_unmark(learner: LearnerOption, skills: SkillsArgument) -> None:
    """Clear skills' status."""
    _print_progress(state.app().learners.mark(learner, skills, None))


def next_cmd(
    learner: Annotated[str | None, typer.Option("--learner", help="Plan for a stored learner.")] = None,
    known: Annotated[
        str | None, typer.Option("--known", help='Finished skills, e.g. "1,2,3" (no stored learner needed).')
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", help="Describe what you know in words instead.")
    ] = None,
    hours: Annotated[float | None, typer.Option("--hours", help="Hours per day (for the estimate).")] = None,
    language: Annotated[
        str | None, typer.Option("--language", help="zh or en: which resources come first.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON contract.")] = False,
) -> None:
    """What to learn next: 1-3 skills with why, what to study, resources, project, done-when and an estimate.

    A `tutor serve` running for the same data dir answers it (same plan); else this process."""
    keys = [k.strip() for k in (known or "").split(",") if k.strip()]
    payload = via_server(lambda server: server.next_steps(learner, keys, text, hours, language))
    if payload is None:
        app = state.app()
        plan, mentions = app.plan_next(learner, keys, text, hours, language)
        payload = plan.to_json()
        if mentions is not None:  # what the description was understood as, including what was not
            payload["self_description"] = dict(mentions.__dict__)
    if as_json:
        print_json(payload)
        return
    _print_next(payload)


def _print_next(payload: dict[str, Any]) -> None:
    """The plan's panels (from the JSON contract, wherever it was computed), after what a description
    was understood as (the roadmap's skill names are read here only then)."""
    from tutor.curriculum.matching import SkillMentions
    from tutor.curriculum.planner import NextSteps

    described = payload.get("self_description")
    if described is not None:
        mentions = SkillMentions(**described)
        console.print(render.mentions_text(_curriculum(), mentions))
    for renderable in render.next_steps_panels(NextSteps.model_validate(payload)):
        console.print(renderable)


def _curriculum() -> Curriculum:
    """The parsed roadmap, without building the application when a server did the planning."""
    if state.has_app():
        return state.app().roadmap.curriculum
    from tutor.config import config_dir
    from tutor.curriculum.learners import Roadmap

    cfg = state.settings()
    curriculum = cfg.curriculum
    return Roadmap(
        curriculum.roadmap, curriculum.config or config_dir() / "curriculum.yaml", cfg.corpus.max_bytes
    ).curriculum


def register(app: typer.Typer) -> None:
    app.add_typer(curriculum_app, name="curriculum")
    app.add_typer(progress_app, name="progress")
    app.command("next")(next_cmd)
