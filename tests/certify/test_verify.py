"""infralab verify: every check named when it fails; any changed byte fails."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from certify_results import NOW

from infralab.grading.certify import load_trusted_issuers, revoke, rotate_keys, verify_credential
from infralab.grading.certify._proof import render


def _verify(issued, keydir, data=None, **kw):
    kw.setdefault("trusted", load_trusted_issuers(keydir / "issuers.json"))
    kw.setdefault("at", NOW + dt.timedelta(days=1))
    kw.setdefault("status_dir", issued.json_path.parent)
    return verify_credential(data if data is not None else issued.json_path.read_bytes(), **kw)


def _failed(report) -> list[str]:
    return [c.name for c in report.checks if not c.ok]


def test_an_issued_credential_passes_every_check(issued, keys):
    report = _verify(issued, keys)
    assert report.ok, report.text()
    assert [c.name for c in report.checks] == ["format", "proof", "issuer", "validity", "status"]
    assert report.text().endswith("VALID")


def test_the_page_verifies_too(issued, keys):
    assert _verify(issued, keys, issued.html_path.read_bytes()).ok


def test_every_changed_byte_fails(issued, keys):
    """Each byte of the file replaced in turn (all positions, two replacement values each)."""
    data = issued.json_path.read_bytes()
    trusted = load_trusted_issuers(keys / "issuers.json")
    status = (issued.json_path.parent / "revocation-1.json").read_bytes()
    rng = random.Random(7)
    passed = []
    for i in range(len(data)):
        for new in {data[i] ^ 0x01, rng.choice([b for b in range(256) if b != data[i]])}:
            changed = data[:i] + bytes([new]) + data[i + 1 :]
            report = verify_credential(
                changed, trusted=trusted, at=NOW, status_list=status, check_status=False
            )
            if report.ok:
                passed.append((i, new))
    assert passed == [], f"{len(passed)} changed files verified, e.g. {passed[:5]}"
    assert len(data) > 5000


def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, (*path, i))
    else:
        yield path, node


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if value is None:
        return 0
    return value + "x" if value else "x"


def test_every_changed_value_fails_and_names_proof(issued, keys):
    doc = json.loads(issued.json_path.read_text())
    leaves = list(_leaves(doc))
    assert len(leaves) > 100
    for path, value in leaves:
        changed = json.loads(json.dumps(doc))
        node = changed
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = _changed(value)
        report = _verify(issued, keys, render(changed).encode(), check_status=False)
        assert not report.ok, path
        assert "proof" in _failed(report) or path[-1] == "proofValue", path


def test_untrusted_issuer_fails_issuer(issued, keys, tmp_path):
    from infralab.grading.certify import init_keys

    other = tmp_path / "other"
    init_keys(other, "someone else", "2026-01-01T00:00:00Z")
    report = _verify(issued, keys, trusted=load_trusted_issuers(other / "issuers.json"))
    assert _failed(report) == ["issuer", "status"]
    assert "not in the trusted issuer list" in report.text()
    report = _verify(issued, keys, trusted=None)
    assert "issuer" in _failed(report)
    did = issued.credential["issuer"]["id"]
    assert _verify(issued, keys, trusted=None, keys=[did]).ok  # a given key


def test_outside_the_validity_period_fails_validity(issued, keys):
    early = _verify(issued, keys, at=NOW - dt.timedelta(seconds=1))
    late = _verify(issued, keys, at=NOW + dt.timedelta(days=3 * 365 + 1))
    assert _failed(early) == ["validity"] and "not valid before" in early.text()
    assert _failed(late) == ["validity"] and "expired on 2029-11-30T12:00:00Z" in late.text()


def test_revoked_fails_status_and_others_stay_valid(issued, keys, tmp_path):
    from certify_results import POLICY, passing_track_a

    from infralab.grading.certify import certify

    passing_track_a(tmp_path / "results", "cand-2")
    other = certify(
        candidate="cand-2",
        track="A",
        results=tmp_path / "results",
        policy=POLICY,
        keys_dir=keys,
        out=tmp_path / "out2",
        status_dir=tmp_path / "out",
        now=NOW,
    )
    entry = revoke(
        policy=POLICY,
        status_dir=tmp_path / "out",
        keys_dir=keys,
        credential_id=issued.credential["id"],
        now=NOW,
    )
    assert entry["index"] == 0
    report = _verify(issued, keys)
    assert _failed(report) == ["status"] and "REVOKED" in report.text()
    assert _verify(other, keys, status_dir=tmp_path / "out").ok


def test_a_forged_or_missing_status_list_fails_status(issued, keys, tmp_path):
    status = issued.json_path.parent / "revocation-1.json"
    doc = json.loads(status.read_text())
    encoded = doc["credentialSubject"]["encodedList"]
    middle = len(encoded) // 2
    flipped = "B" if encoded[middle] != "B" else "C"
    doc["credentialSubject"]["encodedList"] = encoded[:middle] + flipped + encoded[middle + 1 :]
    report = _verify(issued, keys, status_list=render(doc).encode())
    assert _failed(report) == ["status"] and "status list's proof" in report.text()
    report = _verify(issued, keys, status_dir=tmp_path / "nowhere")
    assert _failed(report) == ["status"] and "not available offline" in report.text()


def test_rotation_keeps_old_certificates_valid(issued, keys):
    rotate_keys(keys, None, "2026-12-15T00:00:00Z")
    trusted = load_trusted_issuers(keys / "issuers.json")
    assert len(trusted) == 2 and trusted[0].valid_until == "2026-12-15T00:00:00Z"
    assert _verify(issued, keys, trusted=trusted).ok


def test_a_retired_key_cannot_sign_after_its_retirement(tmp_path, keys, results):
    from certify_results import POLICY

    from infralab.grading.certify import certify

    old = keys / "issuer-1.key"
    rotate_keys(keys, None, "2026-11-01T00:00:00Z")
    late = certify(
        candidate="cand-1",
        track="A",
        results=results,
        policy=POLICY,
        key=old,
        out=tmp_path / "late",
        status_dir=tmp_path / "late",
        now=NOW,
    )
    report = _verify(late, keys)
    assert "issuer" in _failed(report) and "after the key was retired" in report.text()


@pytest.mark.parametrize(
    "data,why",
    [
        (b"\xef\xbb\xbf{}", "byte-order mark"),
        (b'{"a": 1, "a": 2}', "duplicate key"),
        (b"[1]", "not a JSON object"),
        (b'{"a": NaN}', "NaN"),
        (b"\xff", "not UTF-8"),
    ],
)
def test_unparseable_input_fails_format(issued, keys, data, why):
    report = _verify(issued, keys, data)
    assert _failed(report) == ["format"] and why in report.text()


def test_a_reformatted_file_fails_format_and_says_the_data_is_intact(issued, keys):
    compact = json.dumps(issued.credential, separators=(",", ":")).encode()
    report = _verify(issued, keys, compact)
    assert _failed(report) == ["format"]
    assert "signed data is intact" in report.text()
