"""The committed example: docs/examples/credential.json verifies on a fresh clone with the
committed trusted issuer list and status list, and fails on any changed value; no private key
is committed."""

from __future__ import annotations

import json
from pathlib import Path

from infralab.grading.certify import load_trusted_issuers, verify_credential
from infralab.grading.certify._proof import render
from infralab.grading.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def test_the_example_verifies_from_the_command_line(capsys):
    code = main(
        ["verify", str(EXAMPLES / "credential.json"), "--issuers", str(EXAMPLES / "issuers.json")]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert (
        main(
            [
                "verify",
                str(EXAMPLES / "credential.html"),
                "--issuers",
                str(EXAMPLES / "issuers.json"),
            ]
        )
        == 0
    )


def test_the_page_embeds_the_same_bytes():
    html = (EXAMPLES / "credential.html").read_text(encoding="utf-8")
    assert render(json.loads((EXAMPLES / "credential.json").read_text())) in html


def test_the_example_fails_on_any_changed_value():
    data = (EXAMPLES / "credential.json").read_bytes()
    trusted = load_trusted_issuers(EXAMPLES / "issuers.json")
    doc = json.loads(data)
    for lab in doc["evidence"]:
        for field in ("score", "hiddenScore", "submissionSha256", "variantSeed", "gradedAt"):
            changed = json.loads(data)
            ev = next(e for e in changed["evidence"] if e["lab"] == lab["lab"])
            v = ev[field]
            ev[field] = v - 1 if isinstance(v, int) else v[:-1] + ("0" if v[-1] != "0" else "1")
            report = verify_credential(
                render(changed).encode(), trusted=trusted, status_dir=EXAMPLES
            )
            assert [c.name for c in report.checks if not c.ok] == ["proof"], (lab, field)


def test_no_private_key_is_committed():
    for p in EXAMPLES.rglob("*"):
        if p.is_file():
            assert b"PRIVATE KEY" not in p.read_bytes(), p
