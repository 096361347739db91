"""SSRF guard: Newsstand fetches URLs that users and feeds supply, so it must not be turned
into a way to reach the operator's own network (router admin pages, cloud metadata at
169.254.169.254, databases on localhost, ...).

Two layers, both driven by `address_refusal()`:

* `check_url(url)` validates a URL up front (scheme, host) and resolves it, refusing if any
  address it resolves to is not public. It gives a clear error before any connection is made.
* `GuardedBackend` is the httpcore network backend the fetcher's client connects through. It
  resolves the host once, checks every address, and then connects to *that checked IP*. A
  check-then-connect design that let the HTTP library resolve the name again would be open to
  DNS rebinding (a hostile DNS server answers the check with a public address and the connect
  with 127.0.0.1). Because only the TCP connect is redirected to the checked IP, TLS still uses
  the original hostname for SNI and certificate verification, and the Host header is unchanged.
  The client must not use environment proxies (`trust_env=False`), or the connect would go to
  the proxy and the guard would check the wrong host.

Setting `settings.ALLOW_PRIVATE_URLS` (NEWSSTAND_ALLOW_PRIVATE_URLS=1) turns the refusals off,
for tests and a local "publisher web".
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import typing
from typing import Literal
from urllib.parse import urlsplit

import httpcore
from django.conf import settings

log = logging.getLogger(__name__)

FetchErrorKind = Literal[
    "blocked_address",
    "dns",
    "connect",
    "timeout",
    "too_large",
    "too_many_redirects",
    "http_status",
    "invalid_url",
    "protocol",
]

ALLOWED_SCHEMES = frozenset({"http", "https"})
ALLOW_HINT = "private addresses are refused (set NEWSSTAND_ALLOW_PRIVATE_URLS=1 to allow)"

# RFC 6598 shared address space (carrier-grade NAT); `ipaddress` does not flag it as private.
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
# NAT64 well-known prefix: the embedded IPv4 address is what is really reached.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """A fetch failed; `kind` is machine-readable, `message` is for a staff member to read."""

    def __init__(
        self,
        kind: FetchErrorKind,
        message: str,
        *,
        status: int | None = None,
        retry_after_s: float | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind: FetchErrorKind = kind
        self.message = message
        self.status = status
        self.retry_after_s = retry_after_s
        self.url = url

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"FetchError({self.kind!r}, {self.message!r}, status={self.status!r})"


def _category(ip: IPAddress) -> str | None:
    """The reason `ip` is not a public unicast address, or None if it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = _category(embedded)
            return f"{inner} (embedded in an IPv6 address)" if inner else None
    checks: list[tuple[bool, str]] = [
        (ip.is_loopback, "a loopback address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "a carrier-grade NAT address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private-network address"),
        (not ip.is_global, "not a public address"),
    ]
    for flagged, reason in checks:
        if flagged:
            return reason
    return None


def address_refusal(address: str | IPAddress) -> str | None:
    """Why connecting to `address` is refused, or None if it is allowed.

    Pure apart from reading `settings.ALLOW_PRIVATE_URLS`; the unit under test for the policy.
    """
    if settings.ALLOW_PRIVATE_URLS:
        return None
    try:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    except ValueError:
        return f"{address!r} is not an IP address"
    reason = _category(ip)
    if reason is None:
        return None
    return f"Address {ip} is {reason}; {ALLOW_HINT}"


def _split_host(url: str) -> tuple[str, int]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError("invalid_url", f"The URL {url!r} is not valid: {exc}", url=url) from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise FetchError(
            "invalid_url",
            f"Only http and https URLs can be fetched; {url!r} has {shown}",
            url=url,
        )
    host = parts.hostname
    if not host:
        raise FetchError("invalid_url", f"The URL {url!r} has no host name", url=url)
    return host, port or (443 if scheme == "https" else 80)


def resolve(host: str, port: int) -> list[str]:
    """All addresses `host` resolves to, in the resolver's order; FetchError('dns') if none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns", f"The host name {host!r} could not be resolved ({exc})") from None
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        # Strip an IPv6 zone id ("fe80::1%eth0"); ipaddress wants the bare address.
        addr = str(sockaddr[0]).split("%", 1)[0]
        if addr not in addresses:
            addresses.append(addr)
    if not addresses:
        raise FetchError("dns", f"The host name {host!r} has no addresses")
    return addresses


def check_addresses(host: str, addresses: list[str]) -> None:
    """Refuse if any address is not public: a name that resolves to both a public and a
    private address is treated as hostile rather than "probably fine"."""
    for addr in addresses:
        reason = address_refusal(addr)
        if reason is not None:
            shown = (
                reason if host == addr else f"{host} resolves to {reason[0].lower()}{reason[1:]}"
            )
            log.warning("netguard refused host=%s address=%s", host, addr)
            raise FetchError("blocked_address", shown)


def check_url(url: str) -> None:
    """Raise FetchError('invalid_url' / 'dns' / 'blocked_address') unless `url` may be fetched."""
    host, port = _split_host(url)
    if settings.ALLOW_PRIVATE_URLS:
        return
    try:
        check_addresses(host, resolve(host, port))
    except FetchError as exc:
        exc.url = url
        raise


class GuardedBackend(httpcore.SyncBackend):
    """Resolves, checks and connects to the same address (see the module docstring)."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port)
        check_addresses(host, addresses)
        last_error: Exception | None = None
        for addr in addresses:
            try:
                return super().connect_tcp(
                    addr,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:  # try the next address, like create_connection
                last_error = exc
        assert last_error is not None  # resolve() never returns an empty list
        raise last_error
