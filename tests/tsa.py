"""A real RFC 3161 time-stamping authority on 127.0.0.1, for tests.

``openssl ts -reply`` does the time-stamping; a small threaded HTTP handler puts it on
the wire as RFC 3161 §3.4 describes (POST ``application/timestamp-query``, answer
``application/timestamp-reply``). The PKI is made here with ``cryptography``: a root CA,
an intermediate CA and a TSA certificate whose ExtendedKeyUsage is timeStamping only and
**critical** (RFC 3161 §2.3), so that what we verify is what a real TSA hands out.

Not a test module and not a conftest: import the fixture (``from tests.tsa import
local_tsa``, which provides ``tsa``) or use the context manager::

    from tests.tsa import LocalTSA

    def test_something(tmp_path):
        with LocalTSA(tmp_path) as tsa:
            token = request_timestamp(b"...", tsa.url, timeout=10)
        verify_timestamp(token.token, b"...", trusted_roots=[tsa.root], chain=token.certificates())

``mode`` makes a misbehaving TSA: ``"garbage"`` answers 200 with bytes that are not a
TimeStampResp, ``"reject"`` is a real openssl TSA that only accepts SHA-512 imprints (so
it answers our SHA-256 request with status rejection / badAlg), ``"http-error"`` answers
503. ``tsa_not_before``/``tsa_not_after`` set the TSA certificate's validity (openssl
signs with a certificate whatever its dates, so an expired one gives a token whose
genTime lies outside the validity). ``tls`` (a server SSLContext) serves it over HTTPS.
"""

from __future__ import annotations

import datetime
import itertools
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: An OID under the ITU-T/ISO "example" arc (2.999), never a real TSA policy.
TEST_POLICY = "2.999.3161.1"
OPENSSL = "/usr/bin/openssl"
MODES = ("ok", "garbage", "reject", "http-error")

_UTC = datetime.timezone.utc
_PEM = serialization.Encoding.PEM


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "archiver tests"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _key_usage(*, sign_certs: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not sign_certs, content_commitment=not sign_certs,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=sign_certs, crl_sign=sign_certs, encipher_only=False,
                         decipher_only=False)


_RSA_KEY: list[rsa.RSAPrivateKey] = []


def _rsa_key() -> rsa.RSAPrivateKey:
    """RSA for the TSA signer, as most public TSAs use; made once per process (~0.2 s).

    The CAs use P-256, which is fast to make, so every PKI still has its own roots.
    """
    if not _RSA_KEY:
        _RSA_KEY.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _RSA_KEY[0]


