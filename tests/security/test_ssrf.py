"""SSRF: the resource fetcher never reaches internal addresses, in any spelling, through redirects or
DNS tricks; an operator's allow-list opens exactly what it names.  Real servers on loopback
(pytest-httpserver); 127.0.0.2 plays an "outside" host where a test needs one (allowed by CIDR)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from tutor.config import ResourceSettings
from tutor.resources.catalog import normalize_url
from tutor.resources.fetcher import Fetcher

pytestmark = [pytest.mark.integration]


def _fetcher(tmp_path: Path, **overrides) -> Fetcher:
    settings = ResourceSettings(delay_s=0.0, timeout_s=2.0, retries=0, **overrides)
    return Fetcher(settings, tmp_path / "cache")


@pytest.fixture
def internal() -> HTTPServer:
    """The 'internal' service an attacker wants: an admin page on loopback."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    server.expect_request("/admin").respond_with_data("INTERNAL-ADMIN-SECRET", content_type="text/plain")
    server.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    yield server
    server.clear()
    server.stop()


def _outside(target: str) -> HTTPServer:
    """A server on 127.0.0.2 (the test allows that one address) that redirects to `target`."""
    server = HTTPServer(host="127.0.0.2", port=0)
    server.start()
    server.expect_request("/robots.txt").respond_with_data("", content_type="text/plain")
    server.expect_request("/go").respond_with_response(Response(status=302, headers={"Location": target}))
    server.expect_request("/hop").respond_with_response(
        Response(status=301, headers={"Location": f"http://127.0.0.2:{server.port}/go"})
    )
    server.expect_request("/ok").respond_with_handler(
        lambda r: Response(f"public page, Host={r.headers.get('Host')}", content_type="text/plain")
    )
    return server


def _admin_hits(server: HTTPServer) -> int:
    return sum(1 for request, _ in server.log if request.path == "/admin")


def test_internal_addresses_are_refused_in_every_spelling(tmp_path: Path, internal: HTTPServer) -> None:
    port = internal.port
    urls = [
        f"http://127.0.0.1:{port}/admin",
        f"http://localhost:{port}/admin",
        f"http://2130706433:{port}/admin",  # decimal
        f"http://0x7f000001:{port}/admin",  # hex
        f"http://0177.0.0.1:{port}/admin",  # octal
        f"http://127.1:{port}/admin",  # short form
        f"http://[::1]:{port}/admin",
        f"http://[::ffff:127.0.0.1]:{port}/admin",  # IPv4-mapped IPv6
        f"http://0.0.0.0:{port}/admin",  # unspecified (reaches loopback on Linux)
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
    ]
    results = asyncio.run(_fetcher(tmp_path).fetch_many([(u, None, None) for u in urls]))
    for result in results:
        assert result.outcome == "failed", result
        assert result.reason.startswith("blocked:"), result
    assert _admin_hits(internal) == 0
    assert not list((tmp_path / "cache").glob("*.body"))


def test_a_redirect_to_an_internal_address_is_refused_at_that_hop(
    tmp_path: Path, internal: HTTPServer
) -> None:
    outside = _outside(f"http://127.0.0.1:{internal.port}/admin")
    try:
        fetcher = _fetcher(tmp_path, allow_networks=["127.0.0.2/32"])
        results = asyncio.run(
            fetcher.fetch_many(
                [
                    (f"http://127.0.0.2:{outside.port}/go", None, None),
                    (f"http://127.0.0.2:{outside.port}/hop", None, None),
                ]
            )
        )
        checks = asyncio.run(fetcher.check_many([f"http://127.0.0.2:{outside.port}/go"]))
    finally:
        outside.stop()
    assert [r.outcome for r in results] == ["failed", "failed"]
    assert all("blocked:" in r.reason and "loopback" in r.reason for r in results), results
    assert checks[0].outcome == "unreachable" and "blocked:" in checks[0].reason
    assert _admin_hits(internal) == 0


def test_the_resolved_address_is_pinned_and_the_host_name_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the first answer is public-ish (allowed), later ones point at loopback.
    One resolution per connection, the connection goes to the checked address, Host is the name."""
    outside = _outside("/ok")
    answers = ["127.0.0.2", "127.0.0.1", "127.0.0.1"]
    calls: list[str] = []

    async def fake_getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        address = answers[min(len(calls) - 1, len(answers) - 1)]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    import anyio

    monkeypatch.setattr(anyio, "getaddrinfo", fake_getaddrinfo)
    try:
        fetcher = _fetcher(tmp_path, allow_networks=["127.0.0.2/32"])
        url = f"http://rebind.test:{outside.port}/ok"

        async def one_connection() -> tuple:
            async with fetcher.client() as client, fetcher._open(client, "GET", url) as r:
                return r.status_code, (await r.aread()).decode()

        status, body = asyncio.run(one_connection())
        assert status == 200 and body == f"public page, Host=rebind.test:{outside.port}"
        assert calls == ["rebind.test"]
        # the next connection resolves again, gets loopback, and is refused
        results = asyncio.run(fetcher.fetch_many([(url, None, None)]))
        assert results[0].outcome == "failed" and "loopback" in results[0].reason
    finally:
        outside.stop()


def test_a_name_resolving_to_both_public_and_internal_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fake_getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port)),
        ]

    import anyio

    monkeypatch.setattr(anyio, "getaddrinfo", fake_getaddrinfo)
    results = asyncio.run(_fetcher(tmp_path).fetch_many([("http://mixed.test/page", None, None)]))
    assert results[0].outcome == "failed" and "link-local" in results[0].reason


def test_the_allow_list_opens_exactly_what_it_names(tmp_path: Path, internal: HTTPServer) -> None:
    ok = _fetcher(tmp_path, allow_networks=["127.0.0.0/8"])
    results = asyncio.run(ok.fetch_many([(f"http://127.0.0.1:{internal.port}/admin", None, None)]))
    assert results[0].outcome == "fetched"
    by_name = _fetcher(tmp_path / "b", allow_hosts=["localhost"])
    results = asyncio.run(
        by_name.fetch_many(
            [
                (f"http://localhost:{internal.port}/admin", None, None),
                (f"http://127.0.0.1:{internal.port}/admin", None, None),
            ]
        )
    )
    assert [r.outcome for r in results] == ["fetched", "failed"]


def test_bad_allow_network_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="allow_networks: 'intranet'"):
        ResourceSettings(allow_networks=["intranet"])


def test_ipv6_literals_keep_their_brackets_and_check_does_not_crash(tmp_path: Path) -> None:
    assert normalize_url("http://[::1]:8080/a/") == "http://[::1]:8080/a"
    assert normalize_url("https://[2001:db8::1]/x") == "https://[2001:db8::1]/x"
    results = asyncio.run(_fetcher(tmp_path).check_many([normalize_url("http://[::1]:9/x")]))
    assert results[0].outcome == "unreachable" and results[0].reason.startswith("blocked:")
