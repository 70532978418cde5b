"""How a running `tutor serve` announces itself to local CLIs: `<data_dir>/serve.json`.

The file holds the server's loopback URL, its pid and a random token made at start-up; it is written
atomically with mode 0600 (only the user who runs the server can read the token) and removed at a
clean shutdown.  A file left by a killed server is stale: its pid is gone, or nothing answers
/healthz at its URL within a short timeout; readers ignore it.  Stdlib only: the CLI reads this
before anything heavy is imported.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import secrets
import tempfile
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "FILE_NAME",
    "Announcement",
    "announce",
    "find_server",
    "healthy",
    "local_url",
    "new_token",
    "read",
    "withdraw",
]

log = logging.getLogger(__name__)

FILE_NAME = "serve.json"
TOKEN_PREFIX = "tl-"  # "tutor local": never a stored API key (those start with "tk-")


@dataclass(frozen=True)
class Announcement:
    """What a running server wrote about itself."""

    url: str
    pid: int
    token: str = field(repr=False)  # never in a log line or a traceback's locals summary
    profiles: tuple[str, ...] = ()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def local_url(host: str, port: int) -> str:
    """The URL a local client uses for a server bound to `host` (a wildcard bind is reached on loopback)."""
    if host in ("", "0.0.0.0"):  # noqa: S104 - mapping a wildcard bind to loopback, not binding
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def announce(data_dir: Path, ann: Announcement) -> Path:
    """Write the announcement atomically (a 0600 temporary file in the same directory, then rename)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / FILE_NAME
    fd, tmp = tempfile.mkstemp(prefix=".serve-", suffix=".json", dir=data_dir)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(
                {"url": ann.url, "pid": ann.pid, "token": ann.token, "profiles": list(ann.profiles)}, out
            )
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read(data_dir: Path) -> Announcement | None:
    """The announcement in `data_dir`, or None when there is none or it is unreadable."""
    path = data_dir / FILE_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Announcement(
            url=str(raw["url"]),
            pid=int(raw["pid"]),
            token=str(raw["token"]),
            profiles=tuple(str(p) for p in raw.get("profiles", ())),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.info("Ignoring %s: unreadable (%s)", path, type(exc).__name__)
        return None


def withdraw(data_dir: Path, ann: Announcement) -> None:
    """Remove the announcement at shutdown, unless another server has replaced it since."""
    current = read(data_dir)
    if current is not None and current.pid == ann.pid and current.token == ann.token:
        (data_dir / FILE_NAME).unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's: its token file would not be readable anyway
        return True
    return True


def healthy(url: str, timeout_s: float) -> bool:
    """Does something answer 200 on `url`/healthz within `timeout_s`?"""
    parts = urllib.parse.urlsplit(url)
    if parts.hostname is None:
        return False
    conn_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_type(parts.hostname, parts.port, timeout=timeout_s)
    try:
        conn.request("GET", parts.path.rstrip("/") + "/healthz")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def find_server(data_dir: Path, timeout_s: float) -> Announcement | None:
    """The live server announced in `data_dir`, or None (no file, dead pid, or no answer in time)."""
    ann = read(data_dir)
    if ann is None:
        return None
    if not _pid_alive(ann.pid):
        log.info("Ignoring the stale %s: process %d is gone", data_dir / FILE_NAME, ann.pid)
        return None
    if not healthy(ann.url, timeout_s):
        log.info(
            "Ignoring %s: %s/healthz did not answer within %g s", data_dir / FILE_NAME, ann.url, timeout_s
        )
        return None
    return ann
