"""Talking to the tutor: ask, chat, serve-llm, ui, feedback export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markdown import Markdown

from tutor.app import App
from tutor.chain.answer import Answer, AnswerStream
from tutor.chain.condense import Turn
from tutor.cli import render
from tutor.cli._state import console, err_console, print_json, state
from tutor.errors import TutorError

__all__ = ["register"]

feedback_app = typer.Typer(help="Learners' thumbs up/down on answers.", no_args_is_help=True)


def _answer(app: App, question: str, history: list[Turn], learner: str | None, as_json: bool) -> Answer:
    """Stream tokens to the terminal, then print the checked answer's sources and suggestions."""
    streamed = not as_json and sys.stdout.isatty()
    stream = AnswerStream(app.ask_stream(question, history, learner))
    for event in stream:
        if not streamed:
            continue
        if event.kind == "token":
            console.out(event.text, end="", highlight=False)
        else:
            console.print("\n[yellow]…the model stopped answering; falling back to retrieval-only[/]")
    final = stream.final()
    if as_json:
        print_json(final.to_json())
        return final
    if streamed:
        console.print()
        console.rule(style="dim")
    else:
        console.print(Markdown(final.text))
    for renderable in render.answer_footer(final):
        console.print(renderable)
    return final


def ask(
    question: Annotated[str, typer.Argument(help="Your question, in Chinese or English.")],
    learner: Annotated[str | None, typer.Option("--learner", help="Use this learner's progress.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the full answer as JSON (sources, checks, timings).")
    ] = False,
) -> None:
    """Ask one question: a grounded answer with citations, a next step and follow-up questions."""
    _answer(state.app(), question, [], learner, as_json)


def chat(
    learner: Annotated[str | None, typer.Option("--learner", help="Use this learner's progress.")] = None,
) -> None:
    """A terminal chat with history: follow-ups are understood in context. /clear resets, /quit exits."""
    app = state.app()
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
                answer = _answer(app, question, history, learner, as_json=False)
            except TutorError as exc:  # one bad question does not end the chat
                err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
                continue
            history += [("user", question), ("assistant", answer.text)]


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
