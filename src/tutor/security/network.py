"""Outbound requests on behalf of the material: never to internal addresses (SSRF guard).

The resource fetcher follows links written by whoever wrote the corpus and the pages it links
to, so a URL is untrusted input. Every connection goes through `GuardedBackend`, which resolves
the host once, refuses loopback, private, link-local (cloud metadata), multicast, reserved,
unspecified and IPv4-mapped forms of those, and then connects to exactly the address it checked
(so a DNS answer that changes between check and connect -- rebinding -- cannot slip through).
TLS SNI and the Host header still carry the original name: httpcore takes them from the URL, not
from the address the backend connects to. Redirects are followed by the caller, hop by hop, and
each hop is checked again (`check_url`) before its connection is made.

Operators who really want an intranet list it in `resources.allow_networks` (CIDRs) or
`resources.allow_hosts` (names).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx

from tutor.errors import BlockedAddressError

__all__ = [
    "AddressGuard",
    "GuardedBackend",
    "guarded_client",
    "guarded_transport",
    "literal_ip",
    "open_checked",
    "redirect_target",
]

MAX_REDIRECTS = 10

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$", re.IGNORECASE)


def literal_ip(host: str) -> IPAddress | None:
    """The address a host written as an IP literal means, in any form a resolver accepts:
    dotted, bracketed IPv6, and the decimal/octal/hex spellings (2130706433, 0177.1, 0x7f000001)."""
    host = host.strip().strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _why_blocked(ip: IPAddress) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        mapped = _why_blocked(ip.ipv4_mapped)
        return f"IPv4-mapped {mapped}" if mapped else None
    for kind in ("loopback", "link_local", "multicast", "unspecified", "private", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    if not ip.is_global:
        return "not globally routable"
    return None


class AddressGuard:
    """Decides whether a host/address may be connected to; the allow-lists come from settings."""

    def __init__(self, allow_hosts: Iterable[str] = (), allow_networks: Iterable[str] = ()) -> None:
        self.allow_hosts = {h.strip().lower().rstrip(".") for h in allow_hosts if h.strip()}
        self.allow_networks = [ipaddress.ip_network(n, strict=False) for n in allow_networks]

    def _allowed_ip(self, ip: IPAddress) -> bool:
        candidates = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        return any(c in net for c in candidates for net in self.allow_networks if c.version == net.version)

    def check_ip(self, host: str, ip: IPAddress) -> None:
        """Raise BlockedAddressError unless `ip` is public or allowed by the operator."""
        if host.lower().rstrip(".") in self.allow_hosts or self._allowed_ip(ip):
            return
        why = _why_blocked(ip)
        if why:
            raise BlockedAddressError(host, str(ip), why)

    def check_url(self, url: str) -> None:
        """Before a request (and every redirect hop): scheme, and a host that is an IP literal."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise BlockedAddressError(url, "-", f"scheme '{parts.scheme or 'none'}' is not fetched")
        host = parts.hostname or ""
        if not host:
            raise BlockedAddressError(url, "-", "no host")
        ip = literal_ip(host)
        if ip is not None:
            self.check_ip(host, ip)

    async def resolve(self, host: str, port: int) -> str:
        """Resolve once, check every address, return the one to connect to (pinned)."""
        ip = literal_ip(host)
        if ip is not None:
            self.check_ip(host, ip)
            return str(ip)
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))
        if not addresses:
            raise OSError(f"no address for {host}")
        for address in addresses:  # one internal answer among public ones is refused too
            self.check_ip(host, ipaddress.ip_address(address))
        return addresses[0]


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that connects only to addresses the guard accepted."""

    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            address = await self.guard.resolve(host, port)
        except OSError as exc:  # DNS failure: the same error type as a refused connection
            raise httpcore.ConnectError(f"getaddrinfo failed for {host}: {exc}") from exc
        log.debug("connecting to %s (%s):%d", host, address, port)
        return await self._inner.connect_tcp(
            address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddressError(path, "-", "unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, guard: AddressGuard, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),  # the same default verification as httpx
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(guard),
        )


def guarded_transport(guard: AddressGuard, limits: httpx.Limits | None = None) -> httpx.AsyncBaseTransport:
    """An httpx transport whose every connection is checked and pinned by `guard`.

    Environment proxies are ignored on purpose (trust_env=False): through a proxy the proxy
    resolves the name, and the address check would protect nothing.
    """
    return _GuardedTransport(guard, limits or httpx.Limits())


def redirect_target(response: httpx.Response) -> str | None:
    """The absolute URL a redirect points to, or None when the response is not a redirect."""
    if not response.has_redirect_location:
        return None
    return str(response.url.join(response.headers["location"]))


def guarded_client(
    guard: AddressGuard, user_agent: str, limits: httpx.Limits | None = None
) -> httpx.AsyncClient:
    """A client whose connections go only to public (or operator-allowed) addresses; it follows
    no redirect itself (`open_checked` does, hop by hop) and ignores proxy variables."""
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent},
        follow_redirects=False,
        transport=guarded_transport(guard, limits),
        trust_env=False,
    )


@asynccontextmanager
async def open_checked(
    client: httpx.AsyncClient,
    guard: AddressGuard,
    method: str,
    url: str,
    headers: dict[str, str] | None,
    timeout_s: float,
) -> AsyncIterator[httpx.Response]:
    """Send and follow redirects ourselves: every hop's URL and address is checked again."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        guard.check_url(current)
        request = client.build_request(method, current, headers=headers, timeout=timeout_s)
        response = await client.send(request, stream=True)
        target = redirect_target(response)
        if target is None:
            try:
                yield response
            finally:
                await response.aclose()
            return
        await response.aclose()
        if response.status_code == 303:
            method = "GET"
        current = target
    raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects", request=request)
