"""Issuer keys (0600, never overwritten, rotation) and the Bitstring Status List encoding."""

from __future__ import annotations

import base64
import gzip
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infralab.grading.certify import KeyError_, init_keys, load_trusted_issuers, rotate_keys
from infralab.grading.certify._keys import active_key, load_private_key, write_private_key
from infralab.grading.certify._status import decode_list, encode_list, get_bit, set_bit


def test_init_creates_private_files_and_the_variant_key(tmp_path):
    d = tmp_path / "grader" / "keys"
    path, did, created = init_keys(d, "Body", "2026-01-01T00:00:00Z")
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    for p in (path, d / "variant.key"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    assert did.startswith("did:key:z6Mk")
    assert [t.id for t in load_trusted_issuers(d / "issuers.json")] == [did]
    assert b"PRIVATE KEY" in path.read_bytes() and did not in path.read_text()


def test_keys_are_never_overwritten(tmp_path):
    d = tmp_path / "keys"
    path, _, _ = init_keys(d, "Body", "2026-01-01T00:00:00Z")
    before = path.read_bytes()
    with pytest.raises(KeyError_, match="use `infralab keys rotate`"):
        init_keys(d, "Body", "2026-01-02T00:00:00Z")
    new, _ = rotate_keys(d, None, "2026-06-01T00:00:00Z")
    assert path.read_bytes() == before and new.name == "issuer-2.key"
    assert active_key(d) == new
    with pytest.raises(KeyError_, match="never overwritten"):
        write_private_key(new, Ed25519PrivateKey.generate())
    assert len(load_trusted_issuers(d / "issuers.json")) == 2


def test_a_key_others_can_read_is_refused(tmp_path):
    path, _, _ = init_keys(tmp_path / "k", "Body", "2026-01-01T00:00:00Z")
    path.chmod(0o644)
    with pytest.raises(KeyError_, match="chmod 600"):
        load_private_key(path)


def test_bitstring_encoding_follows_the_specification():
    bits = bytearray(16384)  # 131072 entries
    set_bit(bits, 0)
    set_bit(bits, 9)
    set_bit(bits, 131071)
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01  # bit 0 = leftmost
    encoded = encode_list(bits)
    assert encoded.startswith("u") and "=" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert raw == bytes(bits)
    decoded = decode_list(encoded)
    assert [get_bit(decoded, i) for i in (0, 1, 9, 131071)] == [1, 0, 1, 1]
    assert encode_list(bits) == encoded  # deterministic (gzip mtime 0)
