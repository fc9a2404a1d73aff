"""SSRF guard: webhooks call http(s) URLs on public hosts only.

A callback URL whose host resolves to a loopback, private, link-local (cloud metadata at
169.254.169.254), shared, reserved or multicast address is refused, when the webhook is saved
and again when it is called (DNS may have changed since): delivery connects to the very address
that was checked (`create_connection`), so a second lookup cannot swap in another one.
`WEBHOOK_ALLOW_PRIVATE_URLS=1` lifts the address check (tests, local development).
"""

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeURL(Exception):
    pass


def resolve(host: str, port: int) -> list[tuple]:
    """getaddrinfo, in one place so that tests can stand in for DNS."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def split_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or UnsafeURL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeURL("is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL("must be an http or https URL")
    if not parts.hostname:
        raise UnsafeURL("must name a host")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def public_addresses(host: str, port: int, *, strict: bool) -> list[tuple]:
    """The addresses of `host`; UnsafeURL if any is not public (unless private URLs are
    allowed). `strict`: a host that does not resolve is refused too (delivery time); at save
    time it is let through, as delivery checks it again."""
    try:
        infos = resolve(host, port)
    except (socket.gaierror, UnicodeError):
        if strict:
            raise UnsafeURL(f"host {host} could not be resolved") from None
        return []
    if not settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        for info in infos:
            if not is_public(info[4][0]):
                raise UnsafeURL("must point to a public host (private addresses are refused)")
    return infos


def check_url(url: str) -> None:
    """Raise UnsafeURL when `url` may not be a callback URL (save time)."""
    _, host, port = split_url(url)
    if not settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        public_addresses(host, port, strict=False)


def create_connection(address, timeout=None, source_address=None, *args, **kwargs):
    """Stands in for socket.create_connection in http.client: connects only to a checked
    address of the host (the TLS layer still verifies the certificate for the host name)."""
    host, port = address
    last_error = None
    for family, type_, proto, _, sockaddr in public_addresses(host, port, strict=True):
        sock = socket.socket(family, type_, proto)
        try:
            if isinstance(timeout, int | float):
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            last_error = exc
            sock.close()
    raise last_error or OSError(f"could not connect to {host}")


def post(url: str, body: bytes, headers: dict, *, timeout: float, read_limit: int):
    """POST to `url` without following redirects, connecting only to a checked address:
    (status, reason, the body's first `read_limit` bytes). Raises UnsafeURL, TimeoutError,
    OSError, ValueError or http.client.HTTPException (webhooks' deliveries, payment gateways)."""
    scheme, host, port = split_url(url)
    if scheme == "https":
        conn = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    conn._create_connection = create_connection
    try:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("POST", target, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.reason, response.read(read_limit)
    finally:
        conn.close()
