"""The W3C vc-di-eddsa eddsa-jcs-2022 test vector, reproduced byte for byte.

Fixture: fixtures/eddsa-jcs-2022-w3c.json, copied from the specification's appendix
"Representation: eddsa-jcs-2022" (its "source" field has the URL): the key pair, the unsecured
credential, its canonical form and hash, the proof options, the canonical proof configuration
and its hash, the combined hash, the signature (hex and base58btc proofValue) and the signed
credential.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from infralab.grading.certify._proof import (
    add_proof,
    canonical,
    did_key,
    hash_data,
    public_key_from_did,
    verify_proof,
)

VECTOR = json.loads((Path(__file__).parent / "fixtures" / "eddsa-jcs-2022-w3c.json").read_text())


def _secret_key() -> Ed25519PrivateKey:
    raw = base58.b58decode(VECTOR["keyPair"]["secretKeyMultibase"][1:])
    assert raw[:2] == b"\x80\x26"  # multicodec ed25519-priv
    return Ed25519PrivateKey.from_private_bytes(raw[2:])


def test_the_fixture_names_its_source():
    assert VECTOR["source"].startswith("https://www.w3.org/TR/vc-di-eddsa/")


def test_key_pair_and_did_key():
    key = _secret_key()
    assert did_key(key) == "did:key:" + VECTOR["keyPair"]["publicKeyMultibase"]
    method = VECTOR["proofOptions"]["verificationMethod"]
    assert did_key(public_key_from_did(method)) == method.partition("#")[0]


def test_canonical_document_and_hash():
    doc = canonical(VECTOR["unsecuredCredential"])
    assert doc == VECTOR["canonicalDocument"].encode("utf-8")
    assert hashlib.sha256(doc).hexdigest() == VECTOR["documentHashHex"]


def test_canonical_proof_configuration_and_hash():
    config = {**VECTOR["proofOptions"], "@context": VECTOR["unsecuredCredential"]["@context"]}
    assert canonical(config) == VECTOR["canonicalProofConfig"].encode("utf-8")
    assert hashlib.sha256(canonical(config)).hexdigest() == VECTOR["proofConfigHashHex"]
    combined = hash_data(VECTOR["unsecuredCredential"], config)
    assert combined.hex() == VECTOR["combinedHashHex"]


def test_signature_and_signed_credential_byte_for_byte():
    opts = VECTOR["proofOptions"]
    signed = add_proof(
        copy.deepcopy(VECTOR["unsecuredCredential"]),
        _secret_key(),
        opts["created"],
        method=opts["verificationMethod"],
    )
    assert signed["proof"]["proofValue"] == VECTOR["proofValue"]
    sig = base58.b58decode(VECTOR["proofValue"][1:])
    assert sig.hex() == VECTOR["signatureHex"]
    # same members in the same order: the same bytes in any serialisation
    assert json.dumps(signed, indent=2) == json.dumps(VECTOR["signedCredential"], indent=2)


def test_our_verifier_accepts_the_vector_and_rejects_any_change():
    signed = VECTOR["signedCredential"]
    assert verify_proof(signed) == (True, "signature valid")
    for path, value in [
        (("credentialSubject", "alumniOf"), "The School of Samples"),
        (("validFrom",), "2023-01-01T00:00:01Z"),
        (("proof", "created"), "2023-02-24T23:36:39Z"),
        (("proof", "@context"), ["https://www.w3.org/ns/credentials/v2"]),
    ]:
        changed = copy.deepcopy(signed)
        node = changed
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        assert verify_proof(changed)[0] is False, path
