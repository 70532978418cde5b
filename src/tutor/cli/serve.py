"""The resident server and its keys: `tutor serve`, `tutor keys create/list/revoke`."""

from __future__ import annotations

import logging
import os
import signal
import socket
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tutor.cli._state import console, print_json, state
from tutor.errors import TutorError

if TYPE_CHECKING:
    from tutor.config import Settings

__all__ = ["register"]

keys_app = typer.Typer(help="API keys for `tutor serve` (hashed at rest; shown once).", no_args_is_help=True)


def serve(
    host: Annotated[
        str | None, typer.Option("--host", help="Bind address (default api.host: 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default api.port: 7860).")] = None,
    no_ui: Annotated[bool, typer.Option("--no-ui", help="Serve the HTTP API alone, without the UI.")] = False,
    no_ingest: Annotated[
        bool,
        typer.Option(
            "--no-ingest", help="Do not refresh the index at start-up (replicas of a shared index)."
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="API processes sharing the index and learner store (one per core; needs --no-ui).",
        ),
    ] = 1,
) -> None:
    """Serve the HTTP API (OpenAI-compatible /v1, /api, /healthz, /readyz) and the UI at /, in one process.

    While it runs, `tutor ask` and `tutor retrieve` on this machine and data dir use it (serve.json)."""
    from tutor.api.factory import serve_app

    for name in ("tutor.serve", "tutor.ui"):  # start-up progress (index ready, offline mode) always shows
        logger = logging.getLogger(name)
        logger.setLevel(min(logger.getEffectiveLevel(), logging.INFO))
    if workers > 1 and not no_ui:
        raise TutorError(
            "--workers needs --no-ui: the UI's queue keeps each page in one process; serve the UI "
            "from its own `tutor serve` or `tutor ui`"
        )
    app = state.app()
    cfg = app.settings.api
    bind, at = host or cfg.host, port if port is not None else cfg.port
    if workers > 1:
        from tutor.api.workers import run_workers

        console.print(
            f"[green]tutor serve[/] at [bold]http://{bind}:{at}[/] — API at /v1 and /api, {workers} workers"
        )
        level = "INFO" if state.verbose else None
        run_workers(app, state.profile, state.data_dir, level, bind, at, workers, ingest=not no_ingest)
        return
    sock = _listen(bind, at)  # bound before the slow start-up work, so a busy port fails at once
    api = serve_app(app, ingest=not no_ingest, with_ui=not no_ui)
    at = sock.getsockname()[1]  # the real port when 0 asked for any free one
    console.print(
        f"[green]tutor serve[/] at [bold]http://{bind}:{at}[/] — API at /v1 and /api"
        f"{'' if no_ui else ', UI at /'}, schema at /openapi.json (Ctrl-C stops it)"
    )
    _serve_announced(api, sock, app.settings, bind)


def _listen(bind: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    try:
        return socket.create_server((bind, port), family=family, backlog=2048)
    except OSError as exc:
        raise TutorError(f"Cannot serve on {bind}:{port}: {exc}; pick another --port") from exc


def _exit_on_sigterm(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def _serve_announced(api: Any, sock: socket.socket, settings: Settings, bind: str) -> None:
    """Run uvicorn on `sock`; meanwhile serve.json in the data dir tells local CLIs where and how to
    reach this server (the token only ever goes to that 0600 file), and is removed on a clean stop."""
    import uvicorn

    from tutor.api import discovery

    token = discovery.new_token()
    api.state.local_token = token
    url = discovery.local_url(bind, sock.getsockname()[1])
    ann = discovery.Announcement(url, os.getpid(), token, tuple(settings.profiles))
    path = discovery.announce(settings.data_dir, ann)
    logging.getLogger("tutor.serve").info("Local CLIs find this server through %s", path)
    server = uvicorn.Server(uvicorn.Config(api, log_level="warning", timeout_graceful_shutdown=10))
    # uvicorn shuts down gracefully on SIGTERM, then re-raises it; the default action would kill the
    # process before the announcement is withdrawn, so it becomes an exit instead
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        server.run(sockets=[sock])
    finally:
        signal.signal(signal.SIGTERM, previous)
        discovery.withdraw(settings.data_dir, ann)
        sock.close()


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", help="Who or what uses the key (shown in `keys list`).")],
    learner: Annotated[
        str | None,
        typer.Option("--learner", help="Bind the key to one learner: it reaches only their data."),
    ] = None,
) -> None:
    """Create a key; it is printed once (only its hash is stored)."""
    from tutor.api.factory import keys_for

    new = keys_for(state.app()).create(name, learner)
    console.print(f"key [bold]{new.key.id}[/] ({new.key.scope}) — store it now, it is not shown again:")
    typer.echo(new.secret)


@keys_app.command("list")
def keys_list(
    all_keys: Annotated[bool, typer.Option("--all", help="Include revoked keys.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The keys (ids, names, scopes; never secrets)."""
    from tutor.api.factory import keys_for

    keys = keys_for(state.app()).list(include_revoked=all_keys)
    if as_json:
        print_json([{**k.__dict__, "scope": k.scope} for k in keys])
        return
    for k in keys:
        revoked = f"  revoked {k.revoked_at}" if k.revoked_at else ""
        console.print(f"{k.id}  {k.scope:<24} {k.name}  created {k.created_at}{revoked}", highlight=False)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (from `tutor keys list`).")],
) -> None:
    """Revoke a key: every request with it is refused from now on."""
    from tutor.api.factory import keys_for

    key = keys_for(state.app()).revoke(key_id)
    console.print(f"revoked {key.id} ({key.name})")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(keys_app, name="keys")
