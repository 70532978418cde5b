"""Talking to the tutor: ask, chat, serve-llm, ui, feedback export."""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markdown import Markdown

from tutor.cli import render
from tutor.cli._state import console, err_console, print_json, state
from tutor.cli.remote import via_server
from tutor.errors import TutorError

if TYPE_CHECKING:
    from tutor.app import App
    from tutor.chain.answer import Answer
    from tutor.chain.condense import Turn

__all__ = ["register"]

feedback_app = typer.Typer(help="Learners' thumbs up/down on answers.", no_args_is_help=True)


def _learner(app: App, learner: str | None) -> str:
    """The UI's default learner unless one is named, so the CLI and the UI share progress."""
    who = learner or app.settings.ui.default_learner
    app.learners.ensure(who)
    return who


def _answer(
    app: App, question: str, history: list[Turn], learner: str | None, as_json: bool, markdown: bool = False
) -> Answer:
    """Stream tokens to the terminal (or, with `markdown`, render the finished answer as Markdown),
    then print the rest of the checked answer (next step), its sources and suggestions."""
    from tutor.chain.answer import AnswerStream

    streamed = not as_json and not markdown and sys.stdout.isatty()
    stream = AnswerStream(app.ask_stream(question, history, learner))
    shown = ""
    with console.status("…", spinner="dots") if markdown else contextlib.nullcontext():
        for event in stream:
            if not streamed:
                continue
            if event.kind == "token":
                console.out(event.text, end="", highlight=False)
                shown += event.text
            else:
                shown = ""
                console.print("\n[yellow]…the model stopped answering; falling back to retrieval-only[/]")
        final = stream.final()
    _show(final, as_json, shown if streamed else None)
    return final


def _show(final: Answer, as_json: bool, streamed: str | None = None) -> None:
    """Print a finished answer (or, after streaming `streamed`, what came after it) and its footer."""
    if as_json:
        print_json(final.to_json())
        return
    if streamed is not None:
        console.print()
        rest = final.text[len(streamed) :] if streamed and final.text.startswith(streamed) else ""
        if rest.strip():  # the next-step line and anything else added after the streamed text
            console.print(Markdown(rest.strip()))
        console.rule(style="dim")
    else:
        console.print(Markdown(final.text))
    for renderable in render.answer_footer(final):
        console.print(renderable)


def ask(
    question: Annotated[str, typer.Argument(help="Your question, in Chinese or English.")],
    learner: Annotated[
        str | None, typer.Option("--learner", help="Learner id (default: ui.default_learner, as in the UI).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the full answer as JSON (sources, checks, timings).")
    ] = False,
) -> None:
    """Ask one question: a grounded answer with citations, a next step and follow-up questions.

    A `tutor serve` running for the same data dir answers it (no model to load); else this process."""
    who = learner or state.settings().ui.default_learner
    answer = via_server(lambda server: server.ask(question, who))
    if answer is not None:
        _show(answer, as_json)
        return
    app = state.app()
    _answer(app, question, [], _learner(app, who), as_json)


def chat(
    learner: Annotated[
        str | None, typer.Option("--learner", help="Learner id (default: ui.default_learner, as in the UI).")
    ] = None,
) -> None:
    """A terminal chat with history: follow-ups are understood in context. /clear resets, /quit exits.

    Each answer comes from a `tutor serve` running for the same data dir when there is one (the
    finished answer, as this process shows it: no model to load); else from this process."""
    who = learner or state.settings().ui.default_learner
    history: list[Turn] = []
    console.print(
        "[bold]tutor[/] — ask about the material or what to learn next. /clear resets, /quit exits."
    )
    while True:
        try:
            question = console.input("[bold cyan]you>[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if question in ("/quit", "/exit", "/q"):
            return
        if question == "/clear":
            history.clear()
            console.print("[dim]history cleared[/]")
        elif question:
            try:
                answer = _chat_answer(question, history, who)
            except TutorError as exc:  # one bad question does not end the chat
                err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
                continue
            history += [("user", question), ("assistant", answer.text)]


def _chat_answer(question: str, history: list[Turn], learner: str) -> Answer:
    """One chat answer through the server (the turns the chain reads: chain.history_turns), else here."""
    recent = history[-2 * max(1, state.settings().chain.history_turns) :]
    with console.status("…", spinner="dots"):
        answer = via_server(lambda server: server.ask(question, learner, recent))
    if answer is not None:
        _show(answer, as_json=False)
        return answer
    app = state.app()
    return _answer(app, question, history, _learner(app, learner), as_json=False, markdown=True)


def serve_llm() -> None:
    """Start vLLM (OpenAI-compatible) with the profile's `serve` settings; Ctrl-C stops it."""
    from tutor.llm.serve import serve_vllm

    code = serve_vllm(
        state.settings().serve,
        lambda url: console.print(
            f"[green]vLLM is ready[/] at [bold]{url}[/] — point the tutor at it with "
            f"TUTOR_LLM__BASE_URL={url} (the default profile already does for port 8000)."
        ),
    )
    raise typer.Exit(code)


def ui(
    host: Annotated[
        str | None, typer.Option("--host", help="Bind address (default ui.host: 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port (default ui.port: 7860; 0 = any free port).")
    ] = None,
    no_ingest: Annotated[
        bool, typer.Option("--no-ingest", help="Do not refresh the index at start-up.")
    ] = False,
) -> None:
    """The browser chat: answers with sources, what next, progress and resources."""
    from tutor.ui.app import launch_ui, serve_forever

    ui_log = logging.getLogger(
        "tutor.ui"
    )  # the server's own progress (index ready, offline mode) always shows
    ui_log.setLevel(min(ui_log.getEffectiveLevel(), logging.INFO))
    try:
        demo, url = launch_ui(state.app(), host, port, ingest=not no_ingest, block=False)
    except OSError as exc:
        raise TutorError(f"Cannot start the UI: {exc}; pick another --port or free this one") from exc
    console.print(f"[green]tutor UI[/] at [bold]{url}[/] (Ctrl-C stops it)")
    serve_forever(demo)


@feedback_app.command("export")
def feedback_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="JSONL file to write.")] = Path("feedback.jsonl"),
) -> None:
    """Write every rated answer (rating, question, answer, sources) as JSONL, e.g. to grow the eval set."""
    n = state.app().learners.history.export_feedback(out)
    console.print(f"wrote {n} rated answers to {out}")


def register(app: typer.Typer) -> None:
    app.command()(ask)
    app.command()(chat)
    app.command("serve-llm")(serve_llm)
    app.command()(ui)
    app.add_typer(feedback_app, name="feedback")
