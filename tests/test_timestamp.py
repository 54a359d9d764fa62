"""RFC 3161 time-stamps against a real TSA (openssl ts -reply) on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import ssl
import subprocess
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

from archiver import cms, timestamp, tsaclient
from archiver.errors import ArchiverError
from archiver.timestamp import TimestampToken, TimestampVerificationError, verify_timestamp
from archiver.tsaclient import TimestampRequestError, request_timestamp
from tests.tsa import OPENSSL, TEST_POLICY, LocalTSA, TestPKI, local_tsa  # noqa: F401

UTC = timezone.utc
DATA = b'{"checkpoint":"archiver.example/log","size":42,"root":"ab12"}'


@pytest.fixture(name="stamped", scope="module")
def _stamped(tsa) -> TimestampToken:
    """One token for DATA from the module's TSA."""
    return request_timestamp(DATA, tsa.url, timeout=10)


@pytest.fixture(name="other_root", scope="module")
def _other_root(tmp_path_factory):
    """A root CA with the same name as the TSA's root but another key."""
    return TestPKI(tmp_path_factory.mktemp("other")).root


def flip(blob: bytes, index: int, bit: int = 0) -> bytes:
    out = bytearray(blob)
    out[index] ^= 1 << bit
    return bytes(out)


def openssl_verify(folder: Path, token: bytes, data: bytes, root_pem: Path, chain: list[str],
                   *extra: str) -> subprocess.CompletedProcess:
    """``openssl ts -verify`` on a stored token, with the stored chain as untrusted certs."""
    (folder / "token.der").write_bytes(token)
    (folder / "data.bin").write_bytes(data)
    (folder / "untrusted.pem").write_text("".join(chain))
    return subprocess.run(
        [OPENSSL, "ts", "-verify", "-token_in", "-in", str(folder / "token.der"),
         "-data", str(folder / "data.bin"), "-CAfile", str(root_pem),
         "-untrusted", str(folder / "untrusted.pem"), *extra],
        capture_output=True, text=True, timeout=30, check=False)


class TestRequest:
    def test_token_records_tsa_and_local_time(self, tsa, stamped):
        """A granted token carries genTime, our time, the policy, imprint and the chain."""
        now = datetime.now(UTC)
        assert abs((stamped.tsa_time - now).total_seconds()) < 60
        assert stamped.tsa_time.tzinfo is not None and stamped.local_time.tzinfo is not None
        assert abs(stamped.skew_seconds) < 5 and not stamped.skew_flagged
        assert stamped.policy == TEST_POLICY
        assert stamped.hash_algorithm == "sha256"
        assert stamped.message_imprint == "sha256:" + hashlib.sha256(DATA).hexdigest()
        assert stamped.serial_number > 0
        certs = stamped.certificates()
        assert certs[:3] == [tsa.tsa_cert, tsa.intermediate, tsa.root]  # TSA first, to root
        content_type, query = tsa.requests[0]
        assert content_type == "application/timestamp-query"
        assert hashlib.sha256(DATA).digest() in query

    def test_skew_over_ten_minutes_is_flagged(self, tsa):
        """A local clock 15 minutes slow gives a skew of about +900 s, flagged."""
        def slow() -> datetime:
            return datetime.now(UTC) - timedelta(minutes=15)

        token = request_timestamp(DATA, tsa.url, timeout=10, clock=slow)
        assert 890 < token.skew_seconds < 910
        assert token.skew_flagged
        assert token.local_time < token.tsa_time

    def test_skew_under_ten_minutes_is_not_flagged(self, tsa):
        """Five minutes fast is recorded but not flagged."""
        def fast() -> datetime:
            return datetime.now(UTC) + timedelta(minutes=5)

        token = request_timestamp(DATA, tsa.url, timeout=10, clock=fast)
        assert -310 < token.skew_seconds < -290
        assert not token.skew_flagged

    def test_trusted_roots_check_the_token_at_once(self, tsa, other_root):
        """Given trusted roots, a token that does not chain to them fails at request time."""
        assert request_timestamp(DATA, tsa.url, timeout=10, trusted_roots=[tsa.root])
        with pytest.raises(TimestampVerificationError, match="trusted root"):
            request_timestamp(DATA, tsa.url, timeout=10, trusted_roots=[other_root])