def _ca(name: str, key, issuer: x509.Certificate | None, issuer_key, start, end):
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(issuer.subject if issuer else _name(name))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(sign_certs=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


class TestPKI:
    """Root CA -> intermediate CA -> TSA certificate (critical EKU timeStamping), on disk."""

    __test__ = False  # not a pytest test class

    def __init__(self, folder: Path, *, tsa_not_before: datetime.datetime | None = None,
                 tsa_not_after: datetime.datetime | None = None, root_name: str = "Test Root CA"):
        now = datetime.datetime.now(_UTC)
        self.folder = folder
        root_key = ec.generate_private_key(ec.SECP256R1())
        inter_key = ec.generate_private_key(ec.SECP256R1())
        tsa_key = _rsa_key()
        start, end = now - datetime.timedelta(days=400), now + datetime.timedelta(days=3650)
        self.root = _ca(root_name, root_key, None, root_key, start, end)
        self.intermediate = _ca("Test TSA Issuing CA", inter_key, self.root, root_key, start, end)
        self.tsa_cert = (
            x509.CertificateBuilder()
            .subject_name(_name("Test Time-Stamping Unit"))
            .issuer_name(self.intermediate.subject)
            .public_key(tsa_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(tsa_not_before or now - datetime.timedelta(days=1))
            .not_valid_after(tsa_not_after or now + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(sign_certs=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                           critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(tsa_key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                inter_key.public_key()), critical=False)
            .sign(inter_key, hashes.SHA256())
        )
        folder.mkdir(parents=True, exist_ok=True)
        self.root_pem = folder / "root.pem"
        self.intermediate_pem = folder / "intermediate.pem"
        self.tsa_pem = folder / "tsa.pem"
        self.tsa_key = folder / "tsa.key"
        self.chain_pem = folder / "chain.pem"  # what the TSA puts in tokens besides its own
        self.root_pem.write_bytes(self.root.public_bytes(_PEM))
        self.intermediate_pem.write_bytes(self.intermediate.public_bytes(_PEM))
        self.tsa_pem.write_bytes(self.tsa_cert.public_bytes(_PEM))
        self.chain_pem.write_bytes(self.intermediate.public_bytes(_PEM)
                                   + self.root.public_bytes(_PEM))
        self.tsa_key.write_bytes(tsa_key.private_bytes(
            _PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def write_openssl_config(pki: TestPKI, *, digests: str) -> Path:
    """An openssl.cnf whose ``[tsa]`` section makes ``openssl ts -reply`` a TSA."""
    folder = pki.folder
    (folder / "tsaserial").write_text("01\n")
    config = folder / "openssl.cnf"
    config.write_text(f"""\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {folder}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = {pki.tsa_pem}
certs = {pki.chain_pem}
signer_key = {pki.tsa_key}
signer_digest = sha256
default_policy = {TEST_POLICY}
digests = {digests}
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")
    return config


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without this every keep-alive response stalls ~40 ms (Nagle + delayed ACK).
    disable_nagle_algorithm = True
    tsa: LocalTSA

    def do_POST(self) -> None:  # http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        query = self.rfile.read(length)
        self.tsa.requests.append((self.headers.get("Content-Type"), query))
        mode = self.tsa.mode
        if mode == "http-error":
            self._send(503, "text/plain", b"TSA is down for maintenance\n")
        elif self.tsa.answer is not None:
            self._send(200, "application/timestamp-reply", self.tsa.answer)
        elif mode == "garbage":
            self._send(200, "application/timestamp-reply", b"<html>certainly not DER</html>")
        else:
            try:
                answer = self.tsa.reply(query)
            except subprocess.CalledProcessError as exc:  # e.g. a query that is not DER
                self._send(400, "text/plain", exc.stderr or b"openssl ts -reply failed")
                return
            self._send(200, "application/timestamp-reply", answer)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class LocalTSA:
    """An RFC 3161 TSA on 127.0.0.1: ``openssl ts -reply`` behind a threaded HTTP server.

    Attributes after construction: ``url``, ``pki`` (a :class:`TestPKI`), ``root``,
    ``root_pem``, ``tsa_cert``, ``intermediate``, ``config`` (the openssl.cnf path) and
    ``requests`` (content type and bytes of every query received), ``replies`` (every
    response openssl made) and ``answer`` (set it to bytes to have them sent instead).
    """

    def __init__(self, folder: Path, *, mode: str = "ok",
                 tsa_not_before: datetime.datetime | None = None,
                 tsa_not_after: datetime.datetime | None = None,
                 tls: ssl.SSLContext | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.mode = mode
        self.folder = Path(folder) / "tsa"
        self.pki = TestPKI(self.folder, tsa_not_before=tsa_not_before,
                           tsa_not_after=tsa_not_after)
        self.root, self.root_pem = self.pki.root, self.pki.root_pem
        self.intermediate, self.tsa_cert = self.pki.intermediate, self.pki.tsa_cert
        # "reject": a real TSA whose policy admits SHA-512 imprints only.
        self.config = write_openssl_config(
            self.pki, digests="sha512" if mode == "reject" else "sha256, sha384, sha512")
        self.requests: list[tuple[str | None, bytes]] = []
        self.replies: list[bytes] = []  # every TimeStampResp openssl made, in order
        #: When set, sent verbatim instead of a fresh reply (a replaying or broken TSA).
        self.answer: bytes | None = None
        self._lock = threading.Lock()  # openssl ts updates the serial file in place
        self._counter = itertools.count(1)
        handler = type("Handler", (_Handler,), {"tsa": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}/tsa"
        # A short poll interval: shutdown() waits for the serve loop to notice.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)

    def reply(self, query: bytes) -> bytes:
        """Run ``openssl ts -reply`` on one DER TimeStampReq; return the DER TimeStampResp."""
        with self._lock:
            number = next(self._counter)
            query_file = self.folder / f"query-{number}.tsq"
            reply_file = self.folder / f"reply-{number}.tsr"
            query_file.write_bytes(query)
            subprocess.run(
                [OPENSSL, "ts", "-reply", "-config", str(self.config), "-section", "tsa_config1",
                 "-queryfile", str(query_file), "-out", str(reply_file),
                 "-signer", str(self.pki.tsa_pem), "-inkey", str(self.pki.tsa_key),
                 "-chain", str(self.pki.chain_pem)],
                check=True, capture_output=True, timeout=30)
            answer = reply_file.read_bytes()
            self.replies.append(answer)
            return answer

    def __enter__(self) -> LocalTSA:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(name="tsa", scope="module")
def local_tsa(tmp_path_factory):
    """A running :class:`LocalTSA`; ``from tests.tsa import local_tsa`` makes it available."""
    with LocalTSA(tmp_path_factory.mktemp("tsa")) as tsa:
        yield tsa
