"""Data Integrity proofs with the ``eddsa-jcs-2022`` cryptosuite, and ``did:key`` for Ed25519.

W3C "Data Integrity EdDSA Cryptosuites v1.0", section 3.3 (eddsa-jcs-2022): the proof
configuration (the proof without ``proofValue``, with the document's ``@context``) and the
document without its proof are each canonicalised with the JSON Canonicalization Scheme
(RFC 8785) and hashed with SHA-256; the Ed25519 signature covers ``proofHash || docHash``
and is written as a base58btc multibase string (``z...``). The issuer's public key travels in
its ``did:key`` (multicodec ``ed25519-pub`` = 0xed 0x01, then the 32 key bytes, base58btc), so
a verifier needs no server.

``render()`` is the one byte form we write credentials in; :func:`parse_strict` refuses what
JSON parsers disagree on (duplicate keys, NaN, a byte-order mark), so that a changed byte of a
file can never verify: it either changes the signed data or the rendering.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "CRYPTOSUITE",
    "ProofError",
    "add_proof",
    "canonical",
    "did_key",
    "hash_data",
    "parse_strict",
    "public_key_from_did",
    "render",
    "verify_proof",
]

CRYPTOSUITE = "eddsa-jcs-2022"
ED25519_PUB = b"\xed\x01"  # multicodec ed25519-pub, varint-encoded


class ProofError(Exception):
    """A proof, key or document that cannot be checked (the message says why)."""


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) bytes of a JSON value."""
    try:
        return rfc8785.dumps(value)
    except Exception as exc:  # rfc8785 raises its own errors for floats, big ints, bad keys
        raise ProofError(f"cannot canonicalise the document (RFC 8785): {exc}") from None


def multibase_b58(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def from_multibase_b58(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z") or len(text) < 2:
        raise ProofError(f"not a base58btc multibase value: {text!r}")
    try:
        return base58.b58decode(text[1:])
    except ValueError:
        raise ProofError(f"not a base58btc multibase value: {text!r}") from None


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def did_key(key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The ``did:key`` of an Ed25519 key (``did:key:z6Mk...``)."""
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    return "did:key:" + multibase_b58(ED25519_PUB + public_bytes(key))


def verification_method(did: str) -> str:
    """The verification method id of a did:key: ``did:key:z6Mk...#z6Mk...``."""
    return f"{did}#{did.removeprefix('did:key:')}"


def public_key_from_did(did_or_method: str) -> Ed25519PublicKey:
    """The Ed25519 key in a ``did:key`` or ``did:key:...#...`` verification method."""
    if not isinstance(did_or_method, str) or not did_or_method.startswith("did:key:z"):
        raise ProofError(f"not an Ed25519 did:key: {did_or_method!r}")
    did, _, fragment = did_or_method.partition("#")
    ident = did.removeprefix("did:key:")
    if fragment and fragment != ident:
        raise ProofError(f"verification method fragment does not name its key: {did_or_method}")
    raw = from_multibase_b58(ident)
    if len(raw) != 34 or raw[:2] != ED25519_PUB:
        raise ProofError(f"not an Ed25519 did:key (multicodec 0xed01, 32 bytes): {did}")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def hash_data(document: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    """``sha256(JCS(proof config)) || sha256(JCS(document without proof))`` (64 bytes)."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    return (
        hashlib.sha256(canonical(proof_config)).digest()
        + hashlib.sha256(canonical(unsecured)).digest()
    )


def add_proof(
    document: dict[str, Any],
    key: Ed25519PrivateKey,
    created: str,
    *,
    method: str | None = None,
    purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """A copy of ``document`` with an ``eddsa-jcs-2022`` DataIntegrityProof."""
    if "proof" in document:
        raise ProofError("the document already has a proof")
    config: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": method or verification_method(did_key(key)),
        "proofPurpose": purpose,
    }
    if "@context" in document:
        config["@context"] = document["@context"]
    signature = key.sign(hash_data(document, config))
    return {**document, "proof": {**config, "proofValue": multibase_b58(signature)}}


def verify_proof(document: dict[str, Any], key: Ed25519PublicKey | None = None) -> tuple[bool, str]:
    """Check a document's eddsa-jcs-2022 proof; ``(ok, reason)``.

    ``key`` defaults to the key of the proof's did:key verification method.
    """
    proof = document.get("proof")
    if not isinstance(proof, dict):
        return False, "no proof (or more than one)"
    want = {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE}
    for field, value in want.items():
        if proof.get(field) != value:
            return False, f"proof.{field} is {proof.get(field)!r}, expected {value!r}"
    if proof.get("proofPurpose") != "assertionMethod":
        return False, f"proof.proofPurpose is {proof.get('proofPurpose')!r}"
    if "@context" in proof:
        ctx, doc_ctx = proof["@context"], document.get("@context")
        ctx = ctx if isinstance(ctx, list) else [ctx]
        doc_ctx = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
        if doc_ctx[: len(ctx)] != ctx:
            return False, "proof.@context does not start the document's @context"
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    try:
        signature = from_multibase_b58(proof.get("proofValue"))  # type: ignore[arg-type]
        if key is None:
            key = public_key_from_did(str(proof.get("verificationMethod")))
        data = hash_data(document, config)
    except ProofError as exc:
        return False, str(exc)
    if len(signature) != 64:
        return False, "proof.proofValue is not a 64-byte Ed25519 signature"
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False, "the Ed25519 signature does not match the document (changed or forged)"
    return True, "signature valid"


def render(document: dict[str, Any]) -> str:
    """The byte form credentials are written in: 2-space JSON, UTF-8, ``<>&`` escaped
    (so the same bytes can sit in an HTML ``<script>``), one final newline."""
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ProofError(f"duplicate key {k!r}")
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise ProofError(f"{name} is not JSON")


def parse_strict(data: bytes) -> dict[str, Any]:
    """Parse a credential: UTF-8, no BOM, no duplicate keys, no NaN/Infinity, an object."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise ProofError("the file starts with a byte-order mark")
    try:
        text = data.decode("utf-8")
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise ProofError("the file is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ProofError(f"not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ProofError("not a JSON object")
    return value