class TestDocument:
    def test_round_trip_is_json(self, stamped):
        """to_document is JSON with RFC 3339 microsecond UTC times; from_document inverts it."""
        document = json.loads(json.dumps(stamped.to_document()))
        stamp = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"
        assert re.match(stamp, document["tsa_time"]) and re.match(stamp, document["local_time"])
        assert base64.b64decode(document["token"]) == stamped.token
        assert document["chain"][0].startswith("-----BEGIN CERTIFICATE-----")
        assert TimestampToken.from_document(document) == stamped

    @pytest.mark.parametrize(("key", "value"), [
        ("tsa_time", "2020-01-01T00:00:00.000000Z"),
        ("message_imprint", "sha256:" + "0" * 64),
        ("serial_number", "12345"),
        ("skew_flagged", True),
    ])
    def test_document_disagreeing_with_its_token_is_refused(self, stamped, key, value):
        """A document that claims another time, imprint or serial than its token is refused."""
        document = stamped.to_document() | {key: value}
        with pytest.raises(TimestampVerificationError, match=key):
            TimestampToken.from_document(document)

    def test_malformed_document(self, stamped):
        """A document whose token is not base64 is refused with a clear error."""
        with pytest.raises(TimestampVerificationError, match="malformed"):
            TimestampToken.from_document(stamped.to_document() | {"token": "not base64!"})

    def test_chain_of_numbers(self, stamped):
        """A number in the chain is malformed (bytes() took it as a size: a crash or a huge
        allocation), not read as a certificate."""
        with pytest.raises(TimestampVerificationError, match="malformed"):
            TimestampToken.from_document(stamped.to_document() | {"chain": [2**70]})

    def test_token_without_policy(self, stamped):
        """TSTInfo.policy is required (RFC 3161 §2.4.2); rfc3161-client gives None for it."""
        version = stamped.token.index(b"\x02\x01\x01\x06")  # TSTInfo: version 1, policy
        policy = cms.der_element(stamped.token, version + 3)
        token = _drop_element(stamped.token, policy[0], policy[2])
        document = stamped.to_document() | {"token": base64.b64encode(token).decode("ascii")}
        with pytest.raises(TimestampVerificationError, match="no policy"):
            TimestampToken.from_document(document)


