"""A throwaway PostgreSQL 15 cluster for the tests (Debian's binaries), or the one TUTOR_TEST_PG_URL names.

`initdb` refuses to run as root, so as root the cluster belongs to the `postgres` system user
(commands run through `runuser`); as anyone else it is the caller's own. It listens on a free
loopback port with trust auth, fsync off (throwaway data), and is stopped and deleted at teardown.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from tests.servers import free_port

PG_BIN = Path(os.environ.get("TUTOR_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
ENV_URL = "TUTOR_TEST_PG_URL"


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def _run(cmd: list[str]) -> None:
    done = subprocess.run(_as_owner(cmd), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
        )


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster; yields the admin URL (database `postgres`, superuser `tutor`)."""
    if not (PG_BIN / "initdb").exists():
        raise RuntimeError(
            f"PostgreSQL binaries not found in {PG_BIN}; install postgresql-15 or set {ENV_URL}"
        )
    base = Path(tempfile.mkdtemp(prefix="tutor-pg-"))  # under /tmp, where the postgres user can reach it
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    data, port = base / "data", free_port()
    try:
        _run(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "tutor",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        )
        opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"])
        try:
            yield f"postgresql+psycopg://tutor@127.0.0.1:{port}/postgres"
        finally:
            _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def check_reachable(url: str) -> None:
    try:
        psycopg.connect(_libpq(url), connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        raise RuntimeError(f"{ENV_URL}={make_url(url).render_as_string()} is unreachable: {exc}") from exc


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server for one test; dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
