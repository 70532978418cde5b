"""The material's links: resources list/check, fetch-resources."""

from __future__ import annotations

from typing import Annotated

import typer

from tutor.cli import render
from tutor.cli._state import console, print_json, progress_bar, state

__all__ = ["register"]

resources_app = typer.Typer(
    help="Every linked resource of the material: list, check links.", no_args_is_help=True
)
ConcurrencyOption = Annotated[
    int | None, typer.Option("--concurrency", help="Requests in flight (default resources.concurrency).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@resources_app.command("list")
def resources_list(
    skill: Annotated[
        int | None, typer.Option("--skill", help="Only resources cited under this skill number.")
    ] = None,
    stage: Annotated[int | None, typer.Option("--stage", help="Only resources of this stage.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language contains, e.g. 中文 or 英文.")] = None,
    kind: Annotated[str | None, typer.Option("--type", help="Type contains, e.g. 视频, 书籍, 论文.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every resource with all its contexts as JSON.")
    ] = False,
) -> None:
    """The resource catalog (rebuilt by `tutor ingest`): one row per link, with where it appears."""
    from tutor.resources.operations import ensure_catalog

    app = state.app()
    ensure_catalog(app.catalog, app.ingest)
    rows = app.catalog.resources(skill=skill, lang=lang, kind=kind, stage=stage)
    if as_json:
        print_json(rows)
        return
    console.print(render.catalog_table(rows))


@resources_app.command("check")
def resources_check(concurrency: ConcurrencyOption = None, as_json: JsonOption = False) -> None:
    """Report dead or moved links (HEAD/GET, redirects followed) without re-indexing anything."""
    from tutor.resources.operations import check_resources

    app = state.app()
    bar, advance = progress_bar(len(app.catalog.resources()), "checking links")
    with bar:
        report = check_resources(app.catalog, app.settings, concurrency, progress=advance)
    if as_json:
        print_json(report)
        return
    for renderable in render.check_table(report):
        console.print(renderable)


def fetch_resources_cmd(
    only_new: Annotated[
        bool, typer.Option("--only-new", help="Only resources never fetched before.")
    ] = False,
    concurrency: ConcurrencyOption = None,
    no_index: Annotated[
        bool, typer.Option("--no-index", help="Fetch and extract only; do not re-index.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Fetch the linked pages politely, extract their main text and index it (with the URL as source)."""
    from tutor.resources.operations import ensure_catalog, fetch_resources, to_fetch

    app = state.app()
    ensure_catalog(app.catalog, app.ingest)
    bar, advance = progress_bar(len(to_fetch(app.catalog, only_new)), "fetching")
    with bar:
        summary = fetch_resources(
            app.catalog, app.settings, app.ingest, only_new, concurrency, progress=advance, index=not no_index
        )
    payload = summary.to_json()
    if as_json:
        print_json(payload)
        return
    for renderable in render.fetch_table(payload, summary.ingest.total_chunks if summary.ingest else None):
        console.print(renderable)


def register(app: typer.Typer) -> None:
    app.add_typer(resources_app, name="resources")
    app.command("fetch-resources")(fetch_resources_cmd)
