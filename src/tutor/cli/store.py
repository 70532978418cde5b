"""`tutor state`: migrate the learner and catalog stores, copy them between SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tutor.cli._state import console, state

__all__ = ["register"]

state_app = typer.Typer(
    help="Learners, progress, conversations, feedback and the catalog: migrate, export, import.",
    no_args_is_help=True,
)

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Database URL instead of state.url, e.g. postgresql+psycopg://user@host:5432/tutor "
        "or sqlite:///path/learners.sqlite (default: the configured store).",
    ),
]


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{table} {n}" for table, n in counts.items())


@state_app.command("migrate")
def migrate(url: UrlOption = None) -> None:
    """Bring the schema up to date (safe to run again; replicas run it once per release)."""
    from tutor.state.open import migrate_all

    settings = state.settings()
    for store, (before, after) in migrate_all(settings.state, settings.data_dir, url).items():
        change = f"{before or 'empty'} -> {after}" if before != after else f"already at {after}"
        console.print(f"{store}: {change}")


@state_app.command("export")
def export(
    file: Annotated[Path, typer.Argument(help="JSONL file to write (one row per line, with a header).")],
    url: UrlOption = None,
) -> None:
    """Write every learner, message, feedback, quiz result and catalog row to FILE."""
    from tutor.state.open import open_all
    from tutor.state.transfer import export_state

    settings = state.settings()
    with open_all(settings.state, settings.data_dir, url) as dbs:
        counts = export_state(dbs, file)
    console.print(f"exported {sum(counts.values())} rows to {file}: {_counts(counts)}")


@state_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A file written by `tutor state export`.")],
    url: UrlOption = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Delete what the target store holds first (else it must be empty)."),
    ] = False,
) -> None:
    """Load FILE into the store (e.g. a SQLite export into a new PostgreSQL)."""
    from tutor.state.open import open_all
    from tutor.state.transfer import import_state

    settings = state.settings()
    with open_all(settings.state, settings.data_dir, url) as dbs:
        counts = import_state(dbs, file, replace=replace)
    console.print(f"imported {sum(counts.values())} rows from {file}: {_counts(counts)}")


def register(app: typer.Typer) -> None:
    app.add_typer(state_app, name="state")
