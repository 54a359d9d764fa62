"""Shared fixtures: real loopback HTTP/HTTPS servers, the corpus, fixed clock and ids."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from archiver.testing import LoopbackSite
from tests.certs import make_ca_and_server

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(name="site")
def _site():
    """An HTTP server on 127.0.0.1 serving examples/site plus routes a test adds."""
    with LoopbackSite(EXAMPLES / "site") as site:
        yield site


@pytest.fixture(name="tls_files", scope="session")
def _tls_files(tmp_path_factory):
    """(ca.pem, server chain, server key) made for this test session."""
    return make_ca_and_server(tmp_path_factory.mktemp("tls"))


@pytest.fixture(name="tls_site")
def _tls_site(tls_files):
    """An HTTPS server on 127.0.0.1 with a certificate from the session's test CA."""
    _ca, chain, key = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key)
    with LoopbackSite(EXAMPLES / "site", tls=context) as site:
        yield site


@pytest.fixture(name="corpus")
def _corpus() -> Path:
    """The shared real-world corpus (read-only, never copied into the repo)."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS
