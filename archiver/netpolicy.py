"""Which URLs and addresses a capture may reach.

A capture tool that fetches what users (or feeds, or redirects) name is an SSRF
vector: ``http://169.254.169.254/`` is a cloud metadata service, ``http://2130706433/``
is 127.0.0.1. So the check is made on the address the socket actually connects to,
for every hop, after name resolution; never on the host name in the URL.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from .errors import PolicyError

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
#: Characters left as they are in a request target; everything else is percent-encoded.
_TARGET_SAFE = "/%:@!$&'()*+,;=-._~?"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address_class(addr: IPAddress) -> str | None:
    """Why ``addr`` is not a public unicast address, or None when it is one."""
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    for name, flag in (
        ("unspecified", addr.is_unspecified),
        ("loopback", addr.is_loopback),
        ("link-local", addr.is_link_local),
        ("multicast", addr.is_multicast),
        ("private", addr.is_private),
        ("reserved", addr.is_reserved),
    ):
        if flag:
            return name
    return None if addr.is_global else "non-global"


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkPolicy:
    """Public addresses are always allowed; others only when the user says so.

    ``allow_private`` allows every address. ``allowed_networks`` allows non-public
    addresses in those ranges only (so tests can allow 127.0.0.1 but not 127.0.0.2).
    """

    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()

    def check_address(self, url: str, ip: str) -> None:
        """Raise PolicyError unless connecting to ``ip`` for ``url`` is allowed."""
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
        kind = _address_class(addr)
        if kind is None or self.allow_private:
            return
        if any(addr in net for net in self.allowed_networks if net.version == addr.version):
            return
        raise PolicyError(
            url, f"{ip} is not a public address ({kind}); allow it with --allow-private or --allow-network CIDR"
        )


def parse_networks(cidrs: list[str]) -> tuple[IPNetwork, ...]:
    """Parse ``--allow-network`` values; ValueError names the bad one."""
    nets = []
    for cidr in cidrs:
        try:
            nets.append(ipaddress.ip_network(cidr, strict=False))
        except ValueError as exc:
            raise ValueError(f"{cidr!r} is not an IP network like 127.0.0.1/32") from exc
    return tuple(nets)


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """A URL taken apart for one HTTP request."""

    url: str  # normalised
    scheme: str
    host: str  # IDNA-encoded, no brackets
    port: int
    host_header: str
    request_target: str


def parse_target(url: str) -> Target:
    """Check the scheme and split ``url``; PolicyError for anything but http(s) URLs."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise PolicyError(url, f"not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise PolicyError(url, f"scheme {scheme or '(none)'!r} is not http or https")
    if not parts.hostname:
        raise PolicyError(url, "the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise PolicyError(url, "URLs with credentials are not captured")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise PolicyError(url, f"host {parts.hostname!r} is not a valid name") from exc
    port = port or DEFAULT_PORTS[scheme]
    shown_host = f"[{host}]" if ":" in host else host
    netloc = shown_host if port == DEFAULT_PORTS[scheme] else f"{shown_host}:{port}"
    path = quote(parts.path or "/", safe=_TARGET_SAFE)
    query = quote(parts.query, safe=_TARGET_SAFE)
    target = path + (f"?{query}" if query else "")
    normalised = urlunsplit((scheme, netloc, path, query, ""))  # fragments are never sent
    return Target(url=normalised, scheme=scheme, host=host, port=port, host_header=netloc,
                  request_target=target)