class TestVerify:
    def test_verifies_offline_from_the_stored_document(self, tmp_path):
        """With the TSA gone, the stored document and the root suffice to verify."""
        with LocalTSA(tmp_path) as tsa:
            document = json.dumps(request_timestamp(DATA, tsa.url, timeout=10).to_document())
        root = tsa.root
        token = TimestampToken.from_document(json.loads(document))
        result = verify_timestamp(token.token, DATA, trusted_roots=[root],
                                  chain=token.certificates())
        assert result.tsa_time == token.tsa_time
        assert result.policy == TEST_POLICY
        assert result.message_imprint == token.message_imprint
        assert "Test Time-Stamping Unit" in result.tsa_subject
        expected = hashlib.sha256(root.public_bytes(serialization.Encoding.DER)).hexdigest()
        assert result.root_sha256 == "sha256:" + expected

    def test_openssl_accepts_the_stored_token(self, tmp_path, tsa, stamped):
        """An independent ``openssl ts -verify`` accepts the token and chain we stored."""
        document = stamped.to_document()
        done = openssl_verify(tmp_path, base64.b64decode(document["token"]), DATA,
                              tsa.root_pem, document["chain"])
        assert done.returncode == 0, done.stderr
        assert "Verification: OK" in done.stdout

    def test_openssl_rejects_other_data(self, tmp_path, tsa, stamped):
        """The openssl cross-check is not vacuous: it refuses a token for other data."""
        done = openssl_verify(tmp_path, stamped.token, DATA + b" ", tsa.root_pem,
                              list(stamped.chain))
        assert done.returncode != 0

    def test_carried_chain_when_the_token_has_no_certificates(self, tmp_path):
        """A token without embedded certificates verifies with the chain we carried."""
        with LocalTSA(tmp_path) as tsa:
            query = (TimestampRequestBuilder().data(DATA).hash_algorithm(HashAlgorithm.SHA256)
                     .cert_request(cert_request=False).build())
            raw = tsa.reply(query.as_bytes())
        response_token = _token_of(raw)
        carried = [tsa.tsa_cert, tsa.intermediate]
        result = verify_timestamp(response_token, DATA, trusted_roots=[tsa.root], chain=carried)
        assert result.policy == TEST_POLICY
        with pytest.raises(TimestampVerificationError, match="neither in the token nor"):
            verify_timestamp(response_token, DATA, trusted_roots=[tsa.root])
        with pytest.raises(TimestampVerificationError, match="its issuer .*Issuing CA.* is in"):
            verify_timestamp(response_token, DATA, trusted_roots=[tsa.root], chain=carried[:1])
        pems = [c.public_bytes(serialization.Encoding.PEM).decode() for c in carried]
        done = openssl_verify(tmp_path, response_token, DATA, tsa.root_pem, pems)
        assert done.returncode == 0, done.stderr

    def test_one_flipped_bit_in_the_data(self, tsa, stamped):
        """Data differing in one bit fails, and the error shows both imprints."""
        with pytest.raises(TimestampVerificationError, match="data is not what was time-stamped"):
            stamped.verify(flip(DATA, 10), trusted_roots=[tsa.root])

    def test_one_flipped_bit_in_the_signed_time_stamp_info(self, tsa, stamped):
        """A bit flipped in the signed TSTInfo (here the nonce) is reported as tampering."""
        nonce_at = _nonce_offset(stamped.token)
        with pytest.raises(TimestampVerificationError, match="altered after signing"):
            verify_timestamp(flip(stamped.token, nonce_at), DATA, trusted_roots=[tsa.root],
                             chain=stamped.certificates())

    def test_one_flipped_bit_in_the_signature(self, tsa, stamped):
        """A bit flipped in the signature value fails."""
        with pytest.raises(TimestampVerificationError, match="signature does not verify"):
            verify_timestamp(flip(stamped.token, len(stamped.token) - 3), DATA,
                             trusted_roots=[tsa.root], chain=stamped.certificates())

    @pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")
    def test_no_flipped_bit_changes_what_is_proven(self, tsa, stamped):
        """Flip one bit anywhere in the token: only our error ever comes out, never a
        crash; flips in the imprint, genTime or signature always fail; and a flip that
        still verifies (unsigned CMS fields: the certificate set, version numbers, the
        signature-algorithm label, which openssl ignores too) proves exactly the same."""
        token, chain = stamped.token, stamped.certificates()
        good = verify_timestamp(token, DATA, trusted_roots=[tsa.root], chain=chain)
        imprint = token.index(hashlib.sha256(DATA).digest())
        gen_time = token.index(stamped.tsa_time.strftime("%Y%m%d%H%M%SZ").encode())
        signed = {*range(imprint, imprint + 32), *range(gen_time, gen_time + 15),
                  *range(len(token) - 256, len(token))}  # RSA-2048 signature value is last
        every_fifth = set(range(0, len(token), 5))  # all of them takes ~8 s; same findings
        for index in sorted(signed | every_fifth):
            try:
                result = verify_timestamp(flip(token, index, index % 8), DATA,
                                          trusted_roots=[tsa.root], chain=chain)
            except TimestampVerificationError:
                continue
            assert index not in signed, f"flip at byte {index} still verified"
            assert result == good, f"flip at byte {index} changed the result"

    def test_a_different_root_is_refused(self, tsa, stamped, other_root):
        """A root with the same name but another key does not anchor the chain."""
        with pytest.raises(TimestampVerificationError,
                           match="does not chain to a trusted root.*same name but another key"):
            stamped.verify(DATA, trusted_roots=[other_root])

    def test_carried_certificates_are_never_trusted(self, tsa, stamped, other_root):
        """The token embeds its real root; trusting only another root still fails."""
        assert tsa.root in stamped.certificates()
        with pytest.raises(TimestampVerificationError, match="trusted root"):
            verify_timestamp(stamped.token, DATA, trusted_roots=[other_root],
                             chain=stamped.certificates() + [tsa.root])

    def test_no_trusted_roots(self, stamped):
        """Verification without any trusted root is refused, not passed."""
        with pytest.raises(TimestampVerificationError, match="no trusted root"):
            stamped.verify(DATA, trusted_roots=[])

    def test_not_a_token(self, tsa):
        """Bytes that are not a token give our error."""
        with pytest.raises(TimestampVerificationError, match="not a DER time-stamp token"):
            verify_timestamp(b"\x30\x03\x02\x01", DATA, trusted_roots=[tsa.root])

    def test_tsa_certificate_needs_critical_time_stamping_eku(self, tmp_path):
        """A certificate whose EKU is not critical is refused (openssl will not even sign
        with one, so this checks the rule itself)."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lax TSA")])
        now = datetime.now(UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(1)
                .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                               critical=False)
                .sign(key, hashes.SHA256()))
        with pytest.raises(TimestampVerificationError, match="non-critical"):
            timestamp._check_tsa_certificate(cert, now)


class TestCertificateTime:
    def test_expired_since_still_verifies_at_gen_time(self, tmp_path):
        """A TSA certificate that expired after the token was made still verifies: we
        judge it at genTime. openssl, asked about "now", refuses; at genTime it agrees."""
        end = (datetime.now(UTC) + timedelta(seconds=2)).replace(microsecond=0)
        with LocalTSA(tmp_path, tsa_not_after=end) as tsa:
            token = request_timestamp(DATA, tsa.url, timeout=10)
        assert token.tsa_time <= end
        time.sleep(max(0.0, (end - datetime.now(UTC)).total_seconds()) + 1.1)
        assert tsa.tsa_cert.not_valid_after_utc < datetime.now(UTC)  # expired by now
        result = token.verify(DATA, trusted_roots=[tsa.root])
        assert result.tsa_time == token.tsa_time
        chain = list(token.chain)
        now_check = openssl_verify(tmp_path, token.token, DATA, tsa.root_pem, chain)
        assert now_check.returncode != 0 and "expired" in now_check.stderr
        at_gen_time = openssl_verify(tmp_path, token.token, DATA, tsa.root_pem, chain,
                                     "-attime", str(int(token.tsa_time.timestamp())))
        assert at_gen_time.returncode == 0, at_gen_time.stderr

    @pytest.mark.parametrize("when", ["expired-before", "not-yet-valid"])
    def test_gen_time_outside_certificate_validity_fails(self, tmp_path, when):
        """openssl signs with any certificate; a token made outside its validity fails."""
        now = datetime.now(UTC)
        if when == "expired-before":
            start, end = now - timedelta(days=10), now - timedelta(days=1)
        else:
            start, end = now + timedelta(days=1), now + timedelta(days=10)
        with LocalTSA(tmp_path, tsa_not_before=start, tsa_not_after=end) as tsa:
            token = request_timestamp(DATA, tsa.url, timeout=10)
        with pytest.raises(TimestampVerificationError,
                           match=r"TSA certificate .* was valid from .* is outside that"):
            token.verify(DATA, trusted_roots=[tsa.root])


class TestTsaFailures:
    def test_garbage_answer(self, tmp_path):
        """A TSA answering bytes that are not a TimeStampResp: one line naming the URL."""
        with LocalTSA(tmp_path, mode="garbage") as tsa, pytest.raises(TimestampRequestError) as info:
            request_timestamp(DATA, tsa.url, timeout=10)
        message = str(info.value)
        assert tsa.url in message and "not an RFC 3161 TimeStampResp" in message
        assert "\n" not in message and isinstance(info.value, ArchiverError)

    def test_rejection_status(self, tmp_path):
        """A real TSA refusing the request (SHA-256 not in its policy): status and reason."""
        with LocalTSA(tmp_path, mode="reject") as tsa, pytest.raises(TimestampRequestError) as info:
            request_timestamp(DATA, tsa.url, timeout=10)
        assert tsa.url in str(info.value)
        assert "refused: status rejection" in str(info.value)
        assert "algorithm" in str(info.value).lower()

    def test_http_error(self, tmp_path):
        """An HTTP error status is reported with the URL."""
        with LocalTSA(tmp_path, mode="http-error") as tsa, pytest.raises(
                TimestampRequestError, match=r"HTTP 503") as info:
            request_timestamp(DATA, tsa.url, timeout=10)
        assert tsa.url in str(info.value)

    def test_unreachable(self):
        """Nothing listening: a clear error naming the URL."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{sock.getsockname()[1]}/tsa"
        with pytest.raises(TimestampRequestError, match="cannot reach the TSA") as info:
            request_timestamp(DATA, url, timeout=5)
        assert url in str(info.value)

    def test_silent_tsa_hits_the_deadline(self):
        """A TSA that accepts the connection and never answers fails within the timeout."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen()
            url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
            started = time.monotonic()
            with pytest.raises(TimestampRequestError, match=r"within 0\.5s"):
                request_timestamp(DATA, url, timeout=0.5)
            assert time.monotonic() - started < 2

    @pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/tsa", "tsa.example"])
    def test_only_http_and_https(self, url):
        """Other schemes are refused before anything is sent."""
        with pytest.raises(TimestampRequestError, match="only http:// and https://"):
            request_timestamp(DATA, url, timeout=1)

    def test_oversized_answer(self, tsa, monkeypatch):
        """An answer over the size cap is refused."""
        monkeypatch.setattr(tsaclient, "MAX_RESPONSE_BYTES", 100)
        with pytest.raises(TimestampRequestError, match="larger than 100 bytes"):
            request_timestamp(DATA, tsa.url, timeout=10)

    def test_https_tsa(self, tmp_path, tls_files):
        """An https TSA works with a context trusting its CA and fails without one."""
        ca, chain, key = tls_files
        server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.load_cert_chain(chain, key)
        with LocalTSA(tmp_path, tls=server) as tsa:
            client = ssl.create_default_context(cafile=str(ca))
            token = request_timestamp(DATA, tsa.url, timeout=10, ssl_context=client)
            assert token.tsa_url.startswith("https://")
            with pytest.raises(TimestampRequestError, match="cannot reach the TSA.*certificate"):
                request_timestamp(DATA, tsa.url, timeout=10)

    def test_replayed_answer_is_refused(self, tmp_path):
        """A TSA replaying an earlier (valid) answer fails the nonce check."""
        with LocalTSA(tmp_path) as tsa:
            request_timestamp(DATA, tsa.url, timeout=10)
            tsa.answer = tsa.replies[-1]
            with pytest.raises(TimestampRequestError, match="nonce"):
                request_timestamp(DATA, tsa.url, timeout=10)


def _token_of(response: bytes) -> bytes:
    """The TimeStampToken in a granted TimeStampResp: what follows the 5-byte status."""
    header = 2 + (response[1] & 0x7F if response[1] & 0x80 else 0)
    assert response[header:header + 5] == b"\x30\x03\x02\x01\x00"  # status granted
    return response[header + 5:]


def _drop_element(der: bytes, start: int, end: int) -> bytes:
    """``der`` without the element at ``der[start:end]``, every enclosing length adjusted."""
    def rebuild(element: cms.Element) -> bytes:
        first, content, last = element
        if (first, last) == (start, end):
            return b""
        if not first <= start < end <= last:
            return der[first:last]
        if der[first] == 0x04:  # the eContent OCTET STRING, which wraps the TSTInfo DER
            children = [cms.der_element(der, content, last)]
        else:
            children = cms.der_children(der, element)
        return cms.der_sequence(b"".join(map(rebuild, children)), der[first])
    return rebuild(cms.der_element(der, 0))


def _nonce_offset(token: bytes) -> int:
    """Offset of the last byte of the nonce inside the token's (signed) TSTInfo."""
    nonce = timestamp.parse_token(token).tst_info.nonce
    raw = nonce.to_bytes((nonce.bit_length() + 7) // 8, "big")
    return token.index(raw) + len(raw) - 1


def test_fixture_is_reusable(tsa):
    """The ``tsa`` fixture answers plain urllib clients too (for other modules' tests)."""
    query = TimestampRequestBuilder().data(b"x").hash_algorithm(HashAlgorithm.SHA256).build()
    request = urllib.request.Request(tsa.url, data=query.as_bytes(),
                                     headers={"Content-Type": "application/timestamp-query"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.headers["Content-Type"] == "application/timestamp-reply"
        assert answer.read()[:2] == b"\x30\x82"
