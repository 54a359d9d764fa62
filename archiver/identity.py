"""Article identity: which captures are versions of one article.

Captures of one article group by its canonical URL, falling back to the final URL, so
that neither tracking parameters (``?utm_source=...``, ``fbclid``) nor redirects split
one article into several. Every URL is compared in a *key* form (``url_key``): the
normalisation a capture already applies (lower-case scheme and host, no default port,
no fragment, percent-encoding as sent), minus tracking parameters, minus the scheme
(``http`` and ``https`` of one host and path are the same article).

A page's canonical URL is a claim, and two claims are not trusted:

* a canonical URL on another registrable domain: a syndicated copy pointing at its
  original is that outlet's copy, not a version of the original (republication is
  another question);
* a canonical URL that is the site's home page while the page is not: a template bug
  that would merge every article of the site into one.

``CaptureKeys`` holds the three keys the catalog indexes for a capture: the URL as
asked (only for finding an article: a short link may lead to different articles over
time), the final URL and the article key.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from .errors import PolicyError
from .netpolicy import parse_target

__all__ = ["TRACKING_PARAMETERS", "CaptureKeys", "capture_keys", "registrable_domain",
           "strip_tracking", "url_key"]

#: Query parameters that say how a reader arrived, never which article: analytics
#: campaign tags (Google, Matomo/Piwik, Adobe, AT Internet, HubSpot, Mailchimp), click
#: ids of ad and social networks, and share/referral tags of large news sites.
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
    "twclid", "ttclid", "li_fat_id", "igshid", "igsh", "epik", "srsltid",
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp",
    "hsctatracking", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv",
    "wickedid", "s_cid", "s_kwcid", "cmpid", "ocid", "ncid", "icid", "smid", "smtyp",
    "sr_share", "ref_src", "ref_url", "__twitter_impression", "at_medium", "at_campaign",
    "at_custom1", "at_custom2", "at_custom3", "at_custom4", "ns_source", "ns_mchannel",
    "ns_campaign", "ns_linkname", "ns_fee", "cid_source", "xtor", "spm",
})
#: Prefixes of whole families of campaign parameters.
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "hsa_", "trk_", "ga_")


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureKeys:
    """The URL keys the catalog indexes for one capture (see the module docstring)."""

    asked: str
    final: str
    article: str


def strip_tracking(url: str) -> str | None:
    """``url`` normalised as a capture records it, without tracking parameters and
    fragment; None unless it is an http(s) URL."""
    try:
        normalised = parse_target(url).url
    except PolicyError:
        return None
    parts = urlsplit(normalised)
    # Filter the fields as written: re-encoding the rest could make two spellings of
    # one query differ ("a%20b" against "a+b").
    kept = [field for field in parts.query.split("&") if field and not _is_tracking(field)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(kept), ""))


def url_key(url: str) -> str | None:
    """The form in which URLs of one article compare equal (``//host/path?query``)."""
    stripped = strip_tracking(url)
    return None if stripped is None else stripped.split(":", 1)[1]


def registrable_domain(url: str) -> str | None:
    """The registrable domain of ``url`` (public suffix list), else its last two labels
    (reserved names such as ``.example`` have no public suffix); an IP address itself."""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return None
    if not host:
        return None
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    from tld import get_fld  # here: it loads urllib.request, which commands like verify never need

    found = get_fld(host, fix_protocol=True, fail_silently=True)
    return str(found) if found else ".".join(host.split(".")[-2:])


def capture_keys(document: dict[str, Any]) -> CaptureKeys:
    """The keys of a capture's provenance document (``schemas/provenance``)."""
    final_url = document["final_url"]
    final = url_key(final_url) or final_url
    asked = url_key(document["url"]) or document["url"]
    canonical = (document.get("article") or {}).get("canonical_url")
    if canonical and _trusted_canonical(canonical, final_url):
        return CaptureKeys(asked=asked, final=final, article=url_key(canonical) or final)
    return CaptureKeys(asked=asked, final=final, article=final)


def _trusted_canonical(canonical: str, final_url: str) -> bool:
    if url_key(canonical) is None:
        return False
    if registrable_domain(canonical) != registrable_domain(final_url):
        return False
    return not (_is_home(canonical) and not _is_home(final_url))


def _is_home(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def _is_tracking(field: str) -> bool:
    """Whether the query field ``name=value`` (or bare ``name``) is a tracking parameter."""
    name = unquote_plus(field.split("=", 1)[0]).lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)
