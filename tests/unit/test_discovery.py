"""serve.json (how a running `tutor serve` announces itself), `cli.*` settings and the client's choice
of path; the real server and the CLI through it are in tests/integration/test_cli_server.py."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.api import discovery
from tutor.api.client import ServerRefused, ServerUnavailable, TutorClient, connect
from tutor.api.discovery import Announcement
from tutor.api.settings import CliSettings
from tutor.config import load_settings
from tutor.errors import ConfigError, TutorError


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_announcement_is_private_and_complete(tmp_path: Path) -> None:
    ann = Announcement("http://127.0.0.1:1234", 4321, discovery.new_token(), ("default", "test"))
    path = discovery.announce(tmp_path / "data", ann)
    assert path == tmp_path / "data" / "serve.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {
        "url": "http://127.0.0.1:1234",
        "pid": 4321,
        "token": ann.token,
        "profiles": ["default", "test"],
    }
    assert discovery.read(tmp_path / "data") == ann
    assert [p.name for p in path.parent.iterdir()] == ["serve.json"]  # no temporary file left behind


def test_the_token_is_random_and_never_in_the_repr() -> None:
    tokens = {discovery.new_token() for _ in range(20)}
    assert len(tokens) == 20
    assert all(t.startswith("tl-") and len(t) > 40 for t in tokens)
    ann = Announcement("http://127.0.0.1:1", 1, next(iter(tokens)))
    assert ann.token not in repr(ann)
    assert ann.token not in repr(TutorClient("http://127.0.0.1:1", ann.token, 1.0, announced=True))


def test_withdraw_removes_only_its_own_announcement(tmp_path: Path) -> None:
    mine = Announcement("http://127.0.0.1:1", os.getpid(), discovery.new_token())
    theirs = Announcement("http://127.0.0.1:2", os.getpid(), discovery.new_token())
    discovery.announce(tmp_path, theirs)
    discovery.withdraw(tmp_path, mine)  # another server replaced ours: its file stays
    assert discovery.read(tmp_path) == theirs
    discovery.withdraw(tmp_path, theirs)
    assert not (tmp_path / "serve.json").exists()
    discovery.withdraw(tmp_path, theirs)  # nothing there: no error


@pytest.mark.parametrize(
    "content", ["", "{", "[]", '{"url": "http://x"}', '{"url": 1, "pid": "x", "token": 2}']
)
def test_an_unreadable_announcement_is_none(tmp_path: Path, content: str) -> None:
    (tmp_path / "serve.json").write_text(content)
    assert discovery.read(tmp_path) is None
    assert discovery.find_server(tmp_path, 0.2) is None


def test_a_stale_announcement_is_ignored(tmp_path: Path) -> None:
    discovery.announce(tmp_path, Announcement("http://127.0.0.1:9", _dead_pid(), discovery.new_token()))
    assert discovery.find_server(tmp_path, 0.2) is None  # the process is gone
    url = f"http://127.0.0.1:{_closed_port()}"
    discovery.announce(tmp_path, Announcement(url, os.getpid(), discovery.new_token()))
    assert discovery.find_server(tmp_path, 0.2) is None  # alive, but nothing answers /healthz
    assert discovery.find_server(tmp_path / "elsewhere", 0.2) is None  # no file at all


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:80"),
        ("0.0.0.0", "http://127.0.0.1:80"),
        ("", "http://127.0.0.1:80"),
        ("::", "http://[::1]:80"),
        ("::1", "http://[::1]:80"),
        ("localhost", "http://localhost:80"),
    ],
)
def test_a_wildcard_bind_is_reached_on_loopback(host: str, url: str) -> None:
    assert discovery.local_url(host, 80) == url


@pytest.mark.parametrize(
    ("value", "expected"),
    [("auto", "auto"), ("never", "never"), ("http://127.0.0.1:7860/", "http://127.0.0.1:7860")],
)
def test_cli_server_setting(monkeypatch: pytest.MonkeyPatch, value: str, expected: str) -> None:
    monkeypatch.setenv("TUTOR_CLI__SERVER", value)
    assert load_settings().cli.server == expected


def test_a_bad_cli_server_setting_says_what_to_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_CLI__SERVER", "sometimes")
    with pytest.raises(ConfigError, match="use auto, never or a URL"):
        load_settings()


def test_the_default_is_auto_with_short_discovery() -> None:
    cfg = CliSettings()
    assert cfg.server == "auto" and cfg.api_key is None and cfg.discovery_timeout_s <= 10


def test_connect_chooses_the_path(tmp_path: Path) -> None:
    ann = Announcement("http://127.0.0.1:5", os.getpid(), discovery.new_token(), ("default",))
    discovery.announce(tmp_path, ann)
    assert connect(CliSettings(server="never"), tmp_path, ["default"]) is None
    # an explicit URL is used as given; the announced token goes only to the URL it was made for
    same = connect(CliSettings(server=ann.url), tmp_path, ["default"])
    assert same is not None and same.token == ann.token and not same.announced
    other = connect(CliSettings(server="http://127.0.0.1:6"), tmp_path, ["default"])
    assert other is not None and other.token is None
    keyed = connect(CliSettings(server="http://127.0.0.1:6", api_key="tk-a-b"), tmp_path, ["default"])  # type: ignore[arg-type]
    assert keyed is not None and keyed.token == "tk-a-b"
    # auto: nothing answers at the announced URL, so in-process
    assert connect(CliSettings(discovery_timeout_s=0.2), tmp_path, ["default"]) is None


def test_a_server_that_does_not_answer_is_unavailable() -> None:
    client = TutorClient(f"http://127.0.0.1:{_closed_port()}", "tl-x", 1.0, announced=True)
    with pytest.raises(ServerUnavailable, match="stopped answering"):
        client.retrieve("RAG", None, None, None, None)


def test_answers_are_decoded_by_status() -> None:
    announced = TutorClient("http://127.0.0.1:1", "tl-x", 1.0, announced=True)
    explicit = TutorClient("http://127.0.0.1:1", "tk-x", 1.0, announced=False)
    body = json.dumps({"error": {"message": "invalid or revoked API key", "type": "http_error"}}).encode()
    with pytest.raises(ServerUnavailable, match="refused the token"):
        announced._decode(401, body)  # a server that is not the announced one: answer in-process
    with pytest.raises(ServerRefused, match="TUTOR_CLI__API_KEY"):
        explicit._decode(401, body)  # a key the user configured: they must fix it
    with pytest.raises(TutorError, match="empty question") as bad_input:
        explicit._decode(
            400, json.dumps({"error": {"message": "empty question", "type": "InputError"}}).encode()
        )
    assert not isinstance(bad_input.value, ServerUnavailable)
    with pytest.raises(ServerUnavailable, match="503"):
        explicit._decode(503, b'{"error": {"message": "index not ready", "type": "x"}}')
    with pytest.raises(ServerUnavailable, match="not JSON"):
        explicit._decode(502, b"<html>bad gateway</html>")
    with pytest.raises(ServerUnavailable, match="answered 500: HTTP 500"):
        explicit._decode(500, b'{"error": "boom"}')  # not OpenAI's error shape: the status says it
    assert explicit._decode(200, b'[{"a": 1}]') == [{"a": 1}]


HEAVY = ("torch", "sentence_transformers", "chromadb", "langchain_core", "jieba", "tutor.app", "transformers")


def test_the_cli_package_imports_nothing_heavy() -> None:
    """What every `tutor` command pays before it runs: the library is imported by the commands that
    need it (cold start; `bench/cli_cold.py` measures the whole command)."""
    code = f"import sys, tutor.cli; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
