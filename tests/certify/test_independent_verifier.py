"""Credentials issued here verify with a verifier written from the specifications alone
(independent_verifier.py: its own JCS, base58btc, did:key and RFC 8032 Ed25519)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import independent_verifier as iv
import pytest

from infralab.grading.certify._proof import canonical

VECTOR = json.loads((Path(__file__).parent / "fixtures" / "eddsa-jcs-2022-w3c.json").read_text())
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "credential.json"


def test_independent_verifier_passes_the_w3c_vector():
    assert iv.jcs(VECTOR["unsecuredCredential"]) == VECTOR["canonicalDocument"]
    assert iv.verify(VECTOR["signedCredential"])
    changed = copy.deepcopy(VECTOR["signedCredential"])
    changed["name"] = "Alumni Credentia1"
    assert not iv.verify(changed)


def test_independent_verifier_accepts_an_issued_credential(issued):
    credential = json.loads(issued.json_path.read_text())
    assert iv.verify(credential)
    assert iv.jcs(credential).encode() == canonical(credential)  # both JCS agree


def test_independent_verifier_accepts_the_committed_example():
    assert iv.verify(json.loads(EXAMPLE.read_text(encoding="utf-8")))


@pytest.mark.parametrize("field", ["score", "hiddenScore", "submissionSha256", "variantSeed"])
def test_independent_verifier_rejects_a_changed_evidence_value(issued, field):
    credential = json.loads(issued.json_path.read_text())
    value = credential["evidence"][1][field]
    credential["evidence"][1][field] = value + 1 if isinstance(value, int) else value[:-1] + "0"
    if credential["evidence"][1][field] == value:
        credential["evidence"][1][field] = value[:-1] + "1"
    assert not iv.verify(credential)


@pytest.mark.parametrize(
    "value,expected",
    [
        (0.1, "0.1"),
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (123.0, "123"),
        (-0.5, "-0.5"),
        (1.5e300, "1.5e+300"),
        (0.000001, "0.000001"),
    ],
)
def test_independent_jcs_numbers_follow_ecmascript(value, expected):
    assert iv.jcs(value) == expected
    assert canonical(value).decode() == expected
