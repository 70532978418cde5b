"""The CLI's client of a resident `tutor serve`: the same answers and passages, without loading a model.

`connect` decides whether to use a server at all (`cli.server`: auto, never or a URL); the client
speaks plain HTTP/1.1 (stdlib `http.client`: the CLI must start in well under a second, and this is
one JSON request) and returns the API's own models (`Answer`, `Passage`), so the CLI prints the
same thing whichever way the answer came.  A server that cannot be reached, or stops mid-request,
raises `ServerUnavailable` (the CLI answers in-process instead); a server that refuses the key
raises `ServerRefused` (a configuration the user must fix, not something to paper over).
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.api import discovery
from tutor.errors import TutorError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tutor.api.schemas import Passage
    from tutor.api.settings import CliSettings
    from tutor.chain.answer import Answer
    from tutor.chain.condense import Turn

__all__ = ["ServerRefused", "ServerUnavailable", "TutorClient", "connect"]

log = logging.getLogger(__name__)


class ServerUnavailable(TutorError):
    """The server could not be reached, or stopped answering mid-request; answer in-process instead."""


class ServerRefused(TutorError):
    """The server refused the CLI's key (401/403); says which server and what to do."""


@dataclass(frozen=True)
class TutorClient:
    url: str
    token: str | None = field(repr=False)
    timeout_s: float
    announced: bool  # found through the data dir's serve.json (else: an explicit cli.server URL)

    def ask(self, question: str, learner: str | None, history: Sequence[Turn] = ()) -> Answer:
        """The `tutor ask --json` contract: the full checked answer, from `POST /api/ask` (with the
        conversation before it for `tutor chat`)."""
        from tutor.chain.answer import Answer

        body: dict[str, Any] = {"question": question, "learner": learner}
        if history:
            body["history"] = [{"role": role, "content": text} for role, text in history]
        return Answer.model_validate(self._post("/api/ask", body))

    def next_steps(
        self,
        learner: str | None,
        known: Sequence[str],
        text: str | None,
        hours: float | None,
        language: str | None,
    ) -> dict[str, Any]:
        """The `tutor next --json` contract, from `POST /api/next`."""
        body = {"learner": learner, "known": list(known), "text": text, "hours": hours, "language": language}
        return dict(self._post("/api/next", {k: v for k, v in body.items() if v not in (None, [])}))

    def retrieve(
        self, question: str, k: int | None, doc: str | None, stage: int | None, mode: str | None
    ) -> list[Passage]:
        """The `tutor retrieve --json` contract, from `POST /api/retrieve`."""
        from tutor.api.schemas import Passage

        body = {"question": question, "k": k, "doc": doc, "stage": stage, "mode": mode}
        payload = self._post("/api/retrieve", {k: v for k, v in body.items() if v is not None})
        return [Passage.model_validate(p) for p in payload]

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        parts = urllib.parse.urlsplit(self.url)
        conn_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = conn_type(parts.hostname or "127.0.0.1", parts.port, timeout=self.timeout_s)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            conn.request("POST", parts.path.rstrip("/") + path, json.dumps(body).encode("utf-8"), headers)
            response = conn.getresponse()
            status, raw = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out, cut short
            raise ServerUnavailable(f"the tutor server at {self.url} stopped answering ({exc!r})") from exc
        finally:
            conn.close()
        return self._decode(status, raw)

    def _decode(self, status: int, raw: bytes) -> Any:
        try:
            payload = json.loads(raw or b"null")
        except ValueError as exc:
            raise ServerUnavailable(f"{self.url} answered {status} with something that is not JSON") from exc
        if status == 200:
            return payload
        error = payload.get("error") if isinstance(payload, dict) else None
        message = str(error.get("message") or "") if isinstance(error, dict) else ""
        message = message or f"HTTP {status}"
        if status in (401, 403):
            if self.announced:  # serve.json is only a speed-up: a server that is not ours is no server
                raise ServerUnavailable(f"the tutor server at {self.url} refused the token in serve.json")
            raise ServerRefused(
                f"the tutor server at {self.url} refused this CLI ({message}); set cli.api_key "
                "(TUTOR_CLI__API_KEY) to a key from `tutor keys create` on that server, or cli.server "
                "to auto or never"
            )
        if status in (400, 404, 422):  # the input itself; in-process would refuse it too
            raise TutorError(message)
        raise ServerUnavailable(f"the tutor server at {self.url} answered {status}: {message}")


def connect(cfg: CliSettings, data_dir: Path, profiles: list[str]) -> TutorClient | None:
    """The server to use under `cli.server`, or None to answer in-process."""
    if cfg.server == "never":
        return None
    key = cfg.api_key.get_secret_value() if cfg.api_key else None
    if cfg.server != "auto":
        ann = discovery.read(data_dir)
        if key is None and ann is not None and ann.url == cfg.server:  # the same local server
            key = ann.token
        return TutorClient(cfg.server, key, cfg.request_timeout_s, announced=False)
    ann = discovery.find_server(data_dir, cfg.discovery_timeout_s)
    if ann is None:
        return None
    if ann.profiles and list(ann.profiles) != list(profiles):
        log.info(
            "The server at %s runs profiles %s, this command %s; answering in-process",
            ann.url,
            ",".join(ann.profiles),
            ",".join(profiles),
        )
        return None
    return TutorClient(ann.url, ann.token, cfg.request_timeout_s, announced=True)
