"""The caller's IP address, as rate limits key it (limits.md §6).

`REMOTE_ADDR`, unless settings.TRUSTED_PROXIES names the proxy hops in front of the app (a TLS
proxy or load balancer is the normal deployment); then the address is read from
`X-Forwarded-For` behind them. Anyone can send that header, so it is only believed as far as
trusted proxies wrote it. TRUSTED_PROXIES is one of:

- a number N: the last N hops are trusted proxies, whatever their addresses (a cloud load
  balancer whose address changes): the caller is the N-th address of X-Forwarded-For counted
  from the right (the one the outermost trusted proxy appended);
- a comma-separated list of proxy addresses and networks (`10.0.0.0/8,2001:db8::1`): while the
  nearest hop (REMOTE_ADDR, then X-Forwarded-For from the right) is one of them, look one hop
  further; the first hop that is not is the caller.

Empty (the default) trusts nobody: X-Forwarded-For is ignored.

An IPv6 caller is counted by its /64 network (`ip_key`), the block one host usually gets, so that
rotating addresses inside it buys no fresh budget.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def caller_ip(request) -> str:
    """The caller's address as text ("" when unknown)."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    hops_trusted, networks = _trusted(_setting())
    if remote is None or (not hops_trusted and not networks):
        return str(remote or "")
    forwarded = [_address(hop) for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in forwarded if hop is not None] + [remote]
    if hops_trusted:
        return str(hops[max(len(hops) - 1 - hops_trusted, 0)])
    caller = hops.pop()
    while hops and any(caller in network for network in networks):
        caller = hops.pop()
    return str(caller)


def ip_key(address: str) -> str:
    """What a budget is keyed by: an IPv4 address, or an IPv6 address's /64 network."""
    parsed = _address(address)
    if parsed is None:
        return "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def _setting() -> str:
    value = getattr(settings, "TRUSTED_PROXIES", "") or ""
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):  # a list in settings
        return ",".join(str(item) for item in value)
    return value


@lru_cache(maxsize=8)
def _trusted(value: str) -> tuple[int, tuple]:
    """(number of trusted hops, trusted networks) from the setting's text."""
    value = value.strip()
    if value.isdigit():
        return int(value), ()
    networks = tuple(
        ipaddress.ip_network(item.strip(), strict=False)
        for item in value.split(",")
        if item.strip()
    )
    return 0, networks


def _address(text: str) -> Address | None:
    """An address from a header value: `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443`, `::1`."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
