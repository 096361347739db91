"""The SSRF guard's policy, on addresses directly and through check_url/GuardedBackend."""

from __future__ import annotations

import socket

import pytest
from pytest_django.fixtures import Settings

from newsstand.ingest import netguard
from newsstand.ingest.netguard import FetchError, GuardedBackend, address_refusal, check_url


@pytest.fixture(autouse=True)
def _deny_private(settings: Settings) -> None:
    settings.ALLOW_PRIVATE_URLS = False


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.1.2.3", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private-network"),
        ("172.16.0.1", "private-network"),
        ("192.168.1.1", "private-network"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private-network"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("240.0.0.1", "reserved"),
        ("::ffff:127.0.0.1", "loopback address (embedded in an IPv6"),
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("192.0.2.1", "address"),  # TEST-NET-1 documentation range
    ],
)
def test_non_public_addresses_are_refused(address: str, reason: str) -> None:
    refusal = address_refusal(address)
    assert refusal is not None
    assert reason in refusal
    assert "NEWSSTAND_ALLOW_PRIVATE_URLS=1" in refusal


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "2606:4700::6810:85e5", "::ffff:8.8.8.8"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(address) is None


def test_setting_allows_private(settings: Settings) -> None:
    settings.ALLOW_PRIVATE_URLS = True
    assert address_refusal("127.0.0.1") is None
    check_url("http://127.0.0.1:8000/feed")


def test_loopback_message_is_plain_english() -> None:
    assert address_refusal("127.0.0.1") == (
        "Address 127.0.0.1 is a loopback address; private addresses are refused "
        "(set NEWSSTAND_ALLOW_PRIVATE_URLS=1 to allow)"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.0.0.5:8080/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8000/",
        "http://localhost/",
        "https://0x7f000001/",
    ],
)
def test_check_url_refuses_private_targets(url: str) -> None:
    with pytest.raises(FetchError) as err:
        check_url(url)
    assert err.value.kind == "blocked_address"


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "javascript:alert(1)", "http:///path", "//example.com/"]
)
def test_check_url_rejects_invalid(url: str) -> None:
    with pytest.raises(FetchError) as err:
        check_url(url)
    assert err.value.kind == "invalid_url"


def _fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> None:
    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list[object]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", getaddrinfo)


def test_name_resolving_to_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(monkeypatch, {"news.example": ["93.184.215.14", "10.0.0.7"]})
    with pytest.raises(FetchError) as err:
        check_url("https://news.example/feed")
    assert err.value.kind == "blocked_address"
    assert err.value.message.startswith("news.example resolves to address 10.0.0.7")


def test_unknown_host_is_dns_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(monkeypatch, {})
    with pytest.raises(FetchError) as err:
        check_url("https://nowhere.example/feed")
    assert err.value.kind == "dns"
    assert "could not be resolved" in err.value.message


def test_backend_checks_the_address_it_connects_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name looked public when checked, then resolves to loopback at connect
    time. The backend resolves again itself and refuses before opening a socket."""
    _fake_dns(monkeypatch, {"rebind.example": ["127.0.0.1"]})
    connects: list[object] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connects.append(a))
    with pytest.raises(FetchError) as err:
        GuardedBackend().connect_tcp("rebind.example", 80, timeout=1)
    assert err.value.kind == "blocked_address"
    assert connects == []
